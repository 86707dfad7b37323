// The demo system delivering through the core's real receivers over
// loopback (LabHost): a minute and a half of simulated traffic arrives as
// OTLP/HTTP spans and profiles, remote_write samples with exemplars and
// Loki-pushed logs, and the intro-to-mltp MLT dashboard finds its data.

#include "core/ingest/blocking_http_client.h"
#include "core/lab/lab_host.h"
#include "core/model/label_matcher.h"
#include "core/query/promql/engine.h"
#include "core/query/queryable.h"
#include "core/store/storage.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

using namespace spyglass;
using namespace spyglass::lab;

namespace {

constexpr std::int64_t kNsPerMs = 1'000'000;

model::LabelMatcher eq(const QString &name, const QString &value)
{
    return *model::LabelMatcher::create(model::LabelMatcher::Op::Equal, name, value);
}

// Every Prometheus expression of a Grafana dashboard (nested panels too).
void collectExprs(const QJsonArray &panels, QStringList &out)
{
    for (const auto &p : panels) {
        const QJsonObject o = p.toObject();
        for (const auto &t : o.value(QStringLiteral("targets")).toArray()) {
            const QJsonObject target = t.toObject();
            if (target.value(QStringLiteral("datasource")).toObject().value(QStringLiteral("type")).toString()
                    == QStringLiteral("prometheus")
                && target.contains(QStringLiteral("expr")))
                out.append(target.value(QStringLiteral("expr")).toString());
        }
        collectExprs(o.value(QStringLiteral("panels")).toArray(), out);
    }
}

} // namespace

class TestLabHost : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    std::unique_ptr<store::Storage> m_storage;
    std::unique_ptr<LabHost> m_host;
    model::TimestampNs m_end = 0;
    LabStats m_stats;

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        auto s = store::Storage::open(m_dir.path());
        QVERIFY2(s, qPrintable(s ? QString() : s.error().toString()));
        m_storage = std::move(*s);
        LabHostOptions o;
        o.preferredHttpPort = 0; // never take a developer's 4318 in a test
        o.preferredGrpcPort = 0;
        o.lab.requestsPerSecond = 6;
        m_host = std::make_unique<LabHost>(*m_storage, o);
        auto started = m_host->startReceivers();
        QVERIFY2(started, qPrintable(started ? QString() : started.error().toString()));
        QVERIFY(m_host->httpPort() > 0);
        QVERIFY(m_host->grpcPort() > 0);
        QVERIFY(m_host->lab());
        // Scrape-aligned end a little in the past, so every window is complete.
        m_end = (QDateTime::currentMSecsSinceEpoch() / 15'000 - 1) * 15'000 * kNsPerMs;
        auto filled = m_host->lab()->backfill(std::chrono::seconds(90), m_end);
        QVERIFY2(filled, qPrintable(filled ? QString() : filled.error().toString()));
        m_stats = *filled;
    }

    void cleanupTestCase()
    {
        m_host->stop();
        m_host.reset();
    }

    void everythingWasAcceptedByTheReceivers()
    {
        QCOMPARE(m_stats.failedBatches, 0);
        QVERIFY2(m_stats.lastError.isEmpty(), qPrintable(m_stats.lastError));
        QVERIFY(m_stats.requests > 200);
        QVERIFY(m_stats.spans >= 3 * m_stats.requests);
        QVERIFY(m_stats.logs >= 2 * m_stats.requests);
        QVERIFY(m_stats.samples > 1000);
        QCOMPARE(m_stats.profiles, 6 * 4 * 2); // 6 windows of 15 s, 4 instances, cpu + alloc
        QVERIFY(m_stats.exemplars > 0);
    }

    void tracesArrivedOverOtlp()
    {
        auto names = m_storage->traces().spanNames();
        QVERIFY(names);
        for (const QString &n : {QStringLiteral("HTTP GET"), QStringLiteral("GET /unicorn"),
                                 QStringLiteral("pg.query:SELECT"), QStringLiteral("beasts publish"),
                                 QStringLiteral("beasts process")})
            QVERIFY2(names->contains(n), qPrintable(n));
        auto stats = m_storage->traces().stats();
        QVERIFY(stats);
    }

    void logsArrivedOverLokiPush()
    {
        auto streams = m_storage->logs().streams({eq(QStringLiteral("job"), QStringLiteral("alloy"))}, 0,
                                                 std::numeric_limits<std::int64_t>::max());
        QVERIFY(streams);
        QVERIFY(!streams->isEmpty());
        QSet<QString> services, levels, beasts;
        for (const auto &s : *streams) {
            services.insert(s.labels.value(u"service_name"));
            levels.insert(s.labels.value(u"level"));
            beasts.insert(s.labels.value(u"beast"));
        }
        QVERIFY(services.contains(QStringLiteral("mythical-server")));
        QVERIFY(services.contains(QStringLiteral("mythical-requester")));
        QVERIFY(levels.contains(QStringLiteral("error")));
        QVERIFY(levels.contains(QStringLiteral("info")));
        QCOMPARE(beasts.size(), 5);
        auto lines = m_storage->logs().select({eq(QStringLiteral("job"), QStringLiteral("alloy"))}, 0, m_end + 1,
                                              store::LogDirection::Backward, 20);
        QVERIFY(lines);
        QCOMPARE(lines->size(), 20);
        for (const auto &l : *lines) {
            QVERIFY2(l.line.contains(QStringLiteral("traceID=")), qPrintable(l.line));
            QCOMPARE(l.structuredMetadata.value(u"trace_id").size(), 32);
        }
    }

    void profilesArrivedOverOtlpProfiles()
    {
        auto types = m_storage->profiles().profileTypes(0, std::numeric_limits<std::int64_t>::max());
        QVERIFY(types);
        QVERIFY(types->contains(QStringLiteral("process_cpu:cpu:nanoseconds:cpu:nanoseconds")));
        QVERIFY(types->contains(QStringLiteral("memory:alloc_space:bytes:space:bytes")));
        auto services = m_storage->profiles().labelValues(QStringLiteral("service_name"), {}, 0,
                                                          std::numeric_limits<std::int64_t>::max());
        QVERIFY(services);
        QVERIFY(services->contains(QStringLiteral("mythical-server")));
        auto series = m_storage->profiles().selectSeries(QStringLiteral("process_cpu:cpu:nanoseconds:cpu:nanoseconds"),
                                                         {eq(QStringLiteral("service_name"), QStringLiteral("mythical-server"))});
        QVERIFY(series);
        QVERIFY(!series->isEmpty());
        QList<std::int64_t> ids;
        for (const auto &s : *series)
            ids.append(s.id);
        auto merged = m_storage->profiles().merge(ids, 0, std::numeric_limits<std::int64_t>::max());
        QVERIFY(merged);
        QVERIFY(merged->total() > 0);
        QVERIFY(merged->functionNames.contains(QStringLiteral("beasts.validateName"))
                || !merged->functionNames.isEmpty());
    }

    void exemplarsCarryStoredTraceIds()
    {
        auto found = m_storage->exemplars().select(
            {{eq(QStringLiteral("__name__"), QStringLiteral("mythical_request_times_bucket"))}}, 0,
            std::numeric_limits<std::int64_t>::max());
        QVERIFY(found);
        QVERIFY(!found->isEmpty());
        const auto &first = found->front();
        QVERIFY(!first.series.value(u"le").isEmpty());
        QVERIFY(!first.series.value(u"beast").isEmpty());
        const model::Exemplar &e = first.exemplars.front();
        const QString traceId = e.labels.value(u"traceID");
        QCOMPARE(traceId.size(), 32);
        auto trace = m_storage->traces().trace(QByteArray::fromHex(traceId.toLatin1()));
        QVERIFY(trace);
        QVERIFY(!trace->isEmpty());

        // And over the Prometheus API, as Grafana asks for them.
        ingest::BlockingHttpClient http(QStringLiteral("127.0.0.1"), m_host->httpPort());
        const QByteArray form = "query=histogram_quantile(0.95%2C%20sum(rate(mythical_request_times_bucket%5B1m%5D))"
                                "%20by%20(le%2C%20beast))&start=0&end="
            + QByteArray::number(m_end / 1'000'000'000 + 60);
        auto reply = http.post("/api/v1/query_exemplars", "application/x-www-form-urlencoded", form);
        QVERIFY2(reply, qPrintable(reply ? QString() : reply.error().toString()));
        QCOMPARE(reply->status, 200);
        const QJsonArray data = QJsonDocument::fromJson(reply->body).object().value(QStringLiteral("data")).toArray();
        QVERIFY(!data.isEmpty());
        const QJsonObject ex = data.first().toObject().value(QStringLiteral("exemplars")).toArray().first().toObject();
        QCOMPARE(ex.value(QStringLiteral("labels")).toObject().value(QStringLiteral("traceID")).toString().size(), 32);
        QVERIFY(ex.value(QStringLiteral("timestamp")).toDouble() > 0);
    }

    void mltDashboardQueriesReturnData()
    {
        QFile f(QStringLiteral(SPYGLASS_CORPUS_DIR "/intro-to-mltp/grafana/definitions/mlt.json"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        QStringList exprs;
        collectExprs(QJsonDocument::fromJson(f.readAll()).object().value(QStringLiteral("panels")).toArray(), exprs);
        QVERIFY(exprs.size() >= 7);
        query::MetricStoreQueryable q(m_storage->metrics());
        query::promql::Engine engine;
        const model::TimestampMs t = m_end / kNsPerMs;
        for (QString expr : exprs) {
            expr.replace(QStringLiteral("${httpEndpoint}"), QStringLiteral(".*"))
                .replace(QStringLiteral("${serviceVersion}"), QStringLiteral(".*"))
                .replace(QStringLiteral("${httpStatus}"), QStringLiteral(".*"))
                .replace(QStringLiteral("$__rate_interval"), QStringLiteral("1m"));
            auto r = engine.instantQuery(q, expr, t);
            QVERIFY2(r, qPrintable(expr + QStringLiteral(": ") + (r ? QString() : r.error().toString())));
            QVERIFY2(!r->vector.isEmpty(), qPrintable(QStringLiteral("no data for ") + expr));
        }
    }

    void sdkCanSendToTheSamePorts()
    {
        // The receivers stay up for an SDK pointed at them: a bad OTLP body gets
        // the documented 400, proving the route is live on that port.
        ingest::BlockingHttpClient http(QStringLiteral("127.0.0.1"), m_host->httpPort());
        auto reply = http.post("/v1/traces", "application/x-protobuf", QByteArray("\xff\xff\xff", 3));
        QVERIFY(reply);
        QCOMPARE(reply->status, 400);
    }
};

QTEST_GUILESS_MAIN(TestLabHost)
#include "tst_lab_host.moc"
