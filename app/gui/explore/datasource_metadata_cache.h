#pragma once

#include "core/datasource/datasource.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QSet>
#include <QStringList>
#include <memory>
#include <optional>

namespace spyglass::gui::explore {

// Label names and label values (metric names are the values of __name__)
// of each datasource, for query completion. Look-ups run on the thread pool;
// answers are cached per datasource uid and refreshed in the background
// once older than maxAge(). Several editors share one cache.
class DatasourceMetadataCache : public QObject
{
    Q_OBJECT
public:
    explicit DatasourceMetadataCache(QObject *parent = nullptr);
    ~DatasourceMetadataCache() override;

    // The cached answer, or nullopt; a miss (or a stale entry) starts one
    // fetch, whose answer comes as labelNamesReady / labelValuesReady.
    std::optional<QStringList> labelNames(const QString &uid, const std::shared_ptr<datasource::Datasource> &ds);
    std::optional<QStringList> labelValues(const QString &uid, const std::shared_ptr<datasource::Datasource> &ds,
                                           const QString &label);

    void invalidate(const QString &uid = {});
    void setMaxAgeMs(qint64 ms) { m_maxAgeMs = ms; }
    int fetchCount() const { return m_fetches; }

signals:
    void labelNamesReady(const QString &uid, const QStringList &names);
    void labelValuesReady(const QString &uid, const QString &label, const QStringList &values);
    void fetchFailed(const QString &uid, const QString &label, const QString &message);

private:
    struct Entry
    {
        QStringList values;
        QElapsedTimer age;
    };
    std::optional<QStringList> lookup(const QString &uid, const std::shared_ptr<datasource::Datasource> &ds,
                                      const QString &label, bool names);

    QHash<QString, Entry> m_entries; // key: uid + '\n' + label ("\n" alone: label names)
    QSet<QString> m_inFlight;
    qint64 m_maxAgeMs = 60'000;
    int m_fetches = 0;
    CancelToken m_cancel;
};

} // namespace spyglass::gui::explore
