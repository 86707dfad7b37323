#include "core/api/http_server.h"
#include "core/api/tempo_api.h"
#include "core/proto/opentelemetry/proto/trace/v1/trace.pb.h"
#include "core/store/storage.h"
#include "raw_http_client.h"
#include "../query/traceql/trace_fixture.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace spyglass;
using namespace spyglass::api;
using spyglass::testing::RawHttpClient;
using spyglass::testing::RawResponse;

namespace {

QJsonObject json(const RawResponse &r)
{
    return QJsonDocument::fromJson(r.body).object();
}

const QByteArray kTrace1Hex = "10000000000000000000000000000001";
const QByteArray kTrace2Hex = "10000000000000000000000000000002";

} // namespace

class TestTempoApi : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<store::Storage> m_storage;
    std::unique_ptr<HttpServer> m_server;

    RawResponse get(const QByteArray &target, const QByteArray &extraHeaders = {})
    {
        RawHttpClient c;
        if (!c.connectTo(m_server->port()))
            return {};
        c.send("GET " + target + " HTTP/1.1\r\nHost: x\r\n" + extraHeaders + "\r\n");
        return c.readResponse().value_or(RawResponse{});
    }

    static QStringList traceIds(const QJsonObject &o)
    {
        QStringList out;
        for (const auto &t : o.value(u"traces").toArray())
            out << t.toObject().value(u"traceID").toString();
        return out;
    }

private slots:
    void initTestCase()
    {
        auto st = store::Storage::open(m_dir.filePath(QStringLiteral("data")));
        QVERIFY2(st.has_value(), st ? "" : qPrintable(st.error().toString()));
        m_storage = std::move(*st);
        QVERIFY(m_storage->traces().append(fixture::trace1()));
        QVERIFY(m_storage->traces().append(fixture::trace2()));
        m_server = std::make_unique<HttpServer>();
        TempoApi::registerRoutes(m_server->router(), *m_storage);
        QVERIFY(m_server->listen().has_value());
    }

    void cleanupTestCase()
    {
        m_server.reset();
        m_storage.reset();
    }

    void probes()
    {
        auto r = get("/ready");
        QCOMPARE(r.status, 200);
        QCOMPARE(r.body, QByteArray("ready\n"));
        r = get("/api/echo");
        QCOMPARE(r.status, 200);
        QCOMPARE(r.body, QByteArray("echo"));
        r = get("/api/status/buildinfo");
        QCOMPARE(json(r).value(u"version").toString(), TempoApi::compatibleVersion());
    }

    void traceByIdJson()
    {
        auto r = get("/api/traces/" + kTrace1Hex);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("Content-Type"), QByteArray("application/json"));
        const QJsonArray batches = json(r).value(u"batches").toArray();
        QCOMPARE(batches.size(), 3); // frontend (two resource attribute sets), productcatalog
        int spans = 0;
        QJsonObject select;
        for (const auto &b : batches) {
            const QJsonObject bo = b.toObject();
            const QJsonArray attrs = bo.value(u"resource").toObject().value(u"attributes").toArray();
            QCOMPARE(attrs[0].toObject().value(u"key").toString(), QStringLiteral("service.name"));
            for (const auto &ss : bo.value(u"scopeSpans").toArray())
                for (const auto &s : ss.toObject().value(u"spans").toArray()) {
                    ++spans;
                    if (s.toObject().value(u"name").toString() == QLatin1String("SELECT")) {
                        select = s.toObject();
                        QCOMPARE(ss.toObject().value(u"scope").toObject().value(u"name").toString(), QStringLiteral("pg"));
                    }
                }
        }
        QCOMPARE(spans, 6);
        QCOMPARE(select.value(u"traceId").toString(), QString::fromLatin1(kTrace1Hex));
        QCOMPARE(select.value(u"spanId").toString(), QStringLiteral("2100000000000004"));
        QCOMPARE(select.value(u"parentSpanId").toString(), QStringLiteral("2100000000000003"));
        QCOMPARE(select.value(u"kind").toString(), QStringLiteral("SPAN_KIND_CLIENT"));
        QCOMPARE(select.value(u"startTimeUnixNano").toString(), QString::number(fixture::kT0 + 30 * fixture::kMs));
        QCOMPARE(select.value(u"endTimeUnixNano").toString(), QString::number(fixture::kT0 + 130 * fixture::kMs));
        QCOMPARE(select.value(u"status").toObject().value(u"code").toString(), QStringLiteral("STATUS_CODE_ERROR"));
        QCOMPARE(select.value(u"status").toObject().value(u"message").toString(), QStringLiteral("db timeout"));
        QCOMPARE(select.value(u"attributes").toArray()[0].toObject().value(u"value").toObject().value(u"stringValue").toString(),
                 QStringLiteral("postgresql"));
        const QJsonObject ev = select.value(u"events").toArray()[0].toObject();
        QCOMPARE(ev.value(u"name").toString(), QStringLiteral("exception"));

        // v2 wraps it differently; short ids are padded.
        r = get("/api/v2/traces/10000000000000000000000000000002");
        QCOMPARE(r.status, 200);
        const QJsonArray rs = json(r).value(u"trace").toObject().value(u"resourceSpans").toArray();
        QCOMPARE(rs.size(), 2); // checkout, payment
        // Integer attributes are OTLP/JSON strings.
        bool sawInt = false;
        for (const auto &b : rs)
            for (const auto &ss : b.toObject().value(u"scopeSpans").toArray())
                for (const auto &s : ss.toObject().value(u"spans").toArray())
                    for (const auto &a : s.toObject().value(u"attributes").toArray())
                        if (a.toObject().value(u"key").toString() == QLatin1String("http.status_code")) {
                            QCOMPARE(a.toObject().value(u"value").toObject().value(u"intValue").toString(), QStringLiteral("503"));
                            sawInt = true;
                        }
        QVERIFY(sawInt);
    }

    void traceByIdProtobuf()
    {
        auto r = get("/api/traces/" + kTrace2Hex, "Accept: application/protobuf\r\n");
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("Content-Type"), QByteArray("application/protobuf"));
        opentelemetry::proto::trace::v1::TracesData data;
        QVERIFY(data.ParseFromArray(r.body.constData(), int(r.body.size())));
        int spans = 0;
        for (const auto &rs : data.resource_spans())
            for (const auto &ss : rs.scope_spans())
                for (const auto &s : ss.spans()) {
                    ++spans;
                    QCOMPARE(QByteArray::fromStdString(s.trace_id()), fixture::traceId(2));
                    if (s.name() == "Charge") {
                        QCOMPARE(s.kind(), opentelemetry::proto::trace::v1::Span::SPAN_KIND_SERVER);
                        QCOMPARE(s.links_size(), 1);
                        QCOMPARE(QByteArray::fromStdString(s.links(0).trace_id()), fixture::traceId(1));
                        QCOMPARE(s.status().code(), opentelemetry::proto::trace::v1::Status::STATUS_CODE_ERROR);
                        QCOMPARE(quint64(s.end_time_unix_nano() - s.start_time_unix_nano()), quint64(400 * fixture::kMs));
                    }
                }
        QCOMPARE(spans, 3);
    }

    void traceErrors()
    {
        QCOMPARE(get("/api/traces/ffff").status, 404);
        QCOMPARE(get("/api/traces/ffff").body, QByteArray("trace not found\n"));
        QCOMPARE(get("/api/traces/not-hex").status, 400);
        QCOMPARE(get("/api/traces/" + QByteArray(33, 'a')).status, 400);
    }

    void searchTraceql()
    {
        auto r = get("/api/search?q=" + QUrl::toPercentEncoding(QStringLiteral("{ status = error }")));
        QCOMPARE(r.status, 200);
        const QJsonObject o = json(r);
        QCOMPARE(traceIds(o), (QStringList{QStringLiteral("10000000000000000000000000000002"),
                                           QStringLiteral("10000000000000000000000000000001")}));
        const QJsonObject t2 = o.value(u"traces").toArray()[0].toObject();
        QCOMPARE(t2.value(u"rootServiceName").toString(), QStringLiteral("checkout"));
        QCOMPARE(t2.value(u"rootTraceName").toString(), QStringLiteral("POST /checkout"));
        QCOMPARE(t2.value(u"startTimeUnixNano").toString(), QString::number(fixture::kT0 + 1000 * fixture::kMs));
        QCOMPARE(t2.value(u"durationMs").toInt(), 600);
        const QJsonObject set = t2.value(u"spanSet").toObject();
        QCOMPARE(set.value(u"matched").toInt(), 2);
        const QJsonArray spans = set.value(u"spans").toArray();
        QCOMPARE(spans.size(), 2);
        QCOMPARE(spans[0].toObject().value(u"spanID").toString(), QStringLiteral("2200000000000001"));
        QCOMPARE(spans[0].toObject().value(u"durationNanos").toString(), QString::number(600 * fixture::kMs));
        const QJsonObject attr = spans[0].toObject().value(u"attributes").toArray()[0].toObject();
        QCOMPARE(attr.value(u"key").toString(), QStringLiteral("status"));
        QCOMPARE(attr.value(u"value").toObject().value(u"stringValue").toString(), QStringLiteral("error"));
        QCOMPARE(t2.value(u"spanSets").toArray().size(), 1);
        QCOMPARE(o.value(u"metrics").toObject().value(u"inspectedTraces").toInt(), 2);

        // limit, spss, by()
        r = get("/api/search?limit=1&spss=1&q=" + QUrl::toPercentEncoding(QStringLiteral("{ } | by(resource.service.name)")));
        const QJsonObject lim = json(r);
        QCOMPARE(traceIds(lim).size(), 1);
        const QJsonArray sets = lim.value(u"traces").toArray()[0].toObject().value(u"spanSets").toArray();
        QCOMPARE(sets.size(), 2);
        QCOMPARE(sets[0].toObject().value(u"spans").toArray().size(), 1);
        QCOMPARE(sets[0].toObject().value(u"attributes").toArray()[0].toObject().value(u"key").toString(),
                 QStringLiteral("resource.service.name"));

        // Time range (Unix seconds) and durations (Go syntax).
        const qint64 t0s = fixture::kT0 / 1'000'000'000;
        r = get("/api/search?start=" + QByteArray::number(t0s - 10) + "&end=" + QByteArray::number(t0s) + "&q=%7B%7D");
        QCOMPARE(traceIds(json(r)), QStringList{QStringLiteral("10000000000000000000000000000001")});
        r = get("/api/search?minDuration=300ms&maxDuration=1s");
        QCOMPARE(traceIds(json(r)), QStringList{QStringLiteral("10000000000000000000000000000002")});
        r = get("/api/search?maxDuration=0.25s");
        QCOMPARE(traceIds(json(r)), QStringList{QStringLiteral("10000000000000000000000000000001")});
    }

    void searchTags()
    {
        auto r = get("/api/search?tags=" + QUrl::toPercentEncoding(QStringLiteral("service.name=payment")));
        QCOMPARE(traceIds(json(r)), QStringList{QStringLiteral("10000000000000000000000000000002")});
        r = get("/api/search?tags=" + QUrl::toPercentEncoding(QStringLiteral("db.system=\"postgresql\" name=SELECT")));
        QCOMPARE(traceIds(json(r)), QStringList{QStringLiteral("10000000000000000000000000000001")});
        r = get("/api/search?tags=" + QUrl::toPercentEncoding(QStringLiteral("http.status_code=503")));
        QCOMPARE(traceIds(json(r)), QStringList{QStringLiteral("10000000000000000000000000000002")});
    }

    void searchErrors()
    {
        auto r = get("/api/search?q=" + QUrl::toPercentEncoding(QStringLiteral("{ status = }")));
        QCOMPARE(r.status, 400);
        QVERIFY2(r.body.contains("1:12"), r.body.constData());
        QCOMPARE(get("/api/search?limit=-1").status, 400);
        QCOMPARE(get("/api/search?minDuration=5parsecs").status, 400);
        QCOMPARE(get("/api/search?start=yesterday").status, 400);
        QCOMPARE(get("/api/search?minDuration=2s&maxDuration=1s").status, 400);
        QCOMPARE(get("/api/search?tags=novalue").status, 400);
        QCOMPARE(get("/api/search?q=" + QUrl::toPercentEncoding(QStringLiteral("{ } | rate()"))).status, 400);
    }

    void tags()
    {
        auto r = get("/api/search/tags");
        QCOMPARE(r.status, 200);
        const QJsonArray names = json(r).value(u"tagNames").toArray();
        QVERIFY(names.contains(QStringLiteral("http.status_code")));
        QVERIFY(names.contains(QStringLiteral("service.name")));
        QVERIFY(names.contains(QStringLiteral("deployment.environment")));

        r = get("/api/v2/search/tags");
        const QJsonArray scopes = json(r).value(u"scopes").toArray();
        QCOMPARE(scopes.size(), 3);
        QCOMPARE(scopes[0].toObject().value(u"name").toString(), QStringLiteral("span"));
        QVERIFY(scopes[0].toObject().value(u"tags").toArray().contains(QStringLiteral("db.system")));
        QCOMPARE(scopes[1].toObject().value(u"name").toString(), QStringLiteral("resource"));
        QVERIFY(scopes[1].toObject().value(u"tags").toArray().contains(QStringLiteral("service.name")));
        QCOMPARE(scopes[2].toObject().value(u"name").toString(), QStringLiteral("intrinsic"));
        r = get("/api/v2/search/tags?scope=resource");
        QCOMPARE(json(r).value(u"scopes").toArray().size(), 1);
        QCOMPARE(get("/api/v2/search/tags?scope=bogus").status, 400);

        r = get("/api/search/tag/service.name/values");
        QCOMPARE(json(r).value(u"tagValues").toArray(),
                 (QJsonArray{QStringLiteral("checkout"), QStringLiteral("frontend"), QStringLiteral("payment"),
                             QStringLiteral("productcatalog")}));
        r = get("/api/v2/search/tag/span.http.status_code/values");
        const QJsonArray v = json(r).value(u"tagValues").toArray();
        QCOMPARE(v.size(), 3);
        QCOMPARE(v[0].toObject().value(u"type").toString(), QStringLiteral("int"));
        QCOMPARE(v[0].toObject().value(u"value").toString(), QStringLiteral("200"));
        r = get("/api/v2/search/tag/resource.service.name/values");
        QCOMPARE(json(r).value(u"tagValues").toArray().size(), 4);
        r = get("/api/v2/search/tag/status/values");
        QCOMPARE(json(r).value(u"tagValues").toArray()[0].toObject().value(u"type").toString(), QStringLiteral("keyword"));
        r = get("/api/v2/search/tag/name/values");
        QCOMPARE(json(r).value(u"tagValues").toArray().size(), 8);
        r = get("/api/v2/search/tag/.db.system/values");
        QCOMPARE(json(r).value(u"tagValues").toArray().size(), 2);
    }

    void metricsQueryRange()
    {
        const qint64 t0s = fixture::kT0 / 1'000'000'000;
        auto r = get("/api/metrics/query_range?q=" +
                     QUrl::toPercentEncoding(QStringLiteral("{ status = error } | count_over_time() by (resource.service.name)")) +
                     "&start=" + QByteArray::number(t0s) + "&end=" + QByteArray::number(t0s + 2) + "&step=1s");
        QCOMPARE(r.status, 200);
        const QJsonArray series = json(r).value(u"series").toArray();
        QCOMPARE(series.size(), 3);
        const QJsonObject checkout = series[0].toObject();
        QCOMPARE(checkout.value(u"labels").toArray()[0].toObject().value(u"value").toObject().value(u"stringValue").toString(),
                 QStringLiteral("checkout"));
        QCOMPARE(checkout.value(u"promLabels").toString(), QStringLiteral("{resource.service.name=\"checkout\"}"));
        const QJsonArray samples = checkout.value(u"samples").toArray();
        QCOMPARE(samples.size(), 2);
        QCOMPARE(samples[0].toObject().value(u"timestampMs").toString(), QString::number(t0s * 1000));
        QCOMPARE(samples[0].toObject().value(u"value").toDouble(), 0.0);
        QCOMPARE(samples[1].toObject().value(u"value").toDouble(), 1.0);

        QCOMPARE(get("/api/metrics/query_range").status, 400);
        QCOMPARE(get("/api/metrics/query_range?q=%7B%7D").status, 400); // not a metrics query
        QCOMPARE(get("/api/metrics/query_range?q=%7B%7D%7Crate()&step=-1s").status, 400);
    }
};

QTEST_GUILESS_MAIN(TestTempoApi)
#include "tst_tempo_api.moc"
