#include "core/store/log_store.h"
#include "core/store/storage.h"

#include <QCoreApplication>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <cstdio>

using namespace spyglass;
using namespace spyglass::store;
using model::LogRecord;

namespace {

constexpr std::int64_t kSec = 1'000'000'000;
constexpr std::int64_t kMin = 60 * kSec;
constexpr model::TimestampNs kMax = std::numeric_limits<model::TimestampNs>::max() / 2;

model::LabelMatcher m(model::LabelMatcher::Op op, const QString &name, const QString &value)
{
    return *model::LabelMatcher::create(op, name, value);
}
model::LabelMatcher eq(const QString &name, const QString &value)
{
    return m(model::LabelMatcher::Op::Equal, name, value);
}

LogRecord rec(const model::Labels &stream, model::TimestampNs t, const QString &line,
              model::Labels meta = {})
{
    LogRecord r;
    r.stream = stream;
    r.time = t;
    r.line = line;
    r.structuredMetadata = std::move(meta);
    return r;
}

// The batch the crash writer appends as batch n of a round: 50 lines in two streams.
QList<LogRecord> crashBatch(int round, int n)
{
    QList<LogRecord> out;
    const model::Labels a{{QStringLiteral("job"), QStringLiteral("a")},
                          {QStringLiteral("round"), QString::number(round)}};
    const model::Labels b{{QStringLiteral("job"), QStringLiteral("b")},
                          {QStringLiteral("round"), QString::number(round)}};
    for (int i = 0; i < 50; ++i)
        out.append(rec(i % 2 ? a : b, (std::int64_t(n) * 50 + i) * kSec,
                       QStringLiteral("batch=%1 line=%2 %3").arg(n).arg(i).arg(QString(200, u'x'))));
    return out;
}

int runCrashWriter(const QString &dir, int round)
{
    auto storage = Storage::open(dir);
    if (!storage) {
        std::fprintf(stderr, "open failed: %s\n", qPrintable(storage.error().message));
        return 1;
    }
    for (int n = 0;; ++n) {
        auto r = (*storage)->logs().append(crashBatch(round, n));
        if (!r) {
            std::fprintf(stderr, "append %d failed: %s\n", n, qPrintable(r.error().message));
            return 1;
        }
        std::printf("ACK %d\n", n);
        std::fflush(stdout);
    }
}

} // namespace

class TestLogStore : public QObject
{
    Q_OBJECT
private slots:
    void roundTripWithMetadata()
    {
        QTemporaryDir dir;
        auto s = LogStore::open(dir.filePath(QStringLiteral("logs.db")));
        QVERIFY2(s, qPrintable(s ? QString() : s.error().message));
        const model::Labels api{{QStringLiteral("job"), QStringLiteral("api")},
                                {QStringLiteral("env"), QStringLiteral("prod")}};
        const model::Labels db{{QStringLiteral("job"), QStringLiteral("db")}};
        QList<LogRecord> batch;
        batch << rec(api, 1 * kSec, QStringLiteral("GET /a 200"),
                     model::Labels{{QStringLiteral("trace_id"), QStringLiteral("abc")}})
              << rec(db, 2 * kSec, QStringLiteral("query took 5ms")) << rec(api, 3 * kSec, QStringLiteral("GET /b 500 ünïcode"));
        auto st = (*s)->append(batch);
        QVERIFY(st);
        QCOMPARE(st->lines, 3);
        QCOMPARE(st->streams, 2);
        QCOMPARE(st->newStreams, 2);

        auto all = (*s)->select({eq(QStringLiteral("job"), QStringLiteral("api"))}, 0, kMax,
                                LogDirection::Forward, 0);
        QVERIFY(all);
        QCOMPARE(all->size(), 2);
        QCOMPARE(all->at(0).line, QStringLiteral("GET /a 200"));
        QCOMPARE(all->at(0).time, 1 * kSec);
        QCOMPARE(all->at(0).stream, api);
        QCOMPARE(all->at(0).structuredMetadata.value(u"trace_id"), QStringLiteral("abc"));
        QCOMPARE(all->at(1).line, QStringLiteral("GET /b 500 ünïcode"));
        QVERIFY(all->at(1).structuredMetadata.isEmpty());

        // Regex and negative matchers, backward with a limit.
        auto back = (*s)->select({m(model::LabelMatcher::Op::RegexMatch, QStringLiteral("job"), QStringLiteral("a.*|db"))},
                                 0, kMax, LogDirection::Backward, 2);
        QVERIFY(back);
        QCOMPARE(back->size(), 2);
        QCOMPARE(back->at(0).time, 3 * kSec);
        QCOMPARE(back->at(1).time, 2 * kSec);
        auto notApi = (*s)->select({m(model::LabelMatcher::Op::NotEqual, QStringLiteral("job"), QStringLiteral("api"))},
                                   0, kMax, LogDirection::Forward, 0);
        QVERIFY(notApi);
        QCOMPARE(notApi->size(), 1);
        QCOMPARE(notApi->at(0).line, QStringLiteral("query took 5ms"));

        // End is exclusive, start inclusive.
        auto window = (*s)->select({eq(QStringLiteral("job"), QStringLiteral("api"))}, 1 * kSec, 3 * kSec,
                                   LogDirection::Forward, 0);
        QVERIFY(window);
        QCOMPARE(window->size(), 1);

        auto names = (*s)->labelNames(0, kMax);
        QVERIFY(names);
        QCOMPARE(*names, (QStringList{QStringLiteral("env"), QStringLiteral("job")}));
        auto values = (*s)->labelValues(QStringLiteral("job"), 0, kMax);
        QVERIFY(values);
        QCOMPARE(*values, (QStringList{QStringLiteral("api"), QStringLiteral("db")}));
        // Streams outside the time range do not contribute.
        auto late = (*s)->labelValues(QStringLiteral("job"), 3 * kSec, kMax);
        QVERIFY(late);
        QCOMPARE(*late, QStringList{QStringLiteral("api")});

        auto stats = (*s)->stats();
        QVERIFY(stats);
        QCOMPARE(stats->lines, 3);
        QCOMPARE(stats->streams, 2);
        QVERIFY(stats->chunkBytes > 0);
    }

    void emptyStreamLabelsRefused()
    {
        QTemporaryDir dir;
        auto s = LogStore::open(dir.filePath(QStringLiteral("logs.db")));
        QVERIFY(s);
        auto r = (*s)->append({rec({}, 1, QStringLiteral("x"))});
        QVERIFY(!r);
        QVERIFY(r.error().message.contains(QStringLiteral("no stream labels")));
        auto stats = (*s)->stats();
        QCOMPARE(stats->lines, 0);
    }

    void outOfOrderWithinWindowAndDuplicates()
    {
        QTemporaryDir dir;
        LogStore::Options opt;
        opt.outOfOrderWindowNs = 100 * kSec; // oldest accepted after batch 2: 79 s
        opt.targetChunkRawBytes = 200; // many small chunks, so groups overlap
        auto s = LogStore::open(dir.filePath(QStringLiteral("logs.db")), opt);
        QVERIFY(s);
        const model::Labels l{{QStringLiteral("job"), QStringLiteral("x")}};
        QList<LogRecord> b1;
        for (int i = 0; i < 40; ++i)
            b1 << rec(l, (100 + 2 * i) * kSec, QStringLiteral("even %1").arg(100 + 2 * i));
        QVERIFY((*s)->append(b1));
        // Interleaving lines (older than the newest, within the window),
        // one line far too old, and one exact duplicate.
        QList<LogRecord> b2;
        for (int i = 39; i >= 0; --i)
            b2 << rec(l, (101 + 2 * i) * kSec, QStringLiteral("odd %1").arg(101 + 2 * i));
        b2 << rec(l, 1 * kSec, QStringLiteral("ancient"));
        b2 << rec(l, 101 * kSec, QStringLiteral("odd 101"));
        auto st = (*s)->append(b2);
        QVERIFY(st);
        QCOMPARE(st->tooOld, 1);
        QCOMPARE(st->duplicates, 1);
        QCOMPARE(st->lines, 40);

        auto fwd = (*s)->select({eq(QStringLiteral("job"), QStringLiteral("x"))}, 0, kMax, LogDirection::Forward, 0);
        QVERIFY(fwd);
        QCOMPARE(fwd->size(), 80);
        for (int i = 0; i < 80; ++i) {
            QCOMPARE(fwd->at(i).time, (100 + i) * kSec);
            QVERIFY(fwd->at(i).line.endsWith(QString::number(100 + i)));
        }
        // Backward, streamed block by block, stops at the limit.
        auto back = (*s)->select({eq(QStringLiteral("job"), QStringLiteral("x"))}, 0, kMax, LogDirection::Backward, 5);
        QVERIFY(back);
        QCOMPARE(back->size(), 5);
        QCOMPARE(back->at(0).time, 179 * kSec);
        QCOMPARE(back->at(4).time, 175 * kSec);

        // Lines after everything so far land in chunks of their own, which
        // read() hands out one block at a time.
        QList<LogRecord> b3;
        for (int i = 0; i < 40; ++i)
            b3 << rec(l, (300 + i) * kSec, QStringLiteral("late %1").arg(300 + i));
        QVERIFY((*s)->append(b3));
        auto refs = (*s)->streams({eq(QStringLiteral("job"), QStringLiteral("x"))}, 0, kMax);
        QVERIFY(refs);
        QCOMPARE(refs->size(), 1);
        int blocks = 0;
        qsizetype seen = 0;
        auto r = (*s)->read(refs->at(0).id, 0, kMax, LogDirection::Forward, [&](const LogEntryBlock &b) {
            ++blocks;
            seen += qsizetype(b.entries.size());
            return true;
        });
        QVERIFY(r);
        QCOMPARE(seen, 120);
        QVERIFY(blocks > 2);
    }

    void smallAppendsExtendTheLastChunk()
    {
        QTemporaryDir dir;
        auto s = LogStore::open(dir.filePath(QStringLiteral("logs.db")));
        QVERIFY(s);
        const model::Labels l{{QStringLiteral("job"), QStringLiteral("x")}};
        for (int i = 0; i < 30; ++i)
            QVERIFY((*s)->append({rec(l, i * kSec, QStringLiteral("line %1").arg(i))}));
        auto stats = (*s)->stats();
        QVERIFY(stats);
        QCOMPARE(stats->chunks, 1);
        QCOMPARE(stats->lines, 30);
    }

    void reopenKeepsEverything()
    {
        QTemporaryDir dir;
        const model::Labels l{{QStringLiteral("app"), QStringLiteral("web")}};
        {
            auto st = Storage::open(dir.path());
            QVERIFY2(st, qPrintable(st ? QString() : st.error().message));
            QVERIFY((*st)->logs().append({rec(l, 5, QStringLiteral("hello"),
                                              model::Labels{{QStringLiteral("k"), QStringLiteral("v")}})}));
        }
        QVERIFY(QFile::exists(dir.filePath(QStringLiteral("logs.db"))));
        auto st = Storage::open(dir.path());
        QVERIFY(st);
        auto all = (*st)->logs().select({eq(QStringLiteral("app"), QStringLiteral("web"))}, 0, kMax,
                                        LogDirection::Forward, 0);
        QVERIFY(all);
        QCOMPARE(all->size(), 1);
        QCOMPARE(all->at(0).line, QStringLiteral("hello"));
        QCOMPARE(all->at(0).structuredMetadata.value(u"k"), QStringLiteral("v"));
        // Appending after reopen goes to the same stream.
        auto r = (*st)->logs().append({rec(l, 6, QStringLiteral("again"))});
        QVERIFY(r);
        QCOMPARE(r->newStreams, 0);
    }

    void refusesForeignDatabase()
    {
        QTemporaryDir dir;
        QFile f(dir.filePath(QStringLiteral("logs.db")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("this is not sqlite at all, just some text padding it out to a page............");
        f.close();
        auto s = LogStore::open(f.fileName());
        QVERIFY(!s);
        QVERIFY(!s.error().message.isEmpty());
    }

    void retentionByAgeAndSize()
    {
        QTemporaryDir dir;
        LogStore::Options opt;
        opt.targetChunkRawBytes = 1000;
        opt.outOfOrderWindowNs = std::numeric_limits<std::int64_t>::max() / 4;
        auto s = LogStore::open(dir.filePath(QStringLiteral("logs.db")), opt);
        QVERIFY(s);
        const model::Labels old{{QStringLiteral("job"), QStringLiteral("old")}};
        const model::Labels fresh{{QStringLiteral("job"), QStringLiteral("fresh")}};
        QList<LogRecord> b;
        for (int i = 0; i < 100; ++i) {
            b << rec(old, i * kSec, QStringLiteral("old %1 %2").arg(i).arg(QString(50, u'o')));
            b << rec(fresh, (10000 + i) * kSec, QStringLiteral("fresh %1 %2").arg(i).arg(QString(50, u'f')));
        }
        QVERIFY((*s)->append(b));
        // Age: everything before t=1000s goes; the "old" stream disappears.
        auto r = (*s)->applyRetention(9000 * kSec, 0, 10000 * kSec);
        QVERIFY2(r, qPrintable(r ? QString() : r.error().message));
        QCOMPARE(r->linesDeleted, 100);
        QCOMPARE(r->streamsDeleted, 1);
        auto vals = (*s)->labelValues(QStringLiteral("job"), 0, kMax);
        QCOMPARE(*vals, QStringList{QStringLiteral("fresh")});

        // Size: keep at most half the bytes; the oldest chunks go first.
        auto before = (*s)->stats();
        QVERIFY(before);
        auto r2 = (*s)->applyRetention(0, before->chunkBytes / 2, 0);
        QVERIFY(r2);
        QVERIFY(r2->chunksDeleted > 0);
        auto after = (*s)->stats();
        QVERIFY(after->chunkBytes <= before->chunkBytes / 2);
        auto rest = (*s)->select({}, 0, kMax, LogDirection::Forward, 0);
        QVERIFY(rest);
        QCOMPARE(rest->size(), after->lines);
        QVERIFY(!rest->isEmpty());
        QCOMPARE(rest->last().time, 10099 * kSec); // the newest line survives
        QVERIFY(rest->first().time > 10000 * kSec);
    }

    void killDuringIngestLosesNoAcknowledgedBatch()
    {
        QTemporaryDir dir;
        const int killAfter[] = {1, 7, 30, 3};
        int round = 0;
        for (int acksWanted : killAfter) {
            QProcess child;
            child.start(QCoreApplication::applicationFilePath(),
                        {QStringLiteral("--crash-writer"), dir.path(), QString::number(round)});
            QVERIFY2(child.waitForStarted(), qPrintable(child.errorString()));
            int lastAck = -1;
            QByteArray pending;
            while (lastAck + 1 < acksWanted) {
                if (!child.waitForReadyRead(60000))
                    QFAIL(qPrintable(QString::fromUtf8(child.readAllStandardError())));
                pending += child.readAllStandardOutput();
                qsizetype nl;
                while ((nl = pending.indexOf('\n')) >= 0) {
                    const QByteArray line = pending.left(nl);
                    pending.remove(0, nl + 1);
                    QVERIFY2(line.startsWith("ACK "), line.constData());
                    lastAck = line.mid(4).toInt();
                }
            }
            child.kill(); // SIGKILL on Unix
            QVERIFY(child.waitForFinished());
            pending += child.readAllStandardOutput();
            for (const QByteArray &line : pending.split('\n'))
                if (line.startsWith("ACK "))
                    lastAck = line.mid(4).toInt();

            auto st = Storage::open(dir.path());
            QVERIFY2(st, qPrintable(st ? QString() : st.error().message));
            for (const char *job : {"a", "b"}) {
                auto got = (*st)->logs().select({eq(QStringLiteral("job"), QString::fromLatin1(job)),
                                                 eq(QStringLiteral("round"), QString::number(round))},
                                                0, kMax, LogDirection::Forward, 0);
                QVERIFY2(got, qPrintable(got ? QString() : got.error().message));
                // Every acknowledged batch is complete (25 lines per stream),
                // and an unacknowledged one is all or nothing.
                QVERIFY2(got->size() >= (lastAck + 1) * 25, qPrintable(QString::number(got->size())));
                QCOMPARE(got->size() % 25, 0);
                for (qsizetype i = 0; i < got->size(); ++i)
                    QVERIFY(got->at(i).line.startsWith(
                        QStringLiteral("batch=%1 line=%2 ").arg(i / 25).arg(2 * (i % 25) + (job[0] == 'a' ? 1 : 0))));
            }
            ++round;
        }
    }
};

int main(int argc, char **argv)
{
    if (argc == 4 && qstrcmp(argv[1], "--crash-writer") == 0) {
        QCoreApplication app(argc, argv);
        return runCrashWriter(QString::fromLocal8Bit(argv[2]), QString::fromLocal8Bit(argv[3]).toInt());
    }
    QCoreApplication app(argc, argv);
    TestLogStore t;
    return QTest::qExec(&t, argc, argv);
}

#include "tst_log_store.moc"
