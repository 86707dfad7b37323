#pragma once

#include "core/api/router.h"
#include "core/model/result.h"

#include <QByteArray>
#include <QString>
#include <chrono>
#include <memory>

namespace spyglass::api {

struct HttpServerOptions
{
    // Worker threads running both the network I/O and the handlers; a slow
    // query occupies one, so there are a few.
    int threads = 4;
    // When non-empty every route with RouteOptions::requiresAuth needs
    // `Authorization: Bearer <token>`. Required to listen on a non-loopback address.
    QByteArray bearerToken;
    std::size_t maxHeaderBytes = 64 * 1024;
    // How long an idle keep-alive connection (or a stalled upload) is kept.
    std::chrono::milliseconds idleTimeout{120'000};
    // How long stop() lets in-flight requests finish before cancelling them.
    std::chrono::milliseconds stopGrace{10'000};
};

// The embedded core's HTTP/1.1 server (Boost.Beast underneath, hidden here):
// one port shared by the query APIs and, later, the receivers. Bodies are
// limited per route and refused with 413 before they are read; gzip/deflate
// request bodies are decoded; connections are kept alive. Handlers run on
// the server's worker threads.
class HttpServer
{
public:
    explicit HttpServer(HttpServerOptions options = {});
    ~HttpServer(); // stop()s

    HttpServer(const HttpServer &) = delete;
    HttpServer &operator=(const HttpServer &) = delete;

    // Configure before listen(); read-only while serving.
    Router &router();

    // Binds and starts serving. `port` 0 picks a free port; port() tells
    // which. Refuses a non-loopback address unless a bearer token is set.
    Result<quint16> listen(const QString &address = QStringLiteral("127.0.0.1"), quint16 port = 0);

    bool isListening() const;
    quint16 port() const;
    QString address() const;

    // Stops accepting, closes idle connections, lets requests in flight
    // finish (cancelling them after stopGrace), joins the threads. Idempotent.
    void stop();

    static bool isLoopbackAddress(const QString &address);

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace spyglass::api
