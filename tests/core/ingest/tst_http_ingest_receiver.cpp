// The HTTP receivers over real loopback sockets: the corpus captures are
// replayed with the path and headers recorded in requests.jsonl, read back
// through Prometheus's query API on the same server, and malformed,
// truncated, oversized and overload cases get their documented answers
// with nothing stored.

#include "core/api/gzip_codec.h"
#include "core/api/http_server.h"
#include "core/api/prometheus_api.h"
#include "core/ingest/http_ingest_receiver.h"
#include "core/ingest/snappy_codec.h"
#include "core/ingest/storage_sink.h"
#include "core/proto/opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "core/proto/opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "core/proto/prometheus/remote.pb.h"
#include "core/store/storage.h"
#include "tests/core/api/raw_http_client.h"
#include "tests/core/ingest/corpus.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSemaphore>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

#include <thread>

using namespace spyglass;
using namespace spyglass::ingest;
using namespace spyglass::ingest::testing;
using spyglass::testing::RawHttpClient;
using spyglass::testing::RawResponse;

namespace {

constexpr qint64 kLimit = 1024 * 1024;

QByteArray request(const QByteArray &method, const QByteArray &target, const QList<QPair<QByteArray, QByteArray>> &headers,
                   const QByteArray &body)
{
    QByteArray r = method + ' ' + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    bool haveLength = false;
    for (const auto &h : headers) {
        r += h.first + ": " + h.second + "\r\n";
        haveLength |= h.first.compare("Content-Length", Qt::CaseInsensitive) == 0;
    }
    if (!haveLength)
        r += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    return r + "\r\n" + body;
}

std::optional<RawResponse> send(quint16 port, const QByteArray &bytes)
{
    RawHttpClient c;
    if (!c.connectTo(port))
        return std::nullopt;
    c.send(bytes);
    return c.readResponse();
}

// google.rpc.Status {code = 1; message = 2} read by hand.
std::pair<int, QString> parseStatus(const QByteArray &b)
{
    int code = -1;
    QString message;
    qsizetype i = 0;
    auto varint = [&]() {
        quint64 v = 0;
        int shift = 0;
        while (i < b.size()) {
            const quint8 c = quint8(b[i++]);
            v |= quint64(c & 0x7f) << shift;
            if (!(c & 0x80))
                break;
            shift += 7;
        }
        return v;
    };
    while (i < b.size()) {
        const quint64 tag = varint();
        if (tag == 0x08) {
            code = int(varint());
        } else if (tag == 0x12) {
            const auto n = qsizetype(varint());
            message = QString::fromUtf8(b.mid(i, n));
            i += n;
        } else {
            return {-2, {}};
        }
    }
    return {code, message};
}

class BlockingSink : public IngestSink
{
public:
    QSemaphore entered, release;
    Result<AppendCounts> appendSamples(const QList<model::Series> &s) override
    {
        entered.release();
        release.acquire();
        return AppendCounts{qint64(s.size()), 0, {}};
    }
    Result<AppendCounts> appendLogs(const QList<model::LogRecord> &) override { return AppendCounts{}; }
    Result<AppendCounts> appendSpans(const QList<model::Span> &) override { return AppendCounts{}; }
    Result<AppendCounts> appendProfiles(const QList<model::Profile> &) override { return AppendCounts{}; }
};

} // namespace

class TestHttpIngestReceiver : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    std::unique_ptr<store::Storage> m_storage;
    std::unique_ptr<StorageSink> m_sink;
    std::unique_ptr<api::HttpServer> m_server;
    quint16 m_port = 0;

    QJsonObject query(const QString &expr, const QString &time)
    {
        const QByteArray target = "/api/v1/query?query=" + QUrl::toPercentEncoding(expr) + "&time=" + time.toLatin1();
        auto r = send(m_port, request("GET", target, {}, {}));
        if (!r || r->status != 200)
            return {};
        return QJsonDocument::fromJson(r->body).object();
    }

    QJsonArray vector(const QString &expr, const QString &time)
    {
        return query(expr, time)[u"data"][u"result"].toArray();
    }

    qint64 storedSeries()
    {
        auto s = m_storage->metrics().stats();
        return s ? s->series : -1;
    }

    qint64 storedSamples()
    {
        auto s = m_storage->metrics().stats();
        return s ? s->samples : -1;
    }

    std::optional<RawResponse> replay(const QString &folder, const QJsonObject &req)
    {
        QList<QPair<QByteArray, QByteArray>> headers;
        headers.append({"Content-Type", req[u"content_type"].toString().toLatin1()});
        if (req[u"content_encoding"].isString())
            headers.append({"Content-Encoding", req[u"content_encoding"].toString().toLatin1()});
        headers.append({"User-Agent", req[u"headers"][u"user-agent"].toString().toLatin1()});
        const QByteArray body = readCapture(folder + u'/' + req[u"file"].toString());
        return send(m_port, request(req[u"method"].toString().toLatin1(), req[u"path"].toString().toLatin1(), headers, body));
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        auto s = store::Storage::open(m_dir.path() + QStringLiteral("/data"));
        QVERIFY2(s, qPrintable(s ? QString() : s.error().toString()));
        m_storage = std::move(*s);
        m_sink = std::make_unique<StorageSink>(*m_storage);
        m_server = std::make_unique<api::HttpServer>();
        api::PrometheusApi::registerRoutes(m_server->router(), *m_storage);
        HttpIngestOptions o;
        o.maxBodyBytes = kLimit;
        HttpIngestReceiver::registerRoutes(m_server->router(), *m_sink, o);
        auto port = m_server->listen();
        QVERIFY(port);
        m_port = *port;
    }

    void cleanupTestCase()
    {
        m_server->stop();
    }

    void otlpMetricsReplay_data()
    {
        QTest::addColumn<QString>("folder");
        QTest::newRow("protobuf") << "otlp-http-proto";
        QTest::newRow("json") << "otlp-http-json";
        QTest::newRow("protobuf gzip") << "otlp-http-proto-gzip";
        QTest::newRow("json gzip") << "otlp-http-json-gzip";
    }
    void otlpMetricsReplay()
    {
        QFETCH(QString, folder);
        int sent = 0;
        for (const QJsonObject &req : captureRequests(folder)) {
            if (req[u"path"].toString() != u"/v1/metrics")
                continue;
            auto r = replay(folder, req);
            QVERIFY(r);
            QCOMPARE(r->status, 200);
            const QByteArray ct = req[u"content_type"].toString().toLatin1();
            QCOMPARE(r->header("Content-Type"), ct);
            if (ct == "application/json") {
                QCOMPARE(r->body, QByteArray("{}")); // no partial success: everything taken
            } else {
                opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceResponse resp;
                QVERIFY(resp.ParseFromArray(r->body.constData(), int(r->body.size())));
                QVERIFY(!resp.has_partial_success());
            }
            ++sent;
        }
        QCOMPARE(sent, 2);
        // Read back through the query API: the orders counter of the run.
        const auto v = vector(QStringLiteral("shop_orders_total{job=\"corpus/corpus-shop\",payment_method=\"card\"}"),
                              QStringLiteral("1795568700"));
        QVERIFY(!v.isEmpty());
        QVERIFY(v[0][u"value"][1].toString().toDouble() >= 2.0);
        const auto buckets = vector(QStringLiteral("http_server_request_duration_seconds_bucket{le=\"+Inf\"}"),
                                    QStringLiteral("1795568700"));
        QVERIFY(!buckets.isEmpty());
        QVERIFY(!vector(QStringLiteral("target_info{deployment_environment_name=\"test\"}"), QStringLiteral("1795568700"))
                     .isEmpty());
    }

    void otlpLogsAndTracesReplay()
    {
        for (const QString &folder : {QStringLiteral("otlp-http-proto"), QStringLiteral("otlp-http-json"),
                                      QStringLiteral("otlp-http-proto-gzip"), QStringLiteral("otlp-http-json-gzip")}) {
            for (const QJsonObject &req : captureRequests(folder)) {
                if (req[u"path"].toString() == u"/v1/metrics")
                    continue;
                auto r = replay(folder, req);
                QVERIFY(r);
                QCOMPARE(r->status, 200);
                if (req[u"content_type"].toString() == u"application/json")
                    QCOMPARE(r->body, QByteArray("{}"));
            }
        }
        // Runs A and B: 48 distinct spans each (protobuf and JSON of a run
        // carry the same ids, so the second copy is a duplicate). 11 traces
        // a run, but the webhook trace id is fixed by the remote parent in
        // both runs: 21 traces.
        auto spans = m_storage->traces().stats();
        QVERIFY(spans);
        QCOMPARE(spans->spans, 96);
        QCOMPARE(spans->traces, 21);
        auto logs = m_storage->logs().stats();
        QVERIFY(logs);
        QVERIFY2(logs->lines >= 32, qPrintable(QString::number(logs->lines)));
    }

    void malformedOtlp()
    {
        const qint64 series = storedSeries(), samples = storedSamples();
        const QByteArray good = readCapture(QStringLiteral("otlp-http-proto/metrics-0002.bin"));

        auto truncated = send(m_port, request("POST", "/v1/metrics", {{"Content-Type", "application/x-protobuf"}},
                                              good.left(good.size() - 7)));
        QVERIFY(truncated);
        QCOMPARE(truncated->status, 400);
        QCOMPARE(truncated->header("Content-Type"), QByteArray("application/x-protobuf"));
        const auto [code, msg] = parseStatus(truncated->body);
        QCOMPARE(code, 3);
        QVERIFY2(msg.contains(u"ExportMetricsServiceRequest"), qPrintable(msg));

        auto badJson = send(m_port, request("POST", "/v1/metrics", {{"Content-Type", "application/json"}},
                                            R"({"resourceMetrics":[{"scopeMetrics":"x"}]})"));
        QVERIFY(badJson);
        QCOMPARE(badJson->status, 400);
        const auto o = QJsonDocument::fromJson(badJson->body).object();
        QCOMPARE(o[u"code"].toInt(), 3);
        QVERIFY2(o[u"message"].toString().contains(u"resourceMetrics[0].scopeMetrics"), qPrintable(o[u"message"].toString()));

        auto wrongType = send(m_port, request("POST", "/v1/traces", {{"Content-Type", "text/plain"}}, "hello"));
        QVERIFY(wrongType);
        QCOMPARE(wrongType->status, 415);

        auto badGzip = send(m_port, request("POST", "/v1/metrics",
                                            {{"Content-Type", "application/x-protobuf"}, {"Content-Encoding", "gzip"}},
                                            "not gzip at all"));
        QVERIFY(badGzip);
        QCOMPARE(badGzip->status, 400);

        // Declared too large: refused before the body is read.
        auto tooLarge = send(m_port, request("POST", "/v1/metrics",
                                             {{"Content-Type", "application/x-protobuf"},
                                              {"Content-Length", QByteArray::number(kLimit + 1)}},
                                             {}));
        QVERIFY(tooLarge);
        QCOMPARE(tooLarge->status, 413);

        // Small on the wire, too large once gunzipped.
        const QByteArray bomb = api::GzipCodec::compress(QByteArray(kLimit * 2, '\0'));
        auto zipBomb = send(m_port, request("POST", "/v1/metrics",
                                            {{"Content-Type", "application/x-protobuf"}, {"Content-Encoding", "gzip"}},
                                            bomb));
        QVERIFY(zipBomb);
        QCOMPARE(zipBomb->status, 413);

        QCOMPARE(storedSeries(), series);
        QCOMPARE(storedSamples(), samples);
    }

    void partialSuccess()
    {
        auto r = send(m_port, request("POST", "/v1/metrics", {{"Content-Type", "application/json"}},
                                      R"({"resourceMetrics":[{"resource":{"attributes":[
                                          {"key":"service.name","value":{"stringValue":"partial"}}]},
                                        "scopeMetrics":[{"metrics":[
            {"name":"partial.gauge","gauge":{"dataPoints":[{"asDouble":1},{"timeUnixNano":"1795568000000000000","asDouble":7}]}}
        ]}]}]})"));
        QVERIFY(r);
        QCOMPARE(r->status, 200);
        const auto ps = QJsonDocument::fromJson(r->body).object()[u"partialSuccess"].toObject();
        QCOMPARE(ps[u"rejectedDataPoints"].toString(), QStringLiteral("1"));
        QVERIFY(ps[u"errorMessage"].toString().contains(u"time_unix_nano"));
        const auto v = vector(QStringLiteral("partial_gauge{job=\"partial\"}"), QStringLiteral("1795568000"));
        QCOMPARE(v.size(), 1);
        QCOMPARE(v[0][u"value"][1].toString(), QStringLiteral("7"));
    }

    void remoteWrite()
    {
        prometheus::WriteRequest req;
        auto *ts = req.add_timeseries();
        for (auto [n, v] : {std::pair{"__name__", "rw_metric"}, std::pair{"job", "rw"}}) {
            auto *l = ts->add_labels();
            l->set_name(n);
            l->set_value(v);
        }
        auto *s1 = ts->add_samples();
        s1->set_timestamp(1700000000000);
        s1->set_value(3.5);
        auto *s2 = ts->add_samples();
        s2->set_timestamp(1700000060000);
        s2->set_value(model::staleNaN());
        ts->add_exemplars()->set_value(1);
        const std::string raw = req.SerializeAsString();
        const QByteArray body = SnappyCodec::compress(QByteArrayView(raw.data(), qsizetype(raw.size())));
        const QList<QPair<QByteArray, QByteArray>> headers{{"Content-Type", "application/x-protobuf"},
                                                           {"Content-Encoding", "snappy"},
                                                           {"X-Prometheus-Remote-Write-Version", "0.1.0"},
                                                           {"User-Agent", "Prometheus/2.42.0"}};
        auto r = send(m_port, request("POST", "/api/v1/write", headers, body));
        QVERIFY(r);
        QCOMPARE(r->status, 204);

        auto v = vector(QStringLiteral("rw_metric"), QStringLiteral("1700000030"));
        QCOMPARE(v.size(), 1);
        QCOMPARE(v[0][u"value"][1].toString(), QStringLiteral("3.5"));
        // After the stale marker the series is gone, as in Prometheus.
        QVERIFY(vector(QStringLiteral("rw_metric"), QStringLiteral("1700000090")).isEmpty());

        const qint64 samples = storedSamples();
        auto bad = send(m_port, request("POST", "/api/v1/write", headers, body.left(body.size() / 2)));
        QVERIFY(bad);
        QCOMPARE(bad->status, 400);
        QVERIFY(bad->body.contains("snappy"));
        auto notSnappy = send(m_port, request("POST", "/api/v1/write", headers, QByteArray(raw.data(), qsizetype(raw.size()))));
        QVERIFY(notSnappy);
        QCOMPARE(notSnappy->status, 400);
        auto wrongCt = send(m_port, request("POST", "/api/v1/write", {{"Content-Type", "application/json"}}, "{}"));
        QVERIFY(wrongCt);
        QCOMPARE(wrongCt->status, 415);
        QCOMPARE(storedSamples(), samples);
    }

    void lokiPush()
    {
        const QByteArray body = R"({"streams":[{"stream":{"service_name":"api"},"values":[["1700000000000000000","hi"]]}]})";
        auto r = send(m_port, request("POST", "/loki/api/v1/push", {{"Content-Type", "application/json"}}, body));
        QVERIFY(r);
        QVERIFY2(r->status == 204 || r->status == 503, qPrintable(QString::number(r->status)));
        auto bad = send(m_port, request("POST", "/loki/api/v1/push", {{"Content-Type", "application/json"}},
                                        R"({"streams":[{"stream":{},"values":[]}]})"));
        QVERIFY(bad);
        QCOMPARE(bad->status, 400);
        QVERIFY(bad->body.contains("at least one label"));
        auto badSnappy = send(m_port, request("POST", "/loki/api/v1/push", {{"Content-Type", "application/x-protobuf"}},
                                              "\x05garbage"));
        QVERIFY(badSnappy);
        QCOMPARE(badSnappy->status, 400);
    }

    void overloadGets429()
    {
        BlockingSink sink;
        api::HttpServer server;
        HttpIngestOptions o;
        o.maxInFlight = 1;
        o.retryAfterSeconds = 7;
        HttpIngestReceiver::registerRoutes(server.router(), sink, o);
        auto port = server.listen();
        QVERIFY(port);
        const QByteArray body = readCapture(QStringLiteral("otlp-http-proto/metrics-0001.bin"));
        const QByteArray req = request("POST", "/v1/metrics", {{"Content-Type", "application/x-protobuf"}}, body);

        std::optional<RawResponse> first;
        std::thread t([&] { first = send(*port, req); });
        sink.entered.acquire(); // the first request now holds the only slot
        auto second = send(*port, req);
        QVERIFY(second);
        QCOMPARE(second->status, 429);
        QCOMPARE(second->header("Retry-After"), QByteArray("7"));
        QCOMPARE(parseStatus(second->body).first, 8);
        sink.release.release();
        t.join();
        QVERIFY(first);
        QCOMPARE(first->status, 200);
        server.stop();
    }
};

QTEST_GUILESS_MAIN(TestHttpIngestReceiver)
#include "tst_http_ingest_receiver.moc"
