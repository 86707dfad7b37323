#pragma once

#include "core/model/labels.h"
#include "core/model/sample.h"

#include <QList>
#include <QString>
#include <QStringList>
#include <QVariantMap>
#include <cstdint>
#include <variant>

namespace spyglass::model {

// What a frame holds, so a view can pick how to render it (Grafana's
// data frame "type"). Views never need to know the datasource.
enum class FrameKind { TimeSeries, Logs, Spans, ProfileTree, Table };

// Column types. Time columns hold Unix milliseconds (Grafana's convention);
// frames needing more precision carry an extra Int64 nanosecond column
// (logs: "tsNs", spans: "startTimeNs").
enum class FieldType { Time, Float64, Int64, String, Labels };

QString frameKindName(FrameKind k);
QString fieldTypeName(FieldType t);

class Field
{
public:
    using Values = std::variant<QList<std::int64_t>, QList<double>, QStringList, QList<Labels>>;

    Field() = default;
    Field(QString name, FieldType type, Labels labels = {});

    static Field time(QString name, QList<std::int64_t> ms);
    static Field float64(QString name, QList<double> v, Labels labels = {});
    static Field int64(QString name, QList<std::int64_t> v, Labels labels = {});
    static Field string(QString name, QStringList v);
    static Field labels(QString name, QList<Labels> v);

    const QString &name() const { return m_name; }
    FieldType type() const { return m_type; }
    // For a value column of a time series: the series' label set.
    const Labels &seriesLabels() const { return m_labels; }
    void setSeriesLabels(Labels l) { m_labels = std::move(l); }
    const QString &unit() const { return m_unit; }
    void setUnit(QString u) { m_unit = std::move(u); }

    qsizetype size() const;

    // Typed access; calling the wrong one for the type is a programming error.
    const QList<std::int64_t> &int64s() const { return std::get<QList<std::int64_t>>(m_values); }
    QList<std::int64_t> &int64s() { return std::get<QList<std::int64_t>>(m_values); }
    const QList<double> &doubles() const { return std::get<QList<double>>(m_values); }
    QList<double> &doubles() { return std::get<QList<double>>(m_values); }
    const QStringList &strings() const { return std::get<QStringList>(m_values); }
    QStringList &strings() { return std::get<QStringList>(m_values); }
    const QList<Labels> &labelSets() const { return std::get<QList<Labels>>(m_values); }
    QList<Labels> &labelSets() { return std::get<QList<Labels>>(m_values); }

    // Any cell as text, for tables and tooltips.
    QString displayValue(qsizetype row) const;

private:
    QString m_name;
    FieldType m_type = FieldType::String;
    Labels m_labels;
    QString m_unit;
    Values m_values;
};

struct FrameMeta
{
    QString executedQuery;   // the query as sent after interpolation
    QStringList notices;     // warnings to show next to the result
    QString datasourceUid;   // who produced it
    QVariantMap custom;      // datasource-specific extras (stats, resultType, ...)
};

// A small columnar table: what every datasource returns and every view draws.
// A time series is one frame with a Time field and one Float64 field whose
// seriesLabels() names the series (Grafana's "multi-frame" layout).
class Frame
{
public:
    Frame() = default;
    Frame(QString name, FrameKind kind) : m_name(std::move(name)), m_kind(kind) {}

    static Frame timeSeries(const Labels &labels, const QList<Sample> &samples);

    const QString &name() const { return m_name; }
    void setName(QString n) { m_name = std::move(n); }
    FrameKind kind() const { return m_kind; }
    void setKind(FrameKind k) { m_kind = k; }
    FrameMeta &meta() { return m_meta; }
    const FrameMeta &meta() const { return m_meta; }

    const QList<Field> &fields() const { return m_fields; }
    QList<Field> &fields() { return m_fields; }
    void addField(Field f) { m_fields.push_back(std::move(f)); }
    qsizetype indexOf(QStringView name) const;
    const Field *field(QStringView name) const;
    const Field *firstOfType(FieldType t) const;

    // All fields have the same length; a frame without fields has 0 rows.
    qsizetype rowCount() const { return m_fields.isEmpty() ? 0 : m_fields.front().size(); }
    // Checks the invariant above, for datasources and tests.
    bool isConsistent() const;

    // For time series frames: the labels of the value field.
    Labels seriesLabels() const;

private:
    QString m_name;
    FrameKind m_kind = FrameKind::Table;
    FrameMeta m_meta;
    QList<Field> m_fields;
};

using Frames = QList<Frame>;

} // namespace spyglass::model
