#include "plugins/pyroscope/pyroscope_response.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <cmath>

using namespace spyglass;
using namespace spyglass::plugins::pyroscope;

namespace {

QJsonObject obj(const char *json)
{
    QJsonParseError err;
    const auto doc = QJsonDocument::fromJson(QByteArray(json), &err);
    if (err.error != QJsonParseError::NoError)
        qFatal("bad fixture JSON: %s", qPrintable(err.errorString()));
    return doc.object();
}

// "level:label:value:self" per row, for compact comparisons.
QStringList rows(const model::Frame &f)
{
    QStringList out;
    const auto &level = f.field(u"level")->int64s();
    const auto &value = f.field(u"value")->int64s();
    const auto &self = f.field(u"self")->int64s();
    const auto &label = f.field(u"label")->strings();
    for (qsizetype i = 0; i < f.rowCount(); ++i)
        out.append(QStringLiteral("%1:%2:%3:%4").arg(level[i]).arg(label[i]).arg(value[i]).arg(self[i]));
    return out;
}

} // namespace

class TestPyroscopeResponse : public QObject
{
    Q_OBJECT

private slots:
    void profileQuery()
    {
        auto q = parseProfileQuery(QStringLiteral("  process_cpu:cpu:nanoseconds:cpu:nanoseconds{service_name=\"x\", env=~\"p.*\"} "));
        QVERIFY(q.has_value());
        QCOMPARE(q->profileTypeId, QStringLiteral("process_cpu:cpu:nanoseconds:cpu:nanoseconds"));
        QCOMPARE(q->labelSelector, QStringLiteral("{service_name=\"x\", env=~\"p.*\"}"));

        auto bare = parseProfileQuery(QStringLiteral("memory:alloc_space:bytes:space:bytes"));
        QVERIFY(bare.has_value());
        QCOMPARE(bare->labelSelector, QStringLiteral("{}"));

        auto empty = parseProfileQuery(QStringLiteral("   "));
        QVERIFY(!empty);
        QVERIFY(empty.error().message.contains(u"empty"));
        auto noType = parseProfileQuery(QStringLiteral("{service_name=\"x\"}"));
        QVERIFY(!noType);
        QVERIFY2(noType.error().message.contains(u"names no profile type"), qPrintable(noType.error().message));
        auto badType = parseProfileQuery(QStringLiteral("cpu{service_name=\"x\"}"));
        QVERIFY(!badType);
        QVERIFY(badType.error().message.contains(u"\"cpu\" is not a profile type id"));
        auto unclosed = parseProfileQuery(QStringLiteral("a:b:c:d:e{x=\"1\""));
        QVERIFY(!unclosed);
        QVERIFY(unclosed.error().message.contains(u"does not end with"));
    }

    void flamegraphNestedSet()
    {
        // As Pyroscope's querier answers (int64 as strings): main (self 10)
        // calls foo (60) and bar (30); bar calls baz (30).
        const QJsonObject fg = obj(R"({"names":["total","main","foo","bar","baz"],
            "levels":[{"values":["0","100","0","0"]},
                      {"values":["0","100","10","1"]},
                      {"values":["0","60","60","2","0","30","0","3"]},
                      {"values":["60","30","30","4"]}],
            "total":"100","maxSelf":"60"})");
        auto f = flamegraphToFrame(fg, QStringLiteral("nanoseconds"));
        QVERIFY2(f.has_value(), qPrintable(f ? QString() : f.error().toString()));
        QCOMPARE(f->kind(), model::FrameKind::ProfileTree);
        QVERIFY(f->isConsistent());
        QCOMPARE(rows(*f), (QStringList{u"0:total:100:0"_qs, u"1:main:100:10"_qs, u"2:foo:60:60"_qs,
                                        u"2:bar:30:0"_qs, u"3:baz:30:30"_qs}));
        QCOMPARE(f->field(u"value")->unit(), QStringLiteral("nanoseconds"));
        QCOMPARE(f->field(u"self")->unit(), QStringLiteral("nanoseconds"));
    }

    void flamegraphGapsAndNumbers()
    {
        // Numbers instead of strings, and a gap (the parent's self) before
        // the second child: b's offset 10 is relative to the end of a.
        // Two nodes on level 2 under different parents check the sweep.
        const QJsonObject fg = obj(R"({"names":["total","a","b","x","y"],
            "levels":[[0,50,10,0],
                      [0,20,5,1,10,20,0,2],
                      [0,15,15,3,15,20,20,4]]})");
        auto f = flamegraphToFrame(fg);
        QVERIFY2(f.has_value(), qPrintable(f ? QString() : f.error().toString()));
        QCOMPARE(rows(*f), (QStringList{u"0:total:50:10"_qs, u"1:a:20:5"_qs, u"2:x:15:15"_qs, u"1:b:20:0"_qs,
                                        u"2:y:20:20"_qs}));
    }

    void flamegraphEmpty()
    {
        auto f = flamegraphToFrame(obj(R"({"names":[],"levels":[]})"));
        QVERIFY(f.has_value());
        QCOMPARE(f->rowCount(), 0);
        QCOMPARE(f->fields().size(), 4);
    }

    void flamegraphMalformed_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("message");
        QTest::newRow("not multiple of 4") << QByteArray(R"({"names":["total"],"levels":[{"values":["0","1","0"]}]})")
                                           << u"level 0 has 3 numbers, not a multiple of 4"_qs;
        QTest::newRow("name index") << QByteArray(R"({"names":["total"],"levels":[{"values":["0","1","0","3"]}]})")
                                    << u"name index 3 is out of range (1 names)"_qs;
        QTest::newRow("negative") << QByteArray(R"({"names":["total"],"levels":[{"values":["0","-1","0","0"]}]})")
                                  << u"not a non-negative integer"_qs;
        QTest::newRow("not a number") << QByteArray(R"({"names":["total"],"levels":[{"values":["0","x","0","0"]}]})")
                                      << u"not a non-negative integer"_qs;
        QTest::newRow("outside parent")
            << QByteArray(R"({"names":["total","a"],"levels":[{"values":["0","10","0","0"]},{"values":["5","10","10","1"]}]})")
            << u"level 1, node 0 (x 5, width 10) lies outside every node of level 0"_qs;
    }
    void flamegraphMalformed()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, message);
        auto f = flamegraphToFrame(QJsonDocument::fromJson(json).object());
        QVERIFY(!f);
        QCOMPARE(f.error().kind, Error::Kind::BadData);
        QVERIFY2(f.error().message.contains(message), qPrintable(f.error().message));
    }

    void series()
    {
        // Protobuf JSON leaves out zero values: the second point has none.
        const QJsonObject r = obj(R"({"series":[
            {"labels":[{"name":"service_name","value":"shop"},{"name":"env","value":"prod"}],
             "points":[{"value":1.5e9,"timestamp":"1700000000000"},{"timestamp":"1700000015000"},
                       {"value":"NaN","timestamp":1700000030000}]},
            {"points":[{"value":7,"timestamp":"1700000000000"}]}]})");
        auto frames = seriesToFrames(r, QStringLiteral("nanoseconds"), QStringLiteral("process_cpu:cpu:nanoseconds:cpu:nanoseconds"));
        QVERIFY2(frames.has_value(), qPrintable(frames ? QString() : frames.error().toString()));
        QCOMPARE(frames->size(), 2);
        const model::Frame &a = frames->at(0);
        QCOMPARE(a.kind(), model::FrameKind::TimeSeries);
        QCOMPARE(a.seriesLabels(), (model::Labels{{u"service_name"_qs, u"shop"_qs}, {u"env"_qs, u"prod"_qs}}));
        const auto *time = a.firstOfType(model::FieldType::Time);
        const auto *value = a.firstOfType(model::FieldType::Float64);
        QVERIFY(time && value);
        QCOMPARE(time->int64s(), (QList<std::int64_t>{1700000000000, 1700000015000, 1700000030000}));
        QCOMPARE(value->doubles().at(0), 1.5e9);
        QCOMPARE(value->doubles().at(1), 0.0);
        QVERIFY(std::isnan(value->doubles().at(2)));
        QCOMPARE(value->unit(), QStringLiteral("nanoseconds"));
        QCOMPARE(frames->at(1).name(), QStringLiteral("process_cpu:cpu:nanoseconds:cpu:nanoseconds"));
        QVERIFY(frames->at(1).seriesLabels().isEmpty());

        auto none = seriesToFrames(obj("{}"), {}, {});
        QVERIFY(none.has_value());
        QVERIFY(none->isEmpty());

        auto bad = seriesToFrames(obj(R"({"series":[{"points":[{"value":1,"timestamp":"soon"}]}]})"), {}, {});
        QVERIFY(!bad);
        QVERIFY(bad.error().message.contains(u"timestamp is not an integer"));
        auto badValue = seriesToFrames(obj(R"({"series":[{"points":[{"value":"lots","timestamp":"1"}]}]})"), {}, {});
        QVERIFY(!badValue);
        QVERIFY(badValue.error().message.contains(u"\"lots\" that is not a number"));
    }

    void profileTypes()
    {
        auto types = parseProfileTypes(obj(R"({"profileTypes":[
            {"ID":"process_cpu:cpu:nanoseconds:cpu:nanoseconds","name":"process_cpu","sampleType":"cpu",
             "sampleUnit":"nanoseconds","periodType":"cpu","periodUnit":"nanoseconds"},
            {"ID":"memory:alloc_space:bytes:space:bytes","name":"memory","sampleType":"alloc_space",
             "sampleUnit":"bytes","periodType":"space","periodUnit":"bytes"}]})"));
        QVERIFY(types.has_value());
        QCOMPARE(types->size(), 2);
        QCOMPARE(types->at(1).id(), QStringLiteral("memory:alloc_space:bytes:space:bytes"));
        QCOMPARE(types->at(1).sampleUnit, QStringLiteral("bytes"));
        QVERIFY(parseProfileTypes(obj("{}"))->isEmpty());
        auto bad = parseProfileTypes(obj(R"({"profileTypes":[{"ID":"cpu"}]})"));
        QVERIFY(!bad);
        QVERIFY(bad.error().message.contains(u"\"cpu\" is not a profile type id"));
    }

    void names()
    {
        QCOMPARE(*parseNames(obj(R"({"names":["env","service_name"]})")), (QStringList{u"env"_qs, u"service_name"_qs}));
        QVERIFY(parseNames(obj("{}"))->isEmpty());
        QVERIFY(!parseNames(obj(R"({"names":"env"})")));
    }

    void connectErrors()
    {
        auto ok = parseConnectResponse(R"({"names":[]})", 200, QStringLiteral("LabelNames"));
        QVERIFY(ok.has_value());

        auto invalid = parseConnectResponse(R"({"code":"invalid_argument","message":"parse error at line 1, col 5: syntax error"})",
                                            400, QStringLiteral("SelectMergeStacktraces"));
        QVERIFY(!invalid);
        QCOMPARE(invalid.error().kind, Error::Kind::Invalid);
        QCOMPARE(invalid.error().message,
                 QStringLiteral("SelectMergeStacktraces: parse error at line 1, col 5: syntax error (invalid_argument)"));

        auto unauth = parseConnectResponse(R"({"code":"unauthenticated","message":"no org id"})", 401, QStringLiteral("x"));
        QVERIFY(!unauth);
        QCOMPARE(unauth.error().kind, Error::Kind::Unavailable);

        auto notFound = parseConnectResponse("404 page not found\n", 404, QStringLiteral("ProfileTypes"));
        QVERIFY(!notFound);
        QCOMPARE(notFound.error().kind, Error::Kind::NotFound);
        QVERIFY2(notFound.error().message.contains(u"HTTP 404: 404 page not found")
                     && notFound.error().message.contains(u"is the URL a Pyroscope server?"),
                 qPrintable(notFound.error().message));

        auto html = parseConnectResponse("<html>hello</html>", 200, QStringLiteral("ProfileTypes"));
        QVERIFY(!html);
        QCOMPARE(html.error().kind, Error::Kind::BadData);
        QVERIFY(html.error().message.contains(u"not a JSON object"));

        auto bad = parseConnectResponse("oops", 502, QStringLiteral("x"));
        QVERIFY(!bad);
        QCOMPARE(bad.error().kind, Error::Kind::Unavailable);
        QVERIFY(bad.error().message.contains(u"HTTP 502: oops"));
    }

    void int64s()
    {
        QCOMPARE(*jsonInt64(QJsonValue(QStringLiteral("9007199254740993"))), std::int64_t(9007199254740993LL));
        QCOMPARE(*jsonInt64(QJsonValue(42.0)), std::int64_t(42));
        QCOMPARE(*jsonInt64(QJsonValue()), std::int64_t(0));
        QVERIFY(!jsonInt64(QJsonValue(1.5)));
        QVERIFY(!jsonInt64(QJsonValue(QStringLiteral("x"))));
    }
};

QTEST_GUILESS_MAIN(TestPyroscopeResponse)
#include "tst_pyroscope_response.moc"
