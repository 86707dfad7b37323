#include "core/api/router.h"

#include "core/api/logging.h"

#include <exception>

namespace spyglass::api {

namespace {

QStringList splitPath(const QString &path)
{
    // A leading "/" gives an empty first element, which both sides share.
    return path.split(u'/');
}

bool matchSegments(const QStringList &pattern, const QStringList &path, QHash<QString, QString> &params)
{
    params.clear();
    for (qsizetype i = 0; i < pattern.size(); ++i) {
        const QString &seg = pattern[i];
        if (seg == u"*" && i == pattern.size() - 1) {
            params.insert(QStringLiteral("*"), path.mid(i).join(u'/'));
            return true;
        }
        if (i >= path.size())
            return false;
        if (seg.size() > 2 && seg.startsWith(u'{') && seg.endsWith(u'}')) {
            if (path[i].isEmpty())
                return false;
            params.insert(seg.mid(1, seg.size() - 2), path[i]);
        } else if (seg != path[i]) {
            return false;
        }
    }
    return pattern.size() == path.size();
}

} // namespace

Router &Router::add(const QByteArray &method, const QString &pattern, HttpHandler handler,
                    RouteOptions options)
{
    m_routes.append(Route{method.toUpper(), pattern, splitPath(pattern), std::move(handler), options, {}});
    return *this;
}

Router &Router::addWebSocket(const QString &pattern, WebSocketHandler handler, RouteOptions options)
{
    add("GET", pattern,
        [](const HttpRequest &) {
            return HttpResponse::text(400, "this endpoint speaks WebSocket: send Connection: Upgrade and "
                                           "Upgrade: websocket\n");
        },
        options);
    m_routes.last().webSocket = std::move(handler);
    return *this;
}

Router &Router::add(const QByteArray &method, const QString &pattern, HttpHandler handler,
                    qint64 maxBodyBytes)
{
    RouteOptions o;
    o.maxBodyBytes = maxBodyBytes;
    return add(method, pattern, std::move(handler), o);
}

Router &Router::add(const QByteArrayList &methods, const QString &pattern, HttpHandler handler,
                    RouteOptions options)
{
    for (const QByteArray &m : methods)
        add(m, pattern, handler, options);
    return *this;
}

Router::Match Router::match(QByteArrayView method, const QString &path) const
{
    Match result;
    const QStringList segments = splitPath(path);
    QHash<QString, QString> params;
    const Route *getFallback = nullptr;
    QHash<QString, QString> getParams;
    for (const Route &r : m_routes) {
        if (!matchSegments(r.segments, segments, params))
            continue;
        if (r.method == method) {
            result.kind = Match::Kind::Found;
            result.route = &r;
            result.params = params;
            return result;
        }
        if (method == "HEAD" && r.method == "GET" && !getFallback) {
            getFallback = &r;
            getParams = params;
        }
        if (!result.allowedMethods.contains(r.method))
            result.allowedMethods.append(r.method);
    }
    if (getFallback) {
        result.kind = Match::Kind::Found;
        result.route = getFallback;
        result.params = getParams;
        result.allowedMethods.clear();
        return result;
    }
    result.kind = result.allowedMethods.isEmpty() ? Match::Kind::NotFound : Match::Kind::MethodNotAllowed;
    return result;
}

HttpResponse Router::dispatch(HttpRequest &request) const
{
    const Match m = match(request.method, request.path);
    switch (m.kind) {
    case Match::Kind::NotFound:
        return HttpResponse::text(404, "404 page not found\n");
    case Match::Kind::MethodNotAllowed: {
        HttpResponse r = HttpResponse::text(405, "Method Not Allowed\n");
        r.setHeader("Allow", m.allowedMethods.join(", "));
        return r;
    }
    case Match::Kind::Found:
        break;
    }
    request.pathParams = m.params;
    // A throwing handler must not unwind into the network threads.
    try {
        return m.route->handler(request);
    } catch (const std::exception &e) {
        qCWarning(lcApi) << "handler for" << m.route->pattern << "threw:" << e.what();
    } catch (...) {
        qCWarning(lcApi) << "handler for" << m.route->pattern << "threw an unknown exception";
    }
    return HttpResponse::text(500, "internal server error\n");
}

} // namespace spyglass::api
