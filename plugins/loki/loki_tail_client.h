#pragma once

#include "core/datasource/http_client.h"
#include "core/model/cancel_token.h"
#include "core/model/result.h"

#include <QByteArray>
#include <QUrl>
#include <functional>

namespace spyglass::plugins::loki {

// Gets each text message; returns false to stop (the connection is then
// closed normally).
using WebSocketMessageSink = std::function<bool(const QByteArray &message)>;

// A blocking RFC 6455 client for one WebSocket (Boost.Beast underneath,
// hidden in the .cpp): connects to `url` (http:// is spoken as ws://),
// sends `headers` with the upgrade request, then hands every message to
// `sink` until the sink says stop, the token is cancelled (both: success),
// the server closes normally (success), or the server refuses or breaks
// the connection (an Error with the server's reason or HTTP answer).
// `connectTimeoutMs` bounds resolve + connect + handshake. `declined` is
// set when the server answered the upgrade with a plain HTTP response (its
// status and body are then best fetched with a plain GET: Boost 1.74 does
// not hand them out).
Result<void> runWebSocket(const QUrl &url, const datasource::HttpHeaders &headers, int connectTimeoutMs,
                          const WebSocketMessageSink &sink, const CancelToken &cancel, bool *declined = nullptr);

} // namespace spyglass::plugins::loki
