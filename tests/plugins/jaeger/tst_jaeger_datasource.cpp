// The real jaeger plugin against a loopback server answering with recorded
// Jaeger query API responses (tests/data/jaeger, written from the
// documented shapes), plus the response parsing on its own.
#include "core/datasource/plugin_registry.h"
#include "plugins/common/span_frame.h"
#include "plugins/jaeger/jaeger_response.h"
#include "tests/support/recording_http_server.h"

#include <QEventLoop>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <QThreadPool>
#include <QUrlQuery>
#include <optional>

using namespace spyglass;
using namespace spyglass::datasource;
using model::FrameKind;
using model::Span;
using spyglass::test::CannedResponse;
using spyglass::test::RecordedRequest;
using spyglass::test::RecordingHttpServer;

namespace {

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
    QFile f(QStringLiteral(SPYGLASS_TEST_DATA_DIR "/jaeger/") + QLatin1String(name));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", name);
    return f.readAll();
}

QUrlQuery queryOf(const RecordedRequest &r)
{
    return QUrlQuery(QString::fromUtf8(r.target.mid(r.target.indexOf('?') + 1)));
}

} // namespace

class TestJaegerDatasource : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QVERIFY(m_server.listen());
        // A small Jaeger query service: the documented routes, recorded answers.
        m_server.setHandler([](const RecordedRequest &r) {
            const QByteArray path = r.path();
            if (path == "/jaeger/api/services")
                return CannedResponse{200, data("services.json")};
            if (path == "/jaeger/api/services/frontend/operations")
                return CannedResponse{200, data("operations_frontend.json")};
            if (path == "/jaeger/api/traces/6b221d5bc9e6496c")
                return CannedResponse{200, data("trace_6b221d5bc9e6496c.json")};
            if (path.startsWith("/jaeger/api/traces/"))
                return CannedResponse{404, data("trace_not_found.json")};
            if (path == "/jaeger/api/traces")
                return queryOf(r).hasQueryItem(QStringLiteral("service"))
                           ? CannedResponse{200, data("traces_search.json")}
                           : CannedResponse{400, data("search_no_service.json")};
            return CannedResponse{404, "404 page not found\n", "text/plain"};
        });
        m_plugins.setSearchPaths({QStringLiteral(SPYGLASS_PLUGIN_DIR)});
        m_plugins.scan();
        const PluginInfo *info = m_plugins.plugin(QStringLiteral("jaeger"));
        QVERIFY(info);
        QVERIFY2(info->state == PluginInfo::State::Loaded, qPrintable(info->errorString));
        QCOMPARE(info->kinds, Capabilities(Capability::Traces));
        DatasourceSettings s;
        s.uid = QStringLiteral("jaeger-test");
        s.type = QStringLiteral("jaeger");
        s.url = m_server.url() + QStringLiteral("/jaeger");
        s.jsonData = {{QStringLiteral("httpHeaderName1"), QStringLiteral("Authorization")}};
        s.secureJsonData = {{QStringLiteral("httpHeaderValue1"), QStringLiteral("Bearer j")}};
        auto ds = m_plugins.factory(QStringLiteral("jaeger"))->create(s, {});
        QVERIFY2(ds.has_value(), why(ds).constData());
        m_ds = std::move(*ds);
    }

    void traceToSpansMapsJaegerFields()
    {
        const QJsonObject trace =
            QJsonDocument::fromJson(data("trace_6b221d5bc9e6496c.json")).object().value(QLatin1String("data")).toArray().first().toObject();
        auto spans = plugins::jaeger::traceToSpans(trace);
        QVERIFY2(spans.has_value(), why(spans).constData());
        QCOMPARE(spans->size(), 3);
        const Span &root = spans->at(0);
        QCOMPARE(root.traceId.toHex(), QByteArray("00000000000000006b221d5bc9e6496c"));
        QCOMPARE(root.spanId.toHex(), QByteArray("6b221d5bc9e6496c"));
        QVERIFY(root.parentSpanId.isEmpty());
        QCOMPARE(root.kind, Span::Kind::Server);
        QCOMPARE(root.status, Span::Status::Unset);
        QCOMPARE(root.start, 1684778327699392000);
        QCOMPARE(root.duration(), 557'000'000);
        QCOMPARE(root.serviceName, QStringLiteral("frontend"));
        QCOMPARE(root.scopeName, QStringLiteral("hotrod"));
        QCOMPARE(root.scopeVersion, QStringLiteral("1.0"));
        QCOMPARE(root.attributes.size(), 3); // span.kind and otel.* went to fields
        QCOMPARE(root.attributes.at(1).value.toLongLong(), 200);
        QCOMPARE(root.attributes.at(2).value.toBool(), true);
        QCOMPARE(root.events.size(), 1);
        QCOMPARE(root.events.front().name, QStringLiteral("HTTP request received"));
        QCOMPARE(root.events.front().time, 1684778327700000000);
        QCOMPARE(root.events.front().attributes.front().key, QStringLiteral("level"));
        QCOMPARE(root.resourceAttributes.at(1).value.toString(), QStringLiteral("web-1"));

        const Span &db = spans->at(1);
        QCOMPARE(db.parentSpanId.toHex(), QByteArray("6b221d5bc9e6496c"));
        QCOMPARE(db.kind, Span::Kind::Client);
        QCOMPARE(db.status, Span::Status::Error);
        QCOMPARE(db.statusMessage, QStringLiteral("deadlock"));
        QCOMPARE(db.serviceName, QStringLiteral("mysql"));
        QCOMPARE(db.attributes.front().value.toDouble(), 0.5);

        const Span &follows = spans->at(2);
        // A lone FOLLOWS_FROM reference is still the parent (as Jaeger's UI draws it).
        QCOMPARE(follows.parentSpanId.toHex(), QByteArray("6b221d5bc9e6496c"));
        QVERIFY(follows.links.isEmpty());
    }

    void traceById()
    {
        QueryRequest req;
        req.refId = QStringLiteral("J");
        req.expr = QStringLiteral("6b221d5bc9e6496c");
        auto r = onWorker([&] { return m_ds->query(req, {}); });
        QVERIFY2(r.has_value(), why(r).constData());
        QCOMPARE(r->size(), 1);
        QCOMPARE(r->front().kind(), FrameKind::Spans);
        QCOMPARE(r->front().name(), QStringLiteral("J"));
        QCOMPARE(r->front().rowCount(), 3);
        QCOMPARE(r->front().field(u"serviceName")->strings(),
                 (QStringList{QStringLiteral("frontend"), QStringLiteral("mysql"), QStringLiteral("mysql")}));
        auto back = plugins::common::spansFromFrame(r->front());
        QVERIFY(back.has_value());
        QCOMPARE(back->at(1).statusMessage, QStringLiteral("deadlock"));
        QCOMPARE(m_server.requests().last().header("Authorization"), QByteArray("Bearer j"));

        req.expr = QStringLiteral("ffffffffffffffff");
        auto missing = onWorker([&] { return m_ds->query(req, {}); });
        QVERIFY(!missing);
        QCOMPARE(missing.error().kind, Error::Kind::NotFound);
        QVERIFY(missing.error().message.contains(u"trace not found"));
        req.expr = QStringLiteral("xyz");
        QVERIFY(!m_ds->query(req, {}));
    }

    void searchGivesATraceTableAndSendsJaegerParameters()
    {
        QueryRequest req;
        req.from = 1'684'778'000'000;
        req.to = 1'684'779'000'000;
        req.options = {{QStringLiteral("service"), QStringLiteral("frontend")},
                       {QStringLiteral("operation"), QStringLiteral("HTTP GET /dispatch")},
                       {QStringLiteral("tags"), QStringLiteral(R"(http.status_code=200 error="no way")")},
                       {QStringLiteral("minDuration"), QStringLiteral("1s500ms")},
                       {QStringLiteral("limit"), 7}};
        auto r = onWorker([&] { return m_ds->query(req, {}); });
        QVERIFY2(r.has_value(), why(r).constData());
        const auto &f = r->front();
        QCOMPARE(f.kind(), FrameKind::Table);
        QCOMPARE(f.rowCount(), 2);
        // Newest first.
        QCOMPARE(f.field(u"traceID")->strings(),
                 (QStringList{QStringLiteral("0af7651916cd43dd8448eb211c80319c"),
                              QStringLiteral("00000000000000006b221d5bc9e6496c")}));
        QCOMPARE(f.field(u"rootServiceName")->strings().back(), QStringLiteral("frontend"));
        QCOMPARE(f.field(u"rootTraceName")->strings().back(), QStringLiteral("HTTP GET /dispatch"));
        QCOMPARE(f.field(u"traceDuration")->doubles().back(), 557.0);
        QCOMPARE(f.field(u"startTime")->int64s().back(), 1684778327699);
        QCOMPARE(f.field(u"spanCount")->int64s(), (QList<std::int64_t>{1, 3}));

        const QUrlQuery q = queryOf(m_server.requests().last());
        QCOMPARE(m_server.requests().last().path(), QByteArray("/jaeger/api/traces"));
        QCOMPARE(q.queryItemValue(QStringLiteral("service")), QStringLiteral("frontend"));
        QCOMPARE(q.queryItemValue(QStringLiteral("operation"), QUrl::FullyDecoded), QStringLiteral("HTTP GET /dispatch"));
        QCOMPARE(QJsonDocument::fromJson(q.queryItemValue(QStringLiteral("tags"), QUrl::FullyDecoded).toUtf8()).object(),
                 (QJsonObject{{QStringLiteral("http.status_code"), QStringLiteral("200")},
                              {QStringLiteral("error"), QStringLiteral("no way")}}));
        QCOMPARE(q.queryItemValue(QStringLiteral("minDuration")), QStringLiteral("1500ms"));
        QCOMPARE(q.queryItemValue(QStringLiteral("limit")), QStringLiteral("7"));
        QCOMPARE(q.queryItemValue(QStringLiteral("start")), QStringLiteral("1684778000000000"));
        QCOMPARE(q.queryItemValue(QStringLiteral("end")), QStringLiteral("1684779000000000"));

        req.options = {{QStringLiteral("queryType"), QStringLiteral("search")}};
        auto noService = m_ds->query(req, {});
        QVERIFY(!noService);
        QVERIFY(noService.error().message.contains(u"service"));
        req.options = {{QStringLiteral("service"), QStringLiteral("x")}, {QStringLiteral("tags"), QStringLiteral("a=\"open")}};
        QVERIFY(!m_ds->query(req, {}));
    }

    void serviceAndOperationLookups()
    {
        QCOMPARE(m_ds->labelNames({}).value(), (QStringList{QStringLiteral("service"), QStringLiteral("operation")}));
        auto services = onWorker([&] { return m_ds->labelValues(QStringLiteral("service"), {}); });
        QCOMPARE(services.value(), (QStringList{QStringLiteral("customer"), QStringLiteral("driver"), QStringLiteral("frontend"),
                                                QStringLiteral("redis")}));
        LabelLookup lookup;
        lookup.selector = QStringLiteral("frontend");
        auto ops = onWorker([&] { return m_ds->lookupLabelValues(QStringLiteral("operation"), lookup, {}); });
        QCOMPARE(ops.value(), (QStringList{QStringLiteral("HTTP GET /config"), QStringLiteral("HTTP GET /dispatch")}));
        QVERIFY(!m_ds->labelValues(QStringLiteral("operation"), {}));
        QVERIFY(!m_ds->labelValues(QStringLiteral("colour"), {}));
    }

    void healthAndErrors()
    {
        auto h = onWorker([&] { return m_ds->checkHealth({}); });
        QCOMPARE(h.value(), QStringLiteral("Jaeger, 4 services"));

        auto bad = plugins::jaeger::parseSearchResponse(data("search_no_service.json"), 400);
        QVERIFY(!bad);
        QCOMPARE(bad.error().kind, Error::Kind::Invalid);
        QVERIFY(bad.error().message.contains(u"parameter 'service' is required"));
        QVERIFY(!plugins::jaeger::parseSearchResponse("<html>oops</html>", 502));

        DatasourceSettings s;
        s.type = QStringLiteral("jaeger");
        s.url = QStringLiteral("http://127.0.0.1:1");
        auto down = m_plugins.factory(QStringLiteral("jaeger"))->create(s, {});
        QVERIFY(down.has_value());
        auto err = onWorker([&] { return (*down)->checkHealth({}); });
        QVERIFY(!err);
        QCOMPARE(err.error().kind, Error::Kind::Unavailable);
    }

private:
    RecordingHttpServer m_server;
    PluginRegistry m_plugins;
    std::unique_ptr<Datasource> m_ds;
};

QTEST_GUILESS_MAIN(TestJaegerDatasource)
#include "tst_jaeger_datasource.moc"
