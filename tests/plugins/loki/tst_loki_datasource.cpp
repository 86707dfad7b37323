// The real loki plugin against the embedded core's Loki API over loopback
// HTTP (a temporary store filled through LogStore::append), including the
// WebSocket live tail, and against recorded Loki answers.
#include "core/api/http_server.h"
#include "core/api/loki_api.h"
#include "core/datasource/http_client.h"
#include "core/datasource/live_tail.h"
#include "core/datasource/plugin_registry.h"
#include "core/model/time_range.h"
#include "core/store/log_store.h"
#include "core/store/storage.h"
#include "plugins/loki/loki_datasource.h"
#include "tests/support/recording_http_server.h"

#include <QEventLoop>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <QThreadPool>
#include <QUrlQuery>
#include <atomic>
#include <mutex>
#include <optional>
#include <thread>

using namespace spyglass;
using namespace spyglass::datasource;
using model::FrameKind;
using model::Labels;
using spyglass::test::CannedResponse;
using spyglass::test::RecordedRequest;
using spyglass::test::RecordingHttpServer;

namespace {

constexpr std::int64_t kNsPerMs = 1'000'000;

template <typename F>
auto onWorker(F f) -> decltype(f())
{
    std::optional<decltype(f())> result;
    QEventLoop loop;
    QThreadPool::globalInstance()->start([&] {
        result.emplace(f());
        QMetaObject::invokeMethod(&loop, &QEventLoop::quit, Qt::QueuedConnection);
    });
    loop.exec();
    QThreadPool::globalInstance()->waitForDone();
    return std::move(*result);
}

template <typename T>
QByteArray why(const Result<T> &r)
{
    return r ? QByteArray() : r.error().toString().toUtf8();
}

QByteArray data(const char *name)
{
    QFile f(QStringLiteral(SPYGLASS_TEST_DATA_DIR "/loki/") + QLatin1String(name));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", name);
    return f.readAll();
}

model::LogRecord line(model::TimestampMs ms, const char *job, const QString &text)
{
    model::LogRecord r;
    r.time = ms * kNsPerMs;
    r.stream = Labels{{QStringLiteral("job"), QString::fromLatin1(job)}};
    r.line = text;
    return r;
}

} // namespace

class TestLokiDatasource : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        auto storage = store::Storage::open(m_dir.filePath(QStringLiteral("data")));
        QVERIFY2(storage.has_value(), why(storage).constData());
        m_storage = std::move(*storage);
        // Recent lines, so the API's default windows (last hour) see them.
        m_t0 = model::nowMs() - 600'000;
        QList<model::LogRecord> lines;
        for (int i = 0; i < 10; ++i)
            lines.append(line(m_t0 + i * 30'000, "api",
                              QStringLiteral("level=%1 status=%2 msg=\"request %3\"")
                                  .arg(i % 3 == 0 ? QStringLiteral("error") : QStringLiteral("info"))
                                  .arg(i % 3 == 0 ? 500 : 200)
                                  .arg(i)));
        lines.append(line(m_t0, "db", QStringLiteral("vacuum started")));
        QVERIFY(m_storage->logs().append(lines).has_value());

        api::LokiApi::registerRoutes(m_server.router(), *m_storage);
        auto port = m_server.listen();
        QVERIFY2(port.has_value(), why(port).constData());

        m_plugins.setSearchPaths({QStringLiteral(SPYGLASS_PLUGIN_DIR)});
        m_plugins.scan();
        const PluginInfo *info = m_plugins.plugin(QStringLiteral("loki"));
        QVERIFY(info);
        QVERIFY2(info->state == PluginInfo::State::Loaded, qPrintable(info->errorString));
        QCOMPARE(info->kinds, Capabilities(Capability::Logs));
        m_ds = make(QStringLiteral("http://127.0.0.1:%1").arg(*port));
        QVERIFY(m_ds);
    }

    void logQueryOverLoopback()
    {
        QueryRequest req;
        req.refId = QStringLiteral("L");
        req.expr = QStringLiteral(R"({job="api"} |= "error" | logfmt)");
        req.from = m_t0 - 1000;
        req.to = m_t0 + 600'000;
        auto r = onWorker([&] { return m_ds->query(req, {}); });
        QVERIFY2(r.has_value(), why(r).constData());
        QCOMPARE(r->size(), 1);
        const auto &f = r->front();
        QCOMPARE(f.kind(), FrameKind::Logs);
        QCOMPARE(f.name(), QStringLiteral("L"));
        QCOMPARE(f.rowCount(), 4); // i = 9, 6, 3, 0
        QCOMPARE(f.field(u"tsNs")->int64s().front(), (m_t0 + 9 * 30'000) * kNsPerMs);
        QCOMPARE(f.field(u"Line")->strings().front(), QStringLiteral("level=error status=500 msg=\"request 9\""));
        QCOMPARE(f.field(u"parsed")->labelSets().front().value(u"msg"), QStringLiteral("request 9"));
        QCOMPARE(f.field(u"labels")->labelSets().front().value(u"job"), QStringLiteral("api"));
        QCOMPARE(f.meta().datasourceUid, QStringLiteral("loki-test"));

        req.options.insert(QStringLiteral("limit"), 2);
        req.options.insert(QStringLiteral("direction"), QStringLiteral("forward"));
        auto fwd = onWorker([&] { return m_ds->query(req, {}); });
        QVERIFY2(fwd.has_value(), why(fwd).constData());
        QCOMPARE(fwd->front().field(u"tsNs")->int64s(),
                 (QList<std::int64_t>{m_t0 * kNsPerMs, (m_t0 + 3 * 30'000) * kNsPerMs}));
    }

    void metricQueriesOverLoopback()
    {
        QueryRequest req;
        req.expr = QStringLiteral(R"(sum by (level) (count_over_time({job="api"} | logfmt [5m])))");
        req.instant = true;
        req.to = m_t0 + 300'000 - 1;
        auto r = onWorker([&] { return m_ds->query(req, {}); });
        QVERIFY2(r.has_value(), why(r).constData());
        QCOMPARE(r->size(), 2);
        QMap<QString, double> byLevel;
        for (const auto &f : *r)
            byLevel.insert(f.seriesLabels().value(u"level"), f.fields().at(1).doubles().front());
        // (to - 5m, to] holds all ten api lines (t0 .. t0 + 270 s); errors are i = 0, 3, 6, 9.
        QCOMPARE(byLevel.value(QStringLiteral("error")) + byLevel.value(QStringLiteral("info")), 10.0);
        QCOMPARE(byLevel.value(QStringLiteral("error")), 4.0);

        QueryRequest range;
        range.expr = QStringLiteral(R"(count_over_time({job="db"}[1m]))");
        range.from = m_t0 - 60'000;
        range.to = m_t0 + 120'000;
        range.options.insert(QStringLiteral("step"), QStringLiteral("1m"));
        auto rr = onWorker([&] { return m_ds->query(range, {}); });
        QVERIFY2(rr.has_value(), why(rr).constData());
        QCOMPARE(rr->size(), 1);
        QCOMPARE(rr->front().kind(), FrameKind::TimeSeries);
        QCOMPARE(rr->front().meta().custom.value(QStringLiteral("stepMs")).toLongLong(), 60'000);
    }

    void badQueriesSayWhy()
    {
        QueryRequest req;
        req.expr = QStringLiteral(R"({job="api"} |= )");
        req.from = m_t0;
        req.to = m_t0 + 1000;
        auto r = onWorker([&] { return m_ds->query(req, {}); });
        QVERIFY(!r);
        QVERIFY2(r.error().message.contains(u"HTTP 400"), qPrintable(r.error().message));
        req.expr = QStringLiteral(R"({job="api"})");
        req.options.insert(QStringLiteral("direction"), QStringLiteral("up"));
        QVERIFY(!m_ds->query(req, {}));
    }

    void labelLookups()
    {
        auto names = onWorker([&] { return m_ds->labelNames({}); });
        QVERIFY2(names.has_value(), why(names).constData());
        QCOMPARE(*names, QStringList{QStringLiteral("job")});
        auto values = onWorker([&] { return m_ds->labelValues(QStringLiteral("job"), {}); });
        QCOMPARE(values.value(), (QStringList{QStringLiteral("api"), QStringLiteral("db")}));
        LabelLookup narrow{QStringLiteral("logql"), m_t0 - 1000, m_t0 + 600'000, QStringLiteral(R"({job="db"})")};
        auto narrowed = onWorker([&] { return m_ds->lookupLabelValues(QStringLiteral("job"), narrow, {}); });
        QCOMPARE(narrowed.value(), QStringList{QStringLiteral("db")});
    }

    void health()
    {
        auto h = onWorker([&] { return m_ds->checkHealth({}); });
        QVERIFY2(h.has_value(), why(h).constData());
        QCOMPARE(*h, QStringLiteral("Loki API, 1 labels"));

        auto down = make(QStringLiteral("http://127.0.0.1:1"));
        auto err = onWorker([&] { return down->checkHealth({}); });
        QVERIFY(!err);
        QCOMPARE(err.error().kind, Error::Kind::Unavailable);
    }

    void liveTailStreamsNewLines()
    {
        LiveTail *tail = m_ds->liveTail();
        QVERIFY(tail);
        TailRequest req;
        req.expr = QStringLiteral(R"({job="db"})");
        req.from = m_t0 - 1000;
        req.limit = 10;

        std::mutex mutex;
        QStringList received;
        std::atomic<int> batches{0};
        CancelToken cancel;
        std::optional<Result<void>> outcome;
        std::thread worker([&] {
            outcome = tail->tail(req, [&](const model::Frame &f, qint64 dropped) {
                std::lock_guard lock(mutex);
                if (dropped != 0 || f.kind() != FrameKind::Logs)
                    received.append(QStringLiteral("<bad batch>"));
                received += f.field(u"Line")->strings();
                ++batches;
                return true;
            }, cancel);
        });
        // The historic line first.
        QVERIFY(QTest::qWaitFor([&] { std::lock_guard lock(mutex); return received.size() >= 1; }, 20000));
        {
            std::lock_guard lock(mutex);
            QCOMPARE(received, QStringList{QStringLiteral("vacuum started")});
        }
        // Then lines stored while tailing, in order, each once.
        const model::TimestampMs now = model::nowMs();
        QVERIFY(m_storage->logs().append({line(now - 50, "db", QStringLiteral("checkpoint 1")),
                                          line(now - 40, "api", QStringLiteral("not this stream")),
                                          line(now - 30, "db", QStringLiteral("checkpoint 2"))}).has_value());
        QVERIFY(QTest::qWaitFor([&] { std::lock_guard lock(mutex); return received.size() >= 3; }, 20000));
        QVERIFY(m_storage->logs().append({line(model::nowMs() - 10, "db", QStringLiteral("checkpoint 3"))}).has_value());
        QVERIFY(QTest::qWaitFor([&] { std::lock_guard lock(mutex); return received.size() >= 4; }, 20000));
        cancel.cancel();
        worker.join();
        QVERIFY(outcome.has_value());
        QVERIFY2(outcome->has_value(), why(*outcome).constData());
        QCOMPARE(received, (QStringList{QStringLiteral("vacuum started"), QStringLiteral("checkpoint 1"),
                                        QStringLiteral("checkpoint 2"), QStringLiteral("checkpoint 3")}));
    }

    void liveTailSinkCanStopAndErrorsArrive()
    {
        TailRequest req;
        req.expr = QStringLiteral(R"({job="api"})");
        req.from = m_t0 - 1000;
        req.limit = 3;
        int calls = 0;
        int lines = 0;
        auto stopped = onWorker([&] {
            return m_ds->liveTail()->tail(req, [&](const model::Frame &f, qint64) {
                ++calls;
                lines += int(f.rowCount());
                return false;
            }, {});
        });
        QVERIFY2(stopped.has_value(), why(stopped).constData());
        QCOMPARE(calls, 1);
        QCOMPARE(lines, 3); // the first batch holds at most `limit` lines

        req.expr = QStringLiteral(R"(count_over_time({job="api"}[1m]))");
        auto metric = onWorker([&] { return m_ds->liveTail()->tail(req, [](const model::Frame &, qint64) { return true; }, {}); });
        QVERIFY(!metric);
        QVERIFY2(metric.error().message.contains(u"log queries"), qPrintable(metric.error().message));

        req.expr = QStringLiteral(R"({job="api"})");
        req.delayForSeconds = 9;
        QVERIFY(!m_ds->liveTail()->tail(req, [](const model::Frame &, qint64) { return true; }, {}));
    }

    void refusedTailSaysWhy()
    {
        // Loki answers a tail it will not serve (no tenant, bad query) before
        // upgrading: the datasource reports that answer.
        RecordingHttpServer fake;
        QVERIFY(fake.listen());
        fake.setResponse({401, "no org id\n", "text/plain"});
        auto ds = make(fake.url());
        TailRequest req;
        req.expr = QStringLiteral(R"({job="x"})");
        auto r = onWorker([&] { return ds->liveTail()->tail(req, [](const model::Frame &, qint64) { return true; }, {}); });
        QVERIFY(!r);
        QVERIFY2(r.error().message.contains(u"refused the live tail: HTTP 401: no org id"), qPrintable(r.error().message));
        QVERIFY(!fake.requests().isEmpty());
        QVERIFY(fake.requests().last().target.contains("query=%7Bjob%3D%22x%22%7D"));
    }

    void plainGetOnTailSaysWebSocket()
    {
        DatasourceSettings s;
        s.url = QStringLiteral("http://127.0.0.1:%1").arg(m_server.port());
        auto client = HttpClient::create(s, QStringLiteral("Loki"));
        QVERIFY(client.has_value());
        auto r = onWorker([&] {
            return client->get(QStringLiteral("loki/api/v1/tail"), {{QStringLiteral("query"), QStringLiteral("{job=\"db\"}")}}, {});
        });
        QVERIFY(r.has_value());
        QCOMPARE(r->status, 400);
        QVERIFY(r->body.contains("WebSocket"));
    }

    void recordedLokiAnswersAndRequestShape()
    {
        RecordingHttpServer fake;
        QVERIFY(fake.listen());
        fake.setHandler([](const RecordedRequest &r) {
            if (r.path().endsWith("/labels"))
                return CannedResponse{200, data("labels.json")};
            if (r.path().endsWith("/label/job/values"))
                return CannedResponse{200, data("label_values_job.json")};
            if (r.path().endsWith("/buildinfo"))
                return CannedResponse{200, data("buildinfo.json")};
            if (r.path().endsWith("/query"))
                return CannedResponse{200, data("query_vector.json")};
            return CannedResponse{200, data("query_range_streams_categorized.json")};
        });
        DatasourceSettings s;
        s.uid = QStringLiteral("cloud");
        s.type = QStringLiteral("loki");
        s.url = fake.url() + QStringLiteral("/prefix");
        s.jsonData = {{QStringLiteral("tenantId"), QStringLiteral("team-a")}, {QStringLiteral("basicAuth"), true},
                      {QStringLiteral("basicAuthUser"), QStringLiteral("u")}};
        s.secureJsonData = {{QStringLiteral("basicAuthPassword"), QStringLiteral("p")}};
        auto ds = loki().create(s, {});
        QVERIFY2(ds.has_value(), why(ds).constData());

        QueryRequest req;
        req.expr = QStringLiteral(R"({service_name="checkout"} | logfmt)");
        req.from = 1'700'000'000'000;
        req.to = 1'700'000'100'000;
        req.options.insert(QStringLiteral("limit"), 50);
        auto r = onWorker([&] { return (*ds)->query(req, {}); });
        QVERIFY2(r.has_value(), why(r).constData());
        QCOMPARE(r->front().field(u"structuredMetadata")->labelSets().front().value(u"trace_id"),
                 QStringLiteral("4bf92f3577b34da6a3ce929d0e0e4736"));
        const RecordedRequest sent = fake.requests().last();
        QCOMPARE(sent.path(), QByteArray("/prefix/loki/api/v1/query_range"));
        QCOMPARE(sent.header("X-Scope-OrgID"), QByteArray("team-a"));
        QCOMPARE(sent.header("Authorization"), "Basic " + QByteArray("u:p").toBase64());
        QCOMPARE(sent.header("X-Loki-Response-Encoding-Flags"), QByteArray("categorize-labels"));
        const QUrlQuery q(QString::fromUtf8(sent.target.mid(sent.target.indexOf('?') + 1)));
        QCOMPARE(q.queryItemValue(QStringLiteral("start")), QStringLiteral("1700000000000000000"));
        QCOMPARE(q.queryItemValue(QStringLiteral("end")), QStringLiteral("1700000100000000000"));
        QCOMPARE(q.queryItemValue(QStringLiteral("limit")), QStringLiteral("50"));
        QCOMPARE(q.queryItemValue(QStringLiteral("direction")), QStringLiteral("backward"));

        req.instant = true;
        auto inst = onWorker([&] { return (*ds)->query(req, {}); });
        QVERIFY2(inst.has_value(), why(inst).constData());
        QCOMPARE(fake.requests().last().path(), QByteArray("/prefix/loki/api/v1/query"));
        QCOMPARE(inst->front().kind(), FrameKind::TimeSeries);

        auto values = onWorker([&] { return (*ds)->labelValues(QStringLiteral("job"), {}); });
        QCOMPARE(values.value(), (QStringList{QStringLiteral("api"), QStringLiteral("varlogs")}));
        auto h = onWorker([&] { return (*ds)->checkHealth({}); });
        QCOMPARE(h.value(), QStringLiteral("Loki 3.1.0, 3 labels"));

        fake.setResponse({400, data("error_parse.txt"), "text/plain"});
        req.instant = false;
        auto bad = onWorker([&] { return (*ds)->query(req, {}); });
        QVERIFY(!bad);
        QVERIFY(bad.error().message.contains(u"syntax error: unexpected IDENTIFIER"));
    }

    void settingsErrors()
    {
        DatasourceSettings s;
        s.type = QStringLiteral("loki");
        auto noUrl = loki().create(s, {});
        QVERIFY(!noUrl);
        QVERIFY(noUrl.error().message.contains(u"Loki datasource"));
        s.url = QStringLiteral("http://localhost:3100");
        s.jsonData.insert(QStringLiteral("maxLines"), QStringLiteral("many"));
        QVERIFY(!loki().create(s, {}));
    }

    void cleanupTestCase() { m_server.stop(); }

private:
    DatasourceFactory &loki() { return *m_plugins.factory(QStringLiteral("loki")); }

    std::unique_ptr<Datasource> make(const QString &url)
    {
        DatasourceSettings s;
        s.uid = QStringLiteral("loki-test");
        s.type = QStringLiteral("loki");
        s.url = url;
        s.jsonData.insert(QStringLiteral("timeout"), 10);
        auto ds = loki().create(s, {});
        return ds ? std::move(*ds) : nullptr;
    }

    QTemporaryDir m_dir;
    std::unique_ptr<store::Storage> m_storage;
    api::HttpServer m_server;
    PluginRegistry m_plugins;
    std::unique_ptr<Datasource> m_ds;
    model::TimestampMs m_t0 = 0;
};

QTEST_GUILESS_MAIN(TestLokiDatasource)
#include "tst_loki_datasource.moc"
