#pragma once

#include "core/ingest/ingest_types.h"
#include "core/model/labels.h"
#include "core/model/result.h"

#include <QByteArrayView>

namespace spyglass::ingest {

// Loki's push API bodies -> LogRecords:
//  - JSON: {"streams":[{"stream":{"k":"v"},"values":[["<ns>","line",{"meta":"v"}]]}]}
//    (timestamps are nanosecond strings; the third element, structured
//    metadata, is optional);
//  - protobuf logproto.PushRequest (after snappy), whose stream labels are
//    a selector string `{k="v", ...}`.
// A stream without labels or an entry with a bad timestamp fails the whole
// request (Loki answers 400 too), so nothing is half stored.
class LokiPushConverter
{
public:
    static Result<LogsConversion> decodeJson(QByteArrayView body);
    static Result<LogsConversion> decodeProtobuf(QByteArrayView body);

    // `{a="b", c="d"}` -> labels; Go-style escapes in values.
    static Result<model::Labels> parseLabels(QStringView text);
};

} // namespace spyglass::ingest
