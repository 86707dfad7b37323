#include "core/api/http_server.h"

#include "core/api/gzip_codec.h"
#include "core/api/logging.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <atomic>
#include <limits>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

namespace spyglass::api {

Q_LOGGING_CATEGORY(lcApi, "spyglass.api")

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

namespace {

// Beast's default 512 B read size makes large POSTs an order of magnitude
// slower; one 64 KiB buffer per connection is cheap.
constexpr std::size_t kReadBufferBytes = 64 * 1024;

QByteArray toQ(beast::string_view s) { return QByteArray(s.data(), qsizetype(s.size())); }

bool constantTimeEquals(QByteArrayView a, QByteArrayView b)
{
    if (a.size() != b.size())
        return false;
    unsigned char diff = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

// A request body read straight into a QByteArray, so handing it to the
// handler costs no copy.
struct QByteArrayBody
{
    using value_type = QByteArray;
    static std::uint64_t size(const value_type &v) { return std::uint64_t(v.size()); }

    class reader
    {
    public:
        template <bool isRequest, class Fields>
        reader(http::header<isRequest, Fields> &, value_type &body) : m_body(body)
        {
        }
        void init(const boost::optional<std::uint64_t> &length, beast::error_code &ec)
        {
            // The parser has already checked the length against the body limit.
            if (length)
                m_body.reserve(qsizetype(*length));
            ec = {};
        }
        template <class ConstBufferSequence>
        std::size_t put(const ConstBufferSequence &buffers, beast::error_code &ec)
        {
            std::size_t n = 0;
            for (auto it = net::buffer_sequence_begin(buffers); it != net::buffer_sequence_end(buffers); ++it) {
                const net::const_buffer b = *it;
                m_body.append(static_cast<const char *>(b.data()), qsizetype(b.size()));
                n += b.size();
            }
            ec = {};
            return n;
        }
        void finish(beast::error_code &ec) { ec = {}; }

    private:
        value_type &m_body;
    };
};

} // namespace

class Session;
class WsSession;

struct ServerCore
{
    HttpServerOptions opts;
    Router router;
    std::atomic<bool> stopping{false};
    bool listening = false;
    quint16 boundPort = 0;
    QString boundAddress;

    std::mutex mutex;
    std::condition_variable sessionsGone;
    std::unordered_map<Session *, std::weak_ptr<Session>> sessions;
    // WebSocket connections and their handler threads (detached, counted).
    std::unordered_map<WsSession *, std::weak_ptr<WsSession>> wsSessions;
    int wsHandlersRunning = 0;
    std::condition_variable wsHandlersGone;

    // Declared after what sessions use: destroying the io_context destroys
    // pending handlers and with them the last Session references.
    net::io_context ioc;
    std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
    std::optional<tcp::acceptor> acceptor;
    std::vector<std::thread> threads;

    explicit ServerCore(HttpServerOptions o) : opts(std::move(o)), ioc(qMax(1, opts.threads)) {}

    void doAccept();
    void registerSession(const std::shared_ptr<Session> &s);
    void unregisterSession(Session *s);
    void startWebSocket(beast::tcp_stream &&stream, const http::request<QByteArrayBody> &upgrade,
                        HttpRequest request, const WebSocketHandler &handler);
};

// One connection: reads a request header, decides (route, auth, size)
// before reading the body, runs the handler, writes, repeats while kept alive.
// Every step runs on the connection's strand.
class Session : public std::enable_shared_from_this<Session>
{
public:
    Session(tcp::socket &&socket, ServerCore &server)
        : m_stream(std::move(socket)), m_server(server)
    {
        m_buffer.reserve(kReadBufferBytes);
        beast::error_code ec;
        const auto ep = m_stream.socket().remote_endpoint(ec);
        if (!ec) {
            m_remoteAddress = QString::fromStdString(ep.address().to_string());
            m_remotePort = ep.port();
        }
    }

    ~Session() { m_server.unregisterSession(this); }

    void start()
    {
        net::dispatch(m_stream.get_executor(), [self = shared_from_this()] { self->readHeader(); });
    }

    // Called on the strand when the server stops.
    void onServerStop()
    {
        m_cancel.cancel();
        if (m_idle)
            closeSocket();
        // A busy session closes after writing its response (see afterWrite).
    }

    void forceCancel() { m_cancel.cancel(); }
    auto executor() { return m_stream.get_executor(); }

private:
    void readHeader()
    {
        if (m_server.stopping)
            return closeSocket();
        m_parser.emplace();
        m_parser->header_limit(std::uint32_t(m_server.opts.maxHeaderBytes));
        // Decided per route once the header is known.
        m_parser->body_limit(std::numeric_limits<std::uint64_t>::max());
        m_idle = true;
        m_stream.expires_after(m_server.opts.idleTimeout);
        http::async_read_header(m_stream, m_buffer, *m_parser,
                                beast::bind_front_handler(&Session::onHeader, shared_from_this()));
    }

    void onHeader(beast::error_code ec, std::size_t)
    {
        m_idle = false;
        if (ec == http::error::end_of_stream || ec == net::error::operation_aborted ||
            ec == beast::error::timeout || ec == net::error::connection_reset || ec == net::error::eof ||
            ec == http::error::partial_message)
            return closeSocket();
        if (ec == http::error::header_limit)
            return sendError(431, "Request Header Fields Too Large\n");
        if (ec) {
            qCDebug(lcApi) << "bad request from" << m_remoteAddress << QString::fromStdString(ec.message());
            return sendError(400, "Bad Request: " + QByteArray::fromStdString(ec.message()) + '\n');
        }

        const auto &req = m_parser->get();
        m_request = HttpRequest{};
        m_request.method = toQ(req.method_string());
        m_request.target = toQ(req.target());
        m_request.remoteAddress = m_remoteAddress;
        m_request.remotePort = m_remotePort;
        // Per request: a query timeout cancelling it must not poison the
        // next request on this connection.
        m_cancel = CancelToken();
        m_request.cancel = m_cancel;
        for (const auto &f : req)
            m_request.headers.append({toQ(f.name_string()), toQ(f.value())});
        const qsizetype q = m_request.target.indexOf('?');
        const QByteArray rawPath = q < 0 ? m_request.target : m_request.target.left(q);
        m_request.path = QString::fromUtf8(QByteArray::fromPercentEncoding(rawPath));
        if (q >= 0)
            m_request.query = QueryParams::parse(QByteArrayView(m_request.target).sliced(q + 1));
        m_keepAlive = req.keep_alive();
        m_isHead = req.method() == http::verb::head;

        m_match = m_server.router.match(m_request.method, m_request.path);
        if (m_match.kind == Router::Match::Kind::NotFound)
            return sendError(404, "404 page not found\n");
        if (m_match.kind == Router::Match::Kind::MethodNotAllowed) {
            HttpResponse r = HttpResponse::text(405, "Method Not Allowed\n");
            r.setHeader("Allow", m_match.allowedMethods.join(", "));
            return sendResponse(std::move(r));
        }
        const RouteOptions &ro = m_match.route->options;
        qCDebug(lcApi) << m_request.method << m_request.path << "->" << m_match.route->pattern << "limit" << ro.maxBodyBytes;
        if (ro.requiresAuth && !m_server.opts.bearerToken.isEmpty()) {
            const QByteArray auth = m_request.header("Authorization");
            const bool ok = auth.size() > 7 && auth.first(7).compare("Bearer ", Qt::CaseInsensitive) == 0 &&
                            constantTimeEquals(auth.sliced(7).trimmed(), m_server.opts.bearerToken);
            if (!ok) {
                HttpResponse r = HttpResponse::text(401, "Unauthorized: a valid bearer token is required\n");
                r.setHeader("WWW-Authenticate", "Bearer");
                return sendResponse(std::move(r));
            }
        }
        if (m_match.route->webSocket && websocket::is_upgrade(req) && m_parser->is_done()) {
            m_request.pathParams = m_match.params;
            m_stream.expires_never();
            // The WebSocket session takes the socket over; this one ends.
            return m_server.startWebSocket(std::move(m_stream), m_parser->get(), std::move(m_request),
                                           m_match.route->webSocket);
        }
        // Refuse a declared oversize body now, without reading any of it.
        if (const auto len = m_parser->content_length(); len && *len > std::uint64_t(ro.maxBodyBytes))
            return sendError(413, QByteArray("request body of ") + QByteArray::number(qulonglong(*len)) +
                                      " bytes exceeds the limit of " + QByteArray::number(ro.maxBodyBytes) +
                                      " bytes\n");
        if (m_parser->is_done())
            return handle();
        m_parser->body_limit(std::uint64_t(ro.maxBodyBytes));
        if (beast::iequals(req[http::field::expect], "100-continue")) {
            static const char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
            m_stream.expires_after(m_server.opts.idleTimeout);
            return net::async_write(m_stream, net::buffer(kContinue, sizeof(kContinue) - 1),
                                    [self = shared_from_this()](beast::error_code wec, std::size_t) {
                                        if (wec)
                                            return self->closeSocket();
                                        self->readBody();
                                    });
        }
        readBody();
    }

    void readBody()
    {
        m_stream.expires_after(m_server.opts.idleTimeout);
        http::async_read(m_stream, m_buffer, *m_parser,
                         [self = shared_from_this()](beast::error_code ec, std::size_t) {
                             if (ec == http::error::body_limit)
                                 return self->sendError(413, "request body exceeds the limit of " +
                                                                 QByteArray::number(self->m_match.route->options.maxBodyBytes) +
                                                                 " bytes\n");
                             if (ec)
                                 return self->closeSocket(); // client went away or stalled
                             self->handle();
                         });
    }

    void handle()
    {
        m_stream.expires_never(); // handlers may take long (queries have their own timeout)
        m_request.body = std::move(m_parser->get().body());
        const qint64 limit = m_match.route->options.maxBodyBytes;
        const QByteArray encoding = m_request.header("Content-Encoding").trimmed().toLower();
        if (encoding == "gzip" || encoding == "x-gzip" || encoding == "deflate") {
            bool tooLarge = false;
            auto decoded = GzipCodec::decompress(m_request.body, limit, &tooLarge);
            if (!decoded) {
                m_keepAlive = false;
                return sendResponse(HttpResponse::text(tooLarge ? 413 : 400,
                                                       decoded.error().message.toUtf8() + '\n'));
            }
            m_request.body = std::move(*decoded);
            // Handlers see a plain body; other encodings (snappy) stay for them to undo.
            m_request.headers.removeIf([](const auto &h) {
                return h.first.compare("Content-Encoding", Qt::CaseInsensitive) == 0;
            });
        }
        m_request.pathParams = m_match.params;
        HttpResponse response;
        try {
            response = m_match.route->handler(m_request);
        } catch (const std::exception &e) {
            qCWarning(lcApi) << "handler for" << m_match.route->pattern << "threw:" << e.what();
            response = HttpResponse::text(500, "internal server error\n");
        } catch (...) {
            qCWarning(lcApi) << "handler for" << m_match.route->pattern << "threw";
            response = HttpResponse::text(500, "internal server error\n");
        }
        m_request = HttpRequest{}; // free the body before writing
        sendResponse(std::move(response));
    }

    // Errors decided before the body was read: the rest of the request is
    // still on the wire, so the connection cannot be reused.
    void sendError(int status, const QByteArray &body)
    {
        if (!m_parser || !m_parser->is_header_done() || !m_parser->is_done())
            m_keepAlive = false;
        sendResponse(HttpResponse::text(status, body));
    }

    void sendResponse(HttpResponse r)
    {
        m_unreadBody = m_parser && m_parser->is_header_done() && !m_parser->is_done();
        if (m_unreadBody)
            m_keepAlive = false;
        if (m_server.stopping)
            m_keepAlive = false;
        auto res = std::make_shared<http::response<http::string_body>>();
        res->version(11);
        res->result(unsigned(r.status));
        res->set(http::field::server, "spyglass");
        bool hasContentType = false;
        for (const auto &h : r.headers) {
            if (h.first.compare("Content-Type", Qt::CaseInsensitive) == 0)
                hasContentType = true;
            res->insert(beast::string_view(h.first.constData(), std::size_t(h.first.size())),
                        beast::string_view(h.second.constData(), std::size_t(h.second.size())));
        }
        if (!hasContentType && !r.contentType.isEmpty())
            res->set(http::field::content_type, r.contentType.toStdString());
        res->keep_alive(m_keepAlive);
        if (m_isHead) {
            res->content_length(std::uint64_t(r.body.size()));
        } else {
            res->body().assign(r.body.constData(), std::size_t(r.body.size()));
            res->prepare_payload();
        }
        m_stream.expires_after(m_server.opts.idleTimeout);
        auto onWritten = [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
            if (ec)
                return self->closeSocket();
            if (self->m_unreadBody)
                return self->drainAndClose();
            if (!self->m_keepAlive || self->m_server.stopping)
                return self->closeSocket();
            self->readHeader();
        };
        if (m_isHead) {
            auto sr = std::make_shared<http::response_serializer<http::string_body>>(*res);
            sr->split(true);
            http::async_write_header(m_stream, *sr, [sr, onWritten](beast::error_code ec, std::size_t n) {
                onWritten(ec, n);
            });
        } else {
            http::async_write(m_stream, *res, std::move(onWritten));
        }
    }

    // Closing with unread request bytes makes the kernel send RST, which can
    // destroy our error response before the client reads it; so read and
    // discard a little of what is still coming (bounded in bytes and time).
    void drainAndClose()
    {
        beast::error_code ec;
        m_stream.socket().shutdown(tcp::socket::shutdown_send, ec);
        m_stream.expires_after(std::chrono::seconds(2));
        m_drained = 0;
        drainSome();
    }

    void drainSome()
    {
        m_buffer.clear();
        m_stream.async_read_some(m_buffer.prepare(kReadBufferBytes),
                                 [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                                     self->m_drained += n;
                                     if (ec || self->m_drained > 4 * kReadBufferBytes * 16)
                                         return self->m_stream.close();
                                     self->drainSome();
                                 });
    }

    void closeSocket()
    {
        beast::error_code ec;
        m_stream.socket().shutdown(tcp::socket::shutdown_send, ec);
        m_stream.close();
    }

    beast::tcp_stream m_stream;
    beast::flat_buffer m_buffer;
    ServerCore &m_server;
    std::optional<http::request_parser<QByteArrayBody>> m_parser;
    HttpRequest m_request;
    Router::Match m_match;
    CancelToken m_cancel;
    QString m_remoteAddress;
    quint16 m_remotePort = 0;
    bool m_keepAlive = true;
    bool m_isHead = false;
    bool m_idle = false;
    bool m_unreadBody = false;
    std::size_t m_drained = 0;
};

// One upgraded connection. All socket work runs on the connection's strand;
// the handler runs on its own thread and reaches the socket only through
// posted sends, so a tail that lasts hours holds no server worker.
class WsSession : public std::enable_shared_from_this<WsSession>, public WebSocketConnection
{
public:
    WsSession(beast::tcp_stream &&stream, ServerCore &server) : m_ws(std::move(stream)), m_server(server) {}
    ~WsSession() override
    {
        std::lock_guard lock(m_server.mutex);
        m_server.wsSessions.erase(this);
        if (m_server.wsSessions.empty())
            m_server.sessionsGone.notify_all();
    }

    void accept(const http::request<QByteArrayBody> &upgrade, HttpRequest request, WebSocketHandler handler)
    {
        m_request = std::move(request);
        m_handler = std::move(handler);
        m_request.cancel = m_closed;
        m_ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        m_ws.set_option(websocket::stream_base::decorator(
            [](websocket::response_type &res) { res.set(http::field::server, "spyglass"); }));
        m_ws.read_message_max(64 * 1024);
        m_ws.async_accept(upgrade, [self = shared_from_this()](beast::error_code ec) {
            if (ec) {
                qCDebug(lcApi) << "WebSocket handshake failed:" << QString::fromStdString(ec.message());
                self->m_closed.cancel();
                return;
            }
            self->startHandler();
            self->readLoop();
        });
    }

    bool sendText(const QByteArray &message) override
    {
        constexpr std::size_t kMaxQueuedBytes = 16 * 1024 * 1024;
        {
            std::unique_lock lock(m_queueMutex);
            m_queueDrained.wait(lock, [&] { return m_closed.isCancelled() || m_queuedBytes < kMaxQueuedBytes; });
            if (m_closed.isCancelled())
                return false;
            m_queuedBytes += std::size_t(message.size());
        }
        net::post(m_ws.get_executor(), [self = shared_from_this(), msg = message.toStdString()]() mutable {
            self->m_outbox.push_back(std::move(msg));
            if (!self->m_writing)
                self->writeNext();
        });
        return true;
    }

    const CancelToken &closed() const override { return m_closed; }

    void close(quint16 code, const QByteArray &reason) override
    {
        net::post(m_ws.get_executor(), [self = shared_from_this(), code, reason = reason.toStdString()] {
            self->m_closeRequested = websocket::close_reason(static_cast<websocket::close_code>(code), reason);
            if (!self->m_writing)
                self->closeNow();
        });
    }

    // On the strand.
    void onServerStop()
    {
        markClosed();
        if (m_ws.is_open() && !m_closing) {
            m_closeRequested = websocket::close_reason(websocket::close_code::going_away);
            if (!m_writing)
                closeNow();
        }
    }

    auto executor() { return m_ws.get_executor(); }

    // On the strand: for peers that do not finish the closing handshake.
    void forceClose()
    {
        markClosed();
        beast::error_code ec;
        beast::get_lowest_layer(m_ws).socket().shutdown(tcp::socket::shutdown_both, ec);
        beast::get_lowest_layer(m_ws).close();
    }

private:
    void markClosed()
    {
        {
            std::lock_guard lock(m_queueMutex);
            m_closed.cancel();
        }
        m_queueDrained.notify_all();
    }

    void startHandler()
    {
        {
            std::lock_guard lock(m_server.mutex);
            ++m_server.wsHandlersRunning;
        }
        std::thread([self = shared_from_this()]() mutable {
            ServerCore &server = self->m_server;
            try {
                self->m_handler(self->m_request, *self);
            } catch (const std::exception &e) {
                qCWarning(lcApi) << "WebSocket handler threw:" << e.what();
            } catch (...) {
                qCWarning(lcApi) << "WebSocket handler threw";
            }
            self->close(1000, {});
            // Drop our reference before saying we are done: once the count is
            // 0 the server may destroy the io_context the session lives on.
            self.reset();
            std::lock_guard lock(server.mutex);
            if (--server.wsHandlersRunning == 0)
                server.wsHandlersGone.notify_all();
        }).detach();
    }

    void readLoop()
    {
        m_ws.async_read(m_readBuffer, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) {
                // Peer closed, went away or the server closed: the handler stops.
                self->markClosed();
                return;
            }
            self->m_readBuffer.clear();
            self->readLoop();
        });
    }

    void writeNext()
    {
        if (m_outbox.empty()) {
            m_writing = false;
            if (m_closeRequested)
                closeNow();
            return;
        }
        m_writing = true;
        m_ws.text(true);
        m_ws.async_write(net::buffer(m_outbox.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
            const std::size_t n = self->m_outbox.front().size();
            self->m_outbox.pop_front();
            {
                std::lock_guard lock(self->m_queueMutex);
                self->m_queuedBytes -= std::min(self->m_queuedBytes, n);
            }
            self->m_queueDrained.notify_all();
            if (ec) {
                self->m_writing = false;
                self->m_outbox.clear();
                self->markClosed();
                return;
            }
            self->writeNext();
        });
    }

    void closeNow()
    {
        if (m_closing || !m_ws.is_open())
            return;
        m_closing = true;
        m_ws.async_close(*m_closeRequested, [self = shared_from_this()](beast::error_code) { self->markClosed(); });
    }

    websocket::stream<beast::tcp_stream> m_ws;
    ServerCore &m_server;
    HttpRequest m_request;
    WebSocketHandler m_handler;
    CancelToken m_closed;
    beast::flat_buffer m_readBuffer;
    std::deque<std::string> m_outbox; // strand only
    bool m_writing = false;           // strand only
    bool m_closing = false;           // strand only
    std::optional<websocket::close_reason> m_closeRequested;
    std::mutex m_queueMutex;
    std::condition_variable m_queueDrained;
    std::size_t m_queuedBytes = 0;
};

void ServerCore::startWebSocket(beast::tcp_stream &&stream, const http::request<QByteArrayBody> &upgrade,
                                HttpRequest request, const WebSocketHandler &handler)
{
    auto ws = std::make_shared<WsSession>(std::move(stream), *this);
    {
        std::lock_guard lock(mutex);
        wsSessions.emplace(ws.get(), ws);
    }
    ws->accept(upgrade, std::move(request), handler);
}

struct HttpServer::Impl : ServerCore
{
    using ServerCore::ServerCore;
};

void ServerCore::doAccept()
{
    acceptor->async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
        if (ec == net::error::operation_aborted || !acceptor->is_open())
            return;
        if (!ec && !stopping) {
            auto s = std::make_shared<Session>(std::move(socket), *this);
            registerSession(s);
            s->start();
        } else if (ec) {
            // Out of descriptors and the like: keep accepting, others may succeed.
            qCWarning(lcApi) << "accept failed:" << QString::fromStdString(ec.message());
        }
        if (!stopping)
            doAccept();
    });
}

void ServerCore::registerSession(const std::shared_ptr<Session> &s)
{
    std::lock_guard lock(mutex);
    sessions.emplace(s.get(), s);
}

void ServerCore::unregisterSession(Session *s)
{
    std::lock_guard lock(mutex);
    sessions.erase(s);
    if (sessions.empty())
        sessionsGone.notify_all();
}

HttpServer::HttpServer(HttpServerOptions options) : m_impl(std::make_unique<Impl>(std::move(options))) {}

HttpServer::~HttpServer() { stop(); }

Router &HttpServer::router() { return m_impl->router; }

bool HttpServer::isLoopbackAddress(const QString &address)
{
    if (address == u"localhost")
        return true;
    beast::error_code ec;
    const auto a = net::ip::make_address(address.toStdString(), ec);
    return !ec && a.is_loopback();
}

Result<quint16> HttpServer::listen(const QString &address, quint16 port)
{
    Impl &d = *m_impl;
    if (d.listening)
        return fail(Error::invalid(QStringLiteral("the HTTP server is already listening on %1:%2")
                                       .arg(d.boundAddress)
                                       .arg(d.boundPort)));
    if (!isLoopbackAddress(address) && d.opts.bearerToken.isEmpty())
        return fail(Error::invalid(
            QStringLiteral("refusing to listen on %1 without a bearer token: only loopback "
                           "addresses may be served without one")
                .arg(address)));
    const QString host = address == u"localhost" ? QStringLiteral("127.0.0.1") : address;
    beast::error_code ec;
    const auto ip = net::ip::make_address(host.toStdString(), ec);
    if (ec)
        return fail(Error::invalid(QStringLiteral("invalid listen address \"%1\"").arg(address)));
    const tcp::endpoint ep(ip, port);
    tcp::acceptor acc(d.ioc);
    auto failWith = [&](const char *what) {
        return fail(Error::io(QStringLiteral("cannot %1 %2:%3: %4")
                                  .arg(QLatin1String(what), host)
                                  .arg(port)
                                  .arg(QString::fromStdString(ec.message()))));
    };
    acc.open(ep.protocol(), ec);
    if (ec)
        return failWith("open a socket for");
    acc.set_option(net::socket_base::reuse_address(true), ec);
    acc.bind(ep, ec);
    if (ec)
        return failWith("bind to");
    acc.listen(net::socket_base::max_listen_connections, ec);
    if (ec)
        return failWith("listen on");
    d.boundPort = acc.local_endpoint().port();
    d.boundAddress = host;
    d.acceptor.emplace(std::move(acc));
    d.stopping = false;
    d.ioc.restart();
    d.work.emplace(d.ioc.get_executor());
    d.doAccept();
    for (int i = 0; i < qMax(1, d.opts.threads); ++i)
        d.threads.emplace_back([&d] {
            try {
                d.ioc.run();
            } catch (const std::exception &e) {
                qCCritical(lcApi) << "HTTP worker thread stopped:" << e.what();
            }
        });
    d.listening = true;
    qCInfo(lcApi) << "HTTP listening on" << host << d.boundPort;
    return d.boundPort;
}

bool HttpServer::isListening() const { return m_impl->listening; }
quint16 HttpServer::port() const { return m_impl->boundPort; }
QString HttpServer::address() const { return m_impl->boundAddress; }

void HttpServer::stop()
{
    Impl &d = *m_impl;
    if (!d.listening)
        return;
    d.stopping = true;
    // The acceptor is only touched on the io threads from here on.
    net::post(d.ioc, [&d] {
        beast::error_code ec;
        d.acceptor->close(ec);
    });
    std::vector<std::shared_ptr<Session>> live;
    {
        std::lock_guard lock(d.mutex);
        for (auto &[ptr, weak] : d.sessions)
            if (auto s = weak.lock())
                live.push_back(std::move(s));
    }
    for (auto &s : live) {
        // Posted, not run here: the session's state belongs to its strand.
        net::post(s->executor(), [s] { s->onServerStop(); });
    }
    live.clear();
    std::vector<std::shared_ptr<WsSession>> liveWs;
    {
        std::lock_guard lock(d.mutex);
        for (auto &[ptr, weak] : d.wsSessions)
            if (auto s = weak.lock())
                liveWs.push_back(std::move(s));
    }
    for (auto &s : liveWs)
        net::post(s->executor(), [s] { s->onServerStop(); });
    liveWs.clear();
    d.work.reset();
    {
        std::unique_lock lock(d.mutex);
        if (!d.sessionsGone.wait_for(lock, d.opts.stopGrace, [&d] { return d.sessions.empty(); })) {
            qCWarning(lcApi) << d.sessions.size() << "HTTP connection(s) still busy after the grace period; cancelling";
            for (auto &[ptr, weak] : d.sessions)
                if (auto s = weak.lock())
                    s->forceCancel();
        }
    }
    {
        // WebSocket handlers see closed() and return; they must be gone
        // before the io_context their sessions post to stops.
        std::unique_lock lock(d.mutex);
        if (!d.wsHandlersGone.wait_for(lock, d.opts.stopGrace, [&d] { return d.wsHandlersRunning == 0; }))
            qCWarning(lcApi) << d.wsHandlersRunning << "WebSocket handler(s) did not return within the grace period";
    }
    // Give closing handshakes a moment, then close the sockets of peers that
    // do not answer: a stopped server must not leave them waiting. (Session
    // references are dropped outside the lock: the last one locks it.)
    auto wsSessionsGone = [&d](std::chrono::milliseconds within) {
        std::unique_lock lock(d.mutex);
        return d.sessionsGone.wait_for(lock, within, [&d] { return d.wsSessions.empty(); });
    };
    if (!wsSessionsGone(std::chrono::milliseconds(1000))) {
        std::vector<std::shared_ptr<WsSession>> stuck;
        {
            std::lock_guard lock(d.mutex);
            for (auto &[ptr, weak] : d.wsSessions)
                if (auto ws = weak.lock())
                    stuck.push_back(std::move(ws));
        }
        for (auto &ws : stuck)
            net::post(ws->executor(), [ws] { ws->forceClose(); });
        stuck.clear();
        wsSessionsGone(std::chrono::milliseconds(1000));
    }
    d.ioc.stop();
    for (auto &t : d.threads)
        t.join();
    d.threads.clear();
    d.acceptor.reset();
    {
        std::lock_guard lock(d.mutex);
        d.sessions.clear();
    }
    d.listening = false;
    qCInfo(lcApi) << "HTTP server on" << d.boundAddress << d.boundPort << "stopped";
}

} // namespace spyglass::api
