#pragma once

#include "core/lab/lab.h"
#include "core/model/result.h"

#include <QString>
#include <memory>

namespace spyglass::store {
class Storage;
}

namespace spyglass::lab {

// What LabHost needs to know.
struct LabHostOptions
{
    LabOptions lab;
    // Ports tried first (the OTLP defaults, so SDKs work unconfigured);
    // when taken, the OS picks a free one.
    quint16 preferredHttpPort = 4318;
    quint16 preferredGrpcPort = 4317;
    QString address = QStringLiteral("127.0.0.1");
};

// The demo system wired the way the issue demands: a core's receivers
// (HTTP: OTLP/HTTP, remote_write, Loki push, Pyroscope ingest and the query
// APIs; OTLP/gRPC) on loopback, writing into the storage, and a Lab whose
// traffic travels through them over loopback (spans and profiles as
// OTLP/HTTP protobuf, metrics with exemplars as remote_write, logs as Loki
// push). Span metrics are derived on the receiving side and flushed at the
// lab's simulated scrapes. An SDK can be pointed at the same ports.
// Everything runs on threads of its own: the caller's thread is never busy
// except in backfill().
class LabHost
{
public:
    // The storage must outlive the host.
    explicit LabHost(store::Storage &storage, LabHostOptions options = {});
    ~LabHost(); // stops
    LabHost(const LabHost &) = delete;
    LabHost &operator=(const LabHost &) = delete;

    // Starts the receivers (idempotent). Fails only when no port can be bound.
    Result<void> startReceivers();
    quint16 httpPort() const;
    quint16 grpcPort() const;
    QString address() const;

    // The lab (valid after startReceivers()).
    Lab *lab();

    // Stops the lab, then the receivers (requests in flight finish).
    void stop();

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace spyglass::lab
