#include "core/datasource/datasource.h"
#include "core/datasource/plugin_registry.h"
#include "plugins/prometheus/prometheus_datasource.h"
#include "tests/plugins/prometheus/prometheus_fixture.h"
#include "tests/support/prometheus_server.h"
#include "tests/support/recording_http_server.h"

#include <QEventLoop>
#include <QFile>
#include <QProcess>
#include <QSslCertificate>
#include <QSslKey>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTest>
#include <QThreadPool>
#include <QUrlQuery>
#include <cmath>
#include <optional>

using namespace spyglass;
using namespace spyglass::model;
using namespace spyglass::datasource;
using spyglass::test::CannedResponse;
using spyglass::test::PrometheusServer;
using spyglass::test::RecordedRequest;
using spyglass::test::RecordingHttpServer;

namespace {

using namespace spyglass::test::fixture;

// Runs f on a pool thread, as the GUI does, while this thread keeps serving
// events (the fake servers live here).
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

QString describe(const Error &e)
{
    return e.toString();
}

bool sameValue(double a, double b)
{
    return (std::isnan(a) && std::isnan(b)) || a == b;
}

QueryRequest rangeRequest(const QString &expr, std::int64_t fromMs, std::int64_t toMs, std::int64_t stepMs)
{
    QueryRequest r;
    r.expr = expr;
    r.from = fromMs;
    r.to = toMs;
    r.stepMs = stepMs;
    return r;
}

const Frame *frameWithLabels(const Frames &frames, const Labels &labels)
{
    for (const auto &f : frames)
        if (f.seriesLabels() == labels)
            return &f;
    return nullptr;
}

} // namespace

class TestPrometheusDatasource : public QObject
{
    Q_OBJECT

    PrometheusServer m_server;
    PluginRegistry m_registry;
    DatasourceFactory *m_factory = nullptr;
    std::unique_ptr<Datasource> m_ds;

    Result<std::unique_ptr<Datasource>> make(const QString &url, QVariantMap json = {}, QVariantMap secure = {})
    {
        DatasourceSettings s;
        s.uid = QStringLiteral("prom-test");
        s.name = QStringLiteral("Prometheus (test)");
        s.type = QStringLiteral("prometheus");
        s.url = url;
        s.jsonData = std::move(json);
        s.secureJsonData = std::move(secure);
        return m_factory->create(s, {});
    }

    // The server's own answer, fetched without the plugin's client.
    QJsonObject raw(const QString &path, const QUrlQuery &params)
    {
        QNetworkAccessManager nam;
        QUrl url(m_server.url() + path);
        url.setQuery(params);
        QNetworkReply *reply = nam.get(QNetworkRequest(url));
        QEventLoop loop;
        connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        loop.exec();
        const QJsonObject o = QJsonDocument::fromJson(reply->readAll()).object();
        reply->deleteLater();
        return o;
    }

    // Checks frames against a matrix/vector "result" array of the raw API.
    void compareWithRaw(const Frames &frames, const QJsonArray &result, bool matrix)
    {
        QCOMPARE(frames.size(), result.size());
        for (const QJsonValue &entry : result) {
            const QJsonObject o = entry.toObject();
            QList<Label> pairs;
            const QJsonObject metric = o.value(QLatin1String("metric")).toObject();
            for (auto it = metric.begin(); it != metric.end(); ++it)
                pairs.push_back({it.key(), it.value().toString()});
            const Frame *f = frameWithLabels(frames, Labels(pairs));
            QVERIFY2(f, qPrintable(Labels(pairs).toString()));
            QCOMPARE(f->kind(), FrameKind::TimeSeries);
            QVERIFY(f->isConsistent());
            const QJsonArray values =
                matrix ? o.value(QLatin1String("values")).toArray() : QJsonArray{o.value(QLatin1String("value"))};
            QCOMPARE(f->rowCount(), values.size());
            const auto &ts = f->firstOfType(FieldType::Time)->int64s();
            const auto &vs = f->firstOfType(FieldType::Float64)->doubles();
            for (qsizetype i = 0; i < values.size(); ++i) {
                const QJsonArray p = values[i].toArray();
                QCOMPARE(ts[i], std::int64_t(std::llround(p[0].toDouble() * 1000)));
                const QString text = p[1].toString();
                const double expected = text == u"NaN" ? std::nan("")
                    : text == u"+Inf"                   ? INFINITY
                    : text == u"-Inf"                   ? -INFINITY
                                                        : text.toDouble();
                QVERIFY2(sameValue(vs[i], expected), qPrintable(QStringLiteral("%1 at %2: %3 vs %4")
                                                                    .arg(f->name())
                                                                    .arg(ts[i])
                                                                    .arg(vs[i])
                                                                    .arg(text)));
            }
        }
    }

private slots:
    void initTestCase()
    {
        m_registry.setSearchPaths({QStringLiteral(SPYGLASS_PLUGIN_DIR)});
        m_registry.scan();
        const PluginInfo *info = m_registry.plugin(QStringLiteral("prometheus"));
        QVERIFY2(info, "the prometheus plugin was not found in " SPYGLASS_PLUGIN_DIR);
        QVERIFY2(info->state == PluginInfo::State::Loaded, qPrintable(info->errorString));
        QCOMPARE(info->name, QStringLiteral("Prometheus"));
        QCOMPARE(info->kinds, Capabilities(Capability::Metrics));
        m_factory = m_registry.factory(QStringLiteral("prometheus"));
        QVERIFY(m_factory);

        if (const QString why = PrometheusServer::unavailableReason(); !why.isEmpty())
            return; // the tests needing the real server skip one by one
        auto started = m_server.start(openMetrics());
        QVERIFY2(started, qPrintable(started ? QString() : describe(started.error())));
        auto ds = make(m_server.url());
        QVERIFY2(ds, qPrintable(ds ? QString() : describe(ds.error())));
        m_ds = std::move(*ds);
        QCOMPARE(m_ds->capabilities(), Capabilities(Capability::Metrics));
    }

    void init()
    {
        const QString test = QString::fromLatin1(QTest::currentTestFunction());
        const bool needsServer = !test.startsWith(QLatin1String("fake")) && !test.startsWith(QLatin1String("settings"))
            && test != u"connectionRefused";
        if (needsServer && !m_server.isRunning())
            QSKIP(qPrintable(QStringLiteral("real Prometheus not available: ") + PrometheusServer::unavailableReason()));
    }

    // ---------------------------------------------------------------- against a real Prometheus

    void rangeQueryEqualsServerJson()
    {
        const std::int64_t from = kStartMs + 600'000, to = kStartMs + 3'600'000, step = 15'000;
        const QString expr = QStringLiteral("{__name__=~\"http_requests_total|node_temperature_celsius|special_gauge\"}");
        auto frames = onWorker([&] { return m_ds->query(rangeRequest(expr, from, to, step), CancelToken()); });
        QVERIFY2(frames, qPrintable(frames ? QString() : describe(frames.error())));
        QCOMPARE(frames->size(), 5);

        QUrlQuery q;
        q.addQueryItem(QStringLiteral("query"), expr);
        q.addQueryItem(QStringLiteral("start"), QString::number(from / 1000));
        q.addQueryItem(QStringLiteral("end"), QString::number(to / 1000));
        q.addQueryItem(QStringLiteral("step"), QStringLiteral("15"));
        const QJsonObject rawAnswer = raw(QStringLiteral("/api/v1/query_range"), q);
        QCOMPARE(rawAnswer.value(QLatin1String("status")).toString(), QStringLiteral("success"));
        compareWithRaw(*frames, rawAnswer[QLatin1String("data")][QLatin1String("result")].toArray(), true);

        // And with the data we generated: the step hits every sample exactly.
        const Labels c200{{QStringLiteral("__name__"), QStringLiteral("http_requests_total")},
                          {QStringLiteral("code"), QStringLiteral("200")},
                          {QStringLiteral("instance"), QStringLiteral("a:80")},
                          {QStringLiteral("job"), QStringLiteral("api")}};
        const Frame *f = frameWithLabels(*frames, c200);
        QVERIFY(f);
        QCOMPARE(f->rowCount(), 201);
        for (qsizetype r = 0; r < f->rowCount(); ++r) {
            const std::int64_t t = f->firstOfType(FieldType::Time)->int64s()[r];
            QCOMPARE(t, from + r * step);
            QCOMPARE(f->firstOfType(FieldType::Float64)->doubles()[r], counter200(int((t - kStartMs) / 15'000)));
        }
        const Labels temp{{QStringLiteral("__name__"), QStringLiteral("node_temperature_celsius")},
                          {QStringLiteral("instance"), QStringLiteral("a:80")},
                          {QStringLiteral("sensor"), QStringLiteral("cpu \"0\"")}};
        const Frame *g = frameWithLabels(*frames, temp);
        QVERIFY2(g, "label value with escaped quotes lost");
        QCOMPARE(g->firstOfType(FieldType::Float64)->doubles()[7], temperature(40 + 7));
        QCOMPARE(f->meta().executedQuery, expr);
        QCOMPARE(f->meta().datasourceUid, QStringLiteral("prom-test"));
        QCOMPARE(f->meta().custom.value(QStringLiteral("stepMs")).toLongLong(), 15'000);
    }

    void rangeIsAlignedToStep()
    {
        // Unaligned ends: start rounds down, end up, to multiples of the step.
        const std::int64_t from = kStartMs + 600'000 + 7'000, to = kStartMs + 1'200'000 + 3'000;
        auto frames = onWorker([&] {
            return m_ds->query(rangeRequest(QStringLiteral("http_requests_total{code=\"200\"}"), from, to, 60'000),
                               CancelToken());
        });
        QVERIFY(frames);
        QCOMPARE(frames->size(), 1);
        const auto &ts = frames->front().firstOfType(FieldType::Time)->int64s();
        QCOMPARE(ts.front(), kStartMs + 600'000);
        QCOMPARE(ts.back(), kStartMs + 1'260'000);
        QCOMPARE(ts.size(), 12);
        QCOMPARE(frames->front().firstOfType(FieldType::Float64)->doubles().front(), counter200(40));
    }

    void automaticStep()
    {
        // No step: range / maxDataPoints, whole seconds.
        QueryRequest r = rangeRequest(QStringLiteral("http_requests_total{code=\"200\"}"), kStartMs, kStartMs + 7'200'000, 0);
        r.maxDataPoints = 100;
        auto frames = onWorker([&] { return m_ds->query(r, CancelToken()); });
        QVERIFY(frames);
        QCOMPARE(frames->front().meta().custom.value(QStringLiteral("stepMs")).toLongLong(), 72'000);
        // Both ends are evaluated; the last instant still sees the last sample (lookback).
        QCOMPARE(frames->front().rowCount(), 101);
    }

    void instantQuery()
    {
        QueryRequest r;
        r.instant = true;
        r.expr = QStringLiteral("http_requests_total{code=\"500\"}");
        r.to = kStartMs + 100 * 15'000;
        auto frames = onWorker([&] { return m_ds->query(r, CancelToken()); });
        QVERIFY2(frames, qPrintable(frames ? QString() : describe(frames.error())));
        QCOMPARE(frames->size(), 1);
        QCOMPARE(frames->front().rowCount(), 1);
        QCOMPARE(frames->front().firstOfType(FieldType::Float64)->doubles().front(), counter500(100));
        QCOMPARE(frames->front().firstOfType(FieldType::Time)->int64s().front(), r.to);

        // 4 minutes after the last sample the 5 minute lookback still finds
        // it; 6 minutes after, the series is gone.
        r.to = kStartMs + std::int64_t(kPoints - 1) * 15'000 + 240'000;
        auto late = onWorker([&] { return m_ds->query(r, CancelToken()); });
        QVERIFY(late);
        QCOMPARE(late->size(), 1);
        QCOMPARE(late->front().firstOfType(FieldType::Float64)->doubles().front(), counter500(kPoints - 1));
        r.to += 120'000;
        auto gone = onWorker([&] { return m_ds->query(r, CancelToken()); });
        QVERIFY(gone);
        QCOMPARE(gone->size(), 0);

        // Sub-second instants are passed with millisecond precision.
        r.to = kStartMs + 100 * 15'000 + 250;
        r.expr = QStringLiteral("time()");
        auto t = onWorker([&] { return m_ds->query(r, CancelToken()); });
        QVERIFY(t);
        QCOMPARE(t->front().firstOfType(FieldType::Float64)->doubles().front(), double(r.to) / 1000.0);

        QUrlQuery q;
        q.addQueryItem(QStringLiteral("query"), QStringLiteral("request_duration_seconds_bucket"));
        q.addQueryItem(QStringLiteral("time"), QString::number(kStartS + 3600));
        r.expr = QStringLiteral("request_duration_seconds_bucket");
        r.to = (kStartS + 3600) * 1000;
        auto buckets = onWorker([&] { return m_ds->query(r, CancelToken()); });
        QVERIFY(buckets);
        compareWithRaw(*buckets, raw(QStringLiteral("/api/v1/query"), q)[QLatin1String("data")][QLatin1String("result")].toArray(), false);
    }

    void rateQuery()
    {
        const QString expr = QStringLiteral("rate(http_requests_total[5m])");
        const std::int64_t from = kStartMs + 1'800'000, to = kStartMs + 5'400'000;
        auto frames = onWorker([&] { return m_ds->query(rangeRequest(expr, from, to, 60'000), CancelToken()); });
        QVERIFY2(frames, qPrintable(frames ? QString() : describe(frames.error())));
        QCOMPARE(frames->size(), 2);
        QUrlQuery q;
        q.addQueryItem(QStringLiteral("query"), expr);
        q.addQueryItem(QStringLiteral("start"), QString::number(from / 1000));
        q.addQueryItem(QStringLiteral("end"), QString::number(to / 1000));
        q.addQueryItem(QStringLiteral("step"), QStringLiteral("60"));
        compareWithRaw(*frames, raw(QStringLiteral("/api/v1/query_range"), q)[QLatin1String("data")][QLatin1String("result")].toArray(), true);

        // rate drops __name__; 3 per 15 s is 0.2/s wherever the window is full.
        const Frame *ok = frameWithLabels(*frames, Labels{{QStringLiteral("code"), QStringLiteral("200")},
                                                          {QStringLiteral("instance"), QStringLiteral("a:80")},
                                                          {QStringLiteral("job"), QStringLiteral("api")}});
        QVERIFY(ok);
        for (double v : ok->firstOfType(FieldType::Float64)->doubles())
            QVERIFY2(std::abs(v - 0.2) < 1e-12, qPrintable(QString::number(v, 'g', 17)));
        // The 500 counter resets at 1 h; rate stays 7/15 through the reset.
        const Frame *err = frameWithLabels(*frames, Labels{{QStringLiteral("code"), QStringLiteral("500")},
                                                           {QStringLiteral("instance"), QStringLiteral("b:80")},
                                                           {QStringLiteral("job"), QStringLiteral("api")}});
        QVERIFY(err);
        for (double v : err->firstOfType(FieldType::Float64)->doubles())
            QVERIFY(v > 0.0);
    }

    void legendFormatAndTable()
    {
        QueryRequest r = rangeRequest(QStringLiteral("http_requests_total"), kStartMs + 600'000, kStartMs + 900'000, 60'000);
        r.options.insert(QStringLiteral("legendFormat"), QStringLiteral("{{code}} on {{ instance }}"));
        auto frames = onWorker([&] { return m_ds->query(r, CancelToken()); });
        QVERIFY(frames);
        QStringList names;
        for (const auto &f : *frames)
            names << f.name();
        names.sort();
        QCOMPARE(names, (QStringList{QStringLiteral("200 on a:80"), QStringLiteral("500 on b:80")}));

        r.instant = true;
        r.options.insert(QStringLiteral("format"), QStringLiteral("table"));
        r.refId = QStringLiteral("T");
        auto table = onWorker([&] { return m_ds->query(r, CancelToken()); });
        QVERIFY(table);
        QCOMPARE(table->size(), 1);
        const Frame &t = table->front();
        QCOMPARE(t.kind(), FrameKind::Table);
        QCOMPARE(t.rowCount(), 2);
        QVERIFY(t.field(u"code"));
        QStringList codes = t.field(u"code")->strings();
        codes.sort();
        QCOMPARE(codes, (QStringList{QStringLiteral("200"), QStringLiteral("500")}));
        QVERIFY(t.field(u"Value"));

        r.options.insert(QStringLiteral("format"), QStringLiteral("heatmap3d"));
        auto bad = onWorker([&] { return m_ds->query(r, CancelToken()); });
        QVERIFY(!bad);
        QVERIFY(bad.error().message.contains(QStringLiteral("heatmap3d")));
    }

    void scalarStringAndSpecialValues()
    {
        QueryRequest r;
        r.instant = true;
        r.to = kStartMs + 3'600'000;
        r.expr = QStringLiteral("1+1");
        auto s = onWorker([&] { return m_ds->query(r, CancelToken()); });
        QVERIFY2(s, qPrintable(s ? QString() : describe(s.error())));
        QCOMPARE(s->size(), 1);
        QCOMPARE(s->front().meta().custom.value(QStringLiteral("resultType")).toString(), QStringLiteral("scalar"));
        QCOMPARE(s->front().firstOfType(FieldType::Float64)->doubles(), QList<double>{2.0});

        r.expr = QStringLiteral("\"hello\"");
        auto str = onWorker([&] { return m_ds->query(r, CancelToken()); });
        QVERIFY(str);
        QCOMPARE(str->front().field(u"Value")->strings(), QStringList{QStringLiteral("hello")});

        r.expr = QStringLiteral("special_gauge");
        auto special = onWorker([&] { return m_ds->query(r, CancelToken()); });
        QVERIFY(special);
        QCOMPARE(special->size(), 2);
        for (const auto &f : *special) {
            const double v = f.firstOfType(FieldType::Float64)->doubles().front();
            if (f.seriesLabels().value(u"kind") == u"inf")
                QVERIFY(std::isinf(v) && v > 0);
            else
                QVERIFY(std::isnan(v));
        }
    }

    void parseErrorCarriesPrometheusMessage()
    {
        QueryRequest r;
        r.instant = true;
        r.to = kStartMs;
        r.expr = QStringLiteral("sum(rate(");
        auto frames = onWorker([&] { return m_ds->query(r, CancelToken()); });
        QVERIFY(!frames);
        QCOMPARE(frames.error().kind, Error::Kind::Invalid);
        QUrlQuery q;
        q.addQueryItem(QStringLiteral("query"), r.expr);
        q.addQueryItem(QStringLiteral("time"), QString::number(kStartS));
        const QJsonObject answer = raw(QStringLiteral("/api/v1/query"), q);
        const QString serverText = answer.value(QLatin1String("error")).toString();
        QVERIFY(serverText.contains(QStringLiteral("parse error")));
        QCOMPARE(frames.error().message, serverText + QStringLiteral(" (bad_data)"));

        // An execution error: many-to-many matching.
        r.expr = QStringLiteral("http_requests_total + on(job) http_requests_total");
        auto exec = onWorker([&] { return m_ds->query(r, CancelToken()); });
        QVERIFY(!exec);
        QVERIFY2(exec.error().kind == Error::Kind::BadData, qPrintable(exec.error().message));
        QVERIFY2(exec.error().message.contains(QStringLiteral("many-to-many")), qPrintable(exec.error().message));

        r.expr = QStringLiteral("   ");
        auto empty = onWorker([&] { return m_ds->query(r, CancelToken()); });
        QVERIFY(!empty);
        QCOMPARE(empty.error().kind, Error::Kind::Invalid);
    }

    void labelLookups()
    {
        auto names = onWorker([&] { return m_ds->labelNames(CancelToken()); });
        QVERIFY2(names, qPrintable(names ? QString() : describe(names.error())));
        QCOMPARE(*names, (QStringList{QStringLiteral("__name__"), QStringLiteral("code"), QStringLiteral("instance"),
                                      QStringLiteral("job"), QStringLiteral("kind"), QStringLiteral("le"),
                                      QStringLiteral("sensor")}));
        auto codes = onWorker([&] { return m_ds->labelValues(QStringLiteral("code"), CancelToken()); });
        QVERIFY(codes);
        QCOMPARE(*codes, (QStringList{QStringLiteral("200"), QStringLiteral("500")}));
        auto sensor = onWorker([&] { return m_ds->labelValues(QStringLiteral("sensor"), CancelToken()); });
        QVERIFY(sensor);
        QCOMPARE(*sensor, QStringList{QStringLiteral("cpu \"0\"")});
        auto les = onWorker([&] { return m_ds->labelValues(QStringLiteral("le"), CancelToken()); });
        QVERIFY(les);
        QCOMPARE(les->size(), 4);
        QVERIFY(les->contains(QStringLiteral("+Inf")));
        auto none = onWorker([&] { return m_ds->labelValues(QStringLiteral("nosuchlabel"), CancelToken()); });
        QVERIFY(none);
        QVERIFY(none->isEmpty());

        auto *prom = dynamic_cast<plugins::prometheus::PrometheusDatasource *>(m_ds.get());
        QVERIFY(prom);
        auto metrics = onWorker([&] { return prom->metricNames(CancelToken()); });
        QVERIFY(metrics);
        QCOMPARE(*metrics, (QStringList{QStringLiteral("http_requests_total"), QStringLiteral("node_temperature_celsius"),
                                        QStringLiteral("request_duration_seconds_bucket"),
                                        QStringLiteral("request_duration_seconds_count"),
                                        QStringLiteral("request_duration_seconds_sum"), QStringLiteral("special_gauge")}));
    }

    void healthReportsVersion()
    {
        auto health = onWorker([&] { return m_ds->checkHealth(CancelToken()); });
        QVERIFY2(health, qPrintable(health ? QString() : describe(health.error())));
        const QString version = raw(QStringLiteral("/api/v1/status/buildinfo"), {})[QLatin1String("data")][QLatin1String("version")].toString();
        QVERIFY(!version.isEmpty());
        QCOMPARE(*health, QStringLiteral("Prometheus ") + version);
    }

    void getAndPostAgree()
    {
        const QueryRequest r = rangeRequest(QStringLiteral("sum by (le) (rate(request_duration_seconds_bucket[5m]))"),
                                            kStartMs + 1'000'000, kStartMs + 4'000'000, 30'000);
        auto viaGet = make(m_server.url(), {{QStringLiteral("httpMethod"), QStringLiteral("GET")}});
        auto viaPost = make(m_server.url(), {{QStringLiteral("httpMethod"), QStringLiteral("POST")}});
        QVERIFY(viaGet && viaPost);
        auto a = onWorker([&] { return (*viaGet)->query(r, CancelToken()); });
        auto b = onWorker([&] { return (*viaPost)->query(r, CancelToken()); });
        QVERIFY(a && b);
        QCOMPARE(a->size(), 4);
        QCOMPARE(a->size(), b->size());
        for (qsizetype i = 0; i < a->size(); ++i) {
            QCOMPARE(a->at(i).seriesLabels(), b->at(i).seriesLabels());
            QCOMPARE(a->at(i).firstOfType(FieldType::Time)->int64s(), b->at(i).firstOfType(FieldType::Time)->int64s());
            QCOMPARE(a->at(i).firstOfType(FieldType::Float64)->doubles(), b->at(i).firstOfType(FieldType::Float64)->doubles());
        }
    }

    void concurrentQueriesFromPoolThreads()
    {
        const QueryRequest r = rangeRequest(QStringLiteral("http_requests_total"), kStartMs, kStartMs + 7'200'000, 15'000);
        constexpr int kJobs = 6;
        std::vector<std::optional<Result<Frames>>> results(kJobs);
        QThreadPool pool;
        pool.setMaxThreadCount(3);
        for (int i = 0; i < kJobs; ++i)
            pool.start([&, i] { results[i].emplace(m_ds->query(r, CancelToken())); });
        pool.waitForDone();
        for (const auto &res : results) {
            QVERIFY(res && *res);
            QCOMPARE((*res)->size(), 2);
            QCOMPARE((*res)->front().rowCount(), kPoints + 1);
            QCOMPARE((*res)->front().firstOfType(FieldType::Float64)->doubles(),
                     (*results.front())->front().firstOfType(FieldType::Float64)->doubles());
        }
    }

    void cancelledBeforeStart()
    {
        CancelToken cancel;
        cancel.cancel();
        auto r = m_ds->query(rangeRequest(QStringLiteral("up"), kStartMs, kStartMs + 60'000, 15'000), cancel);
        QVERIFY(!r);
        QCOMPARE(r.error().kind, Error::Kind::Cancelled);
        auto l = m_ds->labelNames(cancel);
        QCOMPARE(l.error().kind, Error::Kind::Cancelled);
        auto h = m_ds->checkHealth(cancel);
        QCOMPARE(h.error().kind, Error::Kind::Cancelled);
    }

    // ---------------------------------------------------------------- against a fake server

    void fakeCancelWhileWaiting()
    {
        RecordingHttpServer fake;
        QVERIFY(fake.listen());
        fake.setResponse(CannedResponse{200, {}, "application/json", true}); // never answers
        auto ds = make(fake.url());
        QVERIFY(ds);
        CancelToken cancel;
        // Cancel as soon as the request has arrived: the call must return.
        connect(&fake, &RecordingHttpServer::requestReceived, this, [cancel] { cancel.cancel(); });
        auto r = onWorker([&] {
            return (*ds)->query(rangeRequest(QStringLiteral("up"), kStartMs, kStartMs + 60'000, 15'000), cancel);
        });
        QVERIFY(!r);
        QCOMPARE(r.error().kind, Error::Kind::Cancelled);
        QCOMPARE(fake.requests().size(), 1);
    }

    void fakeTimeout()
    {
        RecordingHttpServer fake;
        QVERIFY(fake.listen());
        fake.setResponse(CannedResponse{200, {}, "application/json", true});
        auto ds = make(fake.url(), {{QStringLiteral("timeout"), 0.3}});
        QVERIFY(ds);
        auto r = onWorker([&] { return (*ds)->labelNames(CancelToken()); });
        QVERIFY(!r);
        QCOMPARE(r.error().kind, Error::Kind::Timeout);
        QVERIFY2(r.error().message.contains(QStringLiteral("within 0.3 s")), qPrintable(r.error().message));
    }

    void connectionRefused()
    {
        const quint16 port = test::freeLoopbackPort();
        const QString url = QStringLiteral("http://127.0.0.1:%1").arg(port);
        auto ds = make(url);
        QVERIFY(ds);
        auto r = onWorker([&] { return (*ds)->checkHealth(CancelToken()); });
        QVERIFY(!r);
        QCOMPARE(r.error().kind, Error::Kind::Unavailable);
        QVERIFY2(r.error().message.contains(QStringLiteral("connection refused")), qPrintable(r.error().message));
        QVERIFY2(r.error().message.contains(url), qPrintable(r.error().message));
    }

    void fakeBasicAuthAndMimirPrefix()
    {
        RecordingHttpServer fake;
        QVERIFY(fake.listen());
        fake.setResponse({200,
                          R"({"status":"success","data":{"resultType":"matrix","result":[{"metric":{"job":"x"},"values":[[1700000000,"4"]]}]}})"});
        auto ds = make(fake.url() + QStringLiteral("/prometheus"),
                       {{QStringLiteral("basicAuth"), true}, {QStringLiteral("basicAuthUser"), QStringLiteral("user")}},
                       {{QStringLiteral("basicAuthPassword"), QStringLiteral("s3cret")}});
        QVERIFY(ds);
        auto r = onWorker([&] {
            return (*ds)->query(rangeRequest(QStringLiteral("up{job=\"x\"} + 100 % 7"), 1'700'000'010'000, 1'700'000'070'000, 15'000),
                                CancelToken());
        });
        QVERIFY2(r, qPrintable(r ? QString() : describe(r.error())));
        QCOMPARE(r->size(), 1);
        QCOMPARE(r->front().firstOfType(FieldType::Float64)->doubles(), QList<double>{4.0});

        QCOMPARE(fake.requests().size(), 1);
        const RecordedRequest &req = fake.requests().front();
        QCOMPARE(req.method, QByteArray("POST"));
        QCOMPARE(req.target, QByteArray("/prometheus/api/v1/query_range"));
        QCOMPARE(req.header("Authorization"), QByteArray("Basic ") + QByteArray("user:s3cret").toBase64());
        QCOMPARE(req.header("Content-Type"), QByteArray("application/x-www-form-urlencoded"));
        const QUrlQuery form(QString::fromLatin1(req.body));
        QCOMPARE(form.queryItemValue(QStringLiteral("query"), QUrl::FullyDecoded), QStringLiteral("up{job=\"x\"} + 100 % 7"));
        QCOMPARE(form.queryItemValue(QStringLiteral("start")), QStringLiteral("1700000010"));
        QCOMPARE(form.queryItemValue(QStringLiteral("end")), QStringLiteral("1700000070"));
        QCOMPARE(form.queryItemValue(QStringLiteral("step")), QStringLiteral("15"));
    }

    void fakeGetWithBearerAndCustomHeaders()
    {
        RecordingHttpServer fake;
        QVERIFY(fake.listen());
        fake.setResponse({200, R"({"status":"success","data":["a","b"]})"});
        auto ds = make(fake.url() + QStringLiteral("/prefix/"),
                       {{QStringLiteral("httpMethod"), QStringLiteral("GET")},
                        {QStringLiteral("basicAuth"), true},
                        {QStringLiteral("basicAuthUser"), QStringLiteral("ignored")},
                        {QStringLiteral("httpHeaderName1"), QStringLiteral("Authorization")},
                        {QStringLiteral("httpHeaderName2"), QStringLiteral("X-Scope-OrgID")}},
                       {{QStringLiteral("httpHeaderValue1"), QStringLiteral("Bearer tok3n")},
                        {QStringLiteral("httpHeaderValue2"), QStringLiteral("tenant-1")}});
        QVERIFY(ds);
        auto values = onWorker([&] { return (*ds)->labelValues(QStringLiteral("job"), CancelToken()); });
        QVERIFY(values);
        QCOMPARE(*values, (QStringList{QStringLiteral("a"), QStringLiteral("b")}));
        QCOMPARE(fake.requests().front().target, QByteArray("/prefix/api/v1/label/job/values"));
        QCOMPARE(fake.requests().front().header("Authorization"), QByteArray("Bearer tok3n"));
        QCOMPARE(fake.requests().front().header("X-Scope-OrgID"), QByteArray("tenant-1"));

        // GET puts the parameters in the URL.
        fake.setResponse({200, R"({"status":"success","data":{"resultType":"vector","result":[]}})"});
        QueryRequest r;
        r.instant = true;
        r.expr = QStringLiteral("sum(rate(x[5m])) + 1 > 0.5 % 2 and y{a=\"%41&b=c d\"}");
        r.to = 1'700'000'000'500;
        auto q = onWorker([&] { return (*ds)->query(r, CancelToken()); });
        QVERIFY(q);
        QVERIFY(q->isEmpty());
        const RecordedRequest &req = fake.requests().back();
        QCOMPARE(req.method, QByteArray("GET"));
        QCOMPARE(req.path(), QByteArray("/prefix/api/v1/query"));
        QVERIFY(req.body.isEmpty());
        const QUrlQuery params(QString::fromLatin1(req.target.mid(req.target.indexOf('?') + 1)));
        QCOMPARE(params.queryItemValue(QStringLiteral("query"), QUrl::FullyDecoded), r.expr);
        QCOMPARE(params.queryItemValue(QStringLiteral("time")), QStringLiteral("1700000000.500"));
    }

    void fakeHttpErrors()
    {
        RecordingHttpServer fake;
        QVERIFY(fake.listen());
        fake.setResponse({401, "Unauthorized\n", "text/plain"});
        auto ds = make(fake.url());
        QVERIFY(ds);
        auto r = onWorker([&] { return (*ds)->labelNames(CancelToken()); });
        QVERIFY(!r);
        QVERIFY2(r.error().message.startsWith(QStringLiteral("HTTP 401")), qPrintable(r.error().message));
        QVERIFY(r.error().message.contains(QStringLiteral("Unauthorized")));
    }

    void fakeHealthFallsBackToQuery()
    {
        RecordingHttpServer fake;
        QVERIFY(fake.listen());
        fake.setHandler([](const RecordedRequest &req) {
            if (req.path().endsWith("/buildinfo"))
                return CannedResponse{404, "404 page not found", "text/plain"};
            return CannedResponse{200, R"({"status":"success","data":{"resultType":"scalar","result":[1700000000,"2"]}})"};
        });
        auto ds = make(fake.url());
        QVERIFY(ds);
        auto h = onWorker([&] { return (*ds)->checkHealth(CancelToken()); });
        QVERIFY2(h, qPrintable(h ? QString() : describe(h.error())));
        QCOMPARE(*h, QStringLiteral("Prometheus-compatible API (no build information)"));
        QCOMPARE(fake.requests().size(), 2);

        // Something that is not a Prometheus at all.
        fake.setResponse({404, "nothing here", "text/plain"});
        auto bad = onWorker([&] { return (*ds)->checkHealth(CancelToken()); });
        QVERIFY(!bad);
        QVERIFY2(bad.error().message.contains(QStringLiteral("does not answer like Prometheus")), qPrintable(bad.error().message));

        // A Mimir-like server names itself.
        fake.setResponse({200, R"({"status":"success","data":{"application":"Grafana Mimir","version":"2.10.0"}})"});
        auto mimir = onWorker([&] { return (*ds)->checkHealth(CancelToken()); });
        QVERIFY(mimir);
        QCOMPARE(*mimir, QStringLiteral("Grafana Mimir 2.10.0"));
    }

    void fakeTls()
    {
        const QString openssl = QStandardPaths::findExecutable(QStringLiteral("openssl"));
        if (openssl.isEmpty())
            QSKIP("openssl is needed to make a test certificate");
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString certPath = dir.filePath(QStringLiteral("cert.pem"));
        const QString keyPath = dir.filePath(QStringLiteral("key.pem"));
        QProcess gen;
        gen.setProcessChannelMode(QProcess::MergedChannels);
        gen.start(openssl, {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"), QStringLiteral("rsa:2048"),
                            QStringLiteral("-nodes"), QStringLiteral("-keyout"), keyPath, QStringLiteral("-out"), certPath,
                            QStringLiteral("-days"), QStringLiteral("2"), QStringLiteral("-subj"), QStringLiteral("/CN=127.0.0.1"),
                            QStringLiteral("-addext"), QStringLiteral("subjectAltName=IP:127.0.0.1")});
        QVERIFY(gen.waitForFinished(60000));
        QVERIFY2(gen.exitCode() == 0, gen.readAll().constData());
        QFile certFile(certPath), keyFile(keyPath);
        QVERIFY(certFile.open(QIODevice::ReadOnly) && keyFile.open(QIODevice::ReadOnly));
        const QByteArray certPem = certFile.readAll();
        const QSslCertificate cert(certPem);
        const QSslKey key(keyFile.readAll(), QSsl::Rsa);
        QVERIFY(!cert.isNull() && !key.isNull());

        RecordingHttpServer fake;
        QVERIFY(fake.listenTls(cert, key));
        QVERIFY(fake.url().startsWith(QStringLiteral("https://")));
        fake.setResponse({200, R"({"status":"success","data":["job"]})"});

        // An unknown self-signed certificate is refused...
        auto plain = make(fake.url());
        QVERIFY(plain);
        auto refused = onWorker([&] { return (*plain)->labelNames(CancelToken()); });
        QVERIFY(!refused);
        QCOMPARE(refused.error().kind, Error::Kind::Unavailable);
        QVERIFY2(refused.error().message.contains(QStringLiteral("TLS")), qPrintable(refused.error().message));

        // ...and accepted when skipping verification, or trusting it as a
        // CA from a file or from PEM text.
        const QList<std::pair<QVariantMap, QVariantMap>> accepted = {
            {{{QStringLiteral("tlsSkipVerify"), true}}, {}},
            {{{QStringLiteral("tlsCACertFile"), certPath}}, {}},
            {{}, {{QStringLiteral("tlsCACert"), QString::fromLatin1(certPem)}}},
        };
        for (const auto &[json, secure] : accepted) {
            auto ds = make(fake.url(), json, secure);
            QVERIFY(ds);
            auto names = onWorker([&] { return (*ds)->labelNames(CancelToken()); });
            QVERIFY2(names, qPrintable(names ? QString() : describe(names.error())));
            QCOMPARE(*names, QStringList{QStringLiteral("job")});
        }
    }

    void settingsValidation()
    {
        QVERIFY(!make(QString()));
        QVERIFY(make(QStringLiteral("ftp://host/")).error().message.contains(QStringLiteral("ftp://host/")));
        QVERIFY(!make(QStringLiteral("not a url")));
        auto m = make(QStringLiteral("http://localhost:9090"), {{QStringLiteral("httpMethod"), QStringLiteral("PUT")}});
        QVERIFY(!m);
        QVERIFY(m.error().message.contains(QStringLiteral("PUT")));
        QVERIFY(!make(QStringLiteral("http://localhost:9090"), {{QStringLiteral("timeout"), QStringLiteral("soon")}}));
        QVERIFY(!make(QStringLiteral("http://localhost:9090"), {{QStringLiteral("timeout"), -1}}));
        QVERIFY(!make(QStringLiteral("http://localhost:9090"), {{QStringLiteral("timeInterval"), QStringLiteral("fast")}}));
        auto ca = make(QStringLiteral("https://localhost:9090"), {}, {{QStringLiteral("tlsCACert"), QStringLiteral("garbage")}});
        QVERIFY(!ca);
        QVERIFY(ca.error().message.contains(QStringLiteral("tlsCACert")));
        auto caFile = make(QStringLiteral("https://localhost:9090"), {{QStringLiteral("tlsCACertFile"), QStringLiteral("/nonexistent/ca.pem")}});
        QVERIFY(!caFile);
        QVERIFY(caFile.error().message.contains(QStringLiteral("/nonexistent/ca.pem")));
        QVERIFY(make(QStringLiteral("https://localhost:9090"), {{QStringLiteral("tlsSkipVerify"), true}}));
    }

    void settingsStepRules()
    {
        DatasourceSettings s;
        s.url = QStringLiteral("http://localhost:9090");
        s.jsonData.insert(QStringLiteral("timeInterval"), QStringLiteral("30s"));
        auto ds = plugins::prometheus::PrometheusDatasource::create(s);
        QVERIFY(ds);
        // timeInterval raises a 15 s step to 30 s.
        auto p = (*ds)->rangeParams(rangeRequest(QStringLiteral("x"), 1'000'000, 2'000'000, 15'000));
        QCOMPARE(p.stepMs, 30'000);
        QCOMPARE(p.start, 990'000);
        QCOMPARE(p.end, 2'010'000);
        // minStep from the query options wins when larger.
        QueryRequest r = rangeRequest(QStringLiteral("x"), 0, 3'600'000, 1'000);
        r.options.insert(QStringLiteral("minStep"), QStringLiteral("1m"));
        QCOMPARE((*ds)->rangeParams(r).stepMs, 60'000);
        // Never more than 11,000 points.
        p = (*ds)->rangeParams(rangeRequest(QStringLiteral("x"), 0, 30LL * 24 * 3'600'000, 1'000));
        QVERIFY((30LL * 24 * 3'600'000) / p.stepMs < 11'000);
        QCOMPARE(plugins::prometheus::formatApiSeconds(1'700'000'000'000), QStringLiteral("1700000000"));
        QCOMPARE(plugins::prometheus::formatApiSeconds(1'700'000'000'050), QStringLiteral("1700000000.050"));
        QCOMPARE(plugins::prometheus::formatApiSeconds(250), QStringLiteral("0.250"));
    }
};

QTEST_GUILESS_MAIN(TestPrometheusDatasource)
#include "tst_prometheus_datasource.moc"
