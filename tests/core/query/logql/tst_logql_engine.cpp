// LogQL over a real on-disk log store, with hand-computed expected results
// for the constructs Loki's documentation shows.
#include "core/query/logql/engine.h"
#include "core/query/logql/parser.h"
#include "core/store/log_store.h"

#include <QTemporaryDir>
#include <QTest>

using namespace spyglass;
using namespace spyglass::query::logql;
using model::Labels;

namespace {

constexpr std::int64_t kSec = 1'000'000'000;

model::LogRecord rec(const Labels &stream, std::int64_t sec, const QString &line, Labels meta = {})
{
    model::LogRecord r;
    r.stream = stream;
    r.time = sec * kSec;
    r.line = line;
    r.structuredMetadata = std::move(meta);
    return r;
}

QString L(const char *s)
{
    return QString::fromUtf8(s);
}

} // namespace

class TestLogqlEngine : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<store::LogStore> m_store;

    LogqlResult run(const QString &q, bool forward = true, qsizetype limit = 1000)
    {
        LogqlQuery query;
        query.expr = q;
        query.start = 0;
        query.end = 100 * kSec;
        query.direction = forward ? store::LogDirection::Forward : store::LogDirection::Backward;
        query.limit = limit;
        LogqlEngine engine(*m_store);
        auto r = engine.exec(query);
        if (!r)
            qWarning() << q << r.error().message;
        return r ? *r : LogqlResult{};
    }

    // All lines of a log query in time order, as "line" strings.
    QStringList lines(const QString &q)
    {
        auto r = run(q);
        QList<std::pair<std::int64_t, QString>> all;
        for (const auto &s : r.streams)
            for (const auto &e : s.entries)
                all.append({e.time, e.line});
        std::stable_sort(all.begin(), all.end(), [](auto &a, auto &b) { return a.first < b.first; });
        QStringList out;
        for (auto &[t, l] : all)
            out << l;
        return out;
    }

    // The label sets of a log query's streams, as strings, sorted.
    QStringList streamLabels(const QString &q)
    {
        QStringList out;
        for (const auto &s : run(q).streams)
            out << s.labels.toString();
        out.sort();
        return out;
    }

    LogqlResult instant(const QString &q, std::int64_t atSec = 60)
    {
        LogqlQuery query;
        query.expr = q;
        query.start = query.end = atSec * kSec;
        query.instant = true;
        LogqlEngine engine(*m_store);
        auto r = engine.exec(query);
        if (!r)
            qWarning() << q << r.error().message;
        return r ? *r : LogqlResult{};
    }

    // "labels=value" per series of an instant query, sorted.
    QStringList vec(const QString &q, std::int64_t atSec = 60)
    {
        QStringList out;
        for (const auto &s : instant(q, atSec).series)
            out << s.labels.toString() + u'=' + QString::number(s.points.front().second);
        out.sort();
        return out;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        auto s = store::LogStore::open(m_dir.filePath(QStringLiteral("logs.db")));
        QVERIFY(s);
        m_store = std::move(*s);
        const Labels logfmt{{L("job"), L("logfmt")}};
        const Labels json{{L("job"), L("json")}};
        const Labels plain{{L("job"), L("plain")}, {L("host"), L("h1")}};
        const Labels packed{{L("job"), L("packed")}};
        QList<model::LogRecord> b;
        b << rec(logfmt, 1, L("level=info method=GET path=/a status=200 duration=15ms size=1KB"))
          << rec(logfmt, 2, L("level=error method=POST path=/b status=500 duration=250ms size=2KB"))
          << rec(logfmt, 3, L("level=info method=GET path=/c status=404 duration=1.5s size=512B"))
          << rec(logfmt, 4, L("level=warn method=PUT path=/a status=503 duration=50ms size=3KB msg=\"slow down\""))
          << rec(json, 1, L(R"({"level":"info","msg":"hello","req":{"method":"GET","status":200},"tags":["a","b"]})"))
          << rec(json, 2, L(R"({"level":"error","msg":"boom","req":{"method":"POST","status":500},"tags":["c"]})"))
          << rec(plain, 1, L("GET /index.html 200 10.0.0.5"))
          << rec(plain, 2, L("\x1b[31mPOST /api 500 192.168.1.7\x1b[0m"))
          << rec(packed, 5, L(R"({"_entry":"original line","pod":"p1","container":"c1"})"),
                 Labels{{L("trace_id"), L("abc123")}});
        auto r = m_store->append(b);
        QVERIFY(r);
        QCOMPARE(r->lines, 9);
    }

    void lineFilters()
    {
        QCOMPARE(lines(L(R"({job="logfmt"} |= "error")")), QStringList{L("level=error method=POST path=/b status=500 duration=250ms size=2KB")});
        QCOMPARE(lines(L(R"({job="logfmt"} != "GET" |~ "status=5..")")).size(), 2);
        QCOMPARE(lines(L(R"({job="logfmt"} |= "path=/b" or "path=/c")")).size(), 2);
        QCOMPARE(lines(L(R"({job="logfmt"} != "path=/b" or "path=/c")")).size(), 2);
        QCOMPARE(lines(L(R"({job="logfmt"} |~ "(?i)LEVEL=WARN")")).size(), 1);
        QCOMPARE(lines(L(R"({job="logfmt"} !~ "status=[45]..")")).size(), 1);
        QCOMPARE(lines(L(R"({job="logfmt"} |> "<_> method=GET <_>")")).size(), 2);
        QCOMPARE(lines(L(R"({job="logfmt"} !> "<_> method=GET <_>")")).size(), 2);
        QCOMPARE(lines(L(R"({job=~"log.*|plain"} |= ip("10.0.0.0/24"))")), QStringList{L("GET /index.html 200 10.0.0.5")});
        QCOMPARE(lines(L(R"({job="plain"} != ip("192.168.1.1-192.168.1.10"))")).size(), 1);
        QCOMPARE(lines(L(R"({job="plain"} |= "")")).size(), 2);
    }

    void selectorsAndDirection()
    {
        QCOMPARE(lines(L(R"({job=~"logfmt|json"})")).size(), 6);
        QCOMPARE(lines(L(R"({job!="logfmt", job=~".+"})")).size(), 5);
        QCOMPARE(lines(L(R"({job="nope"})")).size(), 0);
        auto back = run(L(R"({job="logfmt"})"), false, 2);
        QCOMPARE(back.streams.size(), 1);
        QCOMPARE(back.streams[0].entries.size(), 2);
        QCOMPARE(back.streams[0].entries[0].time, 4 * kSec);
        QCOMPARE(back.streams[0].entries[1].time, 3 * kSec);
        auto fwd = run(L(R"({job="logfmt"})"), true, 2);
        QCOMPARE(fwd.streams[0].entries[0].time, 1 * kSec);
    }

    void logfmtAndLabelFilters()
    {
        QCOMPARE(streamLabels(L(R"({job="logfmt"} | logfmt | status >= 500 and method="POST")")),
                 QStringList{L(R"({duration="250ms", job="logfmt", level="error", method="POST", path="/b", size="2KB", status="500"})")});
        QCOMPARE(lines(L(R"({job="logfmt"} | logfmt | status >= 500)")).size(), 2);
        QCOMPARE(lines(L(R"({job="logfmt"} | logfmt | status == 404 or status == 200)")).size(), 2);
        QCOMPARE(lines(L(R"({job="logfmt"} | logfmt | (status = 200 or status = 404), method="GET")")).size(), 2);
        QCOMPARE(lines(L(R"({job="logfmt"} | logfmt | duration > 100ms)")).size(), 2);
        QCOMPARE(lines(L(R"({job="logfmt"} | logfmt | duration >= 1s)")).size(), 1);
        QCOMPARE(lines(L(R"({job="logfmt"} | logfmt | size > 1.5KB)")).size(), 2);
        QCOMPARE(lines(L(R"({job="logfmt"} | logfmt | level=~"warn|error" | path!="/a")")).size(), 1);
        QCOMPARE(lines(L(R"({job="logfmt"} | logfmt | msg="slow down")")).size(), 1);
        // Extraction with renaming, only the named keys.
        auto r = run(L(R"({job="logfmt"} |= "PUT" | logfmt m="method", path)"));
        QCOMPARE(r.streams.size(), 1);
        QCOMPARE(r.streams[0].labels, (Labels{{L("job"), L("logfmt")}, {L("m"), L("PUT")}, {L("path"), L("/a")}}));
        QCOMPARE(r.streams[0].entries[0].parsed, (Labels{{L("m"), L("PUT")}, {L("path"), L("/a")}}));
    }

    void logfmtStrictAndKeepEmpty()
    {
        m_store->append({rec(Labels{{L("job"), L("fmt2")}}, 7, L("a=1 standalone b=\"unterminated"))});
        auto loose = run(L(R"({job="fmt2"} | logfmt)"));
        QCOMPARE(loose.streams[0].labels.value(u"a"), L("1"));
        QVERIFY(!loose.streams[0].labels.has(u"__error__"));
        QVERIFY(!loose.streams[0].labels.has(u"standalone"));
        auto strict = run(L(R"({job="fmt2"} | logfmt --strict)"));
        QCOMPARE(strict.streams[0].labels.value(u"__error__"), L("LogfmtParserErr"));
        auto keep = run(L(R"({job="fmt2"} |= "standalone" | logfmt --keep-empty | __error__="")"));
        QVERIFY(keep.streams[0].labels.has(u"a"));
    }

    void jsonParser()
    {
        QCOMPARE(streamLabels(L(R"({job="json"} | json | level="error")")),
                 QStringList{L(R"({job="json", level="error", msg="boom", req_method="POST", req_status="500"})")});
        auto r = run(L(R"({job="json"} | json m="req.method", first_tag="tags[0]", req | m="GET")"));
        QCOMPARE(r.streams.size(), 1);
        QCOMPARE(r.streams[0].labels.value(u"m"), L("GET"));
        QCOMPARE(r.streams[0].labels.value(u"first_tag"), L("a"));
        QCOMPARE(r.streams[0].labels.value(u"req"), L(R"({"method":"GET","status":200})"));
        // Parse errors show as __error__ and are filtered with __error__="".
        QCOMPARE(streamLabels(L(R"({job="plain"} | json)")).size(), 1);
        QCOMPARE(run(L(R"({job="plain"} | json)")).streams[0].labels.value(u"__error__"), L("JSONParserErr"));
        QCOMPARE(lines(L(R"({job="plain"} | json | __error__="")")).size(), 0);
        QCOMPARE(lines(L(R"({job="plain"} | json | __error__!="")")).size(), 2);
        QCOMPARE(streamLabels(L(R"({job="plain"} | json | drop __error__, __error_details__)")),
                 QStringList{L(R"({host="h1", job="plain"})")});
        // A parsed key that collides with a stream label gets _extracted.
        m_store->append({rec(Labels{{L("job"), L("clash")}}, 8, L(R"({"job":"inner"})"))});
        QCOMPARE(streamLabels(L(R"({job="clash"} | json)")), QStringList{L(R"({job="clash", job_extracted="inner"})")});
    }

    void regexpAndPattern()
    {
        QCOMPARE(streamLabels(L(R"~({job="plain"} | regexp "(?P<method>\\w+) (?P<path>\\S+) (?P<status>\\d+)" | status="200")~")),
                 QStringList{L(R"({host="h1", job="plain", method="GET", path="/index.html", status="200"})")});
        QCOMPARE(streamLabels(L(R"({job="plain"} |= "GET" | pattern "<method> <path> <_> <ip>")")),
                 QStringList{L(R"({host="h1", ip="10.0.0.5", job="plain", method="GET", path="/index.html"})")});
        // ip() as a label filter.
        QCOMPARE(lines(L(R"({job="plain"} | decolorize | pattern "<_> <_> <_> <ip>" | ip = ip("192.168.1.0/24"))")).size(), 1);
    }

    void formatting()
    {
        QCOMPARE(lines(L(R"({job="logfmt"} | logfmt | status=500 | line_format `{{.method | ToLower}} {{.path}} {{printf "%05d" .status}} {{ default "-" .missing }}`)")),
                 QStringList{L("post /b 00500 -")});
        QCOMPARE(lines(L(R"~({job="logfmt"} |= "PUT" | logfmt | line_format `{{ if eq .level "warn" }}W{{ else }}other{{ end }}:{{ regexReplaceAll "/(\\w)" .path "[$1]" }} {{ __line__ | len }}`)~")),
                 QStringList{L("W:[a] 79")});
        QCOMPARE(lines(L(R"({job="logfmt"} |= "PUT" | line_format `{{ __timestamp__ | unixEpoch }} {{ date "2006-01-02T15:04:05" __timestamp__ }}`)")),
                 QStringList{L("4 1970-01-01T00:00:04")});
        QCOMPARE(streamLabels(L(R"({job="logfmt"} |= "PUT" | logfmt | keep method, status | label_format verb=method, code="{{.status}}x")")),
                 QStringList{L(R"({code="503x", status="503", verb="PUT"})")});
        QCOMPARE(streamLabels(L(R"({job="logfmt"} |= "PUT" | logfmt | drop size, duration, msg, level="info", path=~"/b.*" | keep job, level, path)")),
                 QStringList{L(R"({job="logfmt", level="warn", path="/a"})")});
        QCOMPARE(lines(L(R"({job="plain"} |= "POST" | decolorize)")), QStringList{L("POST /api 500 192.168.1.7")});
    }

    void unpackAndMetadata()
    {
        auto r = run(L(R"({job="packed"} | unpack)"));
        QCOMPARE(r.streams.size(), 1);
        QCOMPARE(r.streams[0].entries[0].line, L("original line"));
        QCOMPARE(r.streams[0].labels, (Labels{{L("container"), L("c1")}, {L("job"), L("packed")},
                                              {L("pod"), L("p1")}, {L("trace_id"), L("abc123")}}));
        QCOMPARE(r.streams[0].entries[0].metadata, (Labels{{L("trace_id"), L("abc123")}}));
        QCOMPARE(lines(L(R"({job="packed"} | trace_id="abc123")")).size(), 1);
        QCOMPARE(lines(L(R"({job="packed"} | trace_id="other")")).size(), 0);
        auto frames = r.toFrames();
        QCOMPARE(frames.size(), 1);
        QCOMPARE(frames[0].kind(), model::FrameKind::Logs);
        QVERIFY(frames[0].isConsistent());
        QCOMPARE(frames[0].field(u"Line")->strings().at(0), L("original line"));
        QCOMPARE(frames[0].field(u"tsNs")->int64s().at(0), 5 * kSec);
        QCOMPARE(frames[0].field(u"Time")->int64s().at(0), 5000);
    }

    void rangeAggregations()
    {
        QCOMPARE(vec(L(R"(count_over_time({job="logfmt"}[1m]))")), QStringList{L(R"({job="logfmt"}=4)")});
        QCOMPARE(vec(L(R"(count_over_time({job="logfmt"}[2s]))"), 4), QStringList{L(R"({job="logfmt"}=2)")}); // (2s, 4s]
        QCOMPARE(vec(L(R"(rate({job="logfmt"} |= "GET" [1m]))")), QStringList{L(R"({job="logfmt"}=%1)").arg(2.0 / 60)});
        QCOMPARE(vec(L(R"(bytes_over_time({job="plain"}[1m]))")), QStringList{L(R"({host="h1", job="plain"}=%1)").arg(28 + 34)});
        QCOMPARE(vec(L(R"(bytes_rate({job="plain"}[10s]))"), 5), QStringList{L(R"({host="h1", job="plain"}=6.2)")});
        QCOMPARE(vec(L(R"(sum by (level) (count_over_time({job="logfmt"} | logfmt [1m])))")),
                 (QStringList{L(R"({level="error"}=1)"), L(R"({level="info"}=2)"), L(R"({level="warn"}=1)")}));
        QCOMPARE(vec(L(R"(sum_over_time({job="logfmt"} | logfmt | unwrap duration(duration) [1m]) by (method))")),
                 (QStringList{L(R"({method="GET"}=1.515)"), L(R"({method="POST"}=0.25)"), L(R"({method="PUT"}=0.05)")}));
        QCOMPARE(vec(L(R"(max_over_time({job="logfmt"} | logfmt | unwrap bytes(size) [1m]) by (job))")),
                 QStringList{L(R"({job="logfmt"}=3000)")});
        QCOMPARE(vec(L(R"(avg_over_time({job="logfmt"} | logfmt | unwrap status [1m]) without (level, method, path, duration, size, msg))")),
                 QStringList{L(R"({job="logfmt"}=401.75)")});
        QCOMPARE(vec(L(R"(quantile_over_time(0.5, {job="logfmt"} | logfmt | unwrap status [1m]) by (job))")),
                 QStringList{L(R"({job="logfmt"}=452)")});
        QCOMPARE(vec(L(R"(first_over_time({job="logfmt"} | logfmt | unwrap status [1m]) by (job))")), QStringList{L(R"({job="logfmt"}=200)")});
        QCOMPARE(vec(L(R"(last_over_time({job="logfmt"} | logfmt | unwrap status [1m]) by (job))")), QStringList{L(R"({job="logfmt"}=503)")});
        QCOMPARE(vec(L(R"(min_over_time({job="logfmt"} | logfmt | unwrap status [1m]) by (job))")), QStringList{L(R"({job="logfmt"}=200)")});
        QCOMPARE(vec(L(R"(stdvar_over_time({job="logfmt"} | logfmt | unwrap status | __error__="" [1m]) by (job))")),
                 QStringList{L(R"({job="logfmt"}=%1)").arg(15153.1875)});
        QCOMPARE(vec(L(R"(absent_over_time({job="nope"}[1m]))")), QStringList{L(R"({job="nope"}=1)")});
        QCOMPARE(vec(L(R"(absent_over_time({job="logfmt"}[1m]))")), QStringList{});
        // offset moves the window back: (0s, 5s] at t=65s with offset 1m.
        QCOMPARE(vec(L(R"(count_over_time({job="logfmt"}[5s] offset 1m))"), 65), QStringList{L(R"({job="logfmt"}=4)")});
        // The range may come before the pipeline.
        QCOMPARE(vec(L(R"(count_over_time({job="logfmt"}[1m] |= "GET"))")), QStringList{L(R"({job="logfmt"}=2)")});
    }

    void metricErrors()
    {
        LogqlQuery q;
        q.expr = L(R"(count_over_time({job="plain"} | json [1m]))");
        q.start = q.end = 60 * kSec;
        q.instant = true;
        LogqlEngine engine(*m_store);
        auto r = engine.exec(q);
        QVERIFY(!r);
        QVERIFY2(r.error().message.startsWith(L("pipeline error: 'JSONParserErr'")), qPrintable(r.error().message));
        q.expr = L(R"(count_over_time({job="plain"} | json | drop __error__, __error_details__ [1m]))");
        QVERIFY(engine.exec(q));
    }

    void vectorAggregationsAndBinaryOps()
    {
        const QString byLevel = L(R"(sum by (level) (count_over_time({job="logfmt"} | logfmt [1m])))");
        QCOMPARE(vec(L("topk(1, %1)").arg(byLevel)), QStringList{L(R"({level="info"}=2)")});
        QCOMPARE(vec(L("bottomk(2, %1)").arg(byLevel)).size(), 2);
        QCOMPARE(vec(L("count(%1)").arg(byLevel)), QStringList{L("{}=3")});
        QCOMPARE(vec(L("max(%1)").arg(byLevel)), QStringList{L("{}=2")});
        QCOMPARE(vec(L("avg(%1)").arg(byLevel)), QStringList{L("{}=%1").arg(4.0 / 3)});
        QCOMPARE(vec(L("stddev(%1)").arg(byLevel)), QStringList{L("{}=%1").arg(std::sqrt(2.0 / 9))});
        QCOMPARE(vec(L("%1 * 10").arg(byLevel)), (QStringList{L(R"({level="error"}=10)"), L(R"({level="info"}=20)"), L(R"({level="warn"}=10)")}));
        QCOMPARE(vec(L("%1 > 1").arg(byLevel)), QStringList{L(R"({level="info"}=2)")});
        QCOMPARE(vec(L("%1 > bool 1").arg(byLevel)).size(), 3);
        QCOMPARE(vec(L("%1 / on(level) %1").arg(byLevel)).size(), 3);
        QCOMPARE(vec(L(R"(%1 and on(level) sum by (level) (count_over_time({job="logfmt"} |= "GET" | logfmt [1m])))").arg(byLevel)),
                 QStringList{L(R"({level="info"}=2)")});
        QCOMPARE(vec(L(R"(%1 unless sum by (level) (count_over_time({job="logfmt"} |= "GET" | logfmt [1m])))").arg(byLevel)).size(), 2);
        QCOMPARE(vec(L(R"(sum(count_over_time({job="logfmt"}[1m])) + sum(count_over_time({job="json"}[1m])))")), QStringList{L("{}=6")});
        QCOMPARE(vec(L(R"(label_replace(%1, "lvl", "L-$1", "level", "(.)nfo"))").arg(byLevel)),
                 (QStringList{L(R"({level="error"}=1)"), L(R"({level="info", lvl="L-i"}=2)"), L(R"({level="warn"}=1)")}));
        QCOMPARE(vec(L("vector(1) + vector(2)")), QStringList{L("{}=3")});
        auto s = instant(L("2 * 3 + 1"));
        QCOMPARE(s.type, LogqlResult::Type::Scalar);
        QCOMPARE(s.scalar, 7.0);
        auto sorted = instant(L("sort_desc(%1)").arg(byLevel));
        QCOMPARE(sorted.series.front().labels.value(u"level"), L("info"));
    }

    void rangeQuerySteps()
    {
        LogqlQuery q;
        q.expr = L(R"(count_over_time({job="logfmt"}[2s]))");
        q.start = 1 * kSec;
        q.end = 5 * kSec;
        q.stepNs = 2 * kSec;
        LogqlEngine engine(*m_store);
        auto r = engine.exec(q);
        QVERIFY(r);
        QCOMPARE(r->type, LogqlResult::Type::Matrix);
        QCOMPARE(r->series.size(), 1);
        // t=1: (−1,1] -> 1; t=3: (1,3] -> 2; t=5: (3,5] -> 1
        QCOMPARE(r->series[0].points.size(), 3);
        QCOMPARE(r->series[0].points[0], (std::pair<std::int64_t, double>{1 * kSec, 1}));
        QCOMPARE(r->series[0].points[1], (std::pair<std::int64_t, double>{3 * kSec, 2}));
        QCOMPARE(r->series[0].points[2], (std::pair<std::int64_t, double>{5 * kSec, 1}));
        auto frames = r->toFrames();
        QCOMPARE(frames.size(), 1);
        QCOMPARE(frames[0].kind(), model::FrameKind::TimeSeries);
        QCOMPARE(frames[0].seriesLabels(), (Labels{{L("job"), L("logfmt")}}));
    }

    void cancellation()
    {
        LogqlQuery q;
        q.expr = L(R"({job="logfmt"})");
        q.end = 100 * kSec;
        CancelToken c;
        c.cancel();
        LogqlEngine engine(*m_store);
        auto r = engine.exec(q, c);
        QVERIFY(!r);
        QCOMPARE(r.error().kind, Error::Kind::Cancelled);
    }
};

QTEST_GUILESS_MAIN(TestLogqlEngine)
#include "tst_logql_engine.moc"
