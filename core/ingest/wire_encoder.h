#pragma once

#include "core/model/log_record.h"
#include "core/model/profile.h"
#include "core/model/sample.h"
#include "core/model/span.h"
#include "core/store/exemplar_store.h"

#include <QByteArray>
#include <QList>

namespace spyglass::ingest {

// Model types -> the wire formats the receivers take: what a sender (the
// demo system, the load generator, sample files) puts on the wire. The
// inverse of the converters, so model -> wire -> converter gives back the
// same data. All return serialized protobuf, not yet compressed.
class WireEncoder
{
public:
    // ExportTraceServiceRequest: spans grouped by resource and scope.
    static QByteArray otlpTraces(const QList<model::Span> &spans);
    // ExportProfilesServiceRequest with one request-wide dictionary; the
    // type id's parts become sample_type/period_type, labels other than
    // service_name resource attributes, stack labels sample attributes.
    static QByteArray otlpProfiles(const QList<model::Profile> &profiles);
    // prometheus.WriteRequest; exemplars ride on time series of their own
    // (remote_write allows a series with exemplars and no samples).
    static QByteArray remoteWrite(const QList<model::Series> &series,
                                  const QList<store::SeriesExemplar> &exemplars = {});
    // logproto.PushRequest (stream labels in Prometheus syntax, structured metadata).
    static QByteArray lokiPush(const QList<model::LogRecord> &records);
};

} // namespace spyglass::ingest
