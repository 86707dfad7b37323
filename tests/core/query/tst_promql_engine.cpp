#include "core/query/promql/engine.h"
#include "core/query/memory_queryable.h"
#include "core/query/promql/float_histogram.h"

#include <QTest>
#include <cmath>

using namespace spyglass;
using namespace spyglass::query;
using namespace spyglass::query::promql;
using model::Labels;
using model::Sample;

namespace {

// A Queryable over a few series in memory that records how often each
// series' samples are read, so tests can check the streaming contract.
class TestQueryable final : public Queryable
{
public:
    void add(Labels l, QList<Sample> s) { m_series.push_back({std::move(l), std::move(s)}); }

    Result<QList<store::SeriesRef>> select(const model::LabelMatchers &matchers) const override
    {
        QList<store::SeriesRef> out;
        for (qsizetype i = 0; i < m_series.size(); ++i)
            if (model::matchesAll(matchers, m_series[i].labels))
                out.push_back({i, m_series[i].labels});
        std::sort(out.begin(), out.end(), [](const auto &a, const auto &b) { return a.labels < b.labels; });
        return out;
    }

    Result<QList<Sample>> samples(store::SeriesId id, model::TimestampMs mint,
                                  model::TimestampMs maxt) const override
    {
        ++m_reads[id];
        if (m_onRead)
            m_onRead();
        QList<Sample> out;
        for (const auto &s : m_series[id].samples)
            if (s.t >= mint && s.t <= maxt)
                out.push_back(s);
        return out;
    }

    mutable QHash<store::SeriesId, int> m_reads;
    std::function<void()> m_onRead;

private:
    QList<model::Series> m_series;
};

// JSON written with ' for " to keep the expectations readable.
QByteArray J(const char *s) { return QByteArray(s).replace('\'', '"'); }

Labels L(std::initializer_list<std::pair<QString, QString>> p) { return Labels(p); }

// One sample every 15 s from 0 to 10 min, value = t in seconds.
QList<Sample> ramp(model::TimestampMs end = 600'000, std::int64_t step = 15'000)
{
    QList<Sample> s;
    for (model::TimestampMs t = 0; t <= end; t += step)
        s.push_back({t, double(t) / 1000.0});
    return s;
}

} // namespace

class TestPromqlEngine : public QObject
{
    Q_OBJECT

private slots:
    void nativeHistogramsThroughEngineAndJson()
    {
        using namespace spyglass::query;
        MemoryQueryable q;
        auto h = std::make_shared<promql::FloatHistogram>();
        h->count = 4;
        h->sum = 5;
        h->positive = {{0, 1}, {1, 2}, {2, 1}};
        auto h2 = std::make_shared<promql::FloatHistogram>(*h);
        h2->mul(2);
        const spyglass::model::Labels l{{QStringLiteral("__name__"), QStringLiteral("h")}};
        q.addHistograms(l, {{0, h}, {60'000, h2}});
        promql::Engine engine;

        auto r = engine.instantQuery(q, QStringLiteral("h"), 60'000);
        QVERIFY(r);
        QCOMPARE(r->vector.size(), 1);
        QVERIFY(r->vector[0].h);
        QCOMPARE(r->vector[0].h->count, 8.0);
        QCOMPARE(promql::toPrometheusJson(r),
                 QByteArray(R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"h"},"histogram":[60,{"count":"8","sum":"10","buckets":[[0,"0.5","1","2"],[0,"1","2","4"],[0,"2","4","2"]]}]}]}})"));

        // Functions of histograms give floats; float functions skip histograms.
        r = engine.instantQuery(q, QStringLiteral("histogram_count(h) + histogram_sum(h)"), 60'000);
        QVERIFY(r);
        QCOMPARE(r->vector.size(), 1);
        QCOMPARE(r->vector[0].v, 18.0);
        r = engine.instantQuery(q, QStringLiteral("abs(h)"), 60'000);
        QVERIFY(r);
        QVERIFY(r->vector.isEmpty());
        r = engine.instantQuery(q, QStringLiteral("histogram_quantile(0.5, h)"), 60'000);
        QVERIFY(r);
        QCOMPARE(r->vector.size(), 1);
        QCOMPARE(r->vector[0].v, std::sqrt(2.0)); // rank 4 of 8: middle of (1,2], exponential interpolation

        // Range results keep histograms apart from float points ("histograms" key).
        r = engine.rangeQuery(q, QStringLiteral("h"), 0, 60'000, 60'000);
        QVERIFY(r);
        QCOMPARE(r->matrix.size(), 1);
        QVERIFY(r->matrix[0].samples.isEmpty());
        QCOMPARE(r->matrixHistograms.size(), 1);
        QCOMPARE(r->matrixHistograms[0].size(), 2);
        const QByteArray json = promql::toPrometheusJson(r);
        QVERIFY(json.contains(R"("histograms":[[0,{"count":"4")"));
        QVERIFY(!json.contains(R"("values")"));

        // Adding a float to a histogram is dropped with Prometheus's info annotation.
        r = engine.instantQuery(q, QStringLiteral("h + 1"), 60'000);
        QVERIFY(r);
        QVERIFY(r->vector.isEmpty());
        QCOMPARE(r->warnings, QStringList{QStringLiteral(R"(PromQL info: incompatible sample types encountered for binary operator "+": histogram + float)")});
    }

    void instantVectorSelector()
    {
        TestQueryable q;
        q.add(L({{u"__name__"_qs, u"up"_qs}, {u"job"_qs, u"a"_qs}}), {{1000, 1}, {61'000, 2}});
        Engine e;
        auto r = e.instantQuery(q, QStringLiteral("up"), 100'000);
        QVERIFY(r.has_value());
        QCOMPARE(r->type, ValueType::Vector);
        QCOMPARE(r->vector.size(), 1);
        QCOMPARE(r->vector[0].v, 2.0);
        QCOMPARE(r->vector[0].t, 100'000); // evaluation time, not the sample's
        QCOMPARE(r->vector[0].labels.metricName(), QStringLiteral("up"));
    }

    void lookbackIsLeftOpen()
    {
        TestQueryable q;
        q.add(L({{u"__name__"_qs, u"m"_qs}}), {{0, 7}});
        Engine e;
        // Exactly 5 minutes later the sample is out of (t-5m, t].
        QCOMPARE(e.instantQuery(q, QStringLiteral("m"), 300'000)->vector.size(), 0);
        QCOMPARE(e.instantQuery(q, QStringLiteral("m"), 299'999)->vector.size(), 1);
        // A sample in the future is not visible.
        QCOMPARE(e.instantQuery(q, QStringLiteral("m"), -1)->vector.size(), 0);
        EngineOptions o;
        o.lookbackDeltaMs = 60'000;
        QCOMPARE(Engine(o).instantQuery(q, QStringLiteral("m"), 60'000)->vector.size(), 0);
        QCOMPARE(Engine(o).instantQuery(q, QStringLiteral("m"), 59'999)->vector.size(), 1);
    }

    void staleMarkerHidesSeries()
    {
        TestQueryable q;
        q.add(L({{u"__name__"_qs, u"m"_qs}}), {{0, 1}, {10'000, model::staleNaN()}, {20'000, 3}});
        Engine e;
        QCOMPARE(e.instantQuery(q, QStringLiteral("m"), 5'000)->vector.size(), 1);
        QCOMPARE(e.instantQuery(q, QStringLiteral("m"), 15'000)->vector.size(), 0);
        auto r = e.instantQuery(q, QStringLiteral("m"), 25'000);
        QCOMPARE(r->vector.size(), 1);
        QCOMPARE(r->vector[0].v, 3.0);
        // An ordinary NaN is a value, not a marker.
        TestQueryable q2;
        q2.add(L({{u"__name__"_qs, u"n"_qs}}), {{0, std::nan("")}});
        auto n = e.instantQuery(q2, QStringLiteral("n"), 1000);
        QCOMPARE(n->vector.size(), 1);
        QVERIFY(std::isnan(n->vector[0].v));
        // Range windows skip stale markers.
        auto c = e.instantQuery(q, QStringLiteral("count_over_time(m[1m])"), 30'000);
        QCOMPARE(c->vector[0].v, 2.0);
    }

    void offsetAndAt()
    {
        TestQueryable q;
        q.add(L({{u"__name__"_qs, u"x"_qs}}), ramp());
        Engine e;
        QCOMPARE(e.instantQuery(q, QStringLiteral("x offset 1m"), 300'000)->vector[0].v, 240.0);
        QCOMPARE(e.instantQuery(q, QStringLiteral("x offset -1m"), 300'000)->vector[0].v, 360.0);
        QCOMPARE(e.instantQuery(q, QStringLiteral("x @ 100"), 500'000)->vector[0].v, 90.0);
        QCOMPARE(e.instantQuery(q, QStringLiteral("x @ 100 offset 30s"), 500'000)->vector[0].v, 60.0);
        // @ start() / end() in a range query pin every step.
        auto r = e.rangeQuery(q, QStringLiteral("x @ start()"), 120'000, 240'000, 60'000);
        QVERIFY(r.has_value());
        QCOMPARE(r->matrix.size(), 1);
        for (const auto &p : r->matrix[0].samples)
            QCOMPARE(p.v, 120.0);
        auto r2 = e.rangeQuery(q, QStringLiteral("x @ end()"), 120'000, 240'000, 60'000);
        QCOMPARE(r2->matrix[0].samples.last().v, 240.0);
        QCOMPARE(r2->matrix[0].samples.first().v, 240.0);
    }

    void rangeQueryStepsAndSingleRead()
    {
        TestQueryable q;
        q.add(L({{u"__name__"_qs, u"x"_qs}, {u"i"_qs, u"1"_qs}}), ramp());
        q.add(L({{u"__name__"_qs, u"x"_qs}, {u"i"_qs, u"2"_qs}}), ramp());
        Engine e;
        auto r = e.rangeQuery(q, QStringLiteral("x"), 10'000, 130'000, 60'000);
        QVERIFY(r.has_value());
        QCOMPARE(r->type, ValueType::Matrix);
        QCOMPARE(r->matrix.size(), 2);
        const auto &s = r->matrix[0].samples;
        QCOMPARE(s.size(), 3);
        QCOMPARE(s[0].t, 10'000);
        QCOMPARE(s[1].t, 70'000);
        QCOMPARE(s[2].t, 130'000);
        QCOMPARE(s[0].v, 0.0);  // latest sample at or before 10 s is t=0
        QCOMPARE(s[1].v, 60.0);
        QCOMPARE(s[2].v, 120.0);
        // Each series is read once for the whole range, not once per step.
        QCOMPARE(q.m_reads.value(0), 1);
        QCOMPARE(q.m_reads.value(1), 1);
        q.m_reads.clear();
        auto rr = e.rangeQuery(q, QStringLiteral("sum(rate(x[1m]))"), 60'000, 600'000, 15'000);
        QVERIFY(rr.has_value());
        QCOMPARE(q.m_reads.value(0), 1);
        QCOMPARE(rr->matrix.size(), 1);
        QCOMPARE(rr->matrix[0].samples.size(), 37);
        for (const auto &p : rr->matrix[0].samples)
            QVERIFY(std::abs(p.v - 2.0) < 1e-9); // two series rising 1/s each
    }

    void matrixSelectorIsLeftOpen()
    {
        TestQueryable q;
        q.add(L({{u"__name__"_qs, u"x"_qs}}), ramp());
        Engine e;
        auto r = e.instantQuery(q, QStringLiteral("x[1m]"), 120'000);
        QVERIFY(r.has_value());
        QCOMPARE(r->type, ValueType::Matrix);
        QCOMPARE(r->matrix.size(), 1);
        const auto &s = r->matrix[0].samples;
        QCOMPARE(s.size(), 4); // 75, 90, 105, 120 s: 60 s itself is outside (t-1m, t]
        QCOMPARE(s.first().t, 75'000);
        QCOMPARE(s.last().t, 120'000);
        auto err = e.rangeQuery(q, QStringLiteral("x[1m]"), 0, 60'000, 15'000);
        QVERIFY(!err.has_value());
        QCOMPARE(err.error().message,
                 QStringLiteral("invalid expression type \"range vector\" for range query, must be Scalar or instant Vector"));
    }

    void operatorsAndAggregations()
    {
        TestQueryable q;
        q.add(L({{u"__name__"_qs, u"req"_qs}, {u"job"_qs, u"a"_qs}, {u"code"_qs, u"200"_qs}}), {{0, 10}});
        q.add(L({{u"__name__"_qs, u"req"_qs}, {u"job"_qs, u"a"_qs}, {u"code"_qs, u"500"_qs}}), {{0, 2}});
        q.add(L({{u"__name__"_qs, u"req"_qs}, {u"job"_qs, u"b"_qs}, {u"code"_qs, u"200"_qs}}), {{0, 5}});
        q.add(L({{u"__name__"_qs, u"lim"_qs}, {u"job"_qs, u"a"_qs}}), {{0, 100}});
        Engine e;
        auto s = e.instantQuery(q, QStringLiteral("sum by (job) (req)"), 0);
        QVERIFY(s.has_value());
        QCOMPARE(s->vector.size(), 2);
        QCOMPARE(s->vector[0].labels, L({{u"job"_qs, u"a"_qs}}));
        QCOMPARE(s->vector[0].v, 12.0);
        auto ratio = e.instantQuery(q, QStringLiteral("req / on(job) group_left lim"), 0);
        QVERIFY(ratio.has_value());
        QCOMPARE(ratio->vector.size(), 2);
        QVERIFY(!ratio->vector[0].labels.has(u"__name__"));
        auto mm = e.instantQuery(q, QStringLiteral("lim / on(job) req"), 0);
        QVERIFY(!mm.has_value());
        QVERIFY(mm.error().message.contains(QStringLiteral("many-to-many matching not allowed")));
        QCOMPARE(prometheusErrorType(mm.error()), QStringLiteral("execution"));
        auto cmp = e.instantQuery(q, QStringLiteral("req > 4"), 0);
        QCOMPARE(cmp->vector.size(), 2);
        QCOMPARE(cmp->vector[0].labels.metricName(), QStringLiteral("req")); // comparisons keep the name
        auto top = e.instantQuery(q, QStringLiteral("topk(1, req)"), 0);
        QCOMPARE(top->vector.size(), 1);
        QCOMPARE(top->vector[0].v, 10.0);
        auto dup = e.instantQuery(q, QStringLiteral("abs({job=\"a\"})"), 0);
        QVERIFY(dup.has_value()); // different label sets after dropping the name
        auto dup2 = e.instantQuery(q, QStringLiteral("abs({job=\"a\", code=\"\"}) or abs(lim)"), 0);
        QVERIFY(dup2.has_value());
        auto sc = e.instantQuery(q, QStringLiteral("scalar(lim) * 2"), 0);
        QCOMPARE(sc->type, ValueType::Scalar);
        QCOMPARE(sc->scalar, 200.0);
    }

    void json_data()
    {
        QTest::addColumn<QString>("expr");
        QTest::addColumn<qint64>("t");
        QTest::addColumn<QByteArray>("json");
        QTest::newRow("vector") << "up" << qint64(1700000000123)
            << J("{'status':'success','data':{'resultType':'vector','result':[{'metric':{'__name__':'up','a':'b'},'value':[1700000000.123,'42']}]}}");
        QTest::newRow("scalar") << "1.5" << qint64(1700000000500)
            << J("{'status':'success','data':{'resultType':'scalar','result':[1700000000.5,'1.5']}}");
        QTest::newRow("string") << "\"hi\\\"\"" << qint64(1700000000000)
            << J("{'status':'success','data':{'resultType':'string','result':[1700000000,'hi\\'']}}");
        QTest::newRow("empty") << "nothing" << qint64(0)
            << J("{'status':'success','data':{'resultType':'vector','result':[]}}");
        QTest::newRow("nan") << "0/0" << qint64(1000) << J("{'status':'success','data':{'resultType':'scalar','result':[1,'NaN']}}");
        QTest::newRow("inf") << "1/0" << qint64(1000) << J("{'status':'success','data':{'resultType':'scalar','result':[1,'+Inf']}}");
        QTest::newRow("-inf") << "-1/0" << qint64(1000) << J("{'status':'success','data':{'resultType':'scalar','result':[1,'-Inf']}}");
        QTest::newRow("small") << "0.0000001" << qint64(1000) << J("{'status':'success','data':{'resultType':'scalar','result':[1,'0.0000001']}}");
        QTest::newRow("big") << "1e21" << qint64(1000) << J("{'status':'success','data':{'resultType':'scalar','result':[1,'1000000000000000000000']}}");
        QTest::newRow("shortest") << "0.1 + 0.2" << qint64(1000) << J("{'status':'success','data':{'resultType':'scalar','result':[1,'0.30000000000000004']}}");
        QTest::newRow("negative ts") << "1" << qint64(-1500) << J("{'status':'success','data':{'resultType':'scalar','result':[-1.5,'1']}}");
        QTest::newRow("parse error") << "sum(" << qint64(0)
            << J("{'status':'error','errorType':'bad_data','error':'1:5: parse error: unclosed left parenthesis'}");
    }

    void json()
    {
        QFETCH(QString, expr);
        QFETCH(qint64, t);
        QFETCH(QByteArray, json);
        TestQueryable q;
        q.add(L({{u"__name__"_qs, u"up"_qs}, {u"a"_qs, u"b"_qs}}), {{1700000000000, 42}});
        QCOMPARE(toPrometheusJson(Engine().instantQuery(q, expr, t)), json);
    }

    void jsonMatrix()
    {
        TestQueryable q;
        q.add(L({{u"__name__"_qs, u"up"_qs}}), {{0, 1}, {30'000, 2.5}});
        auto r = Engine().rangeQuery(q, QStringLiteral("up"), 0, 30'000, 15'000);
        QCOMPARE(toPrometheusJson(r),
                 J("{'status':'success','data':{'resultType':'matrix','result':[{'metric':{'__name__':'up'},'values':[[0,'1'],[15,'1'],[30,'2.5']]}]}}"));
        auto s = Engine().rangeQuery(q, QStringLiteral("time()"), 0, 30'000, 15'000);
        QCOMPARE(toPrometheusJson(s),
                 J("{'status':'success','data':{'resultType':'matrix','result':[{'metric':{},'values':[[0,'0'],[15,'15'],[30,'30']]}]}}"));
    }

    void cancellation()
    {
        TestQueryable q;
        q.add(L({{u"__name__"_qs, u"x"_qs}, {u"i"_qs, u"1"_qs}}), ramp());
        q.add(L({{u"__name__"_qs, u"x"_qs}, {u"i"_qs, u"2"_qs}}), ramp());
        CancelToken token;
        // Cancel while the first series is being read.
        q.m_onRead = [&] { token.cancel(); };
        auto r = Engine().rangeQuery(q, QStringLiteral("sum(x)"), 0, 600'000, 15'000, token);
        QVERIFY(!r.has_value());
        QCOMPARE(r.error().kind, Error::Kind::Cancelled);
        QCOMPARE(prometheusErrorType(r.error()), QStringLiteral("canceled"));
        QCOMPARE(q.m_reads.size(), 1); // stopped before reading the second series
        CancelToken already;
        already.cancel();
        QVERIFY(!Engine().instantQuery(q, QStringLiteral("1"), 0, already).has_value());
    }

    void maxSamples()
    {
        TestQueryable q;
        q.add(L({{u"__name__"_qs, u"x"_qs}}), ramp());
        EngineOptions o;
        o.maxSamples = 10;
        Engine e(o);
        QVERIFY(e.instantQuery(q, QStringLiteral("x"), 60'000).has_value());
        auto r = e.instantQuery(q, QStringLiteral("x[10m]"), 600'000);
        QVERIFY(!r.has_value());
        QCOMPARE(r.error().message,
                 QStringLiteral("query processing would load too many samples into memory in query execution"));
        auto rr = e.rangeQuery(q, QStringLiteral("x"), 0, 600'000, 15'000);
        QVERIFY(!rr.has_value());
    }

    void rangeQueryArgumentErrors()
    {
        TestQueryable q;
        Engine e;
        QVERIFY(!e.rangeQuery(q, QStringLiteral("1"), 0, 10, 0).has_value());
        QVERIFY(!e.rangeQuery(q, QStringLiteral("1"), 10, 0, 1).has_value());
        QCOMPARE(e.rangeQuery(q, QStringLiteral("1"), 10, 0, 1).error().kind, Error::Kind::BadData);
    }

    void rateExtrapolation()
    {
        TestQueryable q;
        // Counter rising 10 per 15 s, with a reset at 60 s.
        QList<Sample> s;
        double v = 0;
        for (model::TimestampMs t = 0; t <= 120'000; t += 15'000) {
            if (t == 60'000)
                v = 0;
            s.push_back({t, v});
            v += 10;
        }
        q.add(L({{u"__name__"_qs, u"c_total"_qs}}), s);
        Engine e;
        // Window (0, 120] holds 15..120 s; Prometheus extrapolates the raw
        // increase to the window edges (the first sample is 15 s in).
        auto inc = e.instantQuery(q, QStringLiteral("increase(c_total[2m])"), 120'000);
        QVERIFY(inc.has_value());
        // samples 10,20,30 | reset | 0,10,20,30,40: increase (40 - 10) + 30 = 60 over 105 s
        QVERIFY(std::abs(inc->vector[0].v - 60.0 * 120.0 / 105.0) < 1e-9);
        auto rate = e.instantQuery(q, QStringLiteral("rate(c_total[2m])"), 120'000);
        QVERIFY(std::abs(rate->vector[0].v - 60.0 / 105.0) < 1e-9);
        auto resets = e.instantQuery(q, QStringLiteral("resets(c_total[2m])"), 120'000);
        QCOMPARE(resets->vector[0].v, 1.0);
        QVERIFY(!resets->vector[0].labels.has(u"__name__"));
    }
};

QTEST_GUILESS_MAIN(TestPromqlEngine)
#include "tst_promql_engine.moc"
