// WebSocket routes of the core's HTTP server (same port as HTTP): the
// upgrade, messages from a handler thread, the peer closing, the server
// stopping with connections open, auth, and Loki's /tail message shape.
#include "core/api/http_server.h"
#include "core/api/loki_api.h"
#include "core/model/time_range.h"
#include "core/store/log_store.h"
#include "core/store/storage.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>
#include <atomic>
#include <sys/socket.h>
#include <sys/time.h>

using namespace spyglass;
using namespace spyglass::api;

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

// A synchronous test client; reads give up after 20 s instead of hanging.
struct WsClient
{
    net::io_context ioc;
    websocket::stream<tcp::socket> ws{ioc};
    beast::flat_buffer buffer;

    beast::error_code connect(quint16 port, const std::string &target, const std::string &bearer = {})
    {
        beast::error_code ec;
        ws.next_layer().connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
        if (ec)
            return ec;
        timeval tv{20, 0};
        ::setsockopt(ws.next_layer().native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        if (!bearer.empty())
            ws.set_option(websocket::stream_base::decorator(
                [bearer](websocket::request_type &r) { r.set(http::field::authorization, "Bearer " + bearer); }));
        ws.handshake(response, "127.0.0.1:" + std::to_string(port), target, ec);
        return ec;
    }

    // The next message, or empty with `ec` set (closed, error).
    QByteArray read(beast::error_code &ec)
    {
        buffer.clear();
        ws.read(buffer, ec);
        if (ec)
            return {};
        const auto d = buffer.cdata();
        return QByteArray(static_cast<const char *>(d.data()), qsizetype(d.size()));
    }

    websocket::response_type response;
};

} // namespace

class TestHttpServerWebSocket : public QObject
{
    Q_OBJECT
private slots:
    void handlerMessagesArriveInOrderThenNormalClose()
    {
        HttpServer server;
        server.router().addWebSocket(QStringLiteral("/count/{n}"), [](const HttpRequest &r, WebSocketConnection &ws) {
            const int n = r.pathParams.value(QStringLiteral("n")).toInt();
            for (int i = 1; i <= n; ++i)
                ws.sendText(QByteArray::number(i) + ' ' + r.query.value(u"tag").toUtf8());
        });
        QVERIFY(server.listen().has_value());
        WsClient c;
        QCOMPARE(QString::fromStdString(c.connect(server.port(), "/count/3?tag=x").message()),
                 QString::fromStdString(beast::error_code{}.message()));
        beast::error_code ec;
        QCOMPARE(c.read(ec), QByteArray("1 x"));
        QCOMPARE(c.read(ec), QByteArray("2 x"));
        QCOMPARE(c.read(ec), QByteArray("3 x"));
        QVERIFY(c.read(ec).isEmpty());
        QCOMPARE(ec, beast::error_code(websocket::error::closed));
        QCOMPARE(int(c.ws.reason().code), int(websocket::close_code::normal));
        server.stop();
    }

    void peerCloseCancelsTheHandler()
    {
        HttpServer server;
        std::atomic<bool> handlerSawClose{false};
        std::atomic<bool> sendFailedAfterClose{false};
        server.router().addWebSocket(QStringLiteral("/wait"), [&](const HttpRequest &r, WebSocketConnection &ws) {
            ws.sendText("hello");
            while (!ws.closed().isCancelled())
                QThread::msleep(5);
            handlerSawClose = r.cancel.isCancelled(); // the request's token is the same
            sendFailedAfterClose = !ws.sendText("too late");
        });
        QVERIFY(server.listen().has_value());
        {
            WsClient c;
            QVERIFY(!c.connect(server.port(), "/wait"));
            beast::error_code ec;
            QCOMPARE(c.read(ec), QByteArray("hello"));
            c.ws.close(websocket::close_code::normal, ec);
        }
        QVERIFY(QTest::qWaitFor([&] { return sendFailedAfterClose.load(); }, 10000));
        QVERIFY(handlerSawClose);
        server.stop();
    }

    void stopWithOpenConnectionsReturns()
    {
        HttpServerOptions o;
        o.stopGrace = std::chrono::milliseconds(5000);
        HttpServer server(o);
        std::atomic<int> running{0};
        server.router().addWebSocket(QStringLiteral("/forever"), [&](const HttpRequest &, WebSocketConnection &ws) {
            ++running;
            while (!ws.closed().isCancelled())
                QThread::msleep(5);
            --running;
        });
        QVERIFY(server.listen().has_value());
        WsClient a, b;
        QVERIFY(!a.connect(server.port(), "/forever"));
        QVERIFY(!b.connect(server.port(), "/forever"));
        QVERIFY(QTest::qWaitFor([&] { return running.load() == 2; }, 10000));
        QElapsedTimer t;
        t.start();
        server.stop();
        QCOMPARE(running.load(), 0);
        QVERIFY(t.elapsed() < 4000); // handlers saw the close, no grace period spent
        beast::error_code ec;
        a.read(ec);
        QVERIFY(ec); // closed (going away) or EOF
    }

    void plainGetAndAuth()
    {
        HttpServerOptions o;
        o.bearerToken = "s3cret";
        HttpServer server(o);
        server.router().addWebSocket(QStringLiteral("/ws"), [](const HttpRequest &, WebSocketConnection &ws) { ws.sendText("in"); });
        QVERIFY(server.listen().has_value());

        WsClient noToken;
        const beast::error_code refused = noToken.connect(server.port(), "/ws");
        // Boost 1.74 does not hand the refusing response out; the 401 itself
        // is covered by tst_http_server's plain-HTTP auth tests.
        QVERIFY2(refused == websocket::error::upgrade_declined, refused.message().c_str());

        WsClient withToken;
        QVERIFY(!withToken.connect(server.port(), "/ws", "s3cret"));
        beast::error_code ec;
        QCOMPARE(withToken.read(ec), QByteArray("in"));

        // A plain GET (no Upgrade) is told what the route wants.
        net::io_context ioc;
        tcp::socket s(ioc);
        s.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), server.port()));
        http::request<http::empty_body> req(http::verb::get, "/ws", 11);
        req.set(http::field::host, "127.0.0.1");
        req.set(http::field::authorization, "Bearer s3cret");
        http::write(s, req);
        beast::flat_buffer buf;
        http::response<http::string_body> res;
        http::read(s, buf, res);
        QCOMPARE(res.result_int(), 400u);
        QVERIFY(QByteArray::fromStdString(res.body()).contains("WebSocket"));
        server.stop();
    }

    void lokiTailSpeaksLokisShape()
    {
        QTemporaryDir dir;
        auto storage = store::Storage::open(dir.filePath(QStringLiteral("data")));
        QVERIFY(storage.has_value());
        const model::TimestampMs now = model::nowMs();
        model::LogRecord r;
        r.time = (now - 1000) * 1'000'000;
        r.stream = model::Labels{{QStringLiteral("job"), QStringLiteral("x")}};
        r.line = QStringLiteral("old line");
        r.structuredMetadata = model::Labels{{QStringLiteral("trace_id"), QStringLiteral("abc")}};
        QVERIFY((*storage)->logs().append({r}).has_value());

        HttpServer server;
        LokiApi::registerRoutes(server.router(), **storage);
        QVERIFY(server.listen().has_value());
        WsClient c;
        QVERIFY(!c.connect(server.port(), "/loki/api/v1/tail?query=%7Bjob%3D%22x%22%7D&limit=10"));
        beast::error_code ec;
        const QJsonObject first = QJsonDocument::fromJson(c.read(ec)).object();
        QVERIFY(first.contains(QLatin1String("dropped_entries")));
        QVERIFY(first.value(QLatin1String("dropped_entries")).isNull());
        const QJsonArray streams = first.value(QLatin1String("streams")).toArray();
        QCOMPARE(streams.size(), 1);
        QCOMPARE(streams.first().toObject().value(QLatin1String("stream")).toObject().value(QLatin1String("job")).toString(),
                 QStringLiteral("x"));
        const QJsonArray entry = streams.first().toObject().value(QLatin1String("values")).toArray().first().toArray();
        QCOMPARE(entry.at(0).toString(), QString::number(r.time));
        QCOMPARE(entry.at(1).toString(), QStringLiteral("old line"));
        QCOMPARE(entry.at(2).toObject().value(QLatin1String("structuredMetadata")).toObject().value(QLatin1String("trace_id")).toString(),
                 QStringLiteral("abc"));

        r.time = model::nowMs() * 1'000'000;
        r.line = QStringLiteral("new line");
        QVERIFY((*storage)->logs().append({r}).has_value());
        const QJsonObject second = QJsonDocument::fromJson(c.read(ec)).object();
        QCOMPARE(second.value(QLatin1String("streams")).toArray().first().toObject().value(QLatin1String("values")).toArray().size(), 1);
        QCOMPARE(second.value(QLatin1String("streams")).toArray().first().toObject().value(QLatin1String("values"))
                     .toArray().first().toArray().at(1).toString(),
                 QStringLiteral("new line"));

        // Bad requests close the socket with the reason (1008, policy).
        WsClient bad;
        QVERIFY(!bad.connect(server.port(), "/loki/api/v1/tail?query=%7Bjob%3D"));
        bad.read(ec);
        QCOMPARE(ec, beast::error_code(websocket::error::closed));
        QCOMPARE(int(bad.ws.reason().code), 1008);
        QVERIFY(!std::string(bad.ws.reason().reason.c_str()).empty());
        server.stop();
    }
};

QTEST_GUILESS_MAIN(TestHttpServerWebSocket)
#include "tst_http_server_websocket.moc"
