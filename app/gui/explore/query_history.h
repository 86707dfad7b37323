#pragma once

#include "core/model/result.h"

#include <QList>
#include <QObject>
#include <QString>
#include <QThreadPool>

namespace spyglass::gui::explore {

struct QueryHistoryEntry
{
    QString query;
    QString datasourceUid; // where it last ran
    qint64 lastUsedMs = 0;
    int count = 0;         // how often it ran
    bool starred = false;
};

// The queries run in Explore, persisted as a small JSON file (by default in
// the user's data directory). One entry per distinct query text; starred
// entries are kept forever, the others up to maxEntries(), newest first.
// Reading and writing the file happen on a private one-thread pool, so the
// GUI thread never does I/O and writes land in order.
class QueryHistory : public QObject
{
    Q_OBJECT
public:
    explicit QueryHistory(QString path, QObject *parent = nullptr);
    ~QueryHistory() override;

    // <AppDataLocation>/query-history.json
    static QString defaultPath();
    QString path() const { return m_path; }

    // Reads the file in the background; `loaded` follows. Entries added
    // before it finishes are kept (merged, newer wins).
    void load();
    bool isLoaded() const { return m_loaded; }

    void add(const QString &query, const QString &datasourceUid, qint64 whenMs = 0);
    void setStarred(const QString &query, bool starred);
    bool isStarred(const QString &query) const;
    void remove(const QString &query);
    void clearUnstarred();

    // Starred first, then the most recently used. `search` keeps entries
    // containing every one of its words (case-insensitive).
    QList<QueryHistoryEntry> entries(const QString &search = {}) const;
    int size() const { return int(m_entries.size()); }

    int maxEntries() const { return m_maxEntries; }
    void setMaxEntries(int n) { m_maxEntries = n; }

    // Blocks until every scheduled read and write is done (tests, shutdown).
    void waitForIo();

    static Result<QList<QueryHistoryEntry>> readFile(const QString &path);
    static Result<void> writeFile(const QString &path, const QList<QueryHistoryEntry> &entries);

signals:
    void changed();
    void loaded(bool ok, const QString &error);
    void ioFailed(const QString &error);

private:
    void scheduleWrite();
    void trim();
    qsizetype indexOf(const QString &query) const;

    QString m_path;
    QList<QueryHistoryEntry> m_entries;
    int m_maxEntries = 500;
    bool m_loaded = false;
    bool m_loadStarted = false;
    bool m_writePending = false;
    QThreadPool m_io;
};

} // namespace spyglass::gui::explore
