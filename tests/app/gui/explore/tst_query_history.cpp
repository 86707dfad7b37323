#include "app/gui/explore/query_history.h"
#include "app/gui/explore/query_history_panel.h"

#include <QFile>
#include <QLineEdit>
#include <QListWidget>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace spyglass;
using namespace spyglass::gui::explore;

namespace {

QStringList queriesOf(const QList<QueryHistoryEntry> &entries)
{
    QStringList out;
    for (const auto &e : entries)
        out.push_back(e.query);
    return out;
}

} // namespace

class TestQueryHistory : public QObject
{
    Q_OBJECT
private slots:
    void roundTripSearchAndStars()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("sub/history.json"));
        {
            QueryHistory h(path);
            QSignalSpy loaded(&h, &QueryHistory::loaded);
            h.load();
            QTRY_COMPARE(loaded.count(), 1);
            QVERIFY(loaded.at(0).at(0).toBool()); // a missing file is an empty history
            h.add(QStringLiteral("up"), QStringLiteral("local"), 1000);
            h.add(QStringLiteral("rate(http_requests_total[5m])"), QStringLiteral("prom"), 2000);
            h.add(QStringLiteral("sum by (job) (rate(http_requests_total[5m]))"), QStringLiteral("local"), 3000);
            h.add(QStringLiteral("  up  "), QStringLiteral("local"), 4000); // same query, used again
            QCOMPARE(h.size(), 3);
            QCOMPARE(queriesOf(h.entries()),
                     (QStringList{QStringLiteral("up"), QStringLiteral("sum by (job) (rate(http_requests_total[5m]))"),
                                  QStringLiteral("rate(http_requests_total[5m])")}));
            QCOMPARE(h.entries().first().count, 2);
            // Starred first, whatever their age.
            h.setStarred(QStringLiteral("rate(http_requests_total[5m])"), true);
            QCOMPARE(h.entries().first().query, QStringLiteral("rate(http_requests_total[5m])"));
            QVERIFY(h.isStarred(QStringLiteral("rate(http_requests_total[5m])")));
            // Search: every word, case-insensitive.
            QCOMPARE(queriesOf(h.entries(QStringLiteral("RATE"))),
                     (QStringList{QStringLiteral("rate(http_requests_total[5m])"),
                                  QStringLiteral("sum by (job) (rate(http_requests_total[5m]))")}));
            QCOMPARE(queriesOf(h.entries(QStringLiteral("sum rate"))),
                     QStringList{QStringLiteral("sum by (job) (rate(http_requests_total[5m]))")});
            QVERIFY(h.entries(QStringLiteral("nothing")).isEmpty());
            h.waitForIo();
        }
        QVERIFY(QFile::exists(path));
        // A new session reads what the last one wrote.
        auto read = QueryHistory::readFile(path);
        QVERIFY2(read.has_value(), read ? "" : qPrintable(read.error().message));
        QCOMPARE(read->size(), 3);
        QueryHistory again(path);
        QSignalSpy loaded(&again, &QueryHistory::loaded);
        again.load();
        QTRY_COMPARE(loaded.count(), 1);
        QCOMPARE(again.size(), 3);
        const auto entries = again.entries();
        QCOMPARE(entries[0].query, QStringLiteral("rate(http_requests_total[5m])"));
        QVERIFY(entries[0].starred);
        QCOMPARE(entries[0].datasourceUid, QStringLiteral("prom"));
        QCOMPARE(entries[1].query, QStringLiteral("up"));
        QCOMPARE(entries[1].lastUsedMs, 4000);
        QCOMPARE(entries[1].count, 2);
    }

    void addsBeforeLoadAreMergedNotLost()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("h.json"));
        QVERIFY(QueryHistory::writeFile(path, {{QStringLiteral("old"), QStringLiteral("local"), 100, 3, true}}).has_value());
        {
            QueryHistory h(path);
            QSignalSpy changed(&h, &QueryHistory::changed);
            h.add(QStringLiteral("new"), QStringLiteral("local"), 200); // before anything was read
            QTRY_VERIFY(h.isLoaded());
            QTRY_COMPARE(h.size(), 2);
            h.waitForIo();
            QCoreApplication::processEvents();
            h.waitForIo();
        }
        auto read = QueryHistory::readFile(path);
        QVERIFY(read.has_value());
        QCOMPARE(queriesOf(*read), (QStringList{QStringLiteral("old"), QStringLiteral("new")}));
    }

    void unstarredAreCapped()
    {
        QTemporaryDir dir;
        QueryHistory h(dir.filePath(QStringLiteral("h.json")));
        h.setMaxEntries(3);
        h.add(QStringLiteral("q0"), {}, 10);
        h.setStarred(QStringLiteral("q0"), true);
        for (int i = 1; i <= 5; ++i)
            h.add(QStringLiteral("q%1").arg(i), {}, 10 + i);
        QCOMPARE(queriesOf(h.entries()),
                 (QStringList{QStringLiteral("q0"), QStringLiteral("q5"), QStringLiteral("q4"), QStringLiteral("q3")}));
        h.clearUnstarred();
        QCOMPARE(queriesOf(h.entries()), QStringList{QStringLiteral("q0")});
        QTRY_VERIFY(h.isLoaded());
        h.waitForIo();
    }

    void badFilesAreReported()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("h.json"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{ not json");
        f.close();
        auto read = QueryHistory::readFile(path);
        QVERIFY(!read);
        QVERIFY2(read.error().message.contains(QStringLiteral("not valid JSON")), qPrintable(read.error().message));
        QVERIFY(read.error().message.contains(path));
        QueryHistory h(path);
        QSignalSpy loaded(&h, &QueryHistory::loaded);
        h.load();
        QTRY_COMPARE(loaded.count(), 1);
        QCOMPARE(loaded.at(0).at(0).toBool(), false);
        // Writing where a directory is fails with a message, nothing thrown.
        QVERIFY(!QueryHistory::writeFile(dir.path(), {}).has_value());
    }

    void panelSearchesAndStars()
    {
        QTemporaryDir dir;
        QueryHistory h(dir.filePath(QStringLiteral("h.json")));
        h.add(QStringLiteral("up"), {}, 1);
        h.add(QStringLiteral("rate(x[5m])"), {}, 2);
        h.add(QStringLiteral("sum(up)"), {}, 3);
        QueryHistoryPanel panel;
        panel.resize(300, 400);
        panel.setHistory(&h);
        QCOMPARE(panel.shownQueries(),
                 (QStringList{QStringLiteral("sum(up)"), QStringLiteral("rate(x[5m])"), QStringLiteral("up")}));
        panel.searchEdit()->setText(QStringLiteral("up"));
        QCOMPARE(panel.shownQueries(), (QStringList{QStringLiteral("sum(up)"), QStringLiteral("up")}));
        panel.toggleStar(1); // "up"
        QVERIFY(h.isStarred(QStringLiteral("up")));
        QCOMPARE(panel.shownQueries(), (QStringList{QStringLiteral("up"), QStringLiteral("sum(up)")}));
        panel.searchEdit()->clear();
        QCOMPARE(panel.shownQueries().first(), QStringLiteral("up"));

        // Clicking the star toggles it; clicking the text picks the query.
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QSignalSpy picked(&panel, &QueryHistoryPanel::querySelected);
        const QRect second = panel.list()->visualItemRect(panel.list()->item(1)); // "sum(up)"
        QTest::mouseClick(panel.list()->viewport(), Qt::LeftButton, {}, QPoint(second.left() + 8, second.center().y()));
        QVERIFY(h.isStarred(QStringLiteral("sum(up)")));
        QCOMPARE(picked.count(), 0);
        const QRect row = panel.list()->visualItemRect(panel.list()->item(2));
        QTest::mouseClick(panel.list()->viewport(), Qt::LeftButton, {}, QPoint(row.left() + 80, row.center().y()));
        QCOMPARE(picked.count(), 1);
        QCOMPARE(picked.at(0).at(0).toString(), QStringLiteral("rate(x[5m])"));
        QTRY_VERIFY(h.isLoaded());
        h.waitForIo();
    }
};

QTEST_MAIN(TestQueryHistory)
#include "tst_query_history.moc"
