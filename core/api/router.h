#pragma once

#include "core/api/http_request.h"
#include "core/api/http_response.h"
#include "core/api/websocket.h"

#include <QByteArray>
#include <QByteArrayList>
#include <QList>
#include <QString>
#include <functional>

namespace spyglass::api {

// Runs on one of the server's worker threads; may block (queries do), must
// be thread-safe because several requests run at once.
using HttpHandler = std::function<HttpResponse(const HttpRequest &)>;

struct RouteOptions
{
    // Largest accepted request body, after gzip is undone. A request
    // declaring more gets 413 before its body is read.
    qint64 maxBodyBytes = 8 * 1024 * 1024;
    // Routes serving probes (/-/ready) may skip the bearer token check.
    bool requiresAuth = true;
};

// Maps method + path to handlers. Patterns are absolute paths whose segments
// may be `{name}` (one segment, captured into HttpRequest::pathParams) and
// whose last segment may be `*` (the rest of the path, captured as "*").
// Routes are tried in the order they were added. Receivers and APIs register
// on one Router before the server starts listening; after that it is only read.
class Router
{
public:
    struct Route
    {
        QByteArray method;
        QString pattern;
        QStringList segments;
        HttpHandler handler;
        RouteOptions options;
        WebSocketHandler webSocket; // set for routes added with addWebSocket()
    };

    struct Match
    {
        enum class Kind { Found, NotFound, MethodNotAllowed };
        Kind kind = Kind::NotFound;
        const Route *route = nullptr;
        QHash<QString, QString> params;
        QByteArrayList allowedMethods; // for 405's Allow header
    };

    Router &add(const QByteArray &method, const QString &pattern, HttpHandler handler,
                RouteOptions options = {});
    Router &add(const QByteArray &method, const QString &pattern, HttpHandler handler,
                qint64 maxBodyBytes);
    // The same handler for several methods (typically GET and POST).
    Router &add(const QByteArrayList &methods, const QString &pattern, HttpHandler handler,
                RouteOptions options = {});

    // A GET route upgraded to a WebSocket (same port). A plain GET without
    // the upgrade headers gets 400 saying so.
    Router &addWebSocket(const QString &pattern, WebSocketHandler handler, RouteOptions options = {});

    // HEAD is served by the GET route when no HEAD route exists.
    Match match(QByteArrayView method, const QString &path) const;

    // Routes the request and runs its handler; 404/405 bodies like Go's
    // net/http. Used by the server and by tests without sockets.
    HttpResponse dispatch(HttpRequest &request) const;

    const QList<Route> &routes() const { return m_routes; }

private:
    QList<Route> m_routes;
};

} // namespace spyglass::api
