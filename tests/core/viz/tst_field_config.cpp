#include "core/viz/colors.h"
#include "core/viz/field_config.h"

#include <QJsonDocument>
#include <QTest>

using namespace spyglass;
using namespace spyglass::viz;

namespace {
QJsonObject obj(const char *json) { return QJsonDocument::fromJson(QByteArray(json)).object(); }
QJsonArray arr(const char *json) { return QJsonDocument::fromJson(QByteArray(json)).array(); }
} // namespace

class TestFieldConfig : public QObject
{
    Q_OBJECT
private slots:
    void absoluteThresholds()
    {
        const Thresholds t = Thresholds::fromJson(obj(R"({"mode":"absolute","steps":[
            {"color":"green","value":null},{"color":"red","value":80},{"color":"orange","value":50}]})"));
        QCOMPARE(t.steps.size(), 3);
        // Sorted by value: green (-inf), yellow 50, red 80.
        QCOMPARE(t.colorFor(10), resolveColor(QStringLiteral("green")));
        QCOMPARE(t.colorFor(50), resolveColor(QStringLiteral("orange")));
        QCOMPARE(t.colorFor(79.9), resolveColor(QStringLiteral("orange")));
        QCOMPARE(t.colorFor(80), resolveColor(QStringLiteral("red")));
        QCOMPARE(t.stepIndex(-1e9), 0);
    }

    void percentageThresholds()
    {
        const Thresholds t = Thresholds::fromJson(obj(R"({"mode":"percentage","steps":[
            {"color":"green","value":null},{"color":"red","value":50}]})"));
        // On a 0..200 scale, 50% is 100.
        QCOMPARE(t.stepIndex(99, 0, 200), 0);
        QCOMPARE(t.stepIndex(100, 0, 200), 1);
        QCOMPARE(t.absoluteValue(1, 0, 200), 100.0);
    }

    void namedColours()
    {
        QCOMPARE(resolveColor(QStringLiteral("green")), QColor(0x73, 0xBF, 0x69));
        QCOMPARE(resolveColor(QStringLiteral("semi-dark-red")), QColor(0xE0, 0x2F, 0x44));
        QCOMPARE(resolveColor(QStringLiteral("#ff0000")), QColor(255, 0, 0));
        const QColor rgba = resolveColor(QStringLiteral("rgba(10, 20, 30, 0.5)"));
        QCOMPARE(rgba.red(), 10);
        QCOMPARE(rgba.blue(), 30);
        QVERIFY(qAbs(rgba.alphaF() - 0.5) < 0.01);
        QVERIFY(!resolveColor(QStringLiteral("no-such-colour")).isValid());
        QCOMPARE(classicPaletteColor(0), QColor(0x73BF69));
        QCOMPARE(classicPaletteColor(32), classicPaletteColor(0));
        QCOMPARE(continuousColor(QStringLiteral("continuous-GrYlRd"), 0), resolveColor(QStringLiteral("green")));
        QCOMPARE(continuousColor(QStringLiteral("continuous-GrYlRd"), 1), resolveColor(QStringLiteral("red")));
    }

    void valueMappings()
    {
        const auto m = ValueMapping::listFromJson(arr(R"([
            {"type":"value","options":{"1":{"text":"UP","color":"green","index":0},"0":{"text":"DOWN","color":"red","index":1}}},
            {"type":"range","options":{"from":100,"to":200,"result":{"text":"high","index":2}}},
            {"type":"regex","options":{"pattern":"/?api/(\\w+)/?","result":{"text":"API $1","index":3}}},
            {"type":"special","options":{"match":"null","result":{"text":"N/A","color":"blue","index":4}}},
            {"type":"special","options":{"match":"empty","result":{"text":"[empty]","index":5}}}
        ])"));
        QCOMPARE(m.size(), 5);
        QCOMPARE(applyMappings(m, 1.0)->text, QStringLiteral("UP"));
        QCOMPARE(applyMappings(m, 1.0)->color, resolveColor(QStringLiteral("green")));
        QCOMPARE(applyMappings(m, 0.0)->text, QStringLiteral("DOWN"));
        QCOMPARE(applyMappings(m, 150.0)->text, QStringLiteral("high"));
        QCOMPARE(applyMappings(m, 200.0)->text, QStringLiteral("high"));
        QVERIFY(!applyMappings(m, 201.0));
        QCOMPARE(applyMappings(m, std::numeric_limits<double>::quiet_NaN())->text, QStringLiteral("N/A"));
        QCOMPARE(applyMappings(m, QStringLiteral("/api/users"))->text, QStringLiteral("API users"));
        QCOMPARE(applyMappings(m, QStringLiteral("1"))->text, QStringLiteral("UP"));
        QCOMPARE(applyMappings(m, QStringLiteral(""))->text, QStringLiteral("[empty]"));
        QVERIFY(!applyMappings(m, QStringLiteral("other")));
    }

    void displayValueCombinesUnitMappingAndThresholds()
    {
        FieldConfig c = FieldConfig::fromJson(obj(R"({"unit":"ms","decimals":1,"color":{"mode":"thresholds"},
            "thresholds":{"mode":"absolute","steps":[{"color":"green","value":null},{"color":"red","value":500}]},
            "mappings":[{"type":"value","options":{"0":{"text":"idle"}}}]})"));
        DisplayValue d = displayValue(c, 750);
        QCOMPARE(d.toString(), QStringLiteral("750.0 ms"));
        QCOMPARE(d.color, resolveColor(QStringLiteral("red")));
        d = displayValue(c, 1500);
        QCOMPARE(d.toString(), QStringLiteral("1.5 s"));
        d = displayValue(c, 0);
        QCOMPARE(d.toString(), QStringLiteral("idle"));
        QCOMPARE(d.color, resolveColor(QStringLiteral("green")));
    }

    void noValueText()
    {
        FieldConfig c = FieldConfig::fromJson(obj(R"({"noValue":"no data"})"));
        QCOMPARE(displayValue(c, std::numeric_limits<double>::quiet_NaN()).toString(), QStringLiteral("no data"));
    }

    void fixedAndPaletteColours()
    {
        FieldConfig c = FieldConfig::fromJson(obj(R"({"color":{"mode":"fixed","fixedColor":"purple"}})"));
        QCOMPARE(displayValue(c, 1).color, resolveColor(QStringLiteral("purple")));
        FieldConfig p;
        QCOMPARE(displayValue(p, 1, 2).color, classicPaletteColor(2));
    }

    void overridesByNameRegexTypeRefId()
    {
        model::Frame a(QStringLiteral("A"), model::FrameKind::TimeSeries);
        a.meta().custom.insert(QStringLiteral("refId"), QStringLiteral("A"));
        a.addField(model::Field::time(QStringLiteral("Time"), {1, 2}));
        a.addField(model::Field::float64(QStringLiteral("latency_p99"), {1, 2}));
        a.addField(model::Field::string(QStringLiteral("host"), {QStringLiteral("x"), QStringLiteral("y")}));
        const FieldConfigSource src(obj(R"({"defaults":{"unit":"short","decimals":2},"overrides":[
            {"matcher":{"id":"byName","options":"latency_p99"},"properties":[{"id":"unit","value":"ms"},{"id":"custom.lineWidth","value":3}]},
            {"matcher":{"id":"byRegexp","options":"latency_.*"},"properties":[{"id":"displayName","value":"p99"}]},
            {"matcher":{"id":"byType","options":"string"},"properties":[{"id":"custom.width","value":80}]},
            {"matcher":{"id":"byFrameRefID","options":"B"},"properties":[{"id":"unit","value":"bytes"}]},
            {"matcher":{"id":"byName","options":"latency_p99"},"properties":[{"id":"color","value":{"mode":"fixed","fixedColor":"red"}},{"id":"custom.hideFrom.legend","value":true}]}
        ]})"));
        const FieldConfig lat = src.resolve(a, a.fields().at(1));
        QCOMPARE(lat.unit, QStringLiteral("ms"));
        QCOMPARE(lat.decimals, std::optional<int>(2));
        QCOMPARE(lat.displayName, QStringLiteral("p99"));
        QCOMPARE(lat.custom.value(QLatin1String("lineWidth")).toInt(), 3);
        QCOMPARE(lat.colorMode, QStringLiteral("fixed"));
        QCOMPARE(lat.fixedColor, resolveColor(QStringLiteral("red")));
        QVERIFY(lat.custom.value(QLatin1String("hideFrom")).toObject().value(QLatin1String("legend")).toBool());
        const FieldConfig host = src.resolve(a, a.fields().at(2));
        QCOMPARE(host.unit, QStringLiteral("short"));
        QCOMPARE(host.custom.value(QLatin1String("width")).toInt(), 80);
        QVERIFY(host.displayName.isEmpty());

        model::Frame b = a;
        b.meta().custom.insert(QStringLiteral("refId"), QStringLiteral("B"));
        QCOMPARE(src.resolve(b, b.fields().at(2)).unit, QStringLiteral("bytes"));
    }

    void fieldUnitUsedWhenConfigHasNone()
    {
        model::Frame f(QStringLiteral("t"), model::FrameKind::Table);
        model::Field d = model::Field::float64(QStringLiteral("duration"), {1});
        d.setUnit(QStringLiteral("ms"));
        f.addField(d);
        QCOMPARE(FieldConfigSource(QJsonObject()).resolve(f, f.fields().at(0)).unit, QStringLiteral("ms"));
    }

    void displayNames()
    {
        model::Frame series(QStringLiteral("checkout 5xx"), model::FrameKind::TimeSeries);
        series.addField(model::Field::time(QStringLiteral("Time"), {1}));
        series.addField(model::Field::float64(QStringLiteral("Value"), {1},
                                              model::Labels{{QStringLiteral("__name__"), QStringLiteral("up")},
                                                            {QStringLiteral("job"), QStringLiteral("api")}}));
        QCOMPARE(fieldDisplayName(series, series.fields().at(1)), QStringLiteral("checkout 5xx"));
        series.setName(QString());
        QCOMPARE(fieldDisplayName(series, series.fields().at(1)), QStringLiteral("up{job=\"api\"}"));
        QCOMPARE(fieldDisplayName(series, series.fields().at(1), QStringLiteral("${__field.labels.job} rate")),
                 QStringLiteral("api rate"));
        QCOMPARE(fieldDisplayName(series, series.fields().at(0)), QStringLiteral("Time"));
    }
};

QTEST_GUILESS_MAIN(TestFieldConfig)
#include "tst_field_config.moc"
