#include "core/datasource/datasource_registry.h"
#include "core/datasource/plugin_registry.h"
#include "core/store/storage.h"

#include <QTemporaryDir>
#include <QTest>
#include <thread>

using namespace spyglass;
using namespace spyglass::datasource;
using model::Frame;
using model::FrameKind;
using model::Labels;

namespace {

constexpr model::TimestampMs kT0 = 1'700'000'000'000;
constexpr std::int64_t kSec = 1000;

template <typename T>
QByteArray errorText(const Result<T> &r)
{
    return r ? QByteArray("ok") : r.error().toString().toUtf8();
}

Labels up(const char *instance)
{
    return Labels{{QStringLiteral("__name__"), QStringLiteral("up")},
                  {QStringLiteral("job"), QStringLiteral("api")},
                  {QStringLiteral("instance"), QString::fromLatin1(instance)}};
}

const Frame *frameWith(const model::Frames &frames, const QString &instance)
{
    for (const Frame &f : frames)
        if (f.seriesLabels().value(u"instance") == instance)
            return &f;
    return nullptr;
}

QList<std::int64_t> stepsFrom(model::TimestampMs start, std::int64_t step, int n)
{
    QList<std::int64_t> out;
    for (int i = 0; i < n; ++i)
        out.push_back(start + i * step);
    return out;
}

} // namespace

class TestLocalDatasource : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        auto storage = store::Storage::open(m_dir.filePath(QStringLiteral("data")));
        QVERIFY2(storage.has_value(), errorText(storage).constData());
        m_storage = std::move(*storage);

        // up{instance="a"}: every 15 s for 10 minutes, value = index.
        // up{instance="b"}: the same for 2 minutes only, then it stops.
        store::SampleBatch batch;
        model::Series a{up("a"), {}}, b{up("b"), {}};
        for (int i = 0; i < 40; ++i) {
            a.samples.push_back({kT0 + i * 15 * kSec, double(i)});
            if (i < 8)
                b.samples.push_back({kT0 + i * 15 * kSec, double(i)});
        }
        model::Series web{Labels{{QStringLiteral("__name__"), QStringLiteral("http_requests_total")},
                                 {QStringLiteral("job"), QStringLiteral("web")},
                                 {QStringLiteral("code"), QStringLiteral("200")}},
                          {}};
        for (int i = 0; i < 10; ++i)
            web.samples.push_back({kT0 + i * 60 * kSec, 10.0 * i});
        batch.series = {a, b, web};
        auto appended = m_storage->metrics().append(batch);
        QVERIFY2(appended.has_value(), errorText(appended).constData());
        QCOMPARE(appended->samples, 58);

        m_plugins.setSearchPaths({QStringLiteral(SPYGLASS_PLUGIN_DIR)});
        m_plugins.scan();
        const PluginInfo *info = m_plugins.plugin(QStringLiteral("local"));
        QVERIFY(info);
        QVERIFY2(info->state == PluginInfo::State::Loaded, qPrintable(info->errorString));
        QCOMPARE(info->kinds, Capabilities(Capability::Metrics | Capability::Logs | Capability::Traces | Capability::Profiles));
        QVERIFY(info->filePath.endsWith(QStringLiteral("/spyglass_local.so")));

        DatasourceSettings s;
        s.uid = QStringLiteral("local");
        s.name = QStringLiteral("Local store");
        s.type = QStringLiteral("local");
        auto ds = m_plugins.factory(QStringLiteral("local"))->create(s, DatasourceContext{m_storage.get()});
        QVERIFY2(ds.has_value(), errorText(ds).constData());
        m_ds = std::move(*ds);
        QCOMPARE(m_ds->capabilities(), info->kinds);
    }

    void createNeedsStorageAndValidSettings()
    {
        DatasourceFactory *factory = m_plugins.factory(QStringLiteral("local"));
        DatasourceSettings s;
        s.type = QStringLiteral("local");
        auto noStore = factory->create(s, {});
        QVERIFY(!noStore.has_value());
        QCOMPARE(noStore.error().message,
                 QStringLiteral("the local datasource needs Spyglass's embedded store, and none is open"));
        s.jsonData.insert(QStringLiteral("lookbackDelta"), QStringLiteral("soon"));
        auto badLookback = factory->create(s, DatasourceContext{m_storage.get()});
        QVERIFY(!badLookback.has_value());
        QCOMPARE(badLookback.error().message,
                 QStringLiteral("jsonData.lookbackDelta \"soon\" is not a positive duration like 5m"));
    }

    void rangeQueryGivesOneFramePerSeriesWithLookback()
    {
        QueryRequest req;
        req.refId = QStringLiteral("B");
        req.expr = QStringLiteral("up{job=\"api\"}");
        req.from = kT0;
        req.to = kT0 + 600 * kSec;
        req.stepMs = 60 * kSec;
        auto frames = m_ds->query(req, {});
        QVERIFY2(frames.has_value(), errorText(frames).constData());
        QCOMPARE(frames->size(), 2);

        const Frame *a = frameWith(*frames, QStringLiteral("a"));
        QVERIFY(a);
        QCOMPARE(a->kind(), FrameKind::TimeSeries);
        QVERIFY(a->isConsistent());
        QCOMPARE(a->seriesLabels(), up("a"));
        QCOMPARE(a->name(), up("a").toString());
        QCOMPARE(a->fields().size(), 2);
        QCOMPARE(a->fields()[0].type(), model::FieldType::Time);
        QCOMPARE(a->fields()[0].int64s(), stepsFrom(kT0, 60 * kSec, 11));
        // At each step the latest sample at or before it: index 4k; the last
        // step (600 s) falls after the last sample (585 s, index 39).
        QCOMPARE(a->fields()[1].doubles(), (QList<double>{0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 39}));
        QCOMPARE(a->meta().executedQuery, req.expr);
        QCOMPARE(a->meta().datasourceUid, QStringLiteral("local"));
        QCOMPARE(a->meta().custom.value(QStringLiteral("resultType")).toString(), QStringLiteral("matrix"));
        QCOMPARE(a->meta().custom.value(QStringLiteral("stepMs")).toLongLong(), 60 * kSec);
        QCOMPARE(a->meta().custom.value(QStringLiteral("refId")).toString(), QStringLiteral("B"));

        // b's last sample (105 s) stays visible for 5 minutes, then the series ends.
        const Frame *b = frameWith(*frames, QStringLiteral("b"));
        QVERIFY(b);
        QCOMPARE(b->fields()[0].int64s(), stepsFrom(kT0, 60 * kSec, 7));
        QCOMPARE(b->fields()[1].doubles(), (QList<double>{0, 4, 7, 7, 7, 7, 7}));
    }

    void rangeStepFollowsMaxDataPoints()
    {
        QueryRequest req;
        req.expr = QStringLiteral("up{instance=\"a\"}");
        req.from = kT0;
        req.to = kT0 + 600 * kSec;
        req.maxDataPoints = 20; // 600 s / 20 = 30 s
        auto frames = m_ds->query(req, {});
        QVERIFY2(frames.has_value(), errorText(frames).constData());
        QCOMPARE(frames->size(), 1);
        QCOMPARE(frames->front().fields()[0].int64s(), stepsFrom(kT0, 30 * kSec, 21));
        QCOMPARE(frames->front().fields()[1].doubles()[1], 2.0); // 30 s = index 2
        QCOMPARE(frames->front().meta().custom.value(QStringLiteral("stepMs")).toLongLong(), 30 * kSec);
    }

    void rangeQueryWithLegendFormatAndNoMatch()
    {
        QueryRequest req;
        req.expr = QStringLiteral("up");
        req.from = kT0;
        req.to = kT0 + 120 * kSec;
        req.stepMs = 60 * kSec;
        req.options.insert(QStringLiteral("legendFormat"), QStringLiteral("{{job}}/{{ instance }} {{missing}}!"));
        auto frames = m_ds->query(req, {});
        QVERIFY2(frames.has_value(), errorText(frames).constData());
        QStringList names;
        for (const Frame &f : *frames)
            names.push_back(f.name());
        names.sort();
        QCOMPARE(names, (QStringList{QStringLiteral("api/a !"), QStringLiteral("api/b !")}));

        req.expr = QStringLiteral("up{job=\"nothing\"}");
        auto none = m_ds->query(req, {});
        QVERIFY2(none.has_value(), errorText(none).constData());
        QVERIFY(none->isEmpty());
    }

    void instantQueryGivesATable()
    {
        QueryRequest req;
        req.expr = QStringLiteral("up");
        req.instant = true;
        req.to = kT0 + 200 * kSec;
        auto frames = m_ds->query(req, {});
        QVERIFY2(frames.has_value(), errorText(frames).constData());
        QCOMPARE(frames->size(), 1);
        const Frame &t = frames->front();
        QCOMPARE(t.kind(), FrameKind::Table);
        QCOMPARE(t.name(), QStringLiteral("A"));
        QVERIFY(t.isConsistent());
        QCOMPARE(t.rowCount(), 2);
        QStringList columns;
        for (const auto &f : t.fields())
            columns.push_back(f.name());
        QCOMPARE(columns, (QStringList{QStringLiteral("Time"), QStringLiteral("__name__"), QStringLiteral("instance"),
                                       QStringLiteral("job"), QStringLiteral("Value")}));
        QCOMPARE(t.meta().executedQuery, QStringLiteral("up"));
        QCOMPARE(t.meta().custom.value(QStringLiteral("resultType")).toString(), QStringLiteral("vector"));
        const auto &instances = t.field(u"instance")->strings();
        const auto &values = t.field(u"Value")->doubles();
        const qsizetype ia = instances.indexOf(QStringLiteral("a"));
        const qsizetype ib = instances.indexOf(QStringLiteral("b"));
        QVERIFY(ia >= 0 && ib >= 0);
        QCOMPARE(values[ia], 13.0); // sample at 195 s
        QCOMPARE(values[ib], 7.0);  // 95 s old, within the 5-minute lookback
        QCOMPARE(t.field(u"Time")->int64s(), (QList<std::int64_t>{req.to, req.to}));
        QCOMPARE(t.field(u"__name__")->strings(), (QStringList{QStringLiteral("up"), QStringLiteral("up")}));

        // Later b's last sample is older than the lookback: only a remains.
        req.to = kT0 + 500 * kSec;
        frames = m_ds->query(req, {});
        QVERIFY2(frames.has_value(), errorText(frames).constData());
        QCOMPARE(frames->front().rowCount(), 1);
        QCOMPARE(frames->front().field(u"instance")->strings(), QStringList{QStringLiteral("a")});
        QCOMPARE(frames->front().field(u"Value")->doubles(), QList<double>{33.0});

        // Nothing matches: an empty table with just Time and Value.
        req.expr = QStringLiteral("up{job=\"nothing\"}");
        frames = m_ds->query(req, {});
        QVERIFY2(frames.has_value(), errorText(frames).constData());
        QCOMPARE(frames->size(), 1);
        QCOMPARE(frames->front().rowCount(), 0);
        QCOMPARE(frames->front().fields().size(), 2);
    }

    void instantQueryAsTimeSeriesFrames()
    {
        QueryRequest req;
        req.expr = QStringLiteral("up");
        req.instant = true;
        req.to = kT0 + 200 * kSec;
        req.options.insert(QStringLiteral("format"), QStringLiteral("time_series"));
        auto frames = m_ds->query(req, {});
        QVERIFY2(frames.has_value(), errorText(frames).constData());
        QCOMPARE(frames->size(), 2);
        const Frame *a = frameWith(*frames, QStringLiteral("a"));
        QVERIFY(a);
        QCOMPARE(a->kind(), FrameKind::TimeSeries);
        QCOMPARE(a->fields()[0].int64s(), QList<std::int64_t>{req.to});
        QCOMPARE(a->fields()[1].doubles(), QList<double>{13.0});
    }

    void instantRangeSelectorAndScalar()
    {
        QueryRequest req;
        req.instant = true;
        req.expr = QStringLiteral("up{instance=\"a\"}[1m]");
        req.to = kT0 + 70 * kSec;
        auto frames = m_ds->query(req, {});
        QVERIFY2(frames.has_value(), errorText(frames).constData());
        QCOMPARE(frames->size(), 1);
        QCOMPARE(frames->front().kind(), FrameKind::TimeSeries);
        QCOMPARE(frames->front().fields()[0].int64s(),
                 (QList<std::int64_t>{kT0 + 15 * kSec, kT0 + 30 * kSec, kT0 + 45 * kSec, kT0 + 60 * kSec}));
        QCOMPARE(frames->front().fields()[1].doubles(), (QList<double>{1, 2, 3, 4}));
        QCOMPARE(frames->front().meta().custom.value(QStringLiteral("resultType")).toString(), QStringLiteral("matrix"));

        req.expr = QStringLiteral("42");
        frames = m_ds->query(req, {});
        QVERIFY2(frames.has_value(), errorText(frames).constData());
        QCOMPARE(frames->size(), 1);
        QCOMPARE(frames->front().kind(), FrameKind::Table);
        QCOMPARE(frames->front().field(u"Value")->doubles(), QList<double>{42.0});
        QCOMPARE(frames->front().field(u"Time")->int64s(), QList<std::int64_t>{req.to});
        QCOMPARE(frames->front().meta().custom.value(QStringLiteral("resultType")).toString(), QStringLiteral("scalar"));
    }

    void lookbackDeltaSetting()
    {
        DatasourceSettings s;
        s.uid = QStringLiteral("short");
        s.type = QStringLiteral("local");
        s.jsonData.insert(QStringLiteral("lookbackDelta"), QStringLiteral("1m"));
        auto ds = m_plugins.factory(QStringLiteral("local"))->create(s, DatasourceContext{m_storage.get()});
        QVERIFY2(ds.has_value(), errorText(ds).constData());
        QueryRequest req;
        req.expr = QStringLiteral("up");
        req.instant = true;
        req.to = kT0 + 200 * kSec; // b's last sample is 95 s old: beyond 1 minute
        auto frames = (*ds)->query(req, {});
        QVERIFY2(frames.has_value(), errorText(frames).constData());
        QCOMPARE(frames->front().field(u"instance")->strings(), QStringList{QStringLiteral("a")});
    }

    void badRequestsAreErrors()
    {
        QueryRequest req;
        req.from = kT0;
        req.to = kT0 + 60 * kSec;
        req.expr = QStringLiteral("  ");
        auto empty = m_ds->query(req, {});
        QVERIFY(!empty.has_value());
        QCOMPARE(empty.error().message, QStringLiteral("empty query: enter a PromQL expression"));

        req.expr = QStringLiteral("up{job=");
        auto parse = m_ds->query(req, {});
        QVERIFY(!parse.has_value());
        QVERIFY(!parse.error().message.isEmpty());
        QVERIFY(parse.error().kind != Error::Kind::Cancelled);

        req.expr = QStringLiteral("up");
        req.from = kT0 + 60 * kSec;
        req.to = kT0;
        auto reversed = m_ds->query(req, {});
        QVERIFY(!reversed.has_value());
        QVERIFY2(reversed.error().message.startsWith(QStringLiteral("the end of the range (2023-11-14T22:13:20.000Z) "
                                                                    "is before its start")),
                 qPrintable(reversed.error().message));
    }

    void labelLookups()
    {
        auto names = m_ds->labelNames({});
        QVERIFY2(names.has_value(), errorText(names).constData());
        for (const char *n : {"__name__", "code", "instance", "job"})
            QVERIFY2(names->contains(QString::fromLatin1(n)), n);
        auto instances = m_ds->labelValues(QStringLiteral("instance"), {});
        QVERIFY2(instances.has_value(), errorText(instances).constData());
        QCOMPARE(*instances, (QStringList{QStringLiteral("a"), QStringLiteral("b")}));
        auto metrics = m_ds->labelValues(QStringLiteral("__name__"), {});
        QVERIFY2(metrics.has_value(), errorText(metrics).constData());
        QCOMPARE(*metrics, (QStringList{QStringLiteral("http_requests_total"), QStringLiteral("up")}));
        auto none = m_ds->labelValues(QStringLiteral("nope"), {});
        QVERIFY2(none.has_value(), errorText(none).constData());
        QVERIFY(none->isEmpty());
    }

    void health()
    {
        auto h = m_ds->checkHealth({});
        QVERIFY2(h.has_value(), errorText(h).constData());
        QCOMPARE(*h, QStringLiteral("3 series, 58 samples from 2023-11-14T22:13:20.000Z to 2023-11-14T22:23:05.000Z"));

        QTemporaryDir emptyDir;
        auto emptyStorage = store::Storage::open(emptyDir.path());
        QVERIFY2(emptyStorage.has_value(), errorText(emptyStorage).constData());
        DatasourceSettings s;
        s.type = QStringLiteral("local");
        auto ds = m_plugins.factory(QStringLiteral("local"))->create(s, DatasourceContext{emptyStorage->get()});
        QVERIFY(ds.has_value());
        QCOMPARE((*ds)->checkHealth({}).value(),
                 QStringLiteral("store at %1 is empty: import a file or send data to a receiver").arg(emptyDir.path()));
    }

    void cancellation()
    {
        CancelToken cancel;
        cancel.cancel();
        QueryRequest req;
        req.expr = QStringLiteral("up");
        req.from = kT0;
        req.to = kT0 + 600 * kSec;
        QCOMPARE(m_ds->query(req, cancel).error().kind, Error::Kind::Cancelled);
        req.instant = true;
        QCOMPARE(m_ds->query(req, cancel).error().kind, Error::Kind::Cancelled);
        QCOMPARE(m_ds->labelNames(cancel).error().kind, Error::Kind::Cancelled);
        QCOMPARE(m_ds->labelValues(QStringLiteral("job"), cancel).error().kind, Error::Kind::Cancelled);
        QCOMPARE(m_ds->checkHealth(cancel).error().kind, Error::Kind::Cancelled);
    }

    void concurrentQueriesAgree()
    {
        QueryRequest req;
        req.expr = QStringLiteral("up{job=\"api\"}");
        req.from = kT0;
        req.to = kT0 + 600 * kSec;
        req.stepMs = 15 * kSec;
        auto reference = m_ds->query(req, {});
        QVERIFY2(reference.has_value(), errorText(reference).constData());
        std::atomic<int> mismatches{0};
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t)
            threads.emplace_back([&] {
                for (int i = 0; i < 10; ++i) {
                    auto r = m_ds->query(req, {});
                    if (!r || r->size() != reference->size())
                        ++mismatches;
                    else
                        for (qsizetype k = 0; k < r->size(); ++k)
                            if ((*r)[k].fields()[1].doubles() != (*reference)[k].fields()[1].doubles())
                                ++mismatches;
                }
            });
        for (auto &th : threads)
            th.join();
        QCOMPARE(mismatches.load(), 0);
    }

    void registryCreatesTheLocalDatasource()
    {
        DatasourceRegistry reg(m_plugins, DatasourceContext{m_storage.get()});
        auto local = reg.ensureLocal();
        QVERIFY2(local.has_value(), errorText(local).constData());
        QCOMPARE(reg.defaultDatasource(), *local);
        QCOMPARE(reg.defaultUid(), QStringLiteral("local"));
        QCOMPARE(reg.ensureLocal().value(), *local);
        QCOMPARE(reg.settingsList().size(), 1);
        QVERIFY((*local)->checkHealth({}).value().startsWith(QStringLiteral("3 series")));
    }

private:
    QTemporaryDir m_dir;
    std::unique_ptr<store::Storage> m_storage;
    PluginRegistry m_plugins;
    std::unique_ptr<Datasource> m_ds;
};

QTEST_GUILESS_MAIN(TestLocalDatasource)
#include "tst_local_datasource.moc"
