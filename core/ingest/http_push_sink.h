#pragma once

#include "core/ingest/ingest_sink.h"

#include <QByteArray>
#include <QString>
#include <memory>
#include <mutex>

namespace spyglass::ingest {

class BlockingHttpClient;

struct HttpPushOptions
{
    QString host = QStringLiteral("127.0.0.1");
    quint16 port = 4318;
    QByteArray bearerToken; // sent as Authorization: Bearer when set
    // 429/503 answers are retried after their Retry-After (at most this often).
    int maxRetries = 5;
};

// An IngestSink on the sending side: delivers through a Spyglass core's (or
// any compatible) HTTP receivers, the way real agents do:
//   spans    -> OTLP/HTTP protobuf  POST /v1/traces
//   profiles -> OTLP/HTTP protobuf  POST /v1development/profiles
//   samples, exemplars -> Prometheus remote_write  POST /api/v1/write
//   logs     -> Loki push (snappy protobuf)  POST /loki/api/v1/push
// Metrics and logs take the Prometheus/Loki paths so series and stream
// labels arrive exactly as given (OTLP would rename them: job from
// service.name, Loki's OTLP index labels). Each call returns once the
// receiver answered, i.e. once the data is durable there. Thread-safe
// (calls are serialised over one keep-alive connection).
class HttpPushSink : public IngestSink
{
public:
    explicit HttpPushSink(HttpPushOptions options);
    ~HttpPushSink() override;

    Result<AppendCounts> appendSamples(const QList<model::Series> &series) override;
    Result<AppendCounts> appendLogs(const QList<model::LogRecord> &records) override;
    Result<AppendCounts> appendSpans(const QList<model::Span> &spans) override;
    Result<AppendCounts> appendProfiles(const QList<model::Profile> &profiles) override;
    Result<AppendCounts> appendExemplars(const QList<store::SeriesExemplar> &exemplars) override;

    const HttpPushOptions &options() const { return m_options; }
    // Request bodies sent so far (after compression), for the Lab's counters.
    qint64 bytesSent() const;

private:
    Result<AppendCounts> send(const QByteArray &path, const QByteArray &contentType, const QByteArray &body,
                              bool snappy, std::int64_t items, const char *what);

    HttpPushOptions m_options;
    mutable std::mutex m_mutex;
    std::unique_ptr<BlockingHttpClient> m_client;
    qint64 m_bytesSent = 0;
};

} // namespace spyglass::ingest
