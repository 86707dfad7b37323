#pragma once

#include "core/model/cancel_token.h"
#include "core/model/frame.h"
#include "core/model/result.h"
#include "core/model/time_range.h"

#include <QString>
#include <functional>

namespace spyglass::datasource {

// A live tail of log lines (Loki's /loki/api/v1/tail): lines matching a
// LogQL log query, pushed as they arrive.
struct TailRequest
{
    QString expr;                 // a LogQL log query (no metric queries)
    model::TimestampMs from = 0;  // replay lines since then first; 0 = the last hour, as Loki
    int delayForSeconds = 0;      // Loki's delay_for (0..5): wait for late lines
    int limit = 100;              // most lines of the first batch
};

// One batch received: a logs frame (FrameKind::Logs, the same fields as
// query() returns) and the number of lines the server said it dropped
// (Loki's dropped_entries). Return false to stop tailing.
using TailSink = std::function<bool(const model::Frame &lines, qint64 droppedEntries)>;

// Optional capability of a datasource (Datasource::liveTail() returns
// nullptr when unsupported). tail() blocks on the calling worker thread
// until the sink returns false, the token is cancelled (then it returns an
// empty success) or the connection fails (an Error saying why).
class LiveTail
{
public:
    virtual ~LiveTail() = default;
    virtual Result<void> tail(const TailRequest &request, const TailSink &sink, const CancelToken &cancel) = 0;
};

} // namespace spyglass::datasource
