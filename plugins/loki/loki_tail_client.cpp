#include "plugins/loki/loki_tail_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <chrono>
#include <optional>

namespace spyglass::plugins::loki {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

namespace {

Error unavailable(QString message)
{
    return Error{Error::Kind::Unavailable, std::move(message), {}, 0, 0};
}

QString text(const beast::error_code &ec)
{
    return QString::fromStdString(ec.message());
}

} // namespace

Result<void> runWebSocket(const QUrl &url, const datasource::HttpHeaders &headers, int connectTimeoutMs,
                          const WebSocketMessageSink &sink, const CancelToken &cancel, bool *declined)
{
    if (url.scheme() != u"http" && url.scheme() != u"ws")
        return fail(Error::invalid(QStringLiteral("live tail of %1: only http:// (ws://) servers can be tailed so far, "
                                                  "not %2://")
                                       .arg(url.toDisplayString(QUrl::RemoveUserInfo | QUrl::RemoveQuery), url.scheme())));
    const QString where = url.toDisplayString(QUrl::RemoveUserInfo | QUrl::RemoveQuery);
    const std::string host = url.host().toStdString();
    const std::string port = std::to_string(url.port(80));
    std::string target = url.path(QUrl::FullyEncoded).toStdString();
    if (target.empty())
        target = "/";
    if (url.hasQuery())
        target += "?" + url.query(QUrl::FullyEncoded).toStdString();

    net::io_context ioc;
    tcp::resolver resolver(ioc);
    websocket::stream<beast::tcp_stream> ws(ioc);
    websocket::response_type handshakeResponse;
    beast::flat_buffer buffer;
    std::optional<Error> error;
    bool finished = false;
    bool closing = false;

    auto finish = [&](std::optional<Error> e) {
        if (!finished) {
            finished = true;
            error = std::move(e);
        }
    };
    auto closeNormally = [&] {
        if (closing || finished)
            return;
        closing = true;
        beast::get_lowest_layer(ws).expires_after(std::chrono::seconds(2));
        ws.async_close(websocket::close_code::normal, [&](beast::error_code) { finish(std::nullopt); });
    };

    std::function<void()> readNext = [&] {
        ws.async_read(buffer, [&](beast::error_code ec, std::size_t) {
            if (ec) {
                if (closing)
                    return finish(std::nullopt);
                if (ec == websocket::error::closed) {
                    const auto reason = ws.reason();
                    if (reason.code == websocket::close_code::normal || reason.code == websocket::close_code::none)
                        return finish(std::nullopt);
                    return finish(unavailable(QStringLiteral("%1 closed the live tail: %2 (code %3)")
                                                  .arg(where, QString::fromStdString(std::string(reason.reason.c_str())))
                                                  .arg(int(reason.code))));
                }
                if (ec == net::error::operation_aborted && cancel.isCancelled())
                    return finish(std::nullopt);
                return finish(unavailable(QStringLiteral("the live tail of %1 broke off: %2").arg(where, text(ec))));
            }
            const auto data = buffer.cdata();
            const QByteArray message(static_cast<const char *>(data.data()), qsizetype(data.size()));
            buffer.consume(buffer.size());
            if (!sink(message))
                return closeNormally();
            readNext();
        });
    };

    beast::get_lowest_layer(ws).expires_after(std::chrono::milliseconds(connectTimeoutMs));
    resolver.async_resolve(host, port, [&](beast::error_code ec, tcp::resolver::results_type results) {
        if (ec)
            return finish(unavailable(QStringLiteral("cannot resolve %1: %2").arg(url.host(), text(ec))));
        beast::get_lowest_layer(ws).async_connect(results, [&](beast::error_code cec, const tcp::endpoint &) {
            if (cec)
                return finish(unavailable(cec == beast::error::timeout
                                              ? QStringLiteral("no connection to %1 within %2 s").arg(where).arg(connectTimeoutMs / 1000.0)
                                              : QStringLiteral("cannot connect to %1: %2").arg(where, text(cec))));
            ws.set_option(websocket::stream_base::decorator([&headers](websocket::request_type &req) {
                req.set(http::field::user_agent, "Spyglass");
                for (const auto &[name, value] : headers) {
                    if (name.compare("Accept", Qt::CaseInsensitive) == 0)
                        continue;
                    req.set(beast::string_view(name.constData(), std::size_t(name.size())),
                            beast::string_view(value.constData(), std::size_t(value.size())));
                }
            }));
            ws.async_handshake(handshakeResponse, host + ":" + port, target, [&](beast::error_code hec) {
                if (hec) {
                    if (handshakeResponse.result_int() != 0 && handshakeResponse.result_int() != 101) {
                        const QString body = QString::fromStdString(handshakeResponse.body()).trimmed().left(300);
                        return finish(Error{handshakeResponse.result_int() == 404 ? Error::Kind::NotFound
                                                                                  : Error::Kind::Unavailable,
                                            QStringLiteral("%1 refused the live tail: HTTP %2%3")
                                                .arg(where)
                                                .arg(handshakeResponse.result_int())
                                                .arg(body.isEmpty() ? QString() : QStringLiteral(": ") + body),
                                            {}, 0, 0});
                    }
                    if (hec == websocket::error::upgrade_declined && declined)
                        *declined = true;
                    return finish(unavailable(QStringLiteral("WebSocket handshake with %1 failed: %2").arg(where, text(hec))));
                }
                beast::get_lowest_layer(ws).expires_never();
                ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
                readNext();
            });
        });
    });

    // Our own loop instead of ioc.run(): it looks at the cancel token
    // between slices so a cancelled tail ends within ~50 ms.
    while (!ioc.stopped()) {
        ioc.run_for(std::chrono::milliseconds(50));
        if (cancel.isCancelled() && !finished) {
            if (ws.is_open())
                closeNormally();
            else if (!closing) {
                closing = true;
                resolver.cancel();
                beast::get_lowest_layer(ws).cancel();
            }
        }
    }
    if (cancel.isCancelled())
        return {};
    if (error)
        return fail(*error);
    return {};
}

} // namespace spyglass::plugins::loki
