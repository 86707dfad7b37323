#pragma once

#include "core/model/frame.h"
#include "core/viz/units.h"

#include <QColor>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <optional>

namespace spyglass::viz {

// Grafana thresholds: steps sorted by value, the first one's value is -inf
// (null in JSON). Percentage mode compares (v - min) / (max - min) * 100.
struct ThresholdStep
{
    double value = -std::numeric_limits<double>::infinity();
    QColor color;
};

struct Thresholds
{
    enum class Mode { Absolute, Percentage };
    Mode mode = Mode::Absolute;
    QList<ThresholdStep> steps;

    static Thresholds fromJson(const QJsonObject &json);
    // Grafana's default: green, red at 80.
    static Thresholds defaults();
    // The step a value falls in (the last whose value <= v); -1 with no steps.
    int stepIndex(double value, double min = 0, double max = 100) const;
    QColor colorFor(double value, double min = 0, double max = 100) const;
    // The step's value on the field's scale (percentage steps scaled to min/max).
    double absoluteValue(int step, double min, double max) const;
};

// The result of a value mapping; empty text means "keep the formatted value".
struct MappingResult
{
    QString text;
    QColor color; // invalid = no colour
    int index = 0;
};

// Grafana value mappings: value (exact text), range [from, to], regex (with
// $1 capture substitution into the text) and special (null, nan, null+nan,
// true, false, empty).
struct ValueMapping
{
    enum class Type { Value, Range, Regex, Special };
    Type type = Type::Value;
    QHash<QString, MappingResult> values;   // Value
    std::optional<double> from, to;         // Range (either may be open)
    QString pattern;                        // Regex
    QString special;                        // Special: null, nan, null+nan, true, false, empty
    MappingResult result;                   // Range, Regex, Special

    static QList<ValueMapping> listFromJson(const QJsonArray &json);
};

// First matching mapping for a number (NaN = null) or a string.
std::optional<MappingResult> applyMappings(const QList<ValueMapping> &mappings, double value);
std::optional<MappingResult> applyMappings(const QList<ValueMapping> &mappings, const QString &text);

struct DataLink
{
    QString title;
    QString url;
    bool targetBlank = false;
};

// fieldConfig.defaults (and override properties applied on top of them):
// what a panel needs to format and colour one field.
struct FieldConfig
{
    QString unit;
    std::optional<int> decimals;
    std::optional<double> min, max;
    QString displayName;
    QString noValue;
    Thresholds thresholds = Thresholds::defaults();
    QList<ValueMapping> mappings;
    QString colorMode = QStringLiteral("palette-classic"); // fixed, thresholds, palette-classic, continuous-*, shades
    QColor fixedColor;
    QList<DataLink> links;
    QJsonObject custom; // panel-specific: drawStyle, fillOpacity, lineWidth, stacking, cellOptions, ...

    // Applies one override property ("unit", "decimals", "min", "max",
    // "displayName", "color", "thresholds", "mappings", "links", "noValue",
    // "custom.<key>"). Unknown ids are ignored like Grafana does.
    void applyProperty(const QString &id, const QJsonValue &value);
    static FieldConfig fromJson(const QJsonObject &defaults);
};

// One entry of fieldConfig.overrides.
struct FieldOverride
{
    QString matcherId;     // byName, byRegexp, byType, byFrameRefID, byNames, byValue (ignored)
    QJsonValue matcherOptions;
    QJsonArray properties; // [{id, value}]

    bool matches(const model::Frame &frame, const model::Field &field, const QString &displayName) const;
    static QList<FieldOverride> listFromJson(const QJsonArray &json);
};

// A panel's fieldConfig, parsed once; resolve() gives each field its config.
class FieldConfigSource
{
public:
    FieldConfigSource() = default;
    explicit FieldConfigSource(const QJsonObject &fieldConfig);

    const FieldConfig &defaults() const { return m_defaults; }
    const QList<FieldOverride> &overrides() const { return m_overrides; }
    // Defaults, then each matching override in order; the field's own unit
    // is used when neither sets one.
    FieldConfig resolve(const model::Frame &frame, const model::Field &field) const;

private:
    FieldConfig m_defaults;
    QList<FieldOverride> m_overrides;
};

// The refId a datasource tagged a frame with (meta.custom.refId, else its name).
QString frameRefId(const model::Frame &frame);

// Grafana's default display name of a field: the frame name when it names a
// single series, else "name{labels}" / the labels, else the field name.
// ${__field.labels.x} / ${__field.name} in displayName are interpolated.
QString fieldDisplayName(const model::Frame &frame, const model::Field &field, const QString &configuredName = {});

// A number formatted for display with mappings, unit, decimals and the colour
// from the colour mode/thresholds. `seriesIndex` picks the palette colour.
struct DisplayValue
{
    FormattedValue formatted;
    QColor color;
    double numeric = 0;
    QString toString() const { return formatted.toString(); }
};
DisplayValue displayValue(const FieldConfig &config, double value, int seriesIndex = 0);
// For text cells (string fields): mappings apply, colour from them only.
DisplayValue displayText(const FieldConfig &config, const QString &text);

// Numeric field values as doubles (Int64 and Time converted), empty for text.
QList<double> numericValues(const model::Field &field);
bool isNumeric(const model::Field &field);

} // namespace spyglass::viz
