#include "core/api/http_server.h"
#include "core/api/pyroscope_api.h"
#include "core/datasource/datasource.h"
#include "core/datasource/plugin_registry.h"
#include "core/formats/pprof_reader.h"
#include "core/model/time_range.h"
#include "core/query/profile/profile_query.h"
#include "core/store/profile_store.h"
#include "core/store/storage.h"
#include "plugins/pyroscope/pyroscope_datasource.h"
#include "tests/support/recording_http_server.h"

#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QThreadPool>
#include <optional>

using namespace spyglass;
using namespace spyglass::datasource;
using spyglass::plugins::pyroscope::PyroscopeDatasource;
using spyglass::test::CannedResponse;
using spyglass::test::RecordedRequest;
using spyglass::test::RecordingHttpServer;

namespace {

const QString kCpu = QStringLiteral("process_cpu:cpu:nanoseconds:cpu:nanoseconds");
constexpr std::int64_t kMsToNs = 1'000'000;

// Runs f on a pool thread, as the GUI does, while this thread keeps serving
// events (the recording server lives here).
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
QString why(const Result<T> &r)
{
    return r ? QString() : r.error().toString();
}

QList<model::Profile> readCorpus(const char *rel, const model::Labels &labels)
{
    formats::PprofReadOptions o;
    o.labels = labels;
    auto r = formats::PprofReader::readFile(QStringLiteral(SPYGLASS_CORPUS_DIR "/captures/") + QLatin1String(rel), o);
    if (!r)
        qFatal("cannot read corpus file %s: %s", rel, qPrintable(r.error().toString()));
    return *r;
}

QJsonObject bodyOf(const RecordedRequest &r)
{
    return QJsonDocument::fromJson(r.body).object();
}

CannedResponse json(const char *text, int status = 200)
{
    return CannedResponse{status, QByteArray(text), "application/json", false};
}

} // namespace

class TestPyroscopeDatasource : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<store::Storage> m_storage;
    std::unique_ptr<api::HttpServer> m_server;
    PluginRegistry m_registry;
    DatasourceFactory *m_factory = nullptr;
    std::unique_ptr<Datasource> m_ds; // against the embedded API
    model::TimestampMs m_t0 = 0;      // time of the first ingested profiles

    Result<std::unique_ptr<Datasource>> make(const QString &url, QVariantMap jsonData = {},
                                             QVariantMap secure = {})
    {
        DatasourceSettings s;
        s.uid = QStringLiteral("pyro-1");
        s.name = QStringLiteral("Pyroscope");
        s.type = QStringLiteral("pyroscope");
        s.url = url;
        s.jsonData = std::move(jsonData);
        s.secureJsonData = std::move(secure);
        return m_factory->create(s, {});
    }
    PyroscopeDatasource &pyro() { return static_cast<PyroscopeDatasource &>(*m_ds); }

    QueryRequest request(const QString &expr, const QString &queryType) const
    {
        QueryRequest r;
        r.expr = expr;
        r.from = m_t0 - 3'600'000;
        r.to = m_t0 + 60'000;
        r.maxDataPoints = 1000;
        r.options.insert(QStringLiteral("queryType"), queryType);
        return r;
    }

    query::profile::ProfileSelector selector(const QString &text) const
    {
        auto s = query::profile::ProfileSelector::parse(text);
        if (!s)
            qFatal("bad selector %s", qPrintable(text));
        return *s;
    }

private slots:
    void initTestCase()
    {
        m_registry.setSearchPaths({QStringLiteral(SPYGLASS_PLUGIN_DIR)});
        m_registry.scan();
        const PluginInfo *info = m_registry.plugin(QStringLiteral("pyroscope"));
        QVERIFY2(info, "the pyroscope plugin was not found in " SPYGLASS_PLUGIN_DIR);
        QVERIFY2(info->state == PluginInfo::State::Loaded, qPrintable(info->errorString));
        QCOMPARE(info->kinds, Capabilities(Capability::Profiles));
        m_factory = m_registry.factory(QStringLiteral("pyroscope"));
        QVERIFY(m_factory);

        // The embedded Pyroscope-compatible API over a real store, filled
        // with the corpus profiles (times moved to the recent past, so the
        // look-ups over the last 24 hours see them).
        QVERIFY(m_dir.isValid());
        auto st = store::Storage::open(m_dir.filePath(QStringLiteral("data")));
        QVERIFY2(st.has_value(), qPrintable(why(st)));
        m_storage = std::move(*st);
        m_t0 = (model::nowMs() - 600'000) / 60'000 * 60'000;
        QList<model::Profile> all;
        const model::Labels go{{u"service_name"_qs, u"goapp"_qs}, {u"env"_qs, u"prod"_qs}};
        for (int i = 0; i < 2; ++i) // the same Go CPU profile twice, 30 s apart
            for (auto p : readCorpus("go-pprof/cpu.pb.gz", go)) {
                p.time = (m_t0 + i * 30'000) * kMsToNs;
                all.append(p);
            }
        const model::Labels goDev{{u"service_name"_qs, u"goapp"_qs}, {u"env"_qs, u"dev"_qs}};
        for (auto p : readCorpus("go-pprof/cpu.pb.gz", goDev)) {
            p.time = m_t0 * kMsToNs;
            all.append(p);
        }
        const model::Labels node{{u"service_name"_qs, u"nodeapp"_qs}};
        for (const char *file : {"node-pprof/cpu.pb.gz", "node-pprof/heap.pb.gz"})
            for (auto p : readCorpus(file, node)) {
                p.time = m_t0 * kMsToNs;
                all.append(p);
            }
        auto appended = m_storage->profiles().append(all);
        QVERIFY2(appended.has_value(), qPrintable(why(appended)));

        m_server = std::make_unique<api::HttpServer>();
        api::PyroscopeApi::registerRoutes(m_server->router(), *m_storage);
        auto port = m_server->listen();
        QVERIFY2(port.has_value(), qPrintable(why(port)));
        auto ds = make(QStringLiteral("http://127.0.0.1:%1").arg(*port));
        QVERIFY2(ds.has_value(), qPrintable(why(ds)));
        m_ds = std::move(*ds);
        QCOMPARE(m_ds->capabilities(), Capabilities(Capability::Profiles));
    }

    void cleanupTestCase()
    {
        m_ds.reset();
        m_server.reset();
    }

    // --- against the embedded API ---------------------------------------------

    void health()
    {
        auto h = m_ds->checkHealth(CancelToken());
        QVERIFY2(h.has_value(), qPrintable(why(h)));
        auto types = m_storage->profiles().profileTypes(0, std::numeric_limits<std::int64_t>::max());
        QVERIFY(types.has_value());
        QCOMPARE(*h, QStringLiteral("Pyroscope: %1 profile types").arg(types->size()));
    }

    void profileTypes()
    {
        auto types = pyro().profileTypes(m_t0 - 60'000, m_t0 + 60'000, CancelToken());
        QVERIFY2(types.has_value(), qPrintable(why(types)));
        QStringList ids;
        for (const auto &t : *types)
            ids.append(t.id());
        QVERIFY2(ids.contains(kCpu), qPrintable(ids.join(u", ")));
        QVERIFY2(ids.contains(u"memory:inuse_space:bytes:inuse_space:bytes"_qs)
                     || ids.contains(u"memory:inuse_space:bytes:space:bytes"_qs),
                 qPrintable(ids.join(u", ")));
        auto stored = m_storage->profiles().profileTypes((m_t0 - 60'000) * kMsToNs, (m_t0 + 60'000) * kMsToNs);
        QVERIFY(stored.has_value());
        QCOMPARE(ids.size(), stored->size());
        // Nothing a year ago.
        auto old = pyro().profileTypes(m_t0 - 400LL * 86'400'000, m_t0 - 365LL * 86'400'000, CancelToken());
        QVERIFY(old.has_value());
        QVERIFY(old->isEmpty());
    }

    void labels()
    {
        auto names = m_ds->labelNames(CancelToken());
        QVERIFY2(names.has_value(), qPrintable(why(names)));
        QCOMPARE(*names, (QStringList{u"env"_qs, u"service_name"_qs})); // "__name__" etc. left out
        auto all = pyro().labelNames({}, m_t0 - 60'000, m_t0 + 60'000, CancelToken());
        QVERIFY(all.has_value());
        QVERIFY(all->contains(u"__profile_type__"_qs));

        auto services = m_ds->labelValues(QStringLiteral("service_name"), CancelToken());
        QVERIFY2(services.has_value(), qPrintable(why(services)));
        QCOMPARE(*services, (QStringList{u"goapp"_qs, u"nodeapp"_qs}));
        auto envs = pyro().labelValues(QStringLiteral("env"), {kCpu + u"{service_name=\"goapp\"}"_qs},
                                       m_t0 - 60'000, m_t0 + 60'000, CancelToken());
        QVERIFY2(envs.has_value(), qPrintable(why(envs)));
        QCOMPARE(*envs, (QStringList{u"dev"_qs, u"prod"_qs}));
        auto none = m_ds->labelValues(QStringLiteral("nosuchlabel"), CancelToken());
        QVERIFY(none.has_value());
        QVERIFY(none->isEmpty());
        auto empty = m_ds->labelValues(QString(), CancelToken());
        QVERIFY(!empty);
        QCOMPARE(empty.error().kind, Error::Kind::Invalid);
    }

    void profileQueryMatchesEngine()
    {
        const QString expr = kCpu + u"{service_name=\"goapp\", env=\"prod\"}"_qs;
        const QueryRequest r = request(expr, QStringLiteral("profile"));
        auto frames = m_ds->query(r, CancelToken());
        QVERIFY2(frames.has_value(), qPrintable(why(frames)));
        QCOMPARE(frames->size(), 1);
        const model::Frame &f = frames->front();
        QCOMPARE(f.kind(), model::FrameKind::ProfileTree);
        QVERIFY(f.isConsistent());
        QCOMPARE(f.meta().executedQuery, expr);
        QCOMPARE(f.meta().datasourceUid, QStringLiteral("pyro-1"));
        QCOMPARE(f.field(u"value")->unit(), QStringLiteral("nanoseconds"));

        // What the engine computes directly must come back unchanged through
        // the flamebearer encoding and the plugin's decoding.
        query::profile::ProfileQueryEngine engine(m_storage->profiles());
        auto tree = engine.merge(selector(expr), r.from * kMsToNs, r.to * kMsToNs, 16384);
        QVERIFY2(tree.has_value(), qPrintable(why(tree)));
        const model::Frame expected = tree->toFrame();
        QVERIFY(expected.rowCount() > 10);
        QCOMPARE(f.rowCount(), expected.rowCount());
        for (const char *name : {"level", "value", "self"})
            QCOMPARE(f.field(QString::fromLatin1(name))->int64s(), expected.field(QString::fromLatin1(name))->int64s());
        QCOMPARE(f.field(u"label")->strings(), expected.field(u"label")->strings());
        // Two copies of the same profile were merged.
        auto single = readCorpus("go-pprof/cpu.pb.gz", {});
        std::int64_t oneTotal = 0;
        for (const auto &p : single)
            if (p.typeId == kCpu)
                oneTotal = p.total();
        QCOMPARE(f.field(u"value")->int64s().front(), 2 * oneTotal);
    }

    void maxNodes()
    {
        QueryRequest r = request(kCpu + u"{service_name=\"goapp\"}"_qs, QStringLiteral("profile"));
        r.options.insert(QStringLiteral("maxNodes"), 5);
        auto frames = m_ds->query(r, CancelToken());
        QVERIFY2(frames.has_value(), qPrintable(why(frames)));
        const model::Frame &f = frames->front();
        QVERIFY2(f.rowCount() <= 8, qPrintable(QString::number(f.rowCount()))); // 5 plus "other" nodes
        // Truncation keeps the totals: the root still holds everything (3 profiles).
        auto single = readCorpus("go-pprof/cpu.pb.gz", {});
        for (const auto &p : single)
            if (p.typeId == kCpu)
                QCOMPARE(f.field(u"value")->int64s().front(), 3 * p.total());

        r.options.insert(QStringLiteral("maxNodes"), QStringLiteral("lots"));
        auto bad = m_ds->query(r, CancelToken());
        QVERIFY(!bad);
        QVERIFY(bad.error().message.contains(u"maxNodes \"lots\""));
    }

    void metricsQueryGroupBy()
    {
        QueryRequest r = request(kCpu + u"{service_name=\"goapp\"}"_qs, QStringLiteral("metrics"));
        r.options.insert(QStringLiteral("groupBy"), QStringList{u"env"_qs});
        auto frames = m_ds->query(r, CancelToken());
        QVERIFY2(frames.has_value(), qPrintable(why(frames)));
        QCOMPARE(frames->size(), 2);

        const auto step = pyro().seriesStepSeconds(r);
        QVERIFY(step.has_value());
        QCOMPARE(*step, 15.0); // 1 h 1 min / 1000 points is under the 15 s minimum
        query::profile::ProfileQueryEngine engine(m_storage->profiles());
        auto expected = engine.series(selector(r.expr), r.from * kMsToNs, r.to * kMsToNs, 15'000 * kMsToNs,
                                      {u"env"_qs});
        QVERIFY(expected.has_value());
        QCOMPARE(expected->size(), 2);
        for (const auto &s : *expected) {
            const model::Frame *match = nullptr;
            for (const auto &f : *frames)
                if (f.seriesLabels() == s.labels)
                    match = &f;
            QVERIFY2(match, qPrintable(s.labels.toString()));
            QCOMPARE(match->kind(), model::FrameKind::TimeSeries);
            QCOMPARE(match->meta().custom.value(u"stepMs"_qs).toLongLong(), 15'000);
            const auto &times = match->firstOfType(model::FieldType::Time)->int64s();
            const auto &values = match->firstOfType(model::FieldType::Float64)->doubles();
            QCOMPARE(times.size(), s.points.size());
            for (qsizetype i = 0; i < s.points.size(); ++i) {
                QCOMPARE(times[i], s.points[i].time / kMsToNs);
                QCOMPARE(values[i], double(s.points[i].value));
            }
        }
        // prod had two profiles 30 s apart: two points.
        for (const auto &f : *frames)
            if (f.seriesLabels().value(u"env") == u"prod")
                QCOMPARE(f.rowCount(), 2);

        // groupBy as Grafana's comma-separated text works the same.
        r.options.insert(QStringLiteral("groupBy"), QStringLiteral("env, service_name"));
        auto byTwo = m_ds->query(r, CancelToken());
        QVERIFY(byTwo.has_value());
        QCOMPARE(byTwo->size(), 2);
        QCOMPARE(byTwo->front().seriesLabels().value(u"service_name"), QStringLiteral("goapp"));
    }

    void bothQueryTypes()
    {
        QueryRequest r = request(kCpu + u"{service_name=\"goapp\"}"_qs, QString()); // default: both
        auto frames = m_ds->query(r, CancelToken());
        QVERIFY2(frames.has_value(), qPrintable(why(frames)));
        QCOMPARE(frames->size(), 2); // the tree, then one series (no groupBy)
        QCOMPARE(frames->at(0).kind(), model::FrameKind::ProfileTree);
        QCOMPARE(frames->at(1).kind(), model::FrameKind::TimeSeries);
        QCOMPARE(frames->at(1).name(), kCpu);
        QVERIFY(frames->at(1).seriesLabels().isEmpty());

        QueryRequest nothing = request(kCpu + u"{service_name=\"nosuchapp\"}"_qs, QStringLiteral("both"));
        auto empty = m_ds->query(nothing, CancelToken());
        QVERIFY2(empty.has_value(), qPrintable(why(empty)));
        QCOMPARE(empty->size(), 1); // an empty tree, no series
        QVERIFY(empty->front().rowCount() <= 1);
    }

    void serverSideErrors()
    {
        // The server parses the label selector: its error comes back whole.
        auto bad = m_ds->query(request(kCpu + u"{service_name=~}"_qs, QStringLiteral("profile")), CancelToken());
        QVERIFY(!bad);
        QCOMPARE(bad.error().kind, Error::Kind::Invalid);
        QVERIFY2(bad.error().message.startsWith(u"SelectMergeStacktraces at http://127.0.0.1:")
                     && bad.error().message.endsWith(u"(invalid_argument)"),
                 qPrintable(bad.error().message));
    }

    void clientSideErrors()
    {
        auto empty = m_ds->query(request(QString(), QStringLiteral("profile")), CancelToken());
        QVERIFY(!empty);
        QVERIFY(empty.error().message.contains(u"empty"));
        auto type = m_ds->query(request(kCpu, QStringLiteral("flame")), CancelToken());
        QVERIFY(!type);
        QVERIFY(type.error().message.contains(u"queryType \"flame\""));
        QueryRequest backwards = request(kCpu, QStringLiteral("profile"));
        std::swap(backwards.from, backwards.to);
        auto b = m_ds->query(backwards, CancelToken());
        QVERIFY(!b);
        QVERIFY(b.error().message.contains(u"ends before it starts"));
        QueryRequest step = request(kCpu, QStringLiteral("metrics"));
        step.options.insert(QStringLiteral("minStep"), QStringLiteral("fast"));
        auto s = m_ds->query(step, CancelToken());
        QVERIFY(!s);
        QVERIFY(s.error().message.contains(u"minStep \"fast\""));
    }

    void badSettings()
    {
        auto noUrl = make(QString());
        QVERIFY(!noUrl);
        QVERIFY(noUrl.error().message.contains(u"has no URL"));
        auto ftp = make(QStringLiteral("ftp://127.0.0.1/"));
        QVERIFY(!ftp);
        QVERIFY(ftp.error().message.contains(u"not a usable Pyroscope URL"));
        auto timeout = make(QStringLiteral("http://127.0.0.1:1"), {{u"timeout"_qs, u"never"_qs}});
        QVERIFY(!timeout);
        QVERIFY(timeout.error().message.contains(u"timeout \"never\""));
        auto minStep = make(QStringLiteral("http://127.0.0.1:1"), {{u"minStep"_qs, u"soon"_qs}});
        QVERIFY(!minStep);
        QVERIFY(minStep.error().message.contains(u"minStep \"soon\""));
    }

    void wrongUrl()
    {
        // A port nobody listens on.
        quint16 port = 0;
        {
            QTcpServer probe;
            QVERIFY(probe.listen(QHostAddress::LocalHost));
            port = probe.serverPort();
        }
        auto ds = make(QStringLiteral("http://127.0.0.1:%1").arg(port));
        QVERIFY(ds.has_value());
        auto h = (*ds)->checkHealth(CancelToken());
        QVERIFY(!h);
        QCOMPARE(h.error().kind, Error::Kind::Unavailable);
        QVERIFY2(h.error().message.contains(u"connection refused"), qPrintable(h.error().message));

        // A server that is not Pyroscope (the embedded API under a wrong prefix).
        auto wrongPrefix = make(QStringLiteral("http://127.0.0.1:%1/nothing-here").arg(m_server->port()));
        QVERIFY(wrongPrefix.has_value());
        auto nf = (*wrongPrefix)->checkHealth(CancelToken());
        QVERIFY(!nf);
        QCOMPARE(nf.error().kind, Error::Kind::NotFound);
        QVERIFY2(nf.error().message.contains(u"is the URL a Pyroscope server?"), qPrintable(nf.error().message));
    }

    // --- recorded responses in Pyroscope's documented shapes -----------------

    void recordedRequestsAndAnswers()
    {
        RecordingHttpServer server;
        QVERIFY(server.listen());
        server.setHandler([](const RecordedRequest &req) {
            const QByteArray path = req.path();
            if (path.endsWith("/ProfileTypes"))
                return json(R"({"profileTypes":[{"ID":"process_cpu:cpu:nanoseconds:cpu:nanoseconds","name":"process_cpu",
                    "sampleType":"cpu","sampleUnit":"nanoseconds","periodType":"cpu","periodUnit":"nanoseconds"},
                    {"ID":"memory:alloc_space:bytes:space:bytes","name":"memory","sampleType":"alloc_space",
                    "sampleUnit":"bytes","periodType":"space","periodUnit":"bytes"}]})");
            if (path.endsWith("/LabelNames"))
                return json(R"({"names":["__name__","__period_type__","__profile_type__","env","service_name"]})");
            if (path.endsWith("/LabelValues"))
                return json(R"({"names":["checkout","frontend"]})");
            if (path.endsWith("/SelectMergeStacktraces"))
                return json(R"({"flamegraph":{"names":["total","runtime.main","main.work","main.idle"],
                    "levels":[{"values":["0","1000","0","0"]},{"values":["0","1000","100","1"]},
                    {"values":["0","700","700","2","0","200","200","3"]}],"total":"1000","maxSelf":"700"}})");
            if (path.endsWith("/SelectSeries"))
                return json(R"({"series":[{"labels":[{"name":"service_name","value":"checkout"}],
                    "points":[{"value":500,"timestamp":"1700000000000"},{"timestamp":"1700000015000"}]}]})");
            return CannedResponse{404, "404 page not found\n", "text/plain", false};
        });
        QVariantMap jsonData{{u"basicAuth"_qs, true}, {u"basicAuthUser"_qs, u"grafana"_qs},
                             {u"httpHeaderName1"_qs, u"X-Scope-OrgID"_qs}, {u"minStep"_qs, u"30s"_qs}};
        QVariantMap secure{{u"basicAuthPassword"_qs, u"s3cret"_qs}, {u"httpHeaderValue1"_qs, u"tenant-1"_qs}};
        auto made = make(server.url() + u"/pyroscope-prefix"_qs, jsonData, secure);
        QVERIFY2(made.has_value(), qPrintable(why(made)));
        Datasource &ds = **made;
        auto &pds = static_cast<PyroscopeDatasource &>(ds);

        auto health = onWorker([&] { return ds.checkHealth(CancelToken()); });
        QVERIFY2(health.has_value(), qPrintable(why(health)));
        QCOMPARE(*health, QStringLiteral("Pyroscope: 2 profile types"));
        QCOMPARE(server.requests().size(), 1);
        const RecordedRequest &pt = server.requests().front();
        QCOMPARE(pt.method, QByteArray("POST"));
        QCOMPARE(pt.path(), QByteArray("/pyroscope-prefix/querier.v1.QuerierService/ProfileTypes"));
        QCOMPARE(pt.header("content-type"), QByteArray("application/json"));
        QCOMPARE(pt.header("connect-protocol-version"), QByteArray("1"));
        QCOMPARE(pt.header("x-scope-orgid"), QByteArray("tenant-1"));
        QCOMPARE(pt.header("authorization"), QByteArray("Basic " + QByteArray("grafana:s3cret").toBase64()));
        const QJsonObject ptBody = bodyOf(pt);
        QVERIFY(ptBody.value(u"start").isString());
        QCOMPARE(ptBody.value(u"end").toString().toLongLong() - ptBody.value(u"start").toString().toLongLong(),
                 24LL * 3600 * 1000);

        auto names = onWorker([&] { return ds.labelNames(CancelToken()); });
        QVERIFY2(names.has_value(), qPrintable(why(names)));
        QCOMPARE(*names, (QStringList{u"env"_qs, u"service_name"_qs}));
        auto values = onWorker([&] {
            return pds.labelValues(QStringLiteral("service_name"), {kCpu + u"{env=\"prod\"}"_qs}, 1000, 2000, CancelToken());
        });
        QVERIFY2(values.has_value(), qPrintable(why(values)));
        QCOMPARE(*values, (QStringList{u"checkout"_qs, u"frontend"_qs}));
        const QJsonObject lv = bodyOf(server.requests().last());
        QCOMPARE(lv.value(u"name").toString(), QStringLiteral("service_name"));
        QCOMPARE(lv.value(u"matchers").toArray().at(0).toString(), kCpu + u"{env=\"prod\"}"_qs);
        QCOMPARE(lv.value(u"start").toString(), QStringLiteral("1000"));
        QCOMPARE(lv.value(u"end").toString(), QStringLiteral("2000"));

        server.clear();
        QueryRequest r;
        r.refId = QStringLiteral("B");
        r.expr = kCpu + u"{service_name=\"checkout\"}"_qs;
        r.from = 1'700'000'000'000;
        r.to = 1'700'003'600'000;
        r.maxDataPoints = 100; // 36 s per point, above minStep 30 s
        r.options.insert(QStringLiteral("groupBy"), QStringList{u"service_name"_qs});
        r.options.insert(QStringLiteral("maxNodes"), 512);
        auto frames = onWorker([&] { return ds.query(r, CancelToken()); });
        QVERIFY2(frames.has_value(), qPrintable(why(frames)));
        QCOMPARE(frames->size(), 2);
        const model::Frame &tree = frames->at(0);
        QCOMPARE(tree.name(), QStringLiteral("B"));
        QCOMPARE(tree.field(u"label")->strings(),
                 (QStringList{u"total"_qs, u"runtime.main"_qs, u"main.work"_qs, u"main.idle"_qs}));
        QCOMPARE(tree.field(u"value")->int64s(), (QList<std::int64_t>{1000, 1000, 700, 200}));
        QCOMPARE(tree.field(u"self")->int64s(), (QList<std::int64_t>{0, 100, 700, 200}));
        QCOMPARE(tree.field(u"level")->int64s(), (QList<std::int64_t>{0, 1, 2, 2}));
        const model::Frame &series = frames->at(1);
        QCOMPARE(series.seriesLabels(), (model::Labels{{u"service_name"_qs, u"checkout"_qs}}));
        QCOMPARE(series.firstOfType(model::FieldType::Float64)->doubles(), (QList<double>{500, 0}));

        QCOMPARE(server.requests().size(), 2);
        const QJsonObject merge = bodyOf(server.requests().at(0));
        QCOMPARE(server.requests().at(0).path(), QByteArray("/pyroscope-prefix/querier.v1.QuerierService/SelectMergeStacktraces"));
        QCOMPARE(merge.value(u"profileTypeID").toString(), kCpu);
        QCOMPARE(merge.value(u"labelSelector").toString(), QStringLiteral("{service_name=\"checkout\"}"));
        QCOMPARE(merge.value(u"start").toString(), QStringLiteral("1700000000000"));
        QCOMPARE(merge.value(u"end").toString(), QStringLiteral("1700003600000"));
        QCOMPARE(merge.value(u"maxNodes").toString(), QStringLiteral("512"));
        const QJsonObject sel = bodyOf(server.requests().at(1));
        QCOMPARE(server.requests().at(1).path(), QByteArray("/pyroscope-prefix/querier.v1.QuerierService/SelectSeries"));
        QCOMPARE(sel.value(u"step").toDouble(), 36.0);
        QCOMPARE(sel.value(u"groupBy").toArray().at(0).toString(), QStringLiteral("service_name"));
        QCOMPARE(sel.value(u"profileTypeID").toString(), kCpu);
    }

    void recordedErrors()
    {
        RecordingHttpServer server;
        QVERIFY(server.listen());
        auto made = make(server.url());
        QVERIFY(made.has_value());
        Datasource &ds = **made;

        server.setResponse(json(R"({"code":"invalid_argument","message":"parse error: unexpected '}'"})", 400));
        auto invalid = onWorker([&] { return ds.query([] {
            QueryRequest r;
            r.expr = kCpu + u"{x=}"_qs;
            r.to = 1000;
            return r;
        }(), CancelToken()); });
        QVERIFY(!invalid);
        QCOMPARE(invalid.error().kind, Error::Kind::Invalid);
        QVERIFY2(invalid.error().message.endsWith(u": parse error: unexpected '}' (invalid_argument)"),
                 qPrintable(invalid.error().message));

        server.setResponse(CannedResponse{200, "<html>not pyroscope</html>", "text/html", false});
        auto html = onWorker([&] { return ds.checkHealth(CancelToken()); });
        QVERIFY(!html);
        QCOMPARE(html.error().kind, Error::Kind::BadData);
        QVERIFY2(html.error().message.contains(u"not a JSON object"), qPrintable(html.error().message));

        server.setResponse(json(R"({"flamegraph":{"names":["total"],"levels":[{"values":["0","10","0","7"]}]}})"));
        QueryRequest r;
        r.expr = kCpu;
        r.to = 1000;
        r.options.insert(QStringLiteral("queryType"), QStringLiteral("profile"));
        auto corrupt = onWorker([&] { return ds.query(r, CancelToken()); });
        QVERIFY(!corrupt);
        QCOMPARE(corrupt.error().kind, Error::Kind::BadData);
        QVERIFY2(corrupt.error().message.contains(u"name index 7 is out of range"), qPrintable(corrupt.error().message));

        server.setResponse(CannedResponse{503, "upstream connect error", "text/plain", false});
        auto down = onWorker([&] { return ds.labelNames(CancelToken()); });
        QVERIFY(!down);
        QCOMPARE(down.error().kind, Error::Kind::Unavailable);
        QVERIFY2(down.error().message.contains(u"HTTP 503: upstream connect error"), qPrintable(down.error().message));
    }

    void cancellation()
    {
        RecordingHttpServer server;
        QVERIFY(server.listen());
        server.setResponse(CannedResponse{200, {}, "application/json", true}); // never answers
        auto made = make(server.url());
        QVERIFY(made.has_value());
        Datasource &ds = **made;
        CancelToken token;
        // Cancel as soon as the server has the request: the call must return.
        connect(&server, &RecordingHttpServer::requestReceived, this, [token] { token.cancel(); });
        QueryRequest r;
        r.expr = kCpu;
        r.to = 1000;
        auto result = onWorker([&] { return ds.query(r, token); });
        QVERIFY(!result);
        QCOMPARE(result.error().kind, Error::Kind::Cancelled);
        QCOMPARE(server.requests().size(), 1);

        // An already cancelled token sends nothing.
        auto before = onWorker([&] { return ds.labelNames(token); });
        QVERIFY(!before);
        QCOMPARE(before.error().kind, Error::Kind::Cancelled);
        QCOMPARE(server.requests().size(), 1);
    }

    void timeout()
    {
        RecordingHttpServer server;
        QVERIFY(server.listen());
        server.setResponse(CannedResponse{200, {}, "application/json", true});
        auto made = make(server.url(), {{u"timeout"_qs, 0.2}});
        QVERIFY(made.has_value());
        auto result = onWorker([&] { return (*made)->checkHealth(CancelToken()); });
        QVERIFY(!result);
        QCOMPARE(result.error().kind, Error::Kind::Timeout);
        QVERIFY2(result.error().message.contains(u"within 0.2 s"), qPrintable(result.error().message));
    }
};

QTEST_GUILESS_MAIN(TestPyroscopeDatasource)
#include "tst_pyroscope_datasource.moc"
