#include "core/model/label_matcher.h"
#include "core/store/storage.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <atomic>
#include <bit>
#include <sqlite3.h>
#include <thread>

using namespace spyglass;
using namespace spyglass::store;
using model::LabelMatcher;
using model::Labels;
using model::Sample;
using Op = LabelMatcher::Op;

namespace {

Labels L(std::initializer_list<std::pair<const char *, const char *>> pairs)
{
    QList<model::Label> out;
    for (const auto &[n, v] : pairs)
        out.push_back({QString::fromUtf8(n), QString::fromUtf8(v)});
    return Labels(out);
}

LabelMatcher m(Op op, const char *name, const char *value)
{
    return *LabelMatcher::create(op, QString::fromUtf8(name), QString::fromUtf8(value));
}

QList<Sample> ramp(std::int64_t t0, int n, std::int64_t step, double v0, double dv)
{
    QList<Sample> s;
    for (int i = 0; i < n; ++i)
        s.push_back({t0 + i * step, v0 + i * dv});
    return s;
}

std::unique_ptr<Storage> openOk(const QString &dir)
{
    auto s = Storage::open(dir);
    if (!s)
        qWarning() << s.error().message;
    return s ? std::move(*s) : nullptr;
}

SeriesId idOf(MetricStore &ms, const Labels &labels)
{
    model::LabelMatchers q;
    for (const auto &l : labels)
        q.push_back(*LabelMatcher::create(Op::Equal, l.name, l.value));
    auto r = ms.select(q);
    for (const auto &ref : *r)
        if (ref.labels == labels)
            return ref.id;
    return 0;
}

QList<Sample> readAll(MetricStore &ms, SeriesId id)
{
    auto r = ms.samples(id, std::numeric_limits<std::int64_t>::min(),
                        std::numeric_limits<std::int64_t>::max());
    return r ? *r : QList<Sample>{};
}

bool sameBits(const QList<Sample> &a, const QList<Sample> &b)
{
    if (a.size() != b.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i)
        if (a[i].t != b[i].t || std::bit_cast<quint64>(a[i].v) != std::bit_cast<quint64>(b[i].v))
            return false;
    return true;
}

// Direct SQL on the catalog, to set up situations the API cannot produce.
void rawExec(const QString &db, const char *sql)
{
    sqlite3 *h = nullptr;
    QCOMPARE(sqlite3_open(db.toUtf8().constData(), &h), SQLITE_OK);
    char *err = nullptr;
    const int rc = sqlite3_exec(h, sql, nullptr, nullptr, &err);
    if (rc != SQLITE_OK)
        qWarning() << "raw SQL failed:" << err;
    sqlite3_free(err);
    sqlite3_close(h);
    QCOMPARE(rc, SQLITE_OK);
}

} // namespace

class TestMetricStore : public QObject
{
    Q_OBJECT
private slots:
    void appendAndReadWindows()
    {
        QTemporaryDir dir;
        auto st = openOk(dir.path());
        QVERIFY(st);
        MetricStore &ms = st->metrics();
        const Labels a = L({{"__name__", "req"}, {"job", "a"}});
        const Labels b = L({{"__name__", "req"}, {"job", "b"}});
        SampleBatch batch;
        batch.series.push_back({a, ramp(1'700'000'000'000, 1000, 15000, 0, 1)});
        batch.series.push_back({b, ramp(1'700'000'000'000, 1000, 15000, 100, 0.5)});
        auto r = ms.append(batch);
        QVERIFY2(r.has_value(), qPrintable(r ? QString() : r.error().message));
        QCOMPARE(r->samples, 2000);
        QCOMPARE(r->series, 2);
        QCOMPARE(r->newSeries, 2);

        const SeriesId ida = idOf(ms, a);
        QVERIFY(ida > 0);
        QVERIFY(sameBits(readAll(ms, ida), batch.series[0].samples));
        // Window boundaries are inclusive on both ends.
        auto w = ms.samples(ida, 1'700'000'000'000 + 15000 * 200, 1'700'000'000'000 + 15000 * 450);
        QVERIFY(w.has_value());
        QCOMPARE(w->size(), 251);
        QCOMPARE(w->front().v, 200.0);
        QCOMPARE(w->back().v, 450.0);
        // Between samples, before and after the data, inverted window.
        QCOMPARE(ms.samples(ida, 1'700'000'000'001, 1'700'000'000'002)->size(), 0);
        QCOMPARE(ms.samples(ida, 0, 1'600'000'000'000)->size(), 0);
        QCOMPARE(ms.samples(ida, 1'800'000'000'000, 1'900'000'000'000)->size(), 0);
        QCOMPARE(ms.samples(ida, 1'700'000'000'000 + 15000 * 5, 1'700'000'000'000)->size(), 0);
        QCOMPARE(ms.samples(99999, 0, std::numeric_limits<std::int64_t>::max())->size(), 0);

        auto stats = ms.stats();
        QVERIFY(stats.has_value());
        QCOMPARE(stats->series, 2);
        QCOMPARE(stats->samples, 2000);
        QCOMPARE(stats->chunks, 2 * 9); // 1000 samples: 8 full chunks of 120 + 40
        QCOMPARE(stats->minTime, 1'700'000'000'000);
        QCOMPARE(stats->maxTime, 1'700'000'000'000 + 999 * 15000);
        QVERIFY(stats->chunkBytes > 0 && stats->chunkBytes < 2000 * 4);
        QVERIFY(stats->fileBytes > stats->chunkBytes);
    }

    void specialValuesSurvive()
    {
        QTemporaryDir dir;
        auto st = openOk(dir.path());
        const QList<Sample> s{{1, 1.0},
                              {2, std::numeric_limits<double>::quiet_NaN()},
                              {3, model::staleNaN()},
                              {4, -std::numeric_limits<double>::infinity()},
                              {5, -0.0}};
        SampleBatch batch;
        batch.series.push_back({L({{"__name__", "x"}}), s});
        QVERIFY(st->metrics().append(batch).has_value());
        const auto got = readAll(st->metrics(), idOf(st->metrics(), L({{"__name__", "x"}})));
        QVERIFY(sameBits(got, s));
        QVERIFY(model::isStaleNaN(got[2].v));
    }

    void extremeTimestamps()
    {
        QTemporaryDir dir;
        auto st = openOk(dir.path());
        MetricStore &ms = st->metrics();
        const std::int64_t mn = std::numeric_limits<std::int64_t>::min();
        const std::int64_t mx = std::numeric_limits<std::int64_t>::max();
        const QList<Sample> s{{mn, 1}, {-1, 2}, {0, 3}, {mx, 4}};
        SampleBatch b;
        b.series.push_back({L({{"__name__", "edge"}}), s});
        QVERIFY(ms.append(b).has_value());
        const SeriesId id = idOf(ms, L({{"__name__", "edge"}}));
        QVERIFY(sameBits(readAll(ms, id), s));
        QCOMPARE(ms.samples(id, mx, mx)->size(), 1);
        QCOMPARE(ms.samples(id, mn, mn)->size(), 1);
        QCOMPARE(ms.samples(id, -1, 0)->size(), 2);
        QCOMPARE(ms.samples(id, 1, mx - 1)->size(), 0);
        // A second, ordinary series is still found through the (now
        // saturated) span bound.
        SampleBatch b2;
        b2.series.push_back({L({{"__name__", "normal"}}), ramp(1000, 10, 1000, 0, 1)});
        QVERIFY(ms.append(b2).has_value());
        QCOMPARE(ms.samples(idOf(ms, L({{"__name__", "normal"}})), 3000, 5000)->size(), 3);
        QCOMPARE(ms.stats()->minTime, mn);
        QCOMPARE(ms.stats()->maxTime, mx);
    }

    void scrapeAppendsFillChunks()
    {
        // One sample per append, like a scrape: chunks are grown, not
        // multiplied.
        QTemporaryDir dir;
        auto st = openOk(dir.path());
        MetricStore &ms = st->metrics();
        const Labels l = L({{"__name__", "up"}});
        for (int i = 0; i < 300; ++i) {
            SampleBatch b;
            b.series.push_back({l, {{i * 15000LL, double(i)}}});
            auto r = ms.append(b);
            QVERIFY(r.has_value());
            QCOMPARE(r->newSeries, i == 0 ? 1 : 0);
        }
        QCOMPARE(ms.stats()->chunks, 3);
        QVERIFY(sameBits(readAll(ms, idOf(ms, l)), ramp(0, 300, 15000, 0, 1)));
    }

    void overlappingWritesLatestWins()
    {
        QTemporaryDir dir;
        auto st = openOk(dir.path());
        MetricStore &ms = st->metrics();
        const Labels l = L({{"__name__", "g"}});
        auto put = [&](QList<Sample> s) {
            SampleBatch b;
            b.series.push_back({l, std::move(s)});
            QVERIFY(ms.append(b).has_value());
        };
        put(ramp(0, 100, 10, 1, 0));   // t 0..990 value 1
        put(ramp(500, 100, 10, 2, 0)); // t 500..1490 value 2, overlapping
        put({{600, 3}});               // one overwrite in the middle
        put(ramp(-200, 10, 10, 4, 0)); // before everything
        const SeriesId id = idOf(ms, l);
        const auto got = readAll(ms, id);
        QCOMPARE(got.size(), 10 + 150);
        for (const auto &s : got) {
            double want = s.t < 0 ? 4 : s.t < 500 ? 1 : 2;
            if (s.t == 600)
                want = 3;
            QVERIFY2(s.v == want,
                     qPrintable(QStringLiteral("t=%1 v=%2 want %3").arg(s.t).arg(s.v).arg(want)));
        }
        for (qsizetype i = 1; i < got.size(); ++i)
            QVERIFY(got[i - 1].t < got[i].t);
        // A window inside the overlap.
        auto w = ms.samples(id, 580, 620);
        QCOMPARE(w->size(), 5);
        QCOMPARE((*w)[2].v, 3.0);
        QCOMPARE((*w)[1].v, 2.0);
    }

    void unsortedAndDuplicateInputInOneBatch()
    {
        QTemporaryDir dir;
        auto st = openOk(dir.path());
        MetricStore &ms = st->metrics();
        const Labels l = L({{"__name__", "u"}});
        SampleBatch b;
        b.series.push_back({l, {{30, 3}, {10, 1}, {20, 2}, {10, 9}}});
        b.series.push_back({l, {{20, 7}, {40, 4}}}); // same series again: later wins
        QVERIFY(ms.append(b).has_value());
        QVERIFY(sameBits(readAll(ms, idOf(ms, l)),
                         (QList<Sample>{{10, 9}, {20, 7}, {30, 3}, {40, 4}})));
        QCOMPARE(ms.stats()->series, 1);
    }

    void invalidBatchesAreRefused()
    {
        QTemporaryDir dir;
        auto st = openOk(dir.path());
        SampleBatch b;
        b.series.push_back({L({{"__name__", "ok"}}), {{1, 1}}});
        b.series.push_back({Labels(), {{1, 1}}});
        auto r = st->metrics().append(b);
        QVERIFY(!r.has_value());
        QCOMPARE(r.error().kind, Error::Kind::Invalid);
        QVERIFY(r.error().message.contains(QLatin1String("empty label set")));
        QCOMPARE(st->metrics().stats()->series, 0); // nothing of the batch stored
        // A series without samples is not created.
        SampleBatch empty;
        empty.series.push_back({L({{"__name__", "nosamples"}}), {}});
        QCOMPARE(st->metrics().append(empty)->newSeries, 0);
        QCOMPARE(st->metrics().stats()->series, 0);
    }

    void reopenKeepsEverything()
    {
        QTemporaryDir dir;
        const Labels a = L({{"__name__", "p"}, {"k", "1"}});
        const Labels b = L({{"__name__", "p"}, {"k", "2"}});
        {
            auto st = openOk(dir.path());
            SampleBatch batch;
            batch.series.push_back({a, ramp(0, 500, 1000, 0, 1)});
            QVERIFY(st->metrics().append(batch).has_value());
        }
        {
            auto st = openOk(dir.path());
            QVERIFY(st);
            QVERIFY(
                sameBits(readAll(st->metrics(), idOf(st->metrics(), a)), ramp(0, 500, 1000, 0, 1)));
            SampleBatch batch;
            batch.series.push_back({b, ramp(0, 10, 1000, 5, 0)});
            batch.series.push_back({a, ramp(500000, 10, 1000, 500, 1)});
            auto r = st->metrics().append(batch);
            QCOMPARE(r->newSeries, 1); // `a` was found again, not duplicated
        }
        auto st = openOk(dir.path());
        QCOMPARE(st->metrics().stats()->series, 2);
        QVERIFY(sameBits(readAll(st->metrics(), idOf(st->metrics(), a)), ramp(0, 510, 1000, 0, 1)));
        QVERIFY(sameBits(readAll(st->metrics(), idOf(st->metrics(), b)), ramp(0, 10, 1000, 5, 0)));
        QCOMPARE(st->dataDir(), QFileInfo(dir.path()).absoluteFilePath());
        QVERIFY(QFile::exists(dir.filePath(QStringLiteral("spyglass.db"))));
    }

    void compactKeepsValuesAndReducesChunks()
    {
        QTemporaryDir dir;
        auto st = openOk(dir.path());
        MetricStore &ms = st->metrics();
        QList<Labels> series;
        QList<QList<Sample>> expected;
        for (int k = 0; k < 5; ++k) {
            series.push_back(L({{"__name__", "c"}, {"k", qPrintable(QString::number(k))}}));
            expected.push_back({});
        }
        // Newest data first, in small batches: every append is out of
        // order, so no chunk can be grown and each leaves a small one.
        for (int batchNo = 49; batchNo >= 0; --batchNo) {
            SampleBatch b;
            for (int k = 0; k < 5; ++k)
                b.series.push_back(
                    {series[k], ramp(batchNo * 10 * 15000LL, 10, 15000, batchNo * 10 + k, 1)});
            QVERIFY(ms.append(b).has_value());
        }
        // And some overlapping rewrites that compaction must keep winning.
        SampleBatch over;
        over.series.push_back({series[0], ramp(100 * 15000LL, 30, 15000, -1, 0)});
        QVERIFY(ms.append(over).has_value());
        // Plus a full chunk, before all other data (so not an extension), that
        // must stay as it is.
        SampleBatch full;
        full.series.push_back({series[1], ramp(-10'000'000'000LL, 120, 1000, 0, 1)});
        QVERIFY(ms.append(full).has_value());

        QList<QList<Sample>> before;
        for (const auto &l : series)
            before.push_back(readAll(ms, idOf(ms, l)));
        QCOMPARE(before[0].size(), 500);
        QCOMPARE(before[0][100].v, -1.0);
        QCOMPARE(before[0][130].v, 130.0);
        const auto statsBefore = ms.stats();
        QCOMPARE(statsBefore->chunks, 5 * 50 + 1 + 1);

        auto r = ms.compact();
        QVERIFY2(r.has_value(), qPrintable(r ? QString() : r.error().message));
        const auto after = ms.stats();
        // 500 samples -> 5 chunks per series, plus the untouched full chunk.
        QCOMPARE(after->chunks, 5 * 5 + 1);
        QVERIFY(after->chunkBytes < statsBefore->chunkBytes);
        QCOMPARE(after->samples, 5 * 500 + 120); // the overwritten samples are gone
        for (int k = 0; k < 5; ++k)
            QVERIFY2(sameBits(readAll(ms, idOf(ms, series[k])), before[k]),
                     qPrintable(QString::number(k)));
        // Windows still work after the rewrite, and a second pass is a no-op.
        auto w = ms.samples(idOf(ms, series[0]), 100 * 15000LL, 129 * 15000LL);
        QCOMPARE(w->size(), 30);
        for (const auto &s : *w)
            QCOMPARE(s.v, -1.0);
        QVERIFY(ms.compact().has_value());
        QCOMPARE(ms.stats()->chunks, 5 * 5 + 1);
        // Appends after compaction still extend or overwrite correctly.
        SampleBatch more;
        more.series.push_back({series[2], {{0, 42}, {500 * 15000LL, 43}}});
        QVERIFY(ms.append(more).has_value());
        const auto s2 = readAll(ms, idOf(ms, series[2]));
        QCOMPARE(s2.size(), 501);
        QCOMPARE(s2.front().v, 42.0);
        QCOMPARE(s2.back().v, 43.0);
    }

    void compactResolvesRepeatedImports()
    {
        // The same full chunks written twice (a file imported again, with
        // some values changed): reads see the second import; compaction
        // drops the shadowed copy.
        QTemporaryDir dir;
        auto st = openOk(dir.path());
        MetricStore &ms = st->metrics();
        const Labels l = L({{"__name__", "again"}});
        SampleBatch first;
        first.series.push_back({l, ramp(0, 600, 15000, 0, 1)});
        QVERIFY(ms.append(first).has_value());
        SampleBatch second = first;
        second.series[0].samples[300].v = -300;
        QVERIFY(ms.append(second).has_value());
        QCOMPARE(ms.stats()->chunks, 10);
        QCOMPARE(ms.stats()->samples, 1200);
        const auto before = readAll(ms, idOf(ms, l));
        QVERIFY(sameBits(before, second.series[0].samples));
        QVERIFY(ms.compact().has_value());
        QCOMPARE(ms.stats()->chunks, 5);
        QCOMPARE(ms.stats()->samples, 600);
        QVERIFY(sameBits(readAll(ms, idOf(ms, l)), before));
    }

    void failedAppendRollsBackFully()
    {
        QTemporaryDir dir;
        const Labels a = L({{"__name__", "keep"}});
        auto st = openOk(dir.path());
        MetricStore &ms = st->metrics();
        SampleBatch first;
        first.series.push_back({a, ramp(0, 50, 1000, 0, 1)});
        QVERIFY(ms.append(first).has_value());

        // Make the catalog refuse one chunk in the middle of the next batch:
        // the batch creates series and label pairs and extends `a` before
        // it hits the failure, and all of it must be undone.
        rawExec(st->databasePath(),
                "CREATE TRIGGER inject BEFORE INSERT ON chunks WHEN NEW.min_t = 777777 "
                "BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
        SampleBatch bad;
        bad.series.push_back({L({{"__name__", "new1"}, {"fresh", "v"}}), {{1000, 1}}});
        bad.series.push_back({a, ramp(50000, 50, 1000, 50, 1)});
        bad.series.push_back({L({{"__name__", "new2"}}), {{777777, 1}}});
        bad.series.push_back({L({{"__name__", "new3"}}), {{1000, 1}}});
        auto r = ms.append(bad);
        QVERIFY(!r.has_value());
        QVERIFY2(r.error().message.contains(QLatin1String("injected failure")),
                 qPrintable(r.error().message));

        auto check = [&](MetricStore &s) {
            QCOMPARE(s.stats()->series, 1);
            QCOMPARE(s.stats()->samples, 50);
            QVERIFY(sameBits(readAll(s, idOf(s, a)), ramp(0, 50, 1000, 0, 1)));
            QVERIFY(s.select({m(Op::Equal, "__name__", "new1")})->isEmpty());
            QCOMPARE(*s.labelNames(), QStringList{QStringLiteral("__name__")});
            QCOMPARE(*s.labelValues(QStringLiteral("__name__")),
                     QStringList{QStringLiteral("keep")});
        };
        check(ms);
        st.reset();
        st = openOk(dir.path());
        check(st->metrics());

        // With the obstacle gone the same batch goes through, ids and index
        // consistent with the catalog.
        rawExec(st->databasePath(), "DROP TRIGGER inject");
        auto ok = st->metrics().append(bad);
        QVERIFY(ok.has_value());
        QCOMPARE(ok->newSeries, 3);
        QCOMPARE(st->metrics().select({m(Op::RegexMatch, "__name__", "new.")})->size(), 3);
        QCOMPARE(readAll(st->metrics(), idOf(st->metrics(), a)).size(), 100);
        st.reset();
        st = openOk(dir.path());
        QCOMPARE(st->metrics().select({m(Op::RegexMatch, "__name__", "new.")})->size(), 3);
        QCOMPARE(*st->metrics().labelValues(QStringLiteral("fresh")),
                 QStringList{QStringLiteral("v")});
    }

    void refusesNewerFormatAndForeignFiles()
    {
        QTemporaryDir dir;
        {
            auto st = openOk(dir.path());
            QVERIFY(st);
        }
        const QString db = dir.filePath(QStringLiteral("spyglass.db"));
        rawExec(db, "UPDATE meta SET value = 2 WHERE key = 'format_version'");
        auto r = Storage::open(dir.path());
        QVERIFY(!r.has_value());
        QVERIFY2(r.error().message.contains(QLatin1String("newer Spyglass")),
                 qPrintable(r.error().message));
        QVERIFY(r.error().message.contains(QLatin1String("version 2")));
        QVERIFY(r.error().message.contains(db));

        // A database of another application.
        QTemporaryDir other;
        rawExec(other.filePath(QStringLiteral("spyglass.db")), "CREATE TABLE t(x)");
        r = Storage::open(other.path());
        QVERIFY(!r.has_value());
        QVERIFY2(r.error().message.contains(QLatin1String("not a Spyglass store")),
                 qPrintable(r.error().message));

        // Not a database at all.
        QTemporaryDir garbage;
        QFile f(garbage.filePath(QStringLiteral("spyglass.db")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray(8192, 'x'));
        f.close();
        r = Storage::open(garbage.path());
        QVERIFY(!r.has_value());
        QVERIFY2(r.error().message.contains(QLatin1String("not a database")),
                 qPrintable(r.error().message));

        // The data directory is a file.
        r = Storage::open(f.fileName());
        QVERIFY(!r.has_value());
        QVERIFY(r.error().message.contains(QLatin1String("is a file")));
        QVERIFY(!Storage::open(QString()).has_value());
    }

    void twoOpenersShareTheDirectory()
    {
        // E.g. the CLI importing while the GUI has the store open.
        QTemporaryDir dir;
        auto s1 = openOk(dir.path());
        auto s2 = openOk(dir.path());
        QVERIFY(s1 && s2);
        SampleBatch b1;
        b1.series.push_back({L({{"__name__", "shared"}, {"by", "one"}}), {{1000, 1}}});
        QVERIFY(s1->metrics().append(b1).has_value());
        // s2 sees the series s1 created, and appending to it does not
        // create a duplicate.
        auto sel = s2->metrics().select({m(Op::Equal, "__name__", "shared")});
        QCOMPARE(sel->size(), 1);
        SampleBatch b2;
        b2.series.push_back({L({{"__name__", "shared"}, {"by", "one"}}), {{2000, 2}}});
        b2.series.push_back({L({{"__name__", "shared"}, {"by", "two"}}), {{2000, 2}}});
        auto r = s2->metrics().append(b2);
        QCOMPARE(r->newSeries, 1);
        QCOMPARE(s1->metrics().select({m(Op::Equal, "__name__", "shared")})->size(), 2);
        QCOMPARE(readAll(s1->metrics(), sel->front().id).size(), 2);
        QCOMPARE(*s1->metrics().labelValues(QStringLiteral("by")),
                 (QStringList{QStringLiteral("one"), QStringLiteral("two")}));
    }

    void readsRunWhileWriting()
    {
        // Readers on other threads must always see whole batches: every
        // batch writes one sample to each of 20 series at the same time.
        QTemporaryDir dir;
        auto st = openOk(dir.path());
        MetricStore &ms = st->metrics();
        constexpr int kSeries = 20;
        constexpr int kBatches = 150;
        std::atomic<bool> done{false};
        std::atomic<int> inconsistencies{0};
        std::atomic<int> reads{0};
        auto reader = [&] {
            while (!done.load()) {
                auto sel = ms.select({m(Op::Equal, "__name__", "conc")});
                if (!sel) {
                    ++inconsistencies;
                    continue;
                }
                qsizetype lastCount = -1;
                for (const auto &ref : *sel) {
                    auto s = ms.samples(ref.id, 0, std::numeric_limits<std::int64_t>::max());
                    if (!s) {
                        ++inconsistencies;
                        break;
                    }
                    // Series read later may have grown, never shrunk.
                    if (s->size() < lastCount)
                        ++inconsistencies;
                    lastCount = s->size();
                }
                ++reads;
            }
        };
        std::thread r1(reader), r2(reader);
        bool writesOk = true;
        for (int i = 0; i < kBatches; ++i) {
            SampleBatch b;
            for (int k = 0; k < kSeries; ++k)
                b.series.push_back(
                    {L({{"__name__", "conc"}, {"k", qPrintable(QString::number(k))}}),
                     {{i * 1000LL, double(i)}}});
            writesOk = writesOk && ms.append(b).has_value();
        }
        // Let the readers finish at least one pass over the final state.
        const int target = reads.load() + 4;
        while (reads.load() < target)
            std::this_thread::yield();
        done = true;
        r1.join();
        r2.join();
        QVERIFY(writesOk);
        QCOMPARE(inconsistencies.load(), 0);
        QCOMPARE(ms.stats()->samples, kSeries * kBatches);
    }

    void defaultDataDir()
    {
        const QString d = Storage::defaultDataDir();
        QVERIFY(d.endsWith(QLatin1String("/data")));
        QVERIFY(d.size() > 5);
    }
};

QTEST_GUILESS_MAIN(TestMetricStore)
#include "tst_metric_store.moc"
