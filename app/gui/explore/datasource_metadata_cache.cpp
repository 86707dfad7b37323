#include "app/gui/explore/datasource_metadata_cache.h"

#include <QtConcurrent/QtConcurrentRun>

namespace spyglass::gui::explore {

DatasourceMetadataCache::DatasourceMetadataCache(QObject *parent) : QObject(parent) {}

DatasourceMetadataCache::~DatasourceMetadataCache()
{
    // Running look-ups stop early; their continuations die with this object.
    m_cancel.cancel();
}

std::optional<QStringList> DatasourceMetadataCache::labelNames(const QString &uid,
                                                              const std::shared_ptr<datasource::Datasource> &ds)
{
    return lookup(uid, ds, {}, true);
}

std::optional<QStringList> DatasourceMetadataCache::labelValues(const QString &uid,
                                                               const std::shared_ptr<datasource::Datasource> &ds,
                                                               const QString &label)
{
    return lookup(uid, ds, label, false);
}

std::optional<QStringList> DatasourceMetadataCache::lookup(const QString &uid,
                                                          const std::shared_ptr<datasource::Datasource> &ds,
                                                          const QString &label, bool names)
{
    const QString key = uid + QLatin1Char('\n') + label;
    std::optional<QStringList> cached;
    bool stale = true;
    const auto it = m_entries.constFind(key);
    if (it != m_entries.constEnd()) {
        cached = it->values;
        stale = it->age.elapsed() > m_maxAgeMs;
    }
    if (!stale || !ds || m_inFlight.contains(key))
        return cached;

    m_inFlight.insert(key);
    ++m_fetches;
    const CancelToken token = m_cancel;
    QtConcurrent::run([ds, label, names, token]() {
        return names ? ds->labelNames(token) : ds->labelValues(label, token);
    }).then(this, [this, key, uid, label, names](const Result<QStringList> &result) {
        m_inFlight.remove(key);
        Entry &e = m_entries[key];
        e.age.start();
        if (!result) {
            // Remembered as empty, so a broken datasource is not asked on
            // every key press; it is asked again after maxAge.
            emit fetchFailed(uid, label, result.error().message);
            return;
        }
        e.values = *result;
        e.values.sort();
        if (names)
            emit labelNamesReady(uid, e.values);
        else
            emit labelValuesReady(uid, label, e.values);
    });
    return cached;
}

void DatasourceMetadataCache::invalidate(const QString &uid)
{
    if (uid.isEmpty()) {
        m_entries.clear();
        return;
    }
    const QString prefix = uid + QLatin1Char('\n');
    m_entries.removeIf([&](const auto &it) { return it.key().startsWith(prefix); });
}

} // namespace spyglass::gui::explore
