#pragma once

#include "core/ingest/ingest_sink.h"

namespace spyglass::store {
class Storage;
}

namespace spyglass::ingest {

class SpanMetricsGenerator;

// The IngestSink of the embedded store: each append is one transaction of
// the signal's store (metrics, logs.db, traces.db, profiles.db), committed
// (durable) before the call returns.
class StorageSink : public IngestSink
{
public:
    // The storage must outlive the sink.
    explicit StorageSink(store::Storage &storage) : m_storage(storage) {}

    // Spans stored through this sink also feed RED metrics (Tempo's metrics
    // generator); null turns that off. The generator must outlive the sink.
    void setSpanMetrics(SpanMetricsGenerator *generator) { m_spanMetrics = generator; }

    Result<AppendCounts> appendSamples(const QList<model::Series> &series) override;
    Result<AppendCounts> appendLogs(const QList<model::LogRecord> &records) override;
    Result<AppendCounts> appendSpans(const QList<model::Span> &spans) override;
    Result<AppendCounts> appendProfiles(const QList<model::Profile> &profiles) override;
    Result<AppendCounts> appendExemplars(const QList<store::SeriesExemplar> &exemplars) override;

private:
    store::Storage &m_storage;
    SpanMetricsGenerator *m_spanMetrics = nullptr;
};

} // namespace spyglass::ingest
