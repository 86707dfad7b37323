#pragma once

#include "core/model/result.h"

#include <QByteArray>
#include <QString>
#include <memory>

namespace spyglass::ingest {

class IngestSink;

struct OtlpGrpcOptions
{
    // Largest accepted message (after gzip); bigger calls fail with
    // RESOURCE_EXHAUSTED before reaching the services.
    int maxMessageBytes = 64 * 1024 * 1024;
    // Export calls converted/committed at once; more get UNAVAILABLE,
    // which OTLP exporters retry with backoff.
    int maxInFlight = 4;
    // When non-empty every call needs metadata `authorization: Bearer
    // <token>` (UNAUTHENTICATED otherwise). Required to listen on a
    // non-loopback address.
    QByteArray bearerToken;
};

// OTLP/gRPC server (gRPC C++ behind this PIMPL): TraceService,
// MetricsService, LogsService and the development ProfilesService Export
// methods; gzip-compressed messages accepted; partial_success with
// rejected counts and the reasons. Export returns only after the sink has
// committed the batch.
class OtlpGrpcReceiver
{
public:
    // The sink must outlive the receiver.
    explicit OtlpGrpcReceiver(IngestSink &sink, OtlpGrpcOptions options = {});
    ~OtlpGrpcReceiver(); // stop()s
    OtlpGrpcReceiver(const OtlpGrpcReceiver &) = delete;
    OtlpGrpcReceiver &operator=(const OtlpGrpcReceiver &) = delete;

    // Binds "address:port" (port 0 picks a free one) and serves on gRPC's
    // own threads. Returns the bound port. Refuses a non-loopback address
    // unless a bearer token is set.
    Result<quint16> start(const QString &address = QStringLiteral("127.0.0.1"), quint16 port = 0);
    // Finishes calls in flight (cancelling them after a few seconds). Idempotent.
    void stop();
    bool isRunning() const;
    quint16 port() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace spyglass::ingest
