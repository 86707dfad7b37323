// The local datasource's routing by query language: LogQL over the log
// store, TraceQL search / metrics / trace by id over the span store, and
// profile selectors over the profile store, through the real plugin.
#include "core/datasource/live_tail.h"
#include "core/datasource/plugin_registry.h"
#include "core/store/log_store.h"
#include "core/store/profile_store.h"
#include "core/store/span_store.h"
#include "core/store/storage.h"
#include "plugins/common/span_frame.h"

#include <QTemporaryDir>
#include <QTest>
#include <mutex>
#include <optional>
#include <thread>

using namespace spyglass;
using namespace spyglass::datasource;
using model::Frame;
using model::FrameKind;
using model::Labels;

namespace {

constexpr model::TimestampMs kT0 = 1'700'000'000'000;
constexpr std::int64_t kMs = 1'000'000; // ns

template <typename T>
QByteArray errorText(const Result<T> &r)
{
    return r ? QByteArray("ok") : r.error().toString().toUtf8();
}

QByteArray id(char fill, int n)
{
    return QByteArray(n, fill);
}

model::Span span(char trace, char spanId, char parent, const QString &service, const QString &name,
                 std::int64_t startMs, std::int64_t durMs, model::Span::Status status, int httpStatus)
{
    model::Span s;
    s.traceId = id(trace, 16);
    s.spanId = id(spanId, 8);
    if (parent)
        s.parentSpanId = id(parent, 8);
    s.name = name;
    s.serviceName = service;
    s.kind = parent ? model::Span::Kind::Client : model::Span::Kind::Server;
    s.start = (kT0 + startMs) * kMs;
    s.end = s.start + durMs * kMs;
    s.status = status;
    s.attributes = {{QStringLiteral("http.status_code"), QVariant::fromValue<qint64>(httpStatus)}};
    s.resourceAttributes = {{QStringLiteral("service.name"), service}};
    s.events = {{s.start + 1 * kMs, QStringLiteral("retry"), {{QStringLiteral("attempt"), QVariant::fromValue<qint64>(2)}}}};
    return s;
}

QueryRequest request(const QString &language, const QString &expr)
{
    QueryRequest r;
    r.expr = expr;
    r.from = kT0 - 60'000;
    r.to = kT0 + 600'000;
    r.stepMs = 60'000;
    r.options.insert(QStringLiteral("language"), language);
    return r;
}

} // namespace

class TestLocalLanguages : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        auto storage = store::Storage::open(m_dir.filePath(QStringLiteral("data")));
        QVERIFY2(storage.has_value(), errorText(storage).constData());
        m_storage = std::move(*storage);

        // Logs: job=api, 6 lines one minute apart, level alternating, one
        // with structured metadata; job=db, 2 lines.
        QList<model::LogRecord> logs;
        for (int i = 0; i < 6; ++i) {
            model::LogRecord r;
            r.time = (kT0 + i * 60'000) * kMs;
            r.stream = Labels{{QStringLiteral("job"), QStringLiteral("api")}};
            r.line = QStringLiteral("level=%1 msg=\"req %2\" duration=%3ms")
                         .arg(i % 2 ? QStringLiteral("error") : QStringLiteral("info"))
                         .arg(i)
                         .arg(10 * (i + 1));
            if (i == 5)
                r.structuredMetadata = Labels{{QStringLiteral("traceID"), QStringLiteral("abc")}};
            logs.append(r);
        }
        for (int i = 0; i < 2; ++i) {
            model::LogRecord r;
            r.time = (kT0 + i * 30'000) * kMs;
            r.stream = Labels{{QStringLiteral("job"), QStringLiteral("db")}};
            r.line = QStringLiteral("checkpoint %1").arg(i);
            logs.append(r);
        }
        auto appended = m_storage->logs().append(logs);
        QVERIFY2(appended.has_value(), errorText(appended).constData());

        // Traces: trace 'a' (frontend -> api, api fails with 500), trace 'b' (frontend only).
        QList<model::Span> spans{
            span('a', '1', 0, QStringLiteral("frontend"), QStringLiteral("GET /"), 1000, 300, model::Span::Status::Ok, 200),
            span('a', '2', '1', QStringLiteral("api"), QStringLiteral("GET /items"), 1100, 150, model::Span::Status::Error, 500),
            span('b', '3', 0, QStringLiteral("frontend"), QStringLiteral("GET /health"), 120'000, 5, model::Span::Status::Unset, 200),
        };
        auto spansAppended = m_storage->traces().append(spans);
        QVERIFY2(spansAppended.has_value(), errorText(spansAppended).constData());

        // Profiles: two cpu profiles of service "api": main;work (30+10) and main;idle (5).
        model::Profile p;
        p.typeId = QStringLiteral("process_cpu:cpu:nanoseconds:cpu:nanoseconds");
        p.labels = Labels{{QStringLiteral("service_name"), QStringLiteral("api")}};
        p.time = (kT0 + 10'000) * kMs;
        p.durationNs = 10'000 * kMs;
        p.functionNames = {QStringLiteral("main"), QStringLiteral("work"), QStringLiteral("idle")};
        p.stacks = {{{1, 0}, 30, {}}, {{2, 0}, 5, {}}};
        model::Profile p2 = p;
        p2.time = (kT0 + 20'000) * kMs;
        p2.stacks = {{{1, 0}, 10, {}}};
        auto profAppended = m_storage->profiles().append({p, p2});
        QVERIFY2(profAppended.has_value(), errorText(profAppended).constData());

        m_plugins.setSearchPaths({QStringLiteral(SPYGLASS_PLUGIN_DIR)});
        m_plugins.scan();
        QVERIFY(m_plugins.factory(QStringLiteral("local")));
        DatasourceSettings s;
        s.uid = QStringLiteral("local");
        s.type = QStringLiteral("local");
        auto ds = m_plugins.factory(QStringLiteral("local"))->create(s, DatasourceContext{m_storage.get()});
        QVERIFY2(ds.has_value(), errorText(ds).constData());
        m_ds = std::move(*ds);
    }

    void capabilitiesAreAllFour()
    {
        QCOMPARE(m_ds->capabilities(),
                 Capabilities(Capability::Metrics | Capability::Logs | Capability::Traces | Capability::Profiles));
        QCOMPARE(m_plugins.plugin(QStringLiteral("local"))->kinds, m_ds->capabilities());
    }

    void logQueryGivesALogsFrameNewestFirst()
    {
        auto r = m_ds->query(request(QStringLiteral("logql"), QStringLiteral(R"({job="api"} |= "error" | logfmt)")), {});
        QVERIFY2(r.has_value(), errorText(r).constData());
        QCOMPARE(r->size(), 1);
        const Frame &f = r->front();
        QCOMPARE(f.kind(), FrameKind::Logs);
        QVERIFY(f.isConsistent());
        QCOMPARE(f.rowCount(), 3); // lines 1, 3, 5
        QCOMPARE(f.field(u"Time")->int64s(), (QList<std::int64_t>{kT0 + 300'000, kT0 + 180'000, kT0 + 60'000}));
        QCOMPARE(f.field(u"tsNs")->int64s().front(), (kT0 + 300'000) * kMs);
        QCOMPARE(f.field(u"Line")->strings().front(), QStringLiteral("level=error msg=\"req 5\" duration=60ms"));
        QCOMPARE(f.field(u"labels")->labelSets().front().value(u"job"), QStringLiteral("api"));
        QCOMPARE(f.field(u"structuredMetadata")->labelSets().front().value(u"traceID"), QStringLiteral("abc"));
        QCOMPARE(f.field(u"parsed")->labelSets().front().value(u"msg"), QStringLiteral("req 5"));
        QCOMPARE(f.field(u"parsed")->labelSets().front().value(u"duration"), QStringLiteral("60ms"));
        QCOMPARE(f.meta().executedQuery, QStringLiteral(R"({job="api"} |= "error" | logfmt)"));
        QCOMPARE(f.meta().datasourceUid, QStringLiteral("local"));
        QCOMPARE(f.meta().custom.value(QStringLiteral("language")).toString(), QStringLiteral("logql"));
        QCOMPARE(f.meta().custom.value(QStringLiteral("direction")).toString(), QStringLiteral("backward"));
    }

    void logQueryLimitAndDirection()
    {
        auto req = request(QStringLiteral("logql"), QStringLiteral(R"({job=~"api|db"})"));
        req.options.insert(QStringLiteral("limit"), 3);
        req.options.insert(QStringLiteral("direction"), QStringLiteral("forward"));
        auto r = m_ds->query(req, {});
        QVERIFY2(r.has_value(), errorText(r).constData());
        const Frame &f = r->front();
        QCOMPARE(f.rowCount(), 3);
        // Oldest first across both streams: api 0 and db 0 at kT0, db 1 at +30 s.
        QCOMPARE(f.field(u"Time")->int64s(), (QList<std::int64_t>{kT0, kT0, kT0 + 30'000}));
        QCOMPARE(f.field(u"Line")->strings().last(), QStringLiteral("checkpoint 1"));

        req.options.insert(QStringLiteral("direction"), QStringLiteral("sideways"));
        auto bad = m_ds->query(req, {});
        QVERIFY(!bad);
        QVERIFY(bad.error().message.contains(u"sideways"));
        req.options.insert(QStringLiteral("direction"), QStringLiteral("forward"));
        req.options.insert(QStringLiteral("limit"), QStringLiteral("lots"));
        QVERIFY(!m_ds->query(req, {}));
    }

    void logMetricQueryGivesTimeSeries()
    {
        auto req = request(QStringLiteral("logql"), QStringLiteral(R"(sum by (level) (count_over_time({job="api"} | logfmt [10m])))"));
        req.instant = true;
        req.to = kT0 + 330'000;
        auto r = m_ds->query(req, {});
        QVERIFY2(r.has_value(), errorText(r).constData());
        QCOMPARE(r->size(), 2);
        QMap<QString, double> byLevel;
        for (const Frame &f : *r) {
            QCOMPARE(f.kind(), FrameKind::TimeSeries);
            byLevel.insert(f.seriesLabels().value(u"level"), f.fields().at(1).doubles().front());
        }
        QCOMPARE(byLevel.value(QStringLiteral("info")), 3.0);
        QCOMPARE(byLevel.value(QStringLiteral("error")), 3.0);

        auto range = m_ds->query(request(QStringLiteral("logql"), QStringLiteral(R"(count_over_time({job="db"}[1m]))")), {});
        QVERIFY2(range.has_value(), errorText(range).constData());
        QCOMPARE(range->size(), 1);
        QCOMPARE(range->front().kind(), FrameKind::TimeSeries);
        QCOMPARE(range->front().seriesLabels().value(u"job"), QStringLiteral("db"));
    }

    void logErrorsCarryPositions()
    {
        auto r = m_ds->query(request(QStringLiteral("logql"), QStringLiteral(R"({job="api"} |= )")), {});
        QVERIFY(!r);
        QVERIFY(r.error().column > 0);
    }

    void languageFromSettingsAndUnknownLanguage()
    {
        DatasourceSettings s;
        s.uid = QStringLiteral("logs");
        s.type = QStringLiteral("local");
        s.jsonData.insert(QStringLiteral("language"), QStringLiteral("logql"));
        auto ds = m_plugins.factory(QStringLiteral("local"))->create(s, DatasourceContext{m_storage.get()});
        QVERIFY(ds.has_value());
        auto req = request(QString(), QStringLiteral(R"({job="db"})"));
        req.options.remove(QStringLiteral("language"));
        auto r = (*ds)->query(req, {});
        QVERIFY2(r.has_value(), errorText(r).constData());
        QCOMPARE(r->front().kind(), FrameKind::Logs);
        QCOMPARE(r->front().rowCount(), 2);

        auto unknown = m_ds->query(request(QStringLiteral("sql"), QStringLiteral("select 1")), {});
        QVERIFY(!unknown);
        QVERIFY(unknown.error().message.contains(u"\"sql\""));
    }

    void traceqlSearchGivesATable()
    {
        auto r = m_ds->query(request(QStringLiteral("traceql"), QStringLiteral("{ span.http.status_code >= 500 }")), {});
        QVERIFY2(r.has_value(), errorText(r).constData());
        QCOMPARE(r->size(), 1);
        const Frame &f = r->front();
        QCOMPARE(f.kind(), FrameKind::Table);
        QCOMPARE(f.rowCount(), 1);
        QCOMPARE(f.field(u"traceID")->strings().front(), QString::fromLatin1(id('a', 16).toHex()));
        QCOMPARE(f.field(u"rootServiceName")->strings().front(), QStringLiteral("frontend"));
        QCOMPARE(f.field(u"rootTraceName")->strings().front(), QStringLiteral("GET /"));
        QCOMPARE(f.field(u"traceDuration")->doubles().front(), 300.0);

        auto all = m_ds->query(request(QStringLiteral("traceql"), QStringLiteral(R"({ resource.service.name = "frontend" })")), {});
        QVERIFY2(all.has_value(), errorText(all).constData());
        QCOMPARE(all->front().rowCount(), 2);

        auto limited = request(QStringLiteral("traceql"), QStringLiteral("{}"));
        limited.options.insert(QStringLiteral("limit"), 1);
        QCOMPARE(m_ds->query(limited, {})->front().rowCount(), 1);

        auto minDur = request(QStringLiteral("traceql"), QStringLiteral("{}"));
        minDur.options.insert(QStringLiteral("minDuration"), QStringLiteral("100ms"));
        auto slow = m_ds->query(minDur, {});
        QVERIFY2(slow.has_value(), errorText(slow).constData());
        QCOMPARE(slow->front().rowCount(), 1);

        auto bad = m_ds->query(request(QStringLiteral("traceql"), QStringLiteral("{ span.x = }")), {});
        QVERIFY(!bad);
        QVERIFY(bad.error().column > 0);
    }

    void traceqlMetricsGiveTimeSeries()
    {
        auto r = m_ds->query(request(QStringLiteral("traceql"), QStringLiteral("{ } | count_over_time() by (resource.service.name)")), {});
        QVERIFY2(r.has_value(), errorText(r).constData());
        QVERIFY(!r->isEmpty());
        double total = 0;
        for (const Frame &f : *r) {
            QCOMPARE(f.kind(), FrameKind::TimeSeries);
            for (double v : f.fields().at(1).doubles())
                if (!std::isnan(v))
                    total += v;
        }
        QCOMPARE(total, 3.0);
    }

    void traceByIdGivesASpansFrame()
    {
        auto req = request(QStringLiteral("traceql"), QString::fromLatin1(id('a', 16).toHex()));
        req.options.insert(QStringLiteral("queryType"), QStringLiteral("traceId"));
        auto r = m_ds->query(req, {});
        QVERIFY2(r.has_value(), errorText(r).constData());
        QCOMPARE(r->size(), 1);
        const Frame &f = r->front();
        QCOMPARE(f.kind(), FrameKind::Spans);
        QCOMPARE(f.rowCount(), 2);
        QVERIFY(f.isConsistent());
        auto spans = plugins::common::spansFromFrame(f);
        QVERIFY2(spans.has_value(), errorText(spans).constData());
        QCOMPARE(spans->size(), 2);
        const model::Span *child = nullptr;
        for (const auto &s : *spans)
            if (s.name == u"GET /items")
                child = &s;
        QVERIFY(child);
        QCOMPARE(child->parentSpanId, id('1', 8));
        QCOMPARE(child->serviceName, QStringLiteral("api"));
        QCOMPARE(child->status, model::Span::Status::Error);
        QCOMPARE(child->duration(), 150 * kMs);
        QCOMPARE(child->events.size(), 1);
        QCOMPARE(child->events.front().name, QStringLiteral("retry"));
        QCOMPARE(child->attributes.front().value.toLongLong(), 500);

        req.expr = QString::fromLatin1(id('c', 16).toHex());
        auto missing = m_ds->query(req, {});
        QVERIFY(!missing);
        QCOMPARE(missing.error().kind, Error::Kind::NotFound);
        req.expr = QStringLiteral("not-an-id");
        QVERIFY(!m_ds->query(req, {}));
    }

    void profileQueryGivesAMergedTree()
    {
        auto r = m_ds->query(request(QStringLiteral("profile"),
                                     QStringLiteral(R"(process_cpu:cpu:nanoseconds:cpu:nanoseconds{service_name="api"})")), {});
        QVERIFY2(r.has_value(), errorText(r).constData());
        QCOMPARE(r->size(), 1);
        const Frame &f = r->front();
        QCOMPARE(f.kind(), FrameKind::ProfileTree);
        // Pre-order nested set: total, main, idle, work (children by name).
        QCOMPARE(f.field(u"label")->strings(),
                 (QStringList{QStringLiteral("total"), QStringLiteral("main"), QStringLiteral("idle"), QStringLiteral("work")}));
        QCOMPARE(f.field(u"value")->int64s(), (QList<std::int64_t>{45, 45, 5, 40}));
        QCOMPARE(f.field(u"level")->int64s(), (QList<std::int64_t>{0, 1, 2, 2}));

        auto noType = m_ds->query(request(QStringLiteral("profile"), QStringLiteral(R"({service_name="api"})")), {});
        QVERIFY(!noType);
        QVERIFY(noType.error().message.contains(u"profile type"));
    }

    void labelLookupsPerLanguage()
    {
        LabelLookup logs{QStringLiteral("logql"), 0, 0, {}};
        QCOMPARE(m_ds->lookupLabelNames(logs, {}).value(), QStringList{QStringLiteral("job")});
        QCOMPARE(m_ds->lookupLabelValues(QStringLiteral("job"), logs, {}).value(),
                 (QStringList{QStringLiteral("api"), QStringLiteral("db")}));
        logs.selector = QStringLiteral(R"({job="db"})");
        QCOMPARE(m_ds->lookupLabelValues(QStringLiteral("job"), logs, {}).value(), QStringList{QStringLiteral("db")});

        LabelLookup traces{QStringLiteral("traceql"), 0, 0, {}};
        const QStringList names = m_ds->lookupLabelNames(traces, {}).value();
        QVERIFY(names.contains(QStringLiteral("resource.service.name")));
        QVERIFY(names.contains(QStringLiteral("name")));
        QStringList services = m_ds->lookupLabelValues(QStringLiteral("resource.service.name"), traces, {}).value();
        services.sort();
        QCOMPARE(services, (QStringList{QStringLiteral("api"), QStringLiteral("frontend")}));
        QVERIFY(m_ds->lookupLabelValues(QStringLiteral("name"), traces, {}).value().contains(QStringLiteral("GET /items")));

        LabelLookup profiles{QStringLiteral("profile"), 0, 0, {}};
        QVERIFY(m_ds->lookupLabelNames(profiles, {}).value().contains(QStringLiteral("service_name")));
        QCOMPARE(m_ds->lookupLabelValues(QStringLiteral("__profile_type__"), profiles, {}).value(),
                 QStringList{QStringLiteral("process_cpu:cpu:nanoseconds:cpu:nanoseconds")});
        QCOMPARE(m_ds->lookupLabelValues(QStringLiteral("service_name"), profiles, {}).value(),
                 QStringList{QStringLiteral("api")});

        // No language: PromQL's (empty metric store here).
        QVERIFY(m_ds->lookupLabelNames({}, {}).value().isEmpty());
    }

    void liveTailOverTheStore()
    {
        datasource::LiveTail *tail = m_ds->liveTail();
        QVERIFY(tail);
        TailRequest req;
        req.expr = QStringLiteral(R"({job="tail"} != "skip")");
        req.from = model::nowMs() - 60'000;
        std::mutex mutex;
        QStringList lines;
        CancelToken cancel;
        std::optional<Result<void>> outcome;
        std::thread worker([&] {
            outcome = tail->tail(req, [&](const Frame &f, qint64 dropped) {
                std::lock_guard lock(mutex);
                if (f.kind() != FrameKind::Logs || dropped != 0)
                    lines << QStringLiteral("<bad batch>");
                lines += f.field(u"Line")->strings();
                return true;
            }, cancel);
        });
        auto add = [&](const char *text, model::TimestampMs ms) {
            model::LogRecord r;
            r.time = ms * kMs;
            r.stream = Labels{{QStringLiteral("job"), QStringLiteral("tail")}};
            r.line = QString::fromLatin1(text);
            QVERIFY(m_storage->logs().append({r}).has_value());
        };
        const model::TimestampMs now = model::nowMs();
        add("first", now - 20);
        add("skip me", now - 15);
        add("second", now - 10);
        QVERIFY(QTest::qWaitFor([&] { std::lock_guard lock(mutex); return lines.size() >= 2; }, 20000));
        add("third", model::nowMs());
        QVERIFY(QTest::qWaitFor([&] { std::lock_guard lock(mutex); return lines.size() >= 3; }, 20000));
        cancel.cancel();
        worker.join();
        QVERIFY(outcome && outcome->has_value());
        QCOMPARE(lines, (QStringList{QStringLiteral("first"), QStringLiteral("second"), QStringLiteral("third")}));

        req.expr = QStringLiteral(R"(rate({job="tail"}[1m]))");
        auto metric = tail->tail(req, [](const Frame &, qint64) { return true; }, {});
        QVERIFY(!metric);
        QVERIFY(metric.error().message.contains(u"log queries"));
    }

    void healthCountsEveryStore()
    {
        auto h = m_ds->checkHealth({});
        QVERIFY2(h.has_value(), errorText(h).constData());
        // 8 lines from initTestCase, 4 from the tail test.
        QCOMPARE(*h, QStringLiteral("12 log lines in 3 streams; 3 spans in 2 traces; 2 profiles"));
    }

    void cancelledBeforeStart()
    {
        CancelToken token;
        token.cancel();
        auto r = m_ds->query(request(QStringLiteral("logql"), QStringLiteral(R"({job="api"})")), token);
        QVERIFY(!r);
        QCOMPARE(r.error().kind, Error::Kind::Cancelled);
    }

private:
    QTemporaryDir m_dir;
    std::unique_ptr<store::Storage> m_storage;
    PluginRegistry m_plugins;
    std::unique_ptr<Datasource> m_ds;
};

QTEST_GUILESS_MAIN(TestLocalLanguages)
#include "tst_local_languages.moc"
