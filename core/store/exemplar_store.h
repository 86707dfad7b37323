#pragma once

#include "core/model/label_matcher.h"
#include "core/model/result.h"
#include "core/model/sample.h"

#include <QList>
#include <QString>
#include <memory>
#include <mutex>

namespace spyglass::store {

class SqliteConnection;

// An exemplar with the series it was recorded on (e.g. a `_bucket{le}` series).
struct SeriesExemplar
{
    model::Labels series;
    model::Exemplar exemplar;
};

// Exemplars of one series, oldest first (Prometheus /api/v1/query_exemplars shape).
struct ExemplarSeries
{
    model::Labels series;
    QList<model::Exemplar> exemplars;
};

// Exemplars on disk (DIR/exemplars.db, its own SQLite file in WAL mode):
// a small table next to the metric store, the way Prometheus keeps an
// exemplar buffer beside its TSDB. Bounded: beyond maxExemplars the oldest
// rows are dropped (Prometheus' circular buffer, persisted). Thread-safe.
class ExemplarStore
{
public:
    static constexpr int kFormatVersion = 1;
    static constexpr std::int64_t kDefaultMaxExemplars = 200'000;

    static Result<std::unique_ptr<ExemplarStore>> open(const QString &path,
                                                       std::int64_t maxExemplars = kDefaultMaxExemplars);
    ~ExemplarStore();

    // One transaction; durable on return. Exemplars without a timestamp are
    // refused by callers (they have nothing to place them at).
    Result<std::int64_t> append(const QList<SeriesExemplar> &exemplars);
    // Series matching every matcher (one matcher set per selector; a series
    // matching any set counts), exemplars with mint <= t <= maxt.
    Result<QList<ExemplarSeries>> select(const QList<model::LabelMatchers> &selectors, model::TimestampMs mint,
                                         model::TimestampMs maxt) const;
    Result<std::int64_t> count() const;

private:
    ExemplarStore() = default;
    QString m_path;
    std::int64_t m_max = kDefaultMaxExemplars;
    mutable std::mutex m_mutex;
    std::unique_ptr<SqliteConnection> m_conn;
    std::int64_t m_appendsSinceTrim = 0;
};

} // namespace spyglass::store
