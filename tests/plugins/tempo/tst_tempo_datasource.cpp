// The real tempo plugin against the embedded core's Tempo API over loopback
// HTTP (a temporary store filled through SpanStore::append) and against
// recorded Tempo answers.
#include "core/api/http_server.h"
#include "core/api/tempo_api.h"
#include "core/datasource/plugin_registry.h"
#include "core/model/time_range.h"
#include "core/store/span_store.h"
#include "core/store/storage.h"
#include "plugins/common/span_frame.h"
#include "tests/support/recording_http_server.h"

#include <QEventLoop>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <QThreadPool>
#include <QUrlQuery>
#include <optional>

using namespace spyglass;
using namespace spyglass::datasource;
using model::FrameKind;
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
    QFile f(QStringLiteral(SPYGLASS_TEST_DATA_DIR "/tempo/") + QLatin1String(name));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", name);
    return f.readAll();
}

model::Span span(char trace, char id, char parent, const char *service, const char *name, model::TimestampMs start,
                 std::int64_t durMs, int httpStatus)
{
    model::Span s;
    s.traceId = QByteArray(16, trace);
    s.spanId = QByteArray(8, id);
    if (parent)
        s.parentSpanId = QByteArray(8, parent);
    s.serviceName = QString::fromLatin1(service);
    s.name = QString::fromLatin1(name);
    s.kind = parent ? model::Span::Kind::Client : model::Span::Kind::Server;
    s.start = start * kNsPerMs;
    s.end = s.start + durMs * kNsPerMs;
    s.status = httpStatus >= 500 ? model::Span::Status::Error : model::Span::Status::Unset;
    s.attributes = {{QStringLiteral("http.status_code"), QVariant::fromValue<qint64>(httpStatus)}};
    s.resourceAttributes = {{QStringLiteral("service.name"), s.serviceName}};
    s.scopeName = QStringLiteral("test-scope");
    return s;
}

} // namespace

class TestTempoDatasource : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        auto storage = store::Storage::open(m_dir.filePath(QStringLiteral("data")));
        QVERIFY2(storage.has_value(), why(storage).constData());
        m_storage = std::move(*storage);
        m_t0 = model::nowMs() - 600'000;
        QVERIFY(m_storage->traces()
                    .append({span('a', '1', 0, "frontend", "GET /", m_t0, 300, 200),
                             span('a', '2', '1', "api", "GET /items", m_t0 + 10, 200, 503),
                             span('b', '3', 0, "frontend", "GET /health", m_t0 + 60'000, 5, 200)})
                    .has_value());
        api::TempoApi::registerRoutes(m_server.router(), *m_storage);
        auto port = m_server.listen();
        QVERIFY2(port.has_value(), why(port).constData());

        m_plugins.setSearchPaths({QStringLiteral(SPYGLASS_PLUGIN_DIR)});
        m_plugins.scan();
        const PluginInfo *info = m_plugins.plugin(QStringLiteral("tempo"));
        QVERIFY(info);
        QVERIFY2(info->state == PluginInfo::State::Loaded, qPrintable(info->errorString));
        QCOMPARE(info->kinds, Capabilities(Capability::Traces));
        DatasourceSettings s;
        s.uid = QStringLiteral("tempo-test");
        s.type = QStringLiteral("tempo");
        s.url = QStringLiteral("http://127.0.0.1:%1").arg(*port);
        auto ds = tempo().create(s, {});
        QVERIFY2(ds.has_value(), why(ds).constData());
        m_ds = std::move(*ds);
    }

    void traceqlSearch()
    {
        QueryRequest req;
        req.refId = QStringLiteral("T");
        req.expr = QStringLiteral("{ span.http.status_code >= 500 }");
        req.from = m_t0 - 60'000;
        req.to = m_t0 + 600'000;
        auto r = onWorker([&] { return m_ds->query(req, {}); });
        QVERIFY2(r.has_value(), why(r).constData());
        QCOMPARE(r->size(), 1);
        const auto &f = r->front();
        QCOMPARE(f.kind(), FrameKind::Table);
        QCOMPARE(f.name(), QStringLiteral("T"));
        QCOMPARE(f.rowCount(), 1);
        QCOMPARE(f.field(u"traceID")->strings().front(), QString::fromLatin1(QByteArray(16, 'a').toHex()));
        QCOMPARE(f.field(u"rootServiceName")->strings().front(), QStringLiteral("frontend"));
        QCOMPARE(f.field(u"rootTraceName")->strings().front(), QStringLiteral("GET /"));
        QCOMPARE(f.field(u"traceDuration")->doubles().front(), 300.0);
        QCOMPARE(f.field(u"matched")->int64s().front(), 1);
        QCOMPARE(f.meta().datasourceUid, QStringLiteral("tempo-test"));

        req.expr = QStringLiteral(R"({ resource.service.name = "frontend" })");
        req.options.insert(QStringLiteral("limit"), 1);
        auto limited = onWorker([&] { return m_ds->query(req, {}); });
        QVERIFY2(limited.has_value(), why(limited).constData());
        QCOMPARE(limited->front().rowCount(), 1);

        req.options.remove(QStringLiteral("limit"));
        req.options.insert(QStringLiteral("queryType"), QStringLiteral("search"));
        req.options.insert(QStringLiteral("minDuration"), QStringLiteral("100ms"));
        auto slow = onWorker([&] { return m_ds->query(req, {}); });
        QVERIFY2(slow.has_value(), why(slow).constData());
        QCOMPARE(slow->front().rowCount(), 1);

        req.options.clear();
        req.expr = QStringLiteral("{ span.http.status_code >= }");
        auto bad = onWorker([&] { return m_ds->query(req, {}); });
        QVERIFY(!bad);
        QVERIFY2(bad.error().message.contains(u"HTTP 400"), qPrintable(bad.error().message));
    }

    void traceById()
    {
        QueryRequest req;
        req.expr = QString::fromLatin1(QByteArray(16, 'a').toHex());
        req.options.insert(QStringLiteral("queryType"), QStringLiteral("traceId"));
        auto r = onWorker([&] { return m_ds->query(req, {}); });
        QVERIFY2(r.has_value(), why(r).constData());
        QCOMPARE(r->front().kind(), FrameKind::Spans);
        auto spans = plugins::common::spansFromFrame(r->front());
        QVERIFY2(spans.has_value(), why(spans).constData());
        QCOMPARE(spans->size(), 2);
        bool sawChild = false;
        for (const auto &s : *spans) {
            if (s.name != u"GET /items")
                continue;
            sawChild = true;
            QCOMPARE(s.parentSpanId, QByteArray(8, '1'));
            QCOMPARE(s.serviceName, QStringLiteral("api"));
            QCOMPARE(s.status, model::Span::Status::Error);
            QCOMPARE(s.start, (m_t0 + 10) * kNsPerMs);
            QCOMPARE(s.duration(), 200 * kNsPerMs);
            QCOMPARE(s.scopeName, QStringLiteral("test-scope"));
        }
        QVERIFY(sawChild);

        req.expr = QString::fromLatin1(QByteArray(16, 'z').toHex());
        auto missing = onWorker([&] { return m_ds->query(req, {}); });
        QVERIFY(!missing);
        QCOMPARE(missing.error().kind, Error::Kind::NotFound);
        req.expr = QStringLiteral("not hex");
        QVERIFY(!m_ds->query(req, {}));
    }

    void metricsQuery()
    {
        QueryRequest req;
        req.expr = QStringLiteral("{ } | count_over_time() by (resource.service.name)");
        req.from = m_t0 - 60'000;
        req.to = m_t0 + 120'000;
        req.stepMs = 60'000;
        auto r = onWorker([&] { return m_ds->query(req, {}); });
        QVERIFY2(r.has_value(), why(r).constData());
        QVERIFY(!r->isEmpty());
        QMap<QString, double> totals;
        for (const auto &f : *r) {
            QCOMPARE(f.kind(), FrameKind::TimeSeries);
            for (double v : f.fields().at(1).doubles())
                if (!std::isnan(v))
                    totals[f.seriesLabels().value(u"resource.service.name")] += v;
        }
        QCOMPARE(totals.value(QStringLiteral("frontend")), 2.0);
        QCOMPARE(totals.value(QStringLiteral("api")), 1.0);
    }

    void tagLookupsAndHealth()
    {
        auto names = onWorker([&] { return m_ds->labelNames({}); });
        QVERIFY2(names.has_value(), why(names).constData());
        QVERIFY(names->contains(QStringLiteral("resource.service.name")));
        QVERIFY(names->contains(QStringLiteral("span.http.status_code")));
        QVERIFY(names->contains(QStringLiteral("name")));
        auto services = onWorker([&] { return m_ds->labelValues(QStringLiteral("resource.service.name"), {}); });
        QVERIFY2(services.has_value(), why(services).constData());
        QCOMPARE(*services, (QStringList{QStringLiteral("api"), QStringLiteral("frontend")}));
        auto h = onWorker([&] { return m_ds->checkHealth({}); });
        QVERIFY2(h.has_value(), why(h).constData());
        QCOMPARE(*h, QStringLiteral("Tempo ") + api::TempoApi::compatibleVersion());
    }

    void recordedTempoAnswersAndRequestShape()
    {
        RecordingHttpServer fake;
        QVERIFY(fake.listen());
        fake.setHandler([](const RecordedRequest &r) {
            if (r.path().contains("/api/traces/"))
                return CannedResponse{200, data("trace_v1_base64.json")};
            if (r.path().endsWith("/api/v2/search/tags"))
                return CannedResponse{404, "404 page not found\n", "text/plain"};
            if (r.path().endsWith("/api/search/tags"))
                return CannedResponse{200, data("tags_v1.json")};
            if (r.path().endsWith("/values"))
                return CannedResponse{200, data("tag_values_v2.json")};
            if (r.path().endsWith("/api/metrics/query_range"))
                return CannedResponse{200, data("metrics_query_range.json")};
            return CannedResponse{200, data("search.json")};
        });
        DatasourceSettings s;
        s.type = QStringLiteral("tempo");
        s.url = fake.url() + QStringLiteral("/tempo");
        s.jsonData = {{QStringLiteral("tenantId"), QStringLiteral("team-b")}};
        auto ds = tempo().create(s, {});
        QVERIFY(ds.has_value());

        QueryRequest req;
        req.expr = QStringLiteral("{ status = error }");
        req.from = 1'684'778'000'000;
        req.to = 1'684'779'000'500;
        req.options = {{QStringLiteral("limit"), 5}, {QStringLiteral("spss"), 2}, {QStringLiteral("maxDuration"), QStringLiteral("2s")}};
        auto r = onWorker([&] { return (*ds)->query(req, {}); });
        QVERIFY2(r.has_value(), why(r).constData());
        QCOMPARE(r->front().rowCount(), 2);
        RecordedRequest sent = fake.requests().last();
        QCOMPARE(sent.path(), QByteArray("/tempo/api/search"));
        QCOMPARE(sent.header("X-Scope-OrgID"), QByteArray("team-b"));
        QUrlQuery q(QString::fromUtf8(sent.target.mid(sent.target.indexOf('?') + 1)));
        QCOMPARE(q.queryItemValue(QStringLiteral("q"), QUrl::FullyDecoded), QStringLiteral("{ status = error }"));
        QCOMPARE(q.queryItemValue(QStringLiteral("limit")), QStringLiteral("5"));
        QCOMPARE(q.queryItemValue(QStringLiteral("spss")), QStringLiteral("2"));
        QCOMPARE(q.queryItemValue(QStringLiteral("maxDuration")), QStringLiteral("2000ms"));
        QCOMPARE(q.queryItemValue(QStringLiteral("start")), QStringLiteral("1684778000"));
        QCOMPARE(q.queryItemValue(QStringLiteral("end")), QStringLiteral("1684779001"));

        req.options = {{QStringLiteral("queryType"), QStringLiteral("traceId")}};
        req.expr = QStringLiteral("2F3E0CEE77AE5DC9C17ADE3689EB2E54");
        auto t = onWorker([&] { return (*ds)->query(req, {}); });
        QVERIFY2(t.has_value(), why(t).constData());
        QCOMPARE(t->front().rowCount(), 2);
        QCOMPARE(fake.requests().last().path(), QByteArray("/tempo/api/traces/2f3e0cee77ae5dc9c17ade3689eb2e54"));

        req.options.clear();
        req.expr = QStringLiteral("{ } | rate() by (resource.service.name)");
        req.stepMs = 60'000;
        auto m = onWorker([&] { return (*ds)->query(req, {}); });
        QVERIFY2(m.has_value(), why(m).constData());
        QCOMPARE(m->size(), 2);
        sent = fake.requests().last();
        QCOMPARE(sent.path(), QByteArray("/tempo/api/metrics/query_range"));
        q = QUrlQuery(QString::fromUtf8(sent.target.mid(sent.target.indexOf('?') + 1)));
        QCOMPARE(q.queryItemValue(QStringLiteral("step")), QStringLiteral("60000ms"));
        QCOMPARE(q.queryItemValue(QStringLiteral("start")), QStringLiteral("1684778000000000000"));

        auto names = onWorker([&] { return (*ds)->labelNames({}); });
        QCOMPARE(names.value(), (QStringList{QStringLiteral(".http.method"), QStringLiteral(".service.name")}));
        auto values = onWorker([&] { return (*ds)->labelValues(QStringLiteral("resource.service.name"), {}); });
        QCOMPARE(values.value(), (QStringList{QStringLiteral("shop-backend"), QStringLiteral("auth")}));
        QCOMPARE(fake.requests().last().path(), QByteArray("/tempo/api/v2/search/tag/resource.service.name/values"));

        req.options = {{QStringLiteral("queryType"), QStringLiteral("flamegraph")}};
        QVERIFY(!(*ds)->query(req, {}));
    }

    void cleanupTestCase() { m_server.stop(); }

private:
    DatasourceFactory &tempo() { return *m_plugins.factory(QStringLiteral("tempo")); }

    QTemporaryDir m_dir;
    std::unique_ptr<store::Storage> m_storage;
    api::HttpServer m_server;
    PluginRegistry m_plugins;
    std::unique_ptr<Datasource> m_ds;
    model::TimestampMs m_t0 = 0;
};

QTEST_GUILESS_MAIN(TestTempoDatasource)
#include "tst_tempo_datasource.moc"
