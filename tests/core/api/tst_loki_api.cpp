// The Loki-compatible API over real loopback HTTP, checked against the JSON
// shapes Grafana's Loki datasource reads.
#include "core/api/http_server.h"
#include "core/api/loki_api.h"
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

// 2023-11-14T22:13:20Z
constexpr std::int64_t kT0 = 1'700'000'000LL * 1'000'000'000;
constexpr std::int64_t kSec = 1'000'000'000;

QByteArray enc(const QString &s)
{
    return QUrl::toPercentEncoding(s);
}
QJsonObject json(const RawResponse &r)
{
    return QJsonDocument::fromJson(r.body).object();
}

} // namespace

class TestLokiApi : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    std::unique_ptr<store::Storage> m_storage;
    std::unique_ptr<HttpServer> m_server;

    RawResponse get(const QByteArray &target)
    {
        RawHttpClient c;
        if (!c.connectTo(m_server->port()))
            return {};
        c.send("GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n");
        return c.readResponse().value_or(RawResponse{});
    }
    RawResponse postForm(const QByteArray &path, const QByteArray &form)
    {
        RawHttpClient c;
        if (!c.connectTo(m_server->port()))
            return {};
        c.send("POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
               "Content-Length: " + QByteArray::number(form.size()) + "\r\n\r\n" + form);
        return c.readResponse().value_or(RawResponse{});
    }
    QByteArray range() const
    {
        return "&start=" + QByteArray::number(kT0) + "&end=" + QByteArray::number(kT0 + 60 * kSec);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        auto st = store::Storage::open(m_dir.filePath(QStringLiteral("data")));
        QVERIFY2(st, qPrintable(st ? QString() : st.error().message));
        m_storage = std::move(*st);
        QList<model::LogRecord> batch;
        const model::Labels api{{QStringLiteral("app"), QStringLiteral("api")}, {QStringLiteral("env"), QStringLiteral("prod")}};
        const model::Labels db{{QStringLiteral("app"), QStringLiteral("db")}, {QStringLiteral("env"), QStringLiteral("prod")}};
        for (int i = 0; i < 10; ++i) {
            model::LogRecord r;
            r.stream = i % 2 ? db : api;
            r.time = kT0 + i * kSec + 123;
            r.line = QStringLiteral("level=%1 i=%2 msg=\"line %2\"").arg(i % 3 ? QStringLiteral("info") : QStringLiteral("error")).arg(i);
            batch.append(r);
        }
        QVERIFY(m_storage->logs().append(batch));
        m_server = std::make_unique<HttpServer>();
        LokiApi::registerRoutes(m_server->router(), *m_storage);
        QVERIFY(m_server->listen().has_value());
    }

    void ready()
    {
        auto r = get("/ready");
        QCOMPARE(r.status, 200);
        QCOMPARE(r.body, QByteArray("ready\n"));
    }

    void queryRangeStreams()
    {
        auto r = get("/loki/api/v1/query_range?query=" + enc(QStringLiteral(R"({app="api"} |= "error")")) + range()
                     + "&direction=forward&limit=10");
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("Content-Type"), QByteArray("application/json"));
        const QJsonObject o = json(r);
        QCOMPARE(o.value(u"status").toString(), QStringLiteral("success"));
        const QJsonObject data = o.value(u"data").toObject();
        QCOMPARE(data.value(u"resultType").toString(), QStringLiteral("streams"));
        QVERIFY(data.value(u"stats").toObject().contains(u"summary"));
        const QJsonArray result = data.value(u"result").toArray();
        QCOMPARE(result.size(), 1);
        const QJsonObject stream = result[0].toObject();
        QCOMPARE(stream.value(u"stream").toObject().value(u"app").toString(), QStringLiteral("api"));
        const QJsonArray values = stream.value(u"values").toArray();
        // api lines are i = 0, 2, 4, 6, 8; "error" at i % 3 == 0: 0 and 6.
        QCOMPARE(values.size(), 2);
        QCOMPARE(values[0].toArray()[0].toString(), QString::number(kT0 + 123)); // ns as a string
        QCOMPARE(values[0].toArray()[1].toString(), QStringLiteral("level=error i=0 msg=\"line 0\""));
        QCOMPARE(values[1].toArray()[0].toString(), QString::number(kT0 + 6 * kSec + 123));

        // Backward (the default) with a limit returns the newest lines.
        auto b = get("/loki/api/v1/query_range?query=" + enc(QStringLiteral(R"({env="prod"})")) + range() + "&limit=3");
        const QJsonArray res = json(b).value(u"data").toObject().value(u"result").toArray();
        int total = 0;
        QStringList times;
        for (const auto &s : res)
            for (const auto &v : s.toObject().value(u"values").toArray()) {
                ++total;
                times << v.toArray()[0].toString();
            }
        QCOMPARE(total, 3);
        QVERIFY(times.contains(QString::number(kT0 + 9 * kSec + 123)));
        QVERIFY(times.contains(QString::number(kT0 + 7 * kSec + 123)));
    }

    void queryRangeMatrixAndPost()
    {
        auto r = postForm("/loki/api/v1/query_range",
                          "query=" + enc(QStringLiteral(R"(sum by (level) (count_over_time({env="prod"} | logfmt [10s])))"))
                              + "&start=" + QByteArray::number(kT0) + "&end=" + QByteArray::number(kT0 + 20 * kSec) + "&step=10");
        QCOMPARE(r.status, 200);
        const QJsonObject data = json(r).value(u"data").toObject();
        QCOMPARE(data.value(u"resultType").toString(), QStringLiteral("matrix"));
        const QJsonArray result = data.value(u"result").toArray();
        QCOMPARE(result.size(), 2);
        // sorted by labels: error first. error lines: i = 0, 3, 6, 9.
        const QJsonObject err = result[0].toObject();
        QCOMPARE(err.value(u"metric").toObject().value(u"level").toString(), QStringLiteral("error"));
        const QJsonArray values = err.value(u"values").toArray();
        // Steps T0, T0+10s, T0+20s: only (T0, T0+10s] holds lines (i = 0, 3, 6, 9).
        QCOMPARE(values.size(), 1);
        QCOMPARE(values[0].toArray()[0].toDouble(), 1'700'000'010.0);
        QCOMPARE(values[0].toArray()[1].toString(), QStringLiteral("4"));
    }

    void instantVector()
    {
        auto r = get("/loki/api/v1/query?query=" + enc(QStringLiteral(R"(count_over_time({app="db"}[1m]))"))
                     + "&time=" + QByteArray::number(kT0 + 30 * kSec));
        QCOMPARE(r.status, 200);
        const QJsonObject data = json(r).value(u"data").toObject();
        QCOMPARE(data.value(u"resultType").toString(), QStringLiteral("vector"));
        const QJsonArray result = data.value(u"result").toArray();
        QCOMPARE(result.size(), 1);
        const QJsonArray value = result[0].toObject().value(u"value").toArray();
        QCOMPARE(value[0].toDouble(), 1'700'000'030.0);
        QCOMPARE(value[1].toString(), QStringLiteral("5"));
        // RFC 3339 time is accepted too.
        auto r2 = get("/loki/api/v1/query?query=" + enc(QStringLiteral("vector(2)")) + "&time=2023-11-14T22:13:50Z");
        QCOMPARE(r2.status, 200);
        QCOMPARE(json(r2).value(u"data").toObject().value(u"result").toArray()[0].toObject().value(u"value").toArray()[1].toString(),
                 QStringLiteral("2"));
    }

    void labelsAndSeries()
    {
        auto l = get("/loki/api/v1/labels?" + range().mid(1));
        QCOMPARE(l.status, 200);
        QCOMPARE(json(l).value(u"data").toArray(), (QJsonArray{QStringLiteral("app"), QStringLiteral("env")}));
        auto v = get("/loki/api/v1/label/app/values?" + range().mid(1));
        QCOMPARE(json(v).value(u"data").toArray(), (QJsonArray{QStringLiteral("api"), QStringLiteral("db")}));
        auto vq = get("/loki/api/v1/label/app/values?query=" + enc(QStringLiteral(R"({app="db"})")) + range());
        QCOMPARE(json(vq).value(u"data").toArray(), (QJsonArray{QStringLiteral("db")}));
        // Outside the time range: nothing.
        auto none = get("/loki/api/v1/labels?start=1&end=2");
        QCOMPARE(json(none).value(u"data").toArray().size(), 0);
        auto s = get("/loki/api/v1/series?match[]=" + enc(QStringLiteral(R"({app=~"a.*"})")) + range());
        QCOMPARE(s.status, 200);
        const QJsonArray series = json(s).value(u"data").toArray();
        QCOMPARE(series.size(), 1);
        QCOMPARE(series[0].toObject(), (QJsonObject{{QStringLiteral("app"), QStringLiteral("api")}, {QStringLiteral("env"), QStringLiteral("prod")}}));
    }

    void volume()
    {
        auto r = get("/loki/api/v1/index/volume?query=" + enc(QStringLiteral(R"({env="prod"})")) + range() + "&targetLabels=app");
        QCOMPARE(r.status, 200);
        const QJsonArray result = json(r).value(u"data").toObject().value(u"result").toArray();
        QCOMPARE(result.size(), 2);
        QCOMPARE(result[0].toObject().value(u"metric").toObject().value(u"app").toString(), QStringLiteral("api"));
        QCOMPARE(result[0].toObject().value(u"value").toArray()[1].toString(), QStringLiteral("5"));
    }

    void errors()
    {
        auto r = get("/loki/api/v1/query_range?query=" + enc(QStringLiteral(R"({app="api")")) + range());
        QCOMPARE(r.status, 400);
        QVERIFY2(r.body.startsWith("parse error at line 1, col 11: syntax error: unexpected $end"), r.body.constData());
        QCOMPARE(get("/loki/api/v1/query_range?" + range().mid(1)).status, 400);
        QCOMPARE(get("/loki/api/v1/query_range?query=" + enc(QStringLiteral(R"({a="b"})")) + "&start=10&end=5").status, 400);
        QCOMPARE(get("/loki/api/v1/query_range?query=" + enc(QStringLiteral(R"({a="b"})")) + range() + "&limit=-1").status, 400);
        QCOMPARE(get("/loki/api/v1/query_range?query=" + enc(QStringLiteral(R"({a="b"})")) + range() + "&direction=sideways").status, 400);
        QCOMPARE(get("/loki/api/v1/query_range?query=" + enc(QStringLiteral(R"(rate({a="b"}[1m]))")) + range() + "&step=0").status, 400);
        QCOMPARE(get("/loki/api/v1/query?query=" + enc(QStringLiteral(R"({a="b"})"))).status, 400);
        auto pe = get("/loki/api/v1/query?query=" + enc(QStringLiteral(R"(count_over_time({app="api"} | json [1m]))")) + "&time=" + QByteArray::number(kT0 + 30 * kSec));
        QCOMPARE(pe.status, 400);
        QVERIFY(pe.body.startsWith("pipeline error: 'JSONParserErr'"));
        QCOMPARE(get("/loki/api/v1/series").status, 400);
    }
};

QTEST_GUILESS_MAIN(TestLokiApi)
#include "tst_loki_api.moc"
