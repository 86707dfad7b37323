#include "core/viz/transformations.h"

#include <QJsonDocument>
#include <QTest>
#include <cmath>

using namespace spyglass;
using namespace spyglass::viz;
using model::Field;
using model::Frame;
using model::Frames;

namespace {

QStringList sl(std::initializer_list<const char *> items)
{
    QStringList out;
    for (const char *i : items)
        out << QString::fromUtf8(i);
    return out;
}

QJsonArray arr(const char *json) { return QJsonDocument::fromJson(QByteArray(json)).array(); }

Frame series(const QString &name, const QString &refId, model::Labels labels, QList<std::int64_t> t, QList<double> v)
{
    Frame f(name, model::FrameKind::TimeSeries);
    f.meta().custom.insert(QStringLiteral("refId"), refId);
    f.addField(Field::time(QStringLiteral("Time"), t));
    f.addField(Field::float64(QStringLiteral("Value"), v, labels));
    return f;
}

// Prometheus "table" format: Time, label columns, Value #refId.
Frame table(const QString &refId, std::initializer_list<const char *> hostList, QList<double> values, const QString &valueName)
{
    const QStringList hosts = sl(hostList);
    Frame f(refId, model::FrameKind::Table);
    f.meta().custom.insert(QStringLiteral("refId"), refId);
    f.addField(Field::time(QStringLiteral("Time"), QList<std::int64_t>(hosts.size(), 1000)));
    f.addField(Field::string(QStringLiteral("host"), hosts));
    f.addField(Field::float64(valueName, values));
    return f;
}

Frames apply(const Frames &in, const char *json)
{
    auto r = applyTransformations(in, arr(json));
    if (!r)
        qWarning() << r.error().message;
    return r ? *r : Frames{};
}

QStringList names(const Frame &f)
{
    QStringList out;
    for (const Field &x : f.fields())
        out << x.name();
    return out;
}

} // namespace

class TestTransformations : public QObject
{
    Q_OBJECT
private slots:
    void reduceSeriesToRows()
    {
        const Frames in = {series(QStringLiteral("a"), QStringLiteral("A"), {}, {1, 2, 3}, {1, 5, 3}),
                           series(QStringLiteral("b"), QStringLiteral("A"), {}, {1, 2, 3}, {10, 20, 30})};
        const Frames out = apply(in, R"([{"id":"reduce","options":{"reducers":["max","mean","lastNotNull"]}}])");
        QCOMPARE(out.size(), 1);
        QCOMPARE(names(out[0]), sl({"Field", "Max", "Mean", "Last *"}));
        QCOMPARE(out[0].fields()[0].strings(), sl({"a", "b"}));
        QCOMPARE(out[0].fields()[1].doubles(), (QList<double>{5, 30}));
        QCOMPARE(out[0].fields()[2].doubles(), (QList<double>{3, 20}));
        QCOMPARE(out[0].fields()[3].doubles(), (QList<double>{3, 30}));
    }

    void reduceFields()
    {
        const Frames out = apply({series(QStringLiteral("a"), QStringLiteral("A"), {}, {1, 2}, {4, 6})},
                                 R"([{"id":"reduce","options":{"mode":"reduceFields","reducers":["sum"]}}])");
        QCOMPARE(out.size(), 1);
        QCOMPARE(names(out[0]), sl({"Value"}));
        QCOMPARE(out[0].fields()[0].doubles(), QList<double>{10});
    }

    void unknownReducerIsAnError()
    {
        auto r = applyTransformations({}, arr(R"([{"id":"reduce","options":{"reducers":["bogus"]}}])"));
        QVERIFY(!r);
        QVERIFY(r.error().message.contains(QStringLiteral("bogus")));
        QVERIFY(r.error().message.contains(QStringLiteral("transformation 1 of 1")));
        auto u = applyTransformations({}, arr(R"([{"id":"noSuchThing"}])"));
        QVERIFY(!u);
        QVERIFY(u.error().message.contains(QStringLiteral("noSuchThing")));
    }

    void disabledIsSkipped()
    {
        const Frames in = {table(QStringLiteral("A"), {"x", "y"}, {1, 2}, QStringLiteral("Value"))};
        const Frames out = apply(in, R"([{"id":"limit","disabled":true,"options":{"limitField":1}}])");
        QCOMPARE(out[0].rowCount(), 2);
    }

    void organize()
    {
        const Frames in = {table(QStringLiteral("A"), {"x", "y"}, {1, 2}, QStringLiteral("Value"))};
        const Frames out = apply(in, R"([{"id":"organize","options":{"excludeByName":{"Time":true},
            "indexByName":{"Value":0,"host":1},"renameByName":{"Value":"Latency ms","host":"Host"}}}])");
        QCOMPARE(names(out[0]), sl({"Latency ms", "Host"}));
        QCOMPARE(out[0].fields()[1].strings(), sl({"x", "y"}));
    }

    void mergeJoinsRowsOnSharedColumns()
    {
        const Frames in = {table(QStringLiteral("A"), {"x", "y"}, {1, 2}, QStringLiteral("Value #A")),
                           table(QStringLiteral("B"), {"y", "z"}, {20, 30}, QStringLiteral("Value #B"))};
        const Frames out = apply(in, R"([{"id":"merge","options":{}}])");
        QCOMPARE(out.size(), 1);
        QCOMPARE(names(out[0]), sl({"Time", "host", "Value #A", "Value #B"}));
        QCOMPARE(out[0].rowCount(), 3);
        QCOMPARE(out[0].fields()[1].strings(), sl({"x", "y", "z"}));
        const QList<double> a = out[0].fields()[2].doubles(), b = out[0].fields()[3].doubles();
        QCOMPARE(a[0], 1.0);
        QCOMPARE(a[1], 2.0);
        QVERIFY(std::isnan(a[2]));
        QVERIFY(std::isnan(b[0]));
        QCOMPARE(b[1], 20.0);
        QCOMPARE(b[2], 30.0);
    }

    void labelsToFieldsColumns()
    {
        const Frames in = {series(QString(), QStringLiteral("A"),
                                  model::Labels{{QStringLiteral("job"), QStringLiteral("api")}, {QStringLiteral("instance"), QStringLiteral("a:1")}}, {1, 2}, {3, 4})};
        const Frames out = apply(in, R"([{"id":"labelsToFields","options":{"mode":"columns"}}])");
        QCOMPARE(names(out[0]), sl({"Time", "instance", "job", "Value"}));
        QCOMPARE(out[0].fields()[2].strings(), sl({"api", "api"}));
        QVERIFY(out[0].fields()[3].seriesLabels().isEmpty());
        const Frames kept = apply(in, R"([{"id":"labelsToFields","options":{"keepLabels":["job"]}}])");
        QCOMPARE(names(kept[0]), sl({"Time", "job", "Value"}));
        const Frames valueLabel = apply(in, R"([{"id":"labelsToFields","options":{"valueLabel":"job"}}])");
        QCOMPARE(names(valueLabel[0]), sl({"Time", "instance", "api"}));
        const Frames rows = apply(in, R"([{"id":"labelsToFields","options":{"mode":"rows"}}])");
        QCOMPARE(names(rows[0]), sl({"label", "value"}));
        QCOMPARE(rows[0].fields()[0].strings(), sl({"instance", "job"}));
    }

    void joinByFieldOuterAndInner()
    {
        const Frames in = {series(QStringLiteral("a"), QStringLiteral("A"), {}, {1, 2, 3}, {10, 20, 30}),
                           series(QStringLiteral("b"), QStringLiteral("B"), {}, {2, 3, 4}, {200, 300, 400})};
        const Frames outer = apply(in, R"([{"id":"joinByField","options":{"mode":"outer"}}])");
        QCOMPARE(outer.size(), 1);
        QCOMPARE(names(outer[0]), sl({"Time", "a", "b"}));
        QCOMPARE(outer[0].fields()[0].int64s(), (QList<std::int64_t>{1, 2, 3, 4}));
        QVERIFY(std::isnan(outer[0].fields()[2].doubles()[0]));
        QCOMPARE(outer[0].fields()[2].doubles()[3], 400.0);
        const Frames inner = apply(in, R"([{"id":"joinByField","options":{"byField":"Time","mode":"inner"}}])");
        QCOMPARE(inner[0].fields()[0].int64s(), (QList<std::int64_t>{2, 3}));
        QCOMPARE(inner[0].fields()[1].doubles(), (QList<double>{20, 30}));
        QCOMPARE(inner[0].fields()[2].doubles(), (QList<double>{200, 300}));
        auto missing = applyTransformations(in, arr(R"([{"id":"joinByField","options":{"byField":"nope"}}])"));
        QVERIFY(!missing);
        QVERIFY(missing.error().message.contains(QStringLiteral("nope")));
    }

    void filterByValue()
    {
        const Frames in = {table(QStringLiteral("A"), {"a", "b", "c", "d"}, {1, 50, 100, std::nan("")}, QStringLiteral("Value"))};
        Frames out = apply(in, R"([{"id":"filterByValue","options":{"type":"include","match":"any",
            "filters":[{"fieldName":"Value","config":{"id":"greater","options":{"value":10}}}]}}])");
        QCOMPARE(out[0].fields()[1].strings(), sl({"b", "c"}));
        out = apply(in, R"([{"id":"filterByValue","options":{"type":"exclude","match":"any",
            "filters":[{"fieldName":"Value","config":{"id":"isNull","options":{}}}]}}])");
        QCOMPARE(out[0].fields()[1].strings(), sl({"a", "b", "c"}));
        out = apply(in, R"([{"id":"filterByValue","options":{"type":"include","match":"all",
            "filters":[{"fieldName":"Value","config":{"id":"range","options":{"from":10,"to":100}}},
                       {"fieldName":"host","config":{"id":"regex","options":{"value":"^[bd]$"}}}]}}])");
        QCOMPARE(out[0].fields()[1].strings(), sl({"b"}));
        QVERIFY(!applyTransformations(in, arr(R"([{"id":"filterByValue","options":{"filters":[{"fieldName":"Value","config":{"id":"zzz"}}]}}])")));
    }

    void filterFieldsByName()
    {
        const Frames in = {table(QStringLiteral("A"), {"a"}, {1}, QStringLiteral("Value"))};
        Frames out = apply(in, R"([{"id":"filterFieldsByName","options":{"include":{"names":["host","Value"]}}}])");
        QCOMPARE(names(out[0]), sl({"host", "Value"}));
        out = apply(in, R"([{"id":"filterFieldsByName","options":{"include":{"pattern":"^(T|h).*"}}}])");
        QCOMPARE(names(out[0]), sl({"Time", "host"}));
        out = apply(in, R"([{"id":"filterFieldsByName","options":{"exclude":{"names":["Time"]}}}])");
        QCOMPARE(names(out[0]), sl({"host", "Value"}));
    }

    void calculateField()
    {
        Frame f(QStringLiteral("t"), model::FrameKind::Table);
        f.addField(Field::time(QStringLiteral("Time"), {1, 2}));
        f.addField(Field::float64(QStringLiteral("errors"), {1, 3}));
        f.addField(Field::float64(QStringLiteral("total"), {10, 12}));
        Frames out = apply({f}, R"([{"id":"calculateField","options":{"mode":"binary",
            "binary":{"left":"errors","operator":"/","right":"total"},"alias":"ratio"}}])");
        QCOMPARE(names(out[0]), sl({"Time", "errors", "total", "ratio"}));
        QCOMPARE(out[0].fields()[3].doubles(), (QList<double>{0.1, 0.25}));
        out = apply({f}, R"([{"id":"calculateField","options":{"mode":"reduceRow","reduce":{"reducer":"sum"},"replaceFields":true}}])");
        QCOMPARE(names(out[0]), sl({"Time", "Total"}));
        QCOMPARE(out[0].fields()[1].doubles(), (QList<double>{11, 15}));
        out = apply({f}, R"([{"id":"calculateField","options":{"mode":"binary","binary":{"left":"total","operator":"*","right":"2"}}}])");
        QCOMPARE(out[0].fields()[3].name(), QStringLiteral("total * 2"));
        QCOMPARE(out[0].fields()[3].doubles(), (QList<double>{20, 24}));
    }

    void sortByAndLimit()
    {
        const Frames in = {table(QStringLiteral("A"), {"b", "a", "c"}, {2, 3, 1}, QStringLiteral("Value"))};
        Frames out = apply(in, R"([{"id":"sortBy","options":{"sort":[{"field":"Value","desc":true}]}}])");
        QCOMPARE(out[0].fields()[1].strings(), sl({"a", "b", "c"}));
        out = apply(in, R"([{"id":"sortBy","options":{"sort":[{"field":"host"}]}},{"id":"limit","options":{"limitField":2}}])");
        QCOMPARE(out[0].fields()[1].strings(), sl({"a", "b"}));
        QCOMPARE(out[0].rowCount(), 2);
    }

    void seriesToRows()
    {
        const Frames in = {series(QStringLiteral("a"), QStringLiteral("A"), {}, {1, 3}, {10, 30}),
                           series(QStringLiteral("b"), QStringLiteral("A"), {}, {2}, {20})};
        const Frames out = apply(in, R"([{"id":"seriesToRows","options":{}}])");
        QCOMPARE(names(out[0]), sl({"Time", "Metric", "Value"}));
        QCOMPARE(out[0].fields()[0].int64s(), (QList<std::int64_t>{3, 2, 1}));
        QCOMPARE(out[0].fields()[1].strings(), sl({"a", "b", "a"}));
        QCOMPARE(out[0].fields()[2].doubles(), (QList<double>{30, 20, 10}));
    }

    void renameByRegex()
    {
        const Frames in = {series(QStringLiteral("200 - "), QStringLiteral("A"), {}, {1}, {1})};
        const Frames out = apply(in, R"([{"id":"renameByRegex","options":{"regex":"/([2]0. -) $/","renamePattern":"$1 without testid"}}])");
        QCOMPARE(out[0].name(), QStringLiteral("200 - without testid"));
    }

    void groupBy()
    {
        Frame f(QStringLiteral("A"), model::FrameKind::Table);
        f.addField(Field::string(QStringLiteral("check"), sl({"x", "y", "x"})));
        f.addField(Field::float64(QStringLiteral("Value"), {1, 5, 3}));
        const Frames out = apply({f}, R"([{"id":"groupBy","options":{"fields":{
            "check":{"operation":"groupby","aggregations":[]},
            "Value":{"operation":"aggregate","aggregations":["sum","lastNotNull"]}}}}])");
        QCOMPARE(names(out[0]), sl({"check", "Value (sum)", "Value (lastNotNull)"}));
        QCOMPARE(out[0].fields()[0].strings(), sl({"x", "y"}));
        QCOMPARE(out[0].fields()[1].doubles(), (QList<double>{4, 5}));
        QCOMPARE(out[0].fields()[2].doubles(), (QList<double>{3, 5}));
    }

    void pickRowsNullsPromoteInt()
    {
        const Field i = Field::int64(QStringLiteral("n"), {7, 8});
        const Field p = pickRows(i, {1, -1});
        QCOMPARE(p.type(), model::FieldType::Float64);
        QCOMPARE(p.doubles()[0], 8.0);
        QVERIFY(std::isnan(p.doubles()[1]));
    }
};

QTEST_GUILESS_MAIN(TestTransformations)
#include "tst_transformations.moc"
