#include "core/model/frame.h"

#include <QDateTime>
#include <QTimeZone>

namespace spyglass::model {

QString frameKindName(FrameKind k)
{
    switch (k) {
    case FrameKind::TimeSeries:
        return QStringLiteral("timeseries");
    case FrameKind::Logs:
        return QStringLiteral("logs");
    case FrameKind::Spans:
        return QStringLiteral("spans");
    case FrameKind::ProfileTree:
        return QStringLiteral("profile");
    case FrameKind::Table:
        return QStringLiteral("table");
    }
    return {};
}

QString fieldTypeName(FieldType t)
{
    switch (t) {
    case FieldType::Time:
        return QStringLiteral("time");
    case FieldType::Float64:
        return QStringLiteral("number");
    case FieldType::Int64:
        return QStringLiteral("int64");
    case FieldType::String:
        return QStringLiteral("string");
    case FieldType::Labels:
        return QStringLiteral("labels");
    }
    return {};
}

Field::Field(QString name, FieldType type, Labels labels)
    : m_name(std::move(name)), m_type(type), m_labels(std::move(labels))
{
    switch (type) {
    case FieldType::Time:
    case FieldType::Int64:
        m_values = QList<std::int64_t>();
        break;
    case FieldType::Float64:
        m_values = QList<double>();
        break;
    case FieldType::String:
        m_values = QStringList();
        break;
    case FieldType::Labels:
        m_values = QList<Labels>();
        break;
    }
}

Field Field::time(QString name, QList<std::int64_t> ms)
{
    Field f(std::move(name), FieldType::Time);
    f.m_values = std::move(ms);
    return f;
}

Field Field::float64(QString name, QList<double> v, Labels labels)
{
    Field f(std::move(name), FieldType::Float64, std::move(labels));
    f.m_values = std::move(v);
    return f;
}

Field Field::int64(QString name, QList<std::int64_t> v, Labels labels)
{
    Field f(std::move(name), FieldType::Int64, std::move(labels));
    f.m_values = std::move(v);
    return f;
}

Field Field::string(QString name, QStringList v)
{
    Field f(std::move(name), FieldType::String);
    f.m_values = std::move(v);
    return f;
}

Field Field::labels(QString name, QList<Labels> v)
{
    Field f(std::move(name), FieldType::Labels);
    f.m_values = std::move(v);
    return f;
}

qsizetype Field::size() const
{
    return std::visit([](const auto &list) { return list.size(); }, m_values);
}

QString Field::displayValue(qsizetype row) const
{
    if (row < 0 || row >= size())
        return {};
    switch (m_type) {
    case FieldType::Time:
        return QDateTime::fromMSecsSinceEpoch(int64s()[row], QTimeZone::utc())
            .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"));
    case FieldType::Int64:
        return QString::number(int64s()[row]);
    case FieldType::Float64: {
        const double v = doubles()[row];
        if (isStaleNaN(v))
            return QStringLiteral("stale");
        return QString::number(v, 'g', 15);
    }
    case FieldType::String:
        return strings()[row];
    case FieldType::Labels:
        return labelSets()[row].toString();
    }
    return {};
}

Frame Frame::timeSeries(const Labels &labels, const QList<Sample> &samples)
{
    QList<std::int64_t> ts;
    QList<double> vs;
    ts.reserve(samples.size());
    vs.reserve(samples.size());
    for (const auto &s : samples) {
        ts.push_back(s.t);
        vs.push_back(s.v);
    }
    Frame f(labels.toString(), FrameKind::TimeSeries);
    f.addField(Field::time(QStringLiteral("Time"), std::move(ts)));
    f.addField(Field::float64(QStringLiteral("Value"), std::move(vs), labels));
    return f;
}

qsizetype Frame::indexOf(QStringView name) const
{
    for (qsizetype i = 0; i < m_fields.size(); ++i)
        if (m_fields[i].name() == name)
            return i;
    return -1;
}

const Field *Frame::field(QStringView name) const
{
    const qsizetype i = indexOf(name);
    return i < 0 ? nullptr : &m_fields[i];
}

const Field *Frame::firstOfType(FieldType t) const
{
    for (const auto &f : m_fields)
        if (f.type() == t)
            return &f;
    return nullptr;
}

bool Frame::isConsistent() const
{
    for (const auto &f : m_fields)
        if (f.size() != rowCount())
            return false;
    return true;
}

Labels Frame::seriesLabels() const
{
    for (const auto &f : m_fields)
        if (f.type() == FieldType::Float64 || f.type() == FieldType::Int64)
            return f.seriesLabels();
    return {};
}

} // namespace spyglass::model
