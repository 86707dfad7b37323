// The same PromQL, answered by a real Prometheus (through the plugin) and by
// the embedded engine over identical samples: the frames must agree (same
// label sets and timestamps, values within 1e-9 relative).
//
// Debian's Prometheus is 2.42, whose range windows include their left edge;
// Prometheus 3 and our engine exclude it. The data is shifted off the
// evaluation grid so no sample lies on an edge and both must agree exactly.

#include "core/query/memory_queryable.h"
#include "core/query/promql/engine.h"
#include "plugins/prometheus/prometheus_datasource.h"
#include "tests/plugins/prometheus/prometheus_fixture.h"
#include "tests/support/prometheus_server.h"

#include <QTest>
#include <cmath>
#include <map>

using namespace spyglass;
using namespace spyglass::model;
using namespace spyglass::test::fixture;
using spyglass::plugins::prometheus::PrometheusDatasource;
using spyglass::test::PrometheusServer;

namespace {

constexpr std::int64_t kOffsetMs = 7'500;

bool close(double a, double b)
{
    if (std::isnan(a) || std::isnan(b))
        return std::isnan(a) && std::isnan(b);
    if (std::isinf(a) || std::isinf(b))
        return a == b;
    return std::abs(a - b) <= 1e-9 * std::max({1.0, std::abs(a), std::abs(b)});
}

using SeriesMap = std::map<QString, QList<Sample>>; // by Labels::toString(), ordered for messages

SeriesMap fromFrames(const Frames &frames)
{
    SeriesMap out;
    for (const auto &f : frames) {
        QList<Sample> samples;
        const auto &ts = f.firstOfType(FieldType::Time)->int64s();
        const auto &vs = f.firstOfType(FieldType::Float64)->doubles();
        for (qsizetype i = 0; i < ts.size(); ++i)
            samples.push_back({ts[i], vs[i]});
        out[f.seriesLabels().toString()] = samples;
    }
    return out;
}

SeriesMap fromEngine(const query::promql::QueryResult &r)
{
    using query::promql::ValueType;
    SeriesMap out;
    switch (r.type) {
    case ValueType::Matrix:
        for (const auto &s : r.matrix)
            out[s.labels.toString()] = s.samples;
        break;
    case ValueType::Vector:
        for (const auto &s : r.vector)
            out[s.labels.toString()] = {{s.t, s.v}};
        break;
    case ValueType::Scalar:
        out[Labels().toString()] = {{r.t, r.scalar}};
        break;
    case ValueType::String:
        break;
    }
    return out;
}

QString diff(const SeriesMap &prom, const SeriesMap &ours)
{
    QStringList problems;
    for (const auto &[labels, samples] : prom) {
        auto it = ours.find(labels);
        if (it == ours.end()) {
            problems << QStringLiteral("series %1 missing from the engine's answer").arg(labels);
            continue;
        }
        if (it->second.size() != samples.size()) {
            problems << QStringLiteral("%1: Prometheus has %2 points, the engine %3").arg(labels).arg(samples.size()).arg(it->second.size());
            continue;
        }
        for (qsizetype i = 0; i < samples.size(); ++i) {
            const Sample &a = samples[i], &b = it->second[i];
            if (a.t != b.t || !close(a.v, b.v)) {
                problems << QStringLiteral("%1 point %2: Prometheus %3@%4, engine %5@%6")
                                .arg(labels).arg(i).arg(a.v, 0, 'g', 17).arg(a.t).arg(b.v, 0, 'g', 17).arg(b.t);
                break;
            }
        }
    }
    for (const auto &[labels, samples] : ours)
        if (!prom.count(labels))
            problems << QStringLiteral("series %1 only in the engine's answer").arg(labels);
    return problems.join(QLatin1Char('\n'));
}

} // namespace

class TestPrometheusVsEngine : public QObject
{
    Q_OBJECT

    PrometheusServer m_server;
    std::unique_ptr<PrometheusDatasource> m_ds;
    query::MemoryQueryable m_data;
    query::promql::Engine m_engine;

    static void queries()
    {
        QTest::addColumn<QString>("expr");
        const char *exprs[] = {
            "http_requests_total",
            "rate(http_requests_total[5m])",
            "irate(http_requests_total[5m])",
            "increase(http_requests_total[10m])",
            "sum by (code) (rate(http_requests_total[5m]))",
            "sum without (instance) (http_requests_total)",
            "resets(http_requests_total[1h])",
            "changes(node_temperature_celsius[10m])",
            "delta(node_temperature_celsius[10m])",
            "deriv(node_temperature_celsius[10m])",
            "predict_linear(node_temperature_celsius[10m], 3600)",
            "avg_over_time(node_temperature_celsius[10m])",
            "quantile_over_time(0.9, node_temperature_celsius[15m])",
            "stddev_over_time(node_temperature_celsius[15m])",
            "node_temperature_celsius * 2 - 1",
            "node_temperature_celsius > 41",
            "node_temperature_celsius > bool 41",
            "histogram_quantile(0.9, sum by (le) (rate(request_duration_seconds_bucket[5m])))",
            "rate(request_duration_seconds_sum[5m]) / rate(request_duration_seconds_count[5m])",
            "topk(1, http_requests_total)",
            "count(http_requests_total)",
            "http_requests_total / ignoring(code, instance) group_left sum without (code, instance) (http_requests_total)",
            "label_replace(http_requests_total, \"status\", \"$1xx\", \"code\", \"(.).*\")",
            "special_gauge",
            "special_gauge * 0",
            "absent(nonexistent_metric)",
            "time()",
            "vector(1) + 1",
            "http_requests_total offset 10m",
            // Subquery steps sit on the minute grid: a range off that grid keeps
            // them off the window's left edge (see prometheus_fixture.h).
            "max_over_time(http_requests_total[29m30s:1m])",
        };
        for (const char *e : exprs)
            QTest::newRow(e) << QString::fromLatin1(e);
    }

private slots:
    void initTestCase()
    {
        if (const QString why = PrometheusServer::unavailableReason(); !why.isEmpty())
            QSKIP(qPrintable(QStringLiteral("real Prometheus not available: ") + why));
        for (const auto &s : series(kOffsetMs))
            m_data.add(s.labels, s.samples);
        auto started = m_server.start(openMetrics(kOffsetMs));
        QVERIFY2(started, qPrintable(started ? QString() : started.error().toString()));
        datasource::DatasourceSettings settings;
        settings.url = m_server.url();
        auto ds = PrometheusDatasource::create(settings);
        QVERIFY(ds);
        m_ds = std::move(*ds);
    }

    void rangeQueries_data() { queries(); }
    void rangeQueries()
    {
        QFETCH(QString, expr);
        datasource::QueryRequest r;
        r.expr = expr;
        r.from = kStartMs + 300'000;
        r.to = kStartMs + 7'500'000; // past the data: the lookback tail counts too
        r.stepMs = 60'000;
        auto frames = m_ds->query(r, CancelToken());
        QVERIFY2(frames, qPrintable(frames ? QString() : frames.error().toString()));
        const auto range = m_ds->rangeParams(r);
        auto ours = m_engine.rangeQuery(m_data, expr, range.start, range.end, range.stepMs);
        QVERIFY2(ours, qPrintable(ours ? QString() : ours.error().toString()));
        const QString problems = diff(fromFrames(*frames), fromEngine(*ours));
        QVERIFY2(problems.isEmpty(), qPrintable(problems));
    }

    void instantQueries_data() { queries(); }
    void instantQueries()
    {
        QFETCH(QString, expr);
        for (const TimestampMs t : {kStartMs + 1'234'000, kStartMs + 3'600'000, kStartMs + 7'300'000}) {
            datasource::QueryRequest r;
            r.instant = true;
            r.expr = expr;
            r.to = t;
            auto frames = m_ds->query(r, CancelToken());
            QVERIFY2(frames, qPrintable(frames ? QString() : frames.error().toString()));
            auto ours = m_engine.instantQuery(m_data, expr, t);
            QVERIFY2(ours, qPrintable(ours ? QString() : ours.error().toString()));
            const QString problems = diff(fromFrames(*frames), fromEngine(*ours));
            QVERIFY2(problems.isEmpty(), qPrintable(QStringLiteral("at %1: %2").arg(t).arg(problems)));
        }
    }

    void errorsAgree_data()
    {
        QTest::addColumn<QString>("expr");
        QTest::newRow("parse") << QStringLiteral("sum(rate(");
        QTest::newRow("many-to-many") << QStringLiteral("http_requests_total + on(job) http_requests_total");
        QTest::newRow("unknown function") << QStringLiteral("no_such_function(http_requests_total)");
    }
    void errorsAgree()
    {
        QFETCH(QString, expr);
        datasource::QueryRequest r;
        r.instant = true;
        r.expr = expr;
        r.to = kStartMs + 3'600'000;
        auto frames = m_ds->query(r, CancelToken());
        QVERIFY(!frames);
        auto ours = m_engine.instantQuery(m_data, expr, r.to);
        QVERIFY(!ours);
        // Same errorType; the wording may differ.
        QCOMPARE(query::promql::prometheusErrorType(ours.error()),
                 frames.error().message.section(QLatin1Char('('), -1).chopped(1));
    }
};

QTEST_GUILESS_MAIN(TestPrometheusVsEngine)
#include "tst_prometheus_vs_engine.moc"
