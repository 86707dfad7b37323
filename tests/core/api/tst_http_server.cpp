#include "core/api/gzip_codec.h"
#include "core/api/http_server.h"

#include "raw_http_client.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

using namespace spyglass;
using namespace spyglass::api;
using spyglass::testing::RawHttpClient;
using spyglass::testing::RawResponse;

namespace {

// A gate a handler blocks on until the test opens it, with a generous
// deadline so a bug fails the test instead of hanging it.
class Gate
{
public:
    void open()
    {
        std::lock_guard l(m_m);
        m_open = true;
        m_cv.notify_all();
    }
    bool wait()
    {
        std::unique_lock l(m_m);
        return m_cv.wait_for(l, std::chrono::seconds(20), [this] { return m_open; });
    }

private:
    std::mutex m_m;
    std::condition_variable m_cv;
    bool m_open = false;
};

QByteArray echoJson(const HttpRequest &r)
{
    QJsonObject o;
    o[QStringLiteral("method")] = QString::fromLatin1(r.method);
    o[QStringLiteral("path")] = r.path;
    QJsonArray q;
    for (const auto &[k, v] : r.query.pairs())
        q.append(QJsonArray{k, v});
    o[QStringLiteral("query")] = q;
    QJsonArray f;
    const QueryParams form = r.formParams();
    for (const auto &[k, v] : form.pairs())
        f.append(QJsonArray{k, v});
    o[QStringLiteral("form")] = f;
    QJsonObject p;
    for (auto it = r.pathParams.begin(); it != r.pathParams.end(); ++it)
        p[it.key()] = it.value();
    o[QStringLiteral("params")] = p;
    o[QStringLiteral("body")] = QString::fromUtf8(r.body);
    o[QStringLiteral("remote")] = r.remoteAddress;
    o[QStringLiteral("encoding")] = QString::fromLatin1(r.header("Content-Encoding"));
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QJsonObject parse(const QByteArray &body) { return QJsonDocument::fromJson(body).object(); }

QByteArray get(const QByteArray &target, const QByteArray &extra = {})
{
    return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra + "\r\n";
}

QByteArray post(const QByteArray &target, const QByteArray &body, const QByteArray &extra = {})
{
    return "POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " +
           QByteArray::number(body.size()) + "\r\n" + extra + "\r\n" + body;
}

} // namespace

class TestHttpServer : public QObject
{
    Q_OBJECT

    std::unique_ptr<HttpServer> m_server;
    std::atomic<int> m_limitedCalls{0};
    Gate *m_gate = nullptr;
    std::atomic<int> m_inSlow{0};

    std::unique_ptr<HttpServer> makeServer(HttpServerOptions opts = {})
    {
        auto s = std::make_unique<HttpServer>(opts);
        Router &r = s->router();
        r.add(QByteArrayList{"GET", "POST"}, QStringLiteral("/echo"),
              [](const HttpRequest &req) { return HttpResponse::json(200, echoJson(req)); });
        r.add("GET", QStringLiteral("/api/v1/label/{name}/values"),
              [](const HttpRequest &req) { return HttpResponse::json(200, echoJson(req)); });
        r.add("GET", QStringLiteral("/static/*"),
              [](const HttpRequest &req) { return HttpResponse::json(200, echoJson(req)); });
        r.add("POST", QStringLiteral("/limited"),
              [this](const HttpRequest &req) {
                  ++m_limitedCalls;
                  return HttpResponse::text(200, QByteArray::number(req.body.size()));
              },
              qint64(1024));
        r.add("GET", QStringLiteral("/slow"), [this](const HttpRequest &) {
            ++m_inSlow;
            const bool opened = m_gate && m_gate->wait();
            return HttpResponse::text(opened ? 200 : 500, "slow done");
        });
        r.add("GET", QStringLiteral("/throws"),
              [](const HttpRequest &) -> HttpResponse { throw std::runtime_error("boom"); });
        r.add("GET", QStringLiteral("/-/ready"), [](const HttpRequest &) { return HttpResponse::text(200, "ready\n"); },
              RouteOptions{1024, false});
        return s;
    }

    RawResponse roundTrip(const QByteArray &request, bool head = false)
    {
        RawHttpClient c;
        if (!c.connectTo(m_server->port()))
            return {};
        c.send(request);
        return c.readResponse(head).value_or(RawResponse{});
    }

    // Waits (bounded) until a handler has entered /slow.
    bool waitForSlowHandlers(int n)
    {
        for (int i = 0; i < 2000 && m_inSlow.load() < n; ++i)
            QThread::msleep(10);
        return m_inSlow.load() >= n;
    }

private slots:
    void init()
    {
        m_limitedCalls = 0;
        m_inSlow = 0;
        m_server = makeServer();
        auto port = m_server->listen();
        QVERIFY2(port.has_value(), qPrintable(port ? QString() : port.error().toString()));
        QVERIFY(*port > 0);
        QCOMPARE(m_server->port(), *port);
        QCOMPARE(m_server->address(), QStringLiteral("127.0.0.1"));
    }

    void cleanup()
    {
        m_server.reset();
        delete m_gate;
        m_gate = nullptr;
    }

    void routesAndDecodesQueryParameters()
    {
        const RawResponse r = roundTrip(get("/echo?a=1&b=x%20y&b=z+w&flag&match%5B%5D=up%7Bjob%3D%22a%22%7D&u=%C3%A9"));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("Content-Type"), QByteArray("application/json"));
        const QJsonObject o = parse(r.body);
        QCOMPARE(o[u"method"].toString(), QStringLiteral("GET"));
        QCOMPARE(o[u"path"].toString(), QStringLiteral("/echo"));
        QCOMPARE(o[u"remote"].toString(), QStringLiteral("127.0.0.1"));
        const QJsonArray q = o[u"query"].toArray();
        QCOMPARE(q.size(), 6);
        QCOMPARE(q[0].toArray(), (QJsonArray{QStringLiteral("a"), QStringLiteral("1")}));
        QCOMPARE(q[1].toArray(), (QJsonArray{QStringLiteral("b"), QStringLiteral("x y")}));
        QCOMPARE(q[2].toArray(), (QJsonArray{QStringLiteral("b"), QStringLiteral("z w")}));
        QCOMPARE(q[3].toArray(), (QJsonArray{QStringLiteral("flag"), QString()}));
        QCOMPARE(q[4].toArray(), (QJsonArray{QStringLiteral("match[]"), QStringLiteral("up{job=\"a\"}")}));
        QCOMPARE(q[5].toArray(), (QJsonArray{QStringLiteral("u"), QString(QChar(0xe9))}));
    }

    void queryParamsApi()
    {
        const QueryParams p = QueryParams::parse("x=1&&y=2&x=3&=empty&z");
        QCOMPARE(p.value(u"x"), QStringLiteral("1"));
        QCOMPARE(p.values(u"x"), (QStringList{QStringLiteral("1"), QStringLiteral("3")}));
        QVERIFY(p.has(u"z"));
        QVERIFY(!p.has(u"nope"));
        QCOMPARE(p.value(u"nope"), QString());
        QCOMPARE(p.value(u""), QStringLiteral("empty"));
        QCOMPARE(p.pairs().size(), 5);
    }

    void pathParametersAndPrefixes()
    {
        RawResponse r = roundTrip(get("/api/v1/label/job/values"));
        QCOMPARE(r.status, 200);
        QCOMPARE(parse(r.body)[u"params"].toObject()[u"name"].toString(), QStringLiteral("job"));
        r = roundTrip(get("/api/v1/label/a%20b/values"));
        QCOMPARE(parse(r.body)[u"params"].toObject()[u"name"].toString(), QStringLiteral("a b"));
        r = roundTrip(get("/static/css/site.css"));
        QCOMPARE(r.status, 200);
        QCOMPARE(parse(r.body)[u"params"].toObject()[u"*"].toString(), QStringLiteral("css/site.css"));
        // A `{name}` segment never matches an empty segment.
        QCOMPARE(roundTrip(get("/api/v1/label//values")).status, 404);
    }

    void notFoundAndMethodNotAllowed()
    {
        RawResponse r = roundTrip(get("/nope"));
        QCOMPARE(r.status, 404);
        QCOMPARE(r.body, QByteArray("404 page not found\n"));
        r = roundTrip(post("/api/v1/label/x/values", "a=b"));
        QCOMPARE(r.status, 405);
        QCOMPARE(r.header("Allow"), QByteArray("GET"));
        r = roundTrip("DELETE /echo HTTP/1.1\r\nHost: x\r\n\r\n");
        QCOMPARE(r.status, 405);
        QCOMPARE(r.header("Allow"), QByteArray("GET, POST"));
    }

    void routerWithoutSockets()
    {
        Router router;
        router.add("GET", QStringLiteral("/a/{x}"), [](const HttpRequest &r) {
            return HttpResponse::text(200, r.pathParams.value(QStringLiteral("x")).toUtf8());
        });
        HttpRequest req;
        req.method = "GET";
        req.path = QStringLiteral("/a/b");
        QCOMPARE(router.dispatch(req).body, QByteArray("b"));
        req.method = "HEAD";
        QCOMPARE(router.match("HEAD", req.path).kind, Router::Match::Kind::Found);
        req.path = QStringLiteral("/a/b/c");
        QCOMPARE(router.dispatch(req).status, 404);
    }

    void postFormBody()
    {
        const RawResponse r = roundTrip(post("/echo?from=url&query=url", "query=sum%28up%29&match[]=a&match[]=b",
                                             "Content-Type: application/x-www-form-urlencoded\r\n"));
        QCOMPARE(r.status, 200);
        const QJsonArray f = parse(r.body)[u"form"].toArray();
        // Body parameters come first, like Go's Request.Form.
        QCOMPARE(f.size(), 5);
        QCOMPARE(f[0].toArray(), (QJsonArray{QStringLiteral("query"), QStringLiteral("sum(up)")}));
        QCOMPARE(f[1].toArray(), (QJsonArray{QStringLiteral("match[]"), QStringLiteral("a")}));
        QCOMPARE(f[2].toArray(), (QJsonArray{QStringLiteral("match[]"), QStringLiteral("b")}));
        QCOMPARE(f[3].toArray(), (QJsonArray{QStringLiteral("from"), QStringLiteral("url")}));
        QCOMPARE(f[4].toArray(), (QJsonArray{QStringLiteral("query"), QStringLiteral("url")}));
        // A body of another type is not form data.
        const RawResponse j = roundTrip(post("/echo", "query=x", "Content-Type: application/json\r\n"));
        QCOMPARE(parse(j.body)[u"form"].toArray().size(), 0);
        QCOMPARE(parse(j.body)[u"body"].toString(), QStringLiteral("query=x"));
    }

    void declaredOversizeBodyRefusedBeforeReading()
    {
        RawHttpClient c;
        QVERIFY(c.connectTo(m_server->port()));
        // Claims 10 GB and sends none of it: the answer must come anyway.
        c.send("POST /limited HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000000\r\n\r\n");
        const auto r = c.readResponse();
        QVERIFY(r.has_value());
        QCOMPARE(r->status, 413);
        QVERIFY(r->body.contains("exceeds the limit of 1024 bytes"));
        QCOMPARE(r->header("Connection"), QByteArray("close"));
        QVERIFY(c.waitForServerClose());
        QCOMPARE(m_limitedCalls.load(), 0);
    }

    void chunkedOversizeBodyRefused()
    {
        RawHttpClient c;
        QVERIFY(c.connectTo(m_server->port()));
        QByteArray req = "POST /limited HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
        for (int i = 0; i < 3; ++i)
            req += "400\r\n" + QByteArray(1024, 'x') + "\r\n";
        req += "0\r\n\r\n";
        c.send(req);
        const auto r = c.readResponse();
        QVERIFY(r.has_value());
        QCOMPARE(r->status, 413);
        QCOMPARE(m_limitedCalls.load(), 0);
    }

    void bodyWithinLimitAccepted()
    {
        const RawResponse r = roundTrip(post("/limited", QByteArray(1024, 'a')));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.body, QByteArray("1024"));
    }

    void expectContinue()
    {
        RawHttpClient c;
        QVERIFY(c.connectTo(m_server->port()));
        c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
        const auto interim = c.readResponse();
        QVERIFY(interim.has_value());
        QCOMPARE(interim->status, 100);
        c.send("hello");
        const auto r = c.readResponse();
        QVERIFY(r.has_value());
        QCOMPARE(r->status, 200);
        QCOMPARE(parse(r->body)[u"body"].toString(), QStringLiteral("hello"));

        // Over the limit: 413 instead of 100, the body is never requested.
        RawHttpClient big;
        QVERIFY(big.connectTo(m_server->port()));
        big.send("POST /limited HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n");
        const auto refused = big.readResponse();
        QVERIFY(refused.has_value());
        QCOMPARE(refused->status, 413);
    }

    void keepAliveAndPipelining()
    {
        RawHttpClient c;
        QVERIFY(c.connectTo(m_server->port()));
        for (int i = 0; i < 5; ++i) {
            c.send(get("/echo?i=" + QByteArray::number(i)));
            const auto r = c.readResponse();
            QVERIFY(r.has_value());
            QCOMPARE(r->status, 200);
            QCOMPARE(parse(r->body)[u"query"].toArray()[0].toArray()[1].toString(), QString::number(i));
        }
        // Two requests in one write; answers come back in order.
        c.send(get("/echo?p=a") + post("/echo", "body-b"));
        const auto a = c.readResponse();
        const auto b = c.readResponse();
        QVERIFY(a && b);
        QCOMPARE(parse(a->body)[u"query"].toArray()[0].toArray()[1].toString(), QStringLiteral("a"));
        QCOMPARE(parse(b->body)[u"body"].toString(), QStringLiteral("body-b"));
        // A 404 without a body does not cost the connection.
        c.send(get("/missing"));
        QCOMPARE(c.readResponse()->status, 404);
        c.send(get("/echo"));
        QCOMPARE(c.readResponse()->status, 200);
        // Connection: close is honoured.
        c.send(get("/echo", "Connection: close\r\n"));
        QCOMPARE(c.readResponse()->status, 200);
        QVERIFY(c.waitForServerClose());
    }

    void concurrentClients()
    {
        m_gate = new Gate;
        // Two handlers must be inside /slow at once before either may
        // finish: proves requests run in parallel on the worker threads.
        std::vector<std::unique_ptr<RawHttpClient>> slow;
        for (int i = 0; i < 2; ++i) {
            slow.push_back(std::make_unique<RawHttpClient>());
            QVERIFY(slow.back()->connectTo(m_server->port()));
            slow.back()->send(get("/slow"));
        }
        QVERIFY(waitForSlowHandlers(2));
        // Meanwhile other clients are still served.
        std::vector<std::unique_ptr<RawHttpClient>> fast;
        for (int i = 0; i < 16; ++i) {
            fast.push_back(std::make_unique<RawHttpClient>());
            QVERIFY(fast.back()->connectTo(m_server->port()));
            fast.back()->send(get("/echo?n=" + QByteArray::number(i)));
        }
        for (int i = 0; i < 16; ++i) {
            const auto r = fast[size_t(i)]->readResponse();
            QVERIFY(r.has_value());
            QCOMPARE(parse(r->body)[u"query"].toArray()[0].toArray()[1].toString(), QString::number(i));
        }
        m_gate->open();
        for (auto &c : slow) {
            const auto r = c->readResponse();
            QVERIFY(r.has_value());
            QCOMPARE(r->status, 200);
        }
    }

    void gzipRequestBodies()
    {
        const QByteArray plain = "query=" + QByteArray(3000, 'z');
        RawResponse r = roundTrip(post("/echo", GzipCodec::compress(plain), "Content-Encoding: gzip\r\n"));
        QCOMPARE(r.status, 200);
        QCOMPARE(parse(r.body)[u"body"].toString().toUtf8(), plain);
        // The handler sees a plain body, so the encoding header is gone.
        QCOMPARE(parse(r.body)[u"encoding"].toString(), QString());
        // Snappy and other encodings are left for the handler to undo.
        r = roundTrip(post("/echo", "raw", "Content-Encoding: snappy\r\n"));
        QCOMPARE(parse(r.body)[u"encoding"].toString(), QStringLiteral("snappy"));
        QCOMPARE(parse(r.body)[u"body"].toString(), QStringLiteral("raw"));

        r = roundTrip(post("/echo", "not gzip at all", "Content-Encoding: gzip\r\n"));
        QCOMPARE(r.status, 400);
        QVERIFY(r.body.contains("invalid gzip body"));
        // 600 KiB of zeros compress to under 1 KiB but exceed the route's limit.
        const QByteArray bomb = GzipCodec::compress(QByteArray(600 * 1024, '\0'), 9);
        QVERIFY(bomb.size() < 1024);
        r = roundTrip(post("/limited", bomb, "Content-Encoding: gzip\r\n"));
        QCOMPARE(r.status, 413);
        QCOMPARE(m_limitedCalls.load(), 0);
    }

    void gzipCodec()
    {
        const QByteArray data = QByteArray("spyglass ").repeated(1000);
        auto back = GzipCodec::decompress(GzipCodec::compress(data), 1 << 20);
        QVERIFY(back.has_value());
        QCOMPARE(*back, data);
        // Truncated stream.
        const QByteArray z = GzipCodec::compress(data);
        bool tooLarge = true;
        auto truncated = GzipCodec::decompress(z.left(z.size() / 2), 1 << 20, &tooLarge);
        QVERIFY(!truncated.has_value());
        QVERIFY(!tooLarge);
        // Exactly at the limit is fine, one byte under is not.
        QVERIFY(GzipCodec::decompress(z, data.size()).has_value());
        auto over = GzipCodec::decompress(z, data.size() - 1, &tooLarge);
        QVERIFY(!over.has_value());
        QVERIFY(tooLarge);
        // Empty input is not a gzip stream.
        QVERIFY(!GzipCodec::decompress(QByteArray(), 100).has_value());
    }

    void clientDisconnectsMidRequest()
    {
        {
            RawHttpClient c;
            QVERIFY(c.connectTo(m_server->port()));
            c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" + QByteArray(100, 'x'));
            c.socket().abort();
        }
        {
            RawHttpClient c;
            QVERIFY(c.connectTo(m_server->port()));
            c.send("GET /echo HTTP/1.1\r\nHost: x\r\nX-Half: ");
            c.socket().abort();
        }
        // Disconnect while the handler runs: its response has nowhere to go.
        m_gate = new Gate;
        {
            RawHttpClient c;
            QVERIFY(c.connectTo(m_server->port()));
            c.send(get("/slow"));
            QVERIFY(waitForSlowHandlers(1));
            c.socket().abort();
        }
        m_gate->open();
        const RawResponse r = roundTrip(get("/echo?still=alive"));
        QCOMPARE(r.status, 200);
    }

    void malformedRequests()
    {
        RawHttpClient c;
        QVERIFY(c.connectTo(m_server->port()));
        c.send("THIS IS NOT HTTP\r\n\r\n");
        const auto r = c.readResponse();
        QVERIFY(r.has_value());
        QCOMPARE(r->status, 400);
        QVERIFY(c.waitForServerClose());

        RawHttpClient h;
        QVERIFY(h.connectTo(m_server->port()));
        h.send("GET /echo HTTP/1.1\r\nHost: x\r\nX-Big: " + QByteArray(100 * 1024, 'a') + "\r\n\r\n");
        const auto big = h.readResponse();
        QVERIFY(big.has_value());
        QCOMPARE(big->status, 431);
    }

    void handlerExceptionBecomes500()
    {
        const RawResponse r = roundTrip(get("/throws"));
        QCOMPARE(r.status, 500);
        QCOMPARE(roundTrip(get("/echo")).status, 200);
    }

    void headRequest()
    {
        const RawResponse full = roundTrip(get("/echo"));
        RawHttpClient c;
        QVERIFY(c.connectTo(m_server->port()));
        c.send("HEAD /echo HTTP/1.1\r\nHost: x\r\n\r\n");
        const auto r = c.readResponse(true);
        QVERIFY(r.has_value());
        QCOMPARE(r->status, 200);
        QCOMPARE(r->header("Content-Length").toInt(), full.body.size() + 1); // "GET" vs "HEAD" in the echo
        c.send(get("/echo"));
        const auto next = c.readResponse();
        QVERIFY(next.has_value());
        QCOMPARE(next->status, 200); // no stray body bytes were sent after the HEAD response
    }

    void cleanStopFinishesInFlightRequests()
    {
        m_gate = new Gate;
        RawHttpClient idle;
        QVERIFY(idle.connectTo(m_server->port()));
        idle.send(get("/echo"));
        QVERIFY(idle.readResponse().has_value()); // now an idle keep-alive connection

        RawHttpClient busy;
        QVERIFY(busy.connectTo(m_server->port()));
        busy.send(get("/slow"));
        QVERIFY(waitForSlowHandlers(1));

        std::atomic<bool> stopped{false};
        std::thread stopper([&] {
            m_server->stop();
            stopped = true;
        });
        // The idle connection is closed promptly, the busy one still gets its answer.
        QVERIFY(idle.waitForServerClose());
        QVERIFY(!stopped.load());
        m_gate->open();
        const auto r = busy.readResponse();
        QVERIFY(r.has_value());
        QCOMPARE(r->status, 200);
        QCOMPARE(r->header("Connection"), QByteArray("close"));
        stopper.join();
        QVERIFY(stopped.load());
        QVERIFY(!m_server->isListening());
        QTcpSocket after;
        after.connectToHost(QStringLiteral("127.0.0.1"), m_server->port());
        QVERIFY(!after.waitForConnected(5000));
        m_server->stop(); // idempotent
    }

    void bearerToken()
    {
        HttpServerOptions opts;
        opts.bearerToken = "s3cret";
        auto s = makeServer(opts);
        QVERIFY(s->listen().has_value());
        RawHttpClient c;
        QVERIFY(c.connectTo(s->port()));
        c.send(get("/echo"));
        auto r = c.readResponse();
        QCOMPARE(r->status, 401);
        QCOMPARE(r->header("WWW-Authenticate"), QByteArray("Bearer"));
        c.send(get("/echo", "Authorization: Bearer wrong\r\n"));
        QCOMPARE(c.readResponse()->status, 401);
        c.send(get("/echo", "Authorization: Bearer s3cret\r\n"));
        QCOMPARE(c.readResponse()->status, 200);
        // Probe routes may opt out.
        c.send(get("/-/ready"));
        QCOMPARE(c.readResponse()->status, 200);
        // An unauthenticated upload is refused before its body is read.
        c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n");
        QCOMPARE(c.readResponse()->status, 401);
    }

    void listenRules()
    {
        HttpServer noToken;
        auto r = noToken.listen(QStringLiteral("0.0.0.0"), 0);
        QVERIFY(!r.has_value());
        QVERIFY(r.error().message.contains(u"bearer token"));
        QVERIFY(!noToken.listen(QStringLiteral("not-an-address"), 0).has_value());
        QVERIFY(HttpServer::isLoopbackAddress(QStringLiteral("127.0.0.1")));
        QVERIFY(HttpServer::isLoopbackAddress(QStringLiteral("::1")));
        QVERIFY(HttpServer::isLoopbackAddress(QStringLiteral("localhost")));
        QVERIFY(!HttpServer::isLoopbackAddress(QStringLiteral("0.0.0.0")));

        HttpServerOptions opts;
        opts.bearerToken = "t";
        HttpServer withToken(opts);
        QVERIFY(withToken.listen(QStringLiteral("0.0.0.0"), 0).has_value());
        // The port is taken now: a second server cannot bind it.
        HttpServer clash;
        auto taken = clash.listen(QStringLiteral("127.0.0.1"), m_server->port());
        QVERIFY(!taken.has_value());
        QVERIFY(taken.error().message.contains(QString::number(m_server->port())));
        QVERIFY(!m_server->listen().has_value()); // already listening
    }
};

QTEST_GUILESS_MAIN(TestHttpServer)
#include "tst_http_server.moc"
