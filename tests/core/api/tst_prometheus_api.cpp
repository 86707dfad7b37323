#include "core/api/http_server.h"
#include "core/api/prometheus_api.h"
#include "core/store/storage.h"

#include "raw_http_client.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

using namespace spyglass;
using namespace spyglass::api;
using spyglass::testing::RawHttpClient;
using spyglass::testing::RawResponse;

namespace {

// 2023-11-14T22:13:20Z; samples every 15 s for 10 minutes after it.
constexpr model::TimestampMs kT0 = 1'700'000'000'000;

model::Series series(model::Labels labels, double start, double inc)
{
    model::Series s{std::move(labels), {}};
    for (int i = 0; i <= 40; ++i)
        s.samples.append({kT0 + i * 15'000, start + inc * i});
    return s;
}

QByteArray enc(const QString &s) { return QUrl::toPercentEncoding(s); }

QJsonObject json(const RawResponse &r) { return QJsonDocument::fromJson(r.body).object(); }

} // namespace

class TestPrometheusApi : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<store::Storage> m_storage;
    std::unique_ptr<HttpServer> m_server;

    RawResponse request(const QByteArray &raw)
    {
        RawHttpClient c;
        if (!c.connectTo(m_server->port()))
            return {};
        c.send(raw);
        return c.readResponse().value_or(RawResponse{});
    }
    RawResponse get(const QByteArray &target)
    {
        return request("GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n");
    }
    RawResponse postForm(const QByteArray &path, const QByteArray &form)
    {
        return request("POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                       "Content-Length: " + QByteArray::number(form.size()) + "\r\n\r\n" + form);
    }

    // Asserts a Prometheus error envelope.
    static bool isError(const RawResponse &r, int status, const char *type, const QString &message)
    {
        const QJsonObject o = json(r);
        const bool ok = r.status == status && r.header("Content-Type") == "application/json" &&
                        o.value(u"status").toString() == u"error" &&
                        o.value(u"errorType").toString() == QLatin1String(type) &&
                        o.value(u"error").toString() == message && o.size() == 3;
        if (!ok)
            qWarning() << "got" << r.status << r.body;
        return ok;
    }
    static bool isErrorStartingWith(const RawResponse &r, int status, const char *type, const QString &prefix)
    {
        const QJsonObject o = json(r);
        const bool ok = r.status == status && o.value(u"status").toString() == u"error" &&
                        o.value(u"errorType").toString() == QLatin1String(type) &&
                        o.value(u"error").toString().startsWith(prefix);
        if (!ok)
            qWarning() << "got" << r.status << r.body;
        return ok;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        auto st = store::Storage::open(m_dir.filePath(QStringLiteral("data")));
        QVERIFY2(st.has_value(), qPrintable(st ? QString() : st.error().toString()));
        m_storage = std::move(*st);
        store::SampleBatch batch;
        batch.series.append(series({{QStringLiteral("__name__"), QStringLiteral("up")},
                                    {QStringLiteral("job"), QStringLiteral("api")},
                                    {QStringLiteral("instance"), QStringLiteral("a:1")}},
                                   1, 0));
        batch.series.append(series({{QStringLiteral("__name__"), QStringLiteral("up")},
                                    {QStringLiteral("job"), QStringLiteral("db")},
                                    {QStringLiteral("instance"), QStringLiteral("b:1")}},
                                   0, 0));
        batch.series.append(series({{QStringLiteral("__name__"), QStringLiteral("http_requests_total")},
                                    {QStringLiteral("job"), QStringLiteral("api")},
                                    {QStringLiteral("code"), QStringLiteral("200")}},
                                   0, 10));
        batch.series.append(series({{QStringLiteral("__name__"), QStringLiteral("http_requests_total")},
                                    {QStringLiteral("job"), QStringLiteral("api")},
                                    {QStringLiteral("code"), QStringLiteral("500")}},
                                   0, 0.5));
        auto appended = m_storage->metrics().append(batch);
        QVERIFY2(appended.has_value(), qPrintable(appended ? QString() : appended.error().toString()));
        QCOMPARE(appended->samples, 4 * 41);

        m_server = std::make_unique<HttpServer>();
        PrometheusApi::registerRoutes(m_server->router(), *m_storage);
        QVERIFY(m_server->listen().has_value());
    }

    void cleanupTestCase()
    {
        m_server.reset();
        m_storage.reset();
    }

    void instantQueryVector()
    {
        const RawResponse r = get("/api/v1/query?query=up&time=1700000300");
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("Content-Type"), QByteArray("application/json"));
        QCOMPARE(r.body, QByteArray(R"({"status":"success","data":{"resultType":"vector","result":[)"
                                    R"({"metric":{"__name__":"up","instance":"a:1","job":"api"},"value":[1700000300,"1"]},)"
                                    R"({"metric":{"__name__":"up","instance":"b:1","job":"db"},"value":[1700000300,"0"]}]}})"));
        // RFC 3339 time and a fractional Unix time address the same instant.
        QCOMPARE(get("/api/v1/query?query=up&time=2023-11-14T22:18:20Z").body, r.body);
        const RawResponse frac = get("/api/v1/query?query=" + enc(QStringLiteral("up{job=\"db\"}")) + "&time=1700000300.5");
        QCOMPARE(json(frac)[u"data"].toObject()[u"result"].toArray()[0].toObject()[u"value"].toArray()[0].toDouble(),
                 1700000300.5);
    }

    void instantQueryByPostForm()
    {
        const RawResponse r = postForm("/api/v1/query", "query=" + enc(QStringLiteral("sum by (job) (http_requests_total)")) +
                                                            "&time=1700000600");
        QCOMPARE(r.status, 200);
        // 400 + 20 at the last sample.
        QCOMPARE(r.body, QByteArray(R"({"status":"success","data":{"resultType":"vector","result":[)"
                                    R"({"metric":{"job":"api"},"value":[1700000600,"420"]}]}})"));
    }

    void scalarAndStringResults()
    {
        QCOMPARE(get("/api/v1/query?query=1%2B1&time=1700000000").body,
                 QByteArray(R"({"status":"success","data":{"resultType":"scalar","result":[1700000000,"2"]}})"));
        QCOMPARE(get("/api/v1/query?query=" + enc(QStringLiteral("\"hi\"")) + "&time=1700000000").body,
                 QByteArray(R"({"status":"success","data":{"resultType":"string","result":[1700000000,"hi"]}})"));
    }

    void rangeQuery()
    {
        const QByteArray q = "/api/v1/query_range?query=" + enc(QStringLiteral("up{job=\"api\"}")) +
                             "&start=1700000000&end=1700000120&step=";
        const RawResponse r = get(q + "60");
        QCOMPARE(r.status, 200);
        QCOMPARE(r.body, QByteArray(R"({"status":"success","data":{"resultType":"matrix","result":[)"
                                    R"({"metric":{"__name__":"up","instance":"a:1","job":"api"},)"
                                    R"("values":[[1700000000,"1"],[1700000060,"1"],[1700000120,"1"]]}]}})"));
        // step as a duration string or float seconds: the same answer.
        QCOMPARE(get(q + "1m").body, r.body);
        QCOMPARE(get(q + "60.0").body, r.body);
        const RawResponse post = postForm("/api/v1/query_range",
                                          "query=" + enc(QStringLiteral("rate(http_requests_total{code=\"200\"}[1m])")) +
                                              "&start=1700000120&end=1700000180&step=30s");
        QCOMPARE(post.status, 200);
        const QJsonArray result = json(post)[u"data"].toObject()[u"result"].toArray();
        QCOMPARE(result.size(), 1);
        QCOMPARE(result[0].toObject()[u"metric"].toObject(), (QJsonObject{{QStringLiteral("code"), QStringLiteral("200")},
                                                                          {QStringLiteral("job"), QStringLiteral("api")}}));
        const QJsonArray values = result[0].toObject()[u"values"].toArray();
        QCOMPARE(values.size(), 3);
        for (const auto &v : values)
            QCOMPARE(v.toArray()[1].toString().toDouble(), 10.0 / 15.0); // 10 per 15 s
    }

    void rangeQueryParameterErrors()
    {
        const QByteArray q = "/api/v1/query_range?query=up";
        QVERIFY(isError(get(q + "&end=10&step=1"), 400, "bad_data",
                        QStringLiteral("invalid parameter \"start\": cannot parse \"\" to a valid timestamp")));
        QVERIFY(isError(get(q + "&start=yesterday&end=10&step=1"), 400, "bad_data",
                        QStringLiteral("invalid parameter \"start\": cannot parse \"yesterday\" to a valid timestamp")));
        QVERIFY(isError(get(q + "&start=10&end=5&step=1"), 400, "bad_data",
                        QStringLiteral("invalid parameter \"end\": end timestamp must not be before start time")));
        QVERIFY(isError(get(q + "&start=0&end=5"), 400, "bad_data",
                        QStringLiteral("invalid parameter \"step\": cannot parse \"\" to a valid duration")));
        QVERIFY(isError(get(q + "&start=0&end=5&step=abc"), 400, "bad_data",
                        QStringLiteral("invalid parameter \"step\": cannot parse \"abc\" to a valid duration")));
        QVERIFY(isError(get(q + "&start=0&end=5&step=0"), 400, "bad_data",
                        QStringLiteral("invalid parameter \"step\": zero or negative query resolution step widths "
                                       "are not accepted. Try a positive integer")));
        QVERIFY(isError(get(q + "&start=0&end=5&step=-1"), 400, "bad_data",
                        QStringLiteral("invalid parameter \"step\": zero or negative query resolution step widths "
                                       "are not accepted. Try a positive integer")));
        QVERIFY(isError(get(q + "&start=0&end=11001&step=1"), 400, "bad_data",
                        QStringLiteral("exceeded maximum resolution of 11,000 points per timeseries. Try "
                                       "decreasing the query resolution (?step=XX)")));
        QVERIFY(isError(get(q + "&start=0&end=5&step=1&timeout=soon"), 400, "bad_data",
                        QStringLiteral("invalid parameter \"timeout\": cannot parse \"soon\" to a valid duration")));
        QVERIFY(isErrorStartingWith(get("/api/v1/query_range?query=up%5B5m%5D&start=0&end=5&step=1"), 400, "bad_data",
                                    QStringLiteral("invalid expression type \"range vector\"")));
    }

    void queryErrors()
    {
        QVERIFY(isError(get("/api/v1/query?query=up&time=never"), 400, "bad_data",
                        QStringLiteral("invalid parameter \"time\": Invalid time value for 'time': cannot parse \"never\" to a valid timestamp")));
        QVERIFY(isErrorStartingWith(get("/api/v1/query?query=" + enc(QStringLiteral("sum(up"))), 400, "bad_data",
                                    QStringLiteral("invalid parameter \"query\": 1:")));
        QVERIFY(json(get("/api/v1/query?query=" + enc(QStringLiteral("sum(up")))).value(u"error").toString().contains(u"parse error"));
        // No query at all is a parse error too, as in Prometheus.
        QVERIFY(isErrorStartingWith(get("/api/v1/query"), 400, "bad_data", QStringLiteral("invalid parameter \"query\": ")));
        // Many-to-many matching fails while evaluating: 422 execution.
        const RawResponse exec = get("/api/v1/query?time=1700000300&query=" +
                                     enc(QStringLiteral("http_requests_total + on(job) http_requests_total")));
        QCOMPARE(exec.status, 422);
        QCOMPARE(json(exec)[u"errorType"].toString(), QStringLiteral("execution"));
        QVERIFY(!json(exec)[u"error"].toString().isEmpty());
    }

    void queryTimeout()
    {
        QVERIFY(isError(get("/api/v1/query?query=up&time=1700000300&timeout=0"), 503, "timeout",
                        QStringLiteral("query timed out in expression evaluation")));
        QVERIFY(isError(get("/api/v1/query_range?query=up&start=1700000000&end=1700000600&step=15&timeout=0s"),
                        503, "timeout", QStringLiteral("query timed out in expression evaluation")));
        // A generous timeout changes nothing.
        QCOMPARE(get("/api/v1/query?query=up&time=1700000300&timeout=30s").status, 200);
        QVERIFY(isError(get("/api/v1/query?query=up&timeout=x"), 400, "bad_data",
                        QStringLiteral("invalid parameter \"timeout\": cannot parse \"x\" to a valid duration")));
    }

    void seriesEndpoint()
    {
        const QByteArray expectedUp =
            R"({"status":"success","data":[{"__name__":"up","instance":"a:1","job":"api"},{"__name__":"up","instance":"b:1","job":"db"}]})";
        QCOMPARE(get("/api/v1/series?match%5B%5D=up").body, expectedUp);
        QCOMPARE(postForm("/api/v1/series", "match[]=up").body, expectedUp);
        // Several match[] are a union, deduplicated and sorted.
        const RawResponse u = get("/api/v1/series?match[]=" + enc(QStringLiteral("up{job=\"db\"}")) + "&match[]=" +
                                  enc(QStringLiteral("{code=\"500\"}")) + "&match[]=up");
        QCOMPARE(u.body, QByteArray(R"({"status":"success","data":[)"
                                    R"({"__name__":"http_requests_total","code":"500","job":"api"},)"
                                    R"({"__name__":"up","instance":"a:1","job":"api"},{"__name__":"up","instance":"b:1","job":"db"}]})"));
        // A range with no samples of them: no series.
        QCOMPARE(get("/api/v1/series?match[]=up&start=1600000000&end=1600000600").body,
                 QByteArray(R"({"status":"success","data":[]})"));
        QCOMPARE(get("/api/v1/series?match[]=up&start=1700000000&end=1700000600").body, expectedUp);
        QCOMPARE(get("/api/v1/series?match[]=nothing_here").body, QByteArray(R"({"status":"success","data":[]})"));

        QVERIFY(isError(get("/api/v1/series"), 400, "bad_data", QStringLiteral("no match[] parameter provided")));
        QVERIFY(isErrorStartingWith(get("/api/v1/series?match[]=" + enc(QStringLiteral("{job=~\".*\"}"))), 400,
                                    "bad_data", QStringLiteral("invalid parameter \"match[]\": ")));
        QVERIFY(isErrorStartingWith(get("/api/v1/series?match[]=" + enc(QStringLiteral("up{"))), 400, "bad_data",
                                    QStringLiteral("invalid parameter \"match[]\": ")));
        QVERIFY(isError(get("/api/v1/series?match[]=up&start=x"), 400, "bad_data",
                        QStringLiteral("invalid parameter \"start\": Invalid time value for 'start': cannot parse \"x\" to a valid timestamp")));
    }

    void labelsEndpoint()
    {
        const QByteArray all = R"({"status":"success","data":["__name__","code","instance","job"]})";
        QCOMPARE(get("/api/v1/labels").body, all);
        QCOMPARE(postForm("/api/v1/labels", "start=1700000000").body, all);
        QCOMPARE(get("/api/v1/labels?match[]=up").body,
                 QByteArray(R"({"status":"success","data":["__name__","instance","job"]})"));
        QCOMPARE(get("/api/v1/labels?match[]=nothing").body, QByteArray(R"({"status":"success","data":[]})"));
        QVERIFY(isErrorStartingWith(get("/api/v1/labels?match[]=" + enc(QStringLiteral("up{"))), 400, "bad_data",
                                    QString()));
    }

    void labelValuesEndpoint()
    {
        QCOMPARE(get("/api/v1/label/job/values").body, QByteArray(R"({"status":"success","data":["api","db"]})"));
        QCOMPARE(get("/api/v1/label/__name__/values").body,
                 QByteArray(R"({"status":"success","data":["http_requests_total","up"]})"));
        QCOMPARE(get("/api/v1/label/code/values?match[]=up").body, QByteArray(R"({"status":"success","data":[]})"));
        QCOMPARE(get("/api/v1/label/instance/values?match[]=" + enc(QStringLiteral("up{job=\"db\"}"))).body,
                 QByteArray(R"({"status":"success","data":["b:1"]})"));
        QCOMPARE(get("/api/v1/label/nope/values").body, QByteArray(R"({"status":"success","data":[]})"));
        QVERIFY(isError(get("/api/v1/label/1abc/values"), 400, "bad_data",
                        QStringLiteral("invalid label name: \"1abc\"")));
        QCOMPARE(postForm("/api/v1/label/job/values", "").status, 405);
    }

    void metadataExemplarsBuildInfo()
    {
        QCOMPARE(get("/api/v1/metadata").body, QByteArray(R"({"status":"success","data":{}})"));
        QCOMPARE(get("/api/v1/metadata?metric=up&limit=5").body, QByteArray(R"({"status":"success","data":{}})"));
        QVERIFY(isError(get("/api/v1/metadata?limit=many"), 400, "bad_data", QStringLiteral("limit must be a number")));

        QCOMPARE(get("/api/v1/query_exemplars?query=up&start=1700000000&end=1700000600").body,
                 QByteArray(R"({"status":"success","data":[]})"));
        QVERIFY(isErrorStartingWith(get("/api/v1/query_exemplars?query=up%7B"), 400, "bad_data",
                                    QStringLiteral("invalid parameter \"query\": ")));

        const RawResponse b = get("/api/v1/status/buildinfo");
        QCOMPARE(b.status, 200);
        const QJsonObject data = json(b)[u"data"].toObject();
        QCOMPARE(json(b)[u"status"].toString(), QStringLiteral("success"));
        for (const char *key : {"version", "revision", "branch", "buildUser", "buildDate", "goVersion"})
            QVERIFY2(data.value(QLatin1String(key)).isString(), key);
        QCOMPARE(data[u"version"].toString(), PrometheusApi::compatibleVersion());
    }

    void probesAndRouting()
    {
        QCOMPARE(get("/-/ready").status, 200);
        QCOMPARE(get("/-/healthy").status, 200);
        QCOMPARE(get("/api/v1/nothing").status, 404);
        QCOMPARE(request("DELETE /api/v1/query HTTP/1.1\r\nHost: x\r\n\r\n").status, 405);
    }
};

QTEST_GUILESS_MAIN(TestPrometheusApi)
#include "tst_prometheus_api.moc"
