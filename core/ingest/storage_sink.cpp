#include "core/ingest/storage_sink.h"

#include "core/ingest/span_metrics_generator.h"

#include "core/store/storage.h"

namespace spyglass::ingest {

Result<AppendCounts> StorageSink::appendSamples(const QList<model::Series> &series)
{
    if (series.isEmpty())
        return AppendCounts{};
    store::SampleBatch batch;
    batch.series = series;
    auto r = m_storage.metrics().append(batch);
    if (!r)
        return fail(r.error());
    return AppendCounts{r->samples, 0, {}};
}

Result<AppendCounts> StorageSink::appendLogs(const QList<model::LogRecord> &records)
{
    if (records.isEmpty())
        return AppendCounts{};
    auto r = m_storage.logs().append(records);
    if (!r)
        return fail(r.error());
    AppendCounts c{r->lines, r->tooOld, {}};
    if (r->tooOld > 0)
        c.reason = QStringLiteral("%1 log lines were older than their stream's out-of-order window and were "
                                  "refused")
                       .arg(r->tooOld);
    return c;
}

Result<AppendCounts> StorageSink::appendSpans(const QList<model::Span> &spans)
{
    if (spans.isEmpty())
        return AppendCounts{};
    auto r = m_storage.traces().append(spans);
    if (!r)
        return fail(r.error());
    // After the commit, so metrics never count spans that were not stored.
    if (m_spanMetrics)
        m_spanMetrics->consume(spans);
    // Duplicates (same trace and span id) were stored before: not a rejection.
    return AppendCounts{r->spans + r->duplicates, 0, {}};
}

Result<AppendCounts> StorageSink::appendProfiles(const QList<model::Profile> &profiles)
{
    if (profiles.isEmpty())
        return AppendCounts{};
    auto r = m_storage.profiles().append(profiles);
    if (!r)
        return fail(r.error());
    return AppendCounts{r->profiles, 0, {}};
}

Result<AppendCounts> StorageSink::appendExemplars(const QList<store::SeriesExemplar> &exemplars)
{
    auto n = m_storage.exemplars().append(exemplars);
    if (!n)
        return fail(n.error());
    return AppendCounts{*n, 0, {}};
}

} // namespace spyglass::ingest
