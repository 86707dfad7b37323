#include "core/store/storage.h"

#include "crash_batch.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <sqlite3.h>

using namespace spyglass;
using namespace spyglass::store;

namespace {

model::LabelMatcher eq(const QString &name, const QString &value)
{
    return *model::LabelMatcher::create(model::LabelMatcher::Op::Equal, name, value);
}

QString integrityCheck(const QString &db)
{
    sqlite3 *h = nullptr;
    if (sqlite3_open_v2(db.toUtf8().constData(), &h, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        sqlite3_close(h);
        return QStringLiteral("cannot open");
    }
    sqlite3_stmt *st = nullptr;
    QString out;
    if (sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &st, nullptr) == SQLITE_OK) {
        while (sqlite3_step(st) == SQLITE_ROW)
            out += QString::fromUtf8(reinterpret_cast<const char *>(sqlite3_column_text(st, 0)));
    } else {
        out = QString::fromUtf8(sqlite3_errmsg(h));
    }
    sqlite3_finalize(st);
    sqlite3_close(h);
    return out;
}

} // namespace

class TestCrashSafety : public QObject
{
    Q_OBJECT
private slots:
    void killDuringIngestLosesNoAcknowledgedBatch()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        // Kill after different numbers of acknowledged batches; all rounds
        // share one directory so later rounds also restart on a database
        // an earlier kill left behind (with a hot WAL).
        const int killAfter[] = {1, 5, 23, 2, 60, 11};
        int round = 0;
        for (int acksWanted : killAfter) {
            QProcess child;
            child.setProcessChannelMode(QProcess::SeparateChannels);
            child.start(QStringLiteral(STORE_CRASH_WRITER), {dir.path(), QString::number(round)});
            QVERIFY2(child.waitForStarted(), qPrintable(child.errorString()));
            int lastAck = -1;
            QByteArray pending;
            while (lastAck + 1 < acksWanted) {
                if (!child.waitForReadyRead(60000)) {
                    QFAIL(qPrintable(QStringLiteral("writer stopped after ACK %1: %2")
                                         .arg(lastAck)
                                         .arg(QString::fromUtf8(child.readAllStandardError()))));
                }
                pending += child.readAllStandardOutput();
                qsizetype nl;
                while ((nl = pending.indexOf('\n')) >= 0) {
                    const QByteArray line = pending.left(nl);
                    pending.remove(0, nl + 1);
                    QVERIFY2(line.startsWith("ACK "), line.constData());
                    const int n = line.mid(4).toInt();
                    QCOMPARE(n, lastAck + 1);
                    lastAck = n;
                }
            }
            // The writer keeps appending while we get here: the kill lands
            // at an arbitrary point of some later append or compaction.
            child.kill();
            QVERIFY(child.waitForFinished(60000));
            QCOMPARE(child.exitStatus(), QProcess::CrashExit);
            // ACKs printed before the kill but not yet read also count.
            pending += child.readAllStandardOutput();
            for (const QByteArray &line : pending.split('\n'))
                if (line.startsWith("ACK "))
                    lastAck = std::max(lastAck, line.mid(4).toInt());

            const QString db = dir.filePath(QStringLiteral("spyglass.db"));
            QCOMPARE(integrityCheck(db), QStringLiteral("ok"));
            auto storage = Storage::open(dir.path());
            QVERIFY2(storage.has_value(),
                     qPrintable(storage ? QString() : storage.error().message));
            MetricStore &ms = (*storage)->metrics();

            // Every acknowledged batch is there in full; the one being
            // written at the kill is either all there or not at all.
            const QString r = QString::number(round);
            auto markers =
                ms.select({eq(QStringLiteral("__name__"), QStringLiteral("crash_marker")),
                           eq(QStringLiteral("round"), r)});
            QVERIFY(markers.has_value());
            const int stored = int(markers->size());
            QVERIFY2(stored == lastAck + 1 || stored == lastAck + 2,
                     qPrintable(QStringLiteral("round %1: %2 batches acknowledged, %3 stored")
                                    .arg(round)
                                    .arg(lastAck + 1)
                                    .arg(stored)));
            for (int k = 0; k < crashtest::kSeriesPerBatch; ++k) {
                auto sel = ms.select(
                    {eq(QStringLiteral("__name__"), QStringLiteral("crash_series")),
                     eq(QStringLiteral("round"), r), eq(QStringLiteral("k"), QString::number(k))});
                QCOMPARE(sel->size(), 1);
                auto samples =
                    ms.samples(sel->front().id, 0, std::numeric_limits<std::int64_t>::max());
                QVERIFY2(samples.has_value(),
                         qPrintable(samples ? QString() : samples.error().message));
                QCOMPARE(samples->size(), stored * crashtest::kSamplesPerSeries);
                for (int n = 0; n < stored; ++n)
                    for (int j = 0; j < crashtest::kSamplesPerSeries; ++j) {
                        const auto &s = (*samples)[n * crashtest::kSamplesPerSeries + j];
                        QCOMPARE(s.t, crashtest::sampleTime(n, j));
                        QCOMPARE(s.v, crashtest::sampleValue(n, k, j));
                    }
            }
            qInfo("round %d: killed after %d acknowledged batches, %d stored", round, lastAck + 1,
                  stored);
            ++round;
        }
    }
};

QTEST_GUILESS_MAIN(TestCrashSafety)
#include "tst_crash_safety.moc"
