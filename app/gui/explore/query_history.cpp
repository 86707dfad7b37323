#include "app/gui/explore/query_history.h"

#include "core/model/time_range.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QStandardPaths>
#include <QtConcurrent/QtConcurrentRun>
#include <algorithm>

namespace spyglass::gui::explore {

namespace {

constexpr int kFormatVersion = 1;

bool before(const QueryHistoryEntry &a, const QueryHistoryEntry &b)
{
    if (a.starred != b.starred)
        return a.starred;
    return a.lastUsedMs > b.lastUsedMs;
}

} // namespace

QueryHistory::QueryHistory(QString path, QObject *parent) : QObject(parent), m_path(std::move(path))
{
    m_io.setMaxThreadCount(1);
}

QueryHistory::~QueryHistory()
{
    m_io.waitForDone();
}

QString QueryHistory::defaultPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) +
           QStringLiteral("/query-history.json");
}

Result<QList<QueryHistoryEntry>> QueryHistory::readFile(const QString &path)
{
    QFile file(path);
    if (!file.exists())
        return QList<QueryHistoryEntry>();
    if (!file.open(QIODevice::ReadOnly))
        return fail(Error::io(QStringLiteral("cannot read the query history %1: %2").arg(path, file.errorString())));
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject())
        return fail(Error::badData(QStringLiteral("the query history %1 is not valid JSON: %2")
                                       .arg(path, err.error != QJsonParseError::NoError
                                                      ? err.errorString()
                                                      : QStringLiteral("expected an object"))));
    const QJsonObject root = doc.object();
    if (root.value(QStringLiteral("version")).toInt() > kFormatVersion)
        return fail(Error::badData(QStringLiteral("the query history %1 was written by a newer Spyglass (version %2)")
                                       .arg(path)
                                       .arg(root.value(QStringLiteral("version")).toInt())));
    QList<QueryHistoryEntry> out;
    for (const QJsonValue &v : root.value(QStringLiteral("queries")).toArray()) {
        const QJsonObject o = v.toObject();
        QueryHistoryEntry e;
        e.query = o.value(QStringLiteral("query")).toString();
        if (e.query.trimmed().isEmpty())
            continue;
        e.datasourceUid = o.value(QStringLiteral("datasource")).toString();
        e.lastUsedMs = qint64(o.value(QStringLiteral("lastUsed")).toDouble());
        e.count = o.value(QStringLiteral("count")).toInt(1);
        e.starred = o.value(QStringLiteral("starred")).toBool();
        out.push_back(e);
    }
    return out;
}

Result<void> QueryHistory::writeFile(const QString &path, const QList<QueryHistoryEntry> &entries)
{
    QJsonArray list;
    for (const QueryHistoryEntry &e : entries) {
        QJsonObject o;
        o.insert(QStringLiteral("query"), e.query);
        o.insert(QStringLiteral("datasource"), e.datasourceUid);
        o.insert(QStringLiteral("lastUsed"), double(e.lastUsedMs));
        o.insert(QStringLiteral("count"), e.count);
        o.insert(QStringLiteral("starred"), e.starred);
        list.push_back(o);
    }
    QJsonObject root;
    root.insert(QStringLiteral("version"), kFormatVersion);
    root.insert(QStringLiteral("queries"), list);
    if (!QDir().mkpath(QFileInfo(path).absolutePath()))
        return fail(Error::io(QStringLiteral("cannot create the directory of %1").arg(path)));
    // QSaveFile: a crash mid-write leaves the previous history intact.
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fail(Error::io(QStringLiteral("cannot write the query history %1: %2").arg(path, file.errorString())));
    file.write(QJsonDocument(root).toJson(QJsonDocument::Indented));
    if (!file.commit())
        return fail(Error::io(QStringLiteral("cannot write the query history %1: %2").arg(path, file.errorString())));
    return {};
}

void QueryHistory::load()
{
    if (m_loadStarted)
        return;
    m_loadStarted = true;
    const QString path = m_path;
    QtConcurrent::run(&m_io, [path] { return readFile(path); })
        .then(this, [this](const Result<QList<QueryHistoryEntry>> &result) {
            m_loaded = true;
            if (!result) {
                // The next change replaces the unreadable file.
                if (m_writePending)
                    scheduleWrite();
                emit loaded(false, result.error().message);
                return;
            }
            bool merged = m_writePending;
            for (const QueryHistoryEntry &e : *result) {
                const qsizetype i = indexOf(e.query);
                if (i < 0) {
                    m_entries.push_back(e);
                } else {
                    // Added this session: keep its newer use, add up the counts.
                    m_entries[i].count += e.count;
                    m_entries[i].starred = m_entries[i].starred || e.starred;
                    merged = true;
                }
            }
            trim();
            if (merged)
                scheduleWrite();
            emit changed();
            emit loaded(true, {});
        });
}

qsizetype QueryHistory::indexOf(const QString &query) const
{
    for (qsizetype i = 0; i < m_entries.size(); ++i)
        if (m_entries[i].query == query)
            return i;
    return -1;
}

void QueryHistory::add(const QString &query, const QString &datasourceUid, qint64 whenMs)
{
    const QString q = query.trimmed();
    if (q.isEmpty())
        return;
    if (whenMs <= 0)
        whenMs = model::nowMs();
    const qsizetype i = indexOf(q);
    if (i >= 0) {
        m_entries[i].lastUsedMs = std::max(m_entries[i].lastUsedMs, whenMs);
        m_entries[i].datasourceUid = datasourceUid;
        ++m_entries[i].count;
    } else {
        m_entries.push_back({q, datasourceUid, whenMs, 1, false});
    }
    trim();
    scheduleWrite();
    emit changed();
}

void QueryHistory::setStarred(const QString &query, bool starred)
{
    const qsizetype i = indexOf(query.trimmed());
    if (i < 0 || m_entries[i].starred == starred)
        return;
    m_entries[i].starred = starred;
    trim();
    scheduleWrite();
    emit changed();
}

bool QueryHistory::isStarred(const QString &query) const
{
    const qsizetype i = indexOf(query.trimmed());
    return i >= 0 && m_entries[i].starred;
}

void QueryHistory::remove(const QString &query)
{
    const qsizetype i = indexOf(query.trimmed());
    if (i < 0)
        return;
    m_entries.removeAt(i);
    scheduleWrite();
    emit changed();
}

void QueryHistory::clearUnstarred()
{
    m_entries.removeIf([](const QueryHistoryEntry &e) { return !e.starred; });
    scheduleWrite();
    emit changed();
}

void QueryHistory::trim()
{
    std::stable_sort(m_entries.begin(), m_entries.end(), before);
    int unstarred = 0;
    m_entries.removeIf([&](const QueryHistoryEntry &e) { return !e.starred && ++unstarred > m_maxEntries; });
}

QList<QueryHistoryEntry> QueryHistory::entries(const QString &search) const
{
    const QStringList words = search.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    QList<QueryHistoryEntry> out;
    for (const QueryHistoryEntry &e : m_entries) {
        bool all = true;
        for (const QString &w : words)
            all = all && e.query.contains(w, Qt::CaseInsensitive);
        if (all)
            out.push_back(e);
    }
    std::stable_sort(out.begin(), out.end(), before);
    return out;
}

void QueryHistory::scheduleWrite()
{
    // A snapshot per write; the one-thread pool keeps them in order, so the
    // last state always lands last.
    if (!m_loaded) {
        // Writing now would drop what the file holds: merge it first.
        m_writePending = true;
        load();
        return;
    }
    m_writePending = false;
    const QString path = m_path;
    const QList<QueryHistoryEntry> snapshot = m_entries;
    QtConcurrent::run(&m_io, [path, snapshot] { return writeFile(path, snapshot); })
        .then(this, [this](const Result<void> &r) {
            if (!r)
                emit ioFailed(r.error().message);
        });
}

void QueryHistory::waitForIo()
{
    m_io.waitForDone();
}

} // namespace spyglass::gui::explore
