#include "plugins/prometheus/prometheus_response.h"

#include <QTest>
#include <cmath>

using namespace spyglass;
using namespace spyglass::model;
using namespace spyglass::plugins::prometheus;

class TestPrometheusResponse : public QObject
{
    Q_OBJECT
private slots:
    void sampleValues()
    {
        QCOMPARE(parseSampleValue(u"1.5").value(), 1.5);
        QCOMPARE(parseSampleValue(u"-2e-3").value(), -0.002);
        QVERIFY(std::isnan(parseSampleValue(u"NaN").value()));
        QCOMPARE(parseSampleValue(u"+Inf").value(), std::numeric_limits<double>::infinity());
        QCOMPARE(parseSampleValue(u"-Inf").value(), -std::numeric_limits<double>::infinity());
        QVERIFY(!parseSampleValue(u"abc").has_value());
        QVERIFY(!parseSampleValue(u"").has_value());
        QCOMPARE(secondsToMs(1700000000.123), TimestampMs(1700000000123));
        QCOMPARE(secondsToMs(1700000000.0), TimestampMs(1700000000000));
    }

    void legendFormat()
    {
        const Labels l{{QStringLiteral("job"), QStringLiteral("api")}, {QStringLiteral("instance"), QStringLiteral("a:80")}};
        QCOMPARE(applyLegendFormat(QStringLiteral("{{job}} - {{instance}}"), l), QStringLiteral("api - a:80"));
        QCOMPARE(applyLegendFormat(QStringLiteral("{{ job }}/{{missing}}!"), l), QStringLiteral("api/!"));
        QCOMPARE(applyLegendFormat(QStringLiteral("plain"), l), QStringLiteral("plain"));
        QCOMPARE(applyLegendFormat(QStringLiteral("{{job"), l), QStringLiteral("{{job"));
    }

    void matrix()
    {
        const QByteArray body = R"({"status":"success","data":{"resultType":"matrix","result":[)" R"({"metric":{"__name__":"up","job":"a"},"values":[[1700000000,"1"],[1700000015.5,"NaN"],[1700000030,"+Inf"]]},)" R"({"metric":{"job":"b"},"values":[[1700000000,"0.25"]]}]},)" R"("warnings":["careful"],"infos":["fyi"]})";
        FrameOptions o;
        o.executedQuery = QStringLiteral("up");
        o.datasourceUid = QStringLiteral("prom1");
        o.legendFormat = QStringLiteral("{{job}}");
        auto frames = parseQueryResponse(body, 200, o);
        QVERIFY2(frames, qPrintable(frames ? QString() : frames.error().message));
        QCOMPARE(frames->size(), 2);
        const Frame &f = frames->at(0);
        QCOMPARE(f.kind(), FrameKind::TimeSeries);
        QCOMPARE(f.name(), QStringLiteral("a"));
        QCOMPARE(f.seriesLabels(), (Labels{{QStringLiteral("__name__"), QStringLiteral("up")}, {QStringLiteral("job"), QStringLiteral("a")}}));
        QCOMPARE(f.rowCount(), 3);
        QCOMPARE(f.firstOfType(FieldType::Time)->int64s(), (QList<std::int64_t>{1700000000000, 1700000015500, 1700000030000}));
        const auto &v = f.firstOfType(FieldType::Float64)->doubles();
        QCOMPARE(v[0], 1.0);
        QVERIFY(std::isnan(v[1]));
        QVERIFY(std::isinf(v[2]));
        QCOMPARE(f.meta().executedQuery, QStringLiteral("up"));
        QCOMPARE(f.meta().datasourceUid, QStringLiteral("prom1"));
        QCOMPARE(f.meta().notices, (QStringList{QStringLiteral("careful"), QStringLiteral("fyi")}));
        QCOMPARE(f.meta().custom.value(QStringLiteral("resultType")).toString(), QStringLiteral("matrix"));
        QCOMPARE(frames->at(1).name(), QStringLiteral("b"));
    }

    void vectorAsTable()
    {
        const QByteArray body = R"({"status":"success","data":{"resultType":"vector","result":[)" R"({"metric":{"__name__":"up","job":"a","instance":"x"},"value":[1700000000,"1"]},)" R"({"metric":{"__name__":"up","job":"b"},"value":[1700000000,"0"]}]}})";
        FrameOptions o;
        o.table = true;
        o.refId = QStringLiteral("B");
        auto frames = parseQueryResponse(body, 200, o);
        QVERIFY(frames);
        QCOMPARE(frames->size(), 1);
        const Frame &t = frames->front();
        QCOMPARE(t.kind(), FrameKind::Table);
        QCOMPARE(t.name(), QStringLiteral("B"));
        QVERIFY(t.isConsistent());
        QCOMPARE(t.rowCount(), 2);
        QStringList names;
        for (const auto &f : t.fields())
            names << f.name();
        QCOMPARE(names, (QStringList{QStringLiteral("Time"), QStringLiteral("__name__"), QStringLiteral("instance"),
                                     QStringLiteral("job"), QStringLiteral("Value")}));
        QCOMPARE(t.field(u"instance")->strings(), (QStringList{QStringLiteral("x"), QString()}));
        QCOMPARE(t.field(u"Value")->doubles(), (QList<double>{1.0, 0.0}));

        // Without table format: one single-point series frame each.
        auto series = parseQueryResponse(body, 200, {});
        QVERIFY(series);
        QCOMPARE(series->size(), 2);
        QCOMPARE(series->at(0).rowCount(), 1);
        QCOMPARE(series->at(0).name(), QStringLiteral("up{instance=\"x\", job=\"a\"}"));
    }

    void scalarAndString()
    {
        FrameOptions o;
        o.executedQuery = QStringLiteral("1+1");
        auto s = parseQueryResponse(R"({"status":"success","data":{"resultType":"scalar","result":[1700000000.5,"2"]}})", 200, o);
        QVERIFY(s);
        QCOMPARE(s->size(), 1);
        QCOMPARE(s->front().rowCount(), 1);
        QCOMPARE(s->front().name(), QStringLiteral("1+1"));
        QCOMPARE(s->front().firstOfType(FieldType::Float64)->doubles().front(), 2.0);
        QCOMPARE(s->front().firstOfType(FieldType::Time)->int64s().front(), std::int64_t(1700000000500));

        auto str = parseQueryResponse(R"({"status":"success","data":{"resultType":"string","result":[1700000000,"hi"]}})", 200, o);
        QVERIFY(str);
        QCOMPARE(str->front().field(u"Value")->strings(), QStringList{QStringLiteral("hi")});
    }

    void errors()
    {
        auto e = parseQueryResponse(
            "{\"status\":\"error\",\"errorType\":\"bad_data\","
            "\"error\":\"invalid parameter \\\"query\\\": 1:5: parse error: unexpected end of input\"}",
            400, {});
        QVERIFY(!e);
        QCOMPARE(e.error().kind, Error::Kind::Invalid);
        QCOMPARE(e.error().message,
                 QStringLiteral("invalid parameter \"query\": 1:5: parse error: unexpected end of input (bad_data)"));

        auto t = parseQueryResponse(R"({"status":"error","errorType":"timeout","error":"query timed out"})", 503, {});
        QCOMPARE(t.error().kind, Error::Kind::Timeout);
        auto x = parseQueryResponse(R"({"status":"error","errorType":"execution","error":"many-to-many"})", 422, {});
        QCOMPARE(x.error().kind, Error::Kind::BadData);

        auto html = parseQueryResponse("<html>Bad Gateway</html>", 502, {});
        QCOMPARE(html.error().kind, Error::Kind::Unavailable);
        QVERIFY(html.error().message.startsWith(QStringLiteral("HTTP 502")));
        QVERIFY(html.error().message.contains(QStringLiteral("Bad Gateway")));

        auto notFound = parseQueryResponse("404 page not found", 404, {});
        QCOMPARE(notFound.error().kind, Error::Kind::NotFound);
        QVERIFY(notFound.error().message.contains(QStringLiteral("prefix")));

        auto unauthorized = parseStringListResponse("Unauthorized", 401);
        QVERIFY(unauthorized.error().message.contains(QStringLiteral("unauthorized")));

        auto badSample = parseQueryResponse(
            R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"x"]}]}})", 200, {});
        QCOMPARE(badSample.error().kind, Error::Kind::BadData);
        QVERIFY(badSample.error().message.contains(QStringLiteral("\"x\"")));

        auto unknown = parseQueryResponse(R"({"status":"success","data":{"resultType":"weird","result":[]}})", 200, {});
        QVERIFY(unknown.error().message.contains(QStringLiteral("weird")));
    }

    void emptyResultKeepsWarnings()
    {
        auto r = parseQueryResponse(
            R"({"status":"success","data":{"resultType":"matrix","result":[]},"warnings":["partial response"]})", 200, {});
        QVERIFY(r);
        QCOMPARE(r->size(), 1);
        QCOMPARE(r->front().rowCount(), 0);
        QCOMPARE(r->front().meta().notices, QStringList{QStringLiteral("partial response")});
        auto none = parseQueryResponse(R"({"status":"success","data":{"resultType":"matrix","result":[]}})", 200, {});
        QVERIFY(none);
        QVERIFY(none->isEmpty());
    }

    void stringLists()
    {
        auto l = parseStringListResponse(R"({"status":"success","data":["__name__","job"]})", 200);
        QVERIFY(l);
        QCOMPARE(*l, (QStringList{QStringLiteral("__name__"), QStringLiteral("job")}));
        auto n = parseStringListResponse(R"({"status":"success","data":null})", 200);
        QVERIFY(n);
        QVERIFY(n->isEmpty());
        auto bad = parseStringListResponse(R"({"status":"success","data":{"a":1}})", 200);
        QVERIFY(!bad);
    }
};

QTEST_GUILESS_MAIN(TestPrometheusResponse)
#include "tst_prometheus_response.moc"
