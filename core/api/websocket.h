#pragma once

#include "core/api/http_request.h"
#include "core/model/cancel_token.h"

#include <QByteArray>
#include <functional>

namespace spyglass::api {

// One accepted WebSocket connection (RFC 6455) as a handler sees it; the
// network library stays hidden in http_server.cpp. Thread-safe.
class WebSocketConnection
{
public:
    virtual ~WebSocketConnection() = default;

    // Queues one text message. Blocks while a slow peer has too much
    // queued; false once the connection is closed (nothing sent).
    virtual bool sendText(const QByteArray &message) = 0;
    // Cancelled when the peer closes or goes away, or the server stops.
    virtual const CancelToken &closed() const = 0;
    // Starts the closing handshake (1000 normal, 1008 policy, 1011 error).
    virtual void close(quint16 code = 1000, const QByteArray &reason = {}) = 0;
};

// Runs on a thread of its own for the connection's lifetime (tails may run
// for hours without holding a server worker); returning closes normally.
// Messages from the peer are read and ignored (Loki's tail sends none).
using WebSocketHandler = std::function<void(const HttpRequest &request, WebSocketConnection &connection)>;

} // namespace spyglass::api
