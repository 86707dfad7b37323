#pragma once

#include "core/ingest/ingest_types.h"
#include "core/model/result.h"

#include <QByteArrayView>

namespace prometheus {
class WriteRequest;
}

namespace spyglass::ingest {

// Prometheus remote_write 1.0 WriteRequest -> series. Samples keep their
// exact values, stale markers included; exemplars kept in `exemplars`
// with their series (IngestSink::appendExemplars); native histograms are
// rejected with a reason. A series without __name__ or with an invalid or
// duplicated label name is rejected, like Prometheus does.
class RemoteWriteConverter
{
public:
    static MetricsConversion convert(const prometheus::WriteRequest &request);
    // `body` is the protobuf after snappy was undone.
    static Result<MetricsConversion> decode(QByteArrayView body);
};

} // namespace spyglass::ingest
