// The HTTP client every remote plugin shares, against a recording loopback
// server: Grafana's settings (auth, custom headers, tenant, timeout, URL
// prefix), the three request forms, encoding, cancellation and errors.
#include "core/datasource/http_client.h"
#include "tests/support/recording_http_server.h"

#include <QEventLoop>
#include <QTest>
#include <QThreadPool>
#include <QTimer>
#include <optional>

using namespace spyglass;
using namespace spyglass::datasource;
using spyglass::test::CannedResponse;
using spyglass::test::RecordedRequest;
using spyglass::test::RecordingHttpServer;

namespace {

template <typename F>
auto onWorker(F f) -> decltype(f())
{
    std::optional<decltype(f())> result;
    QEventLoop loop;
    QThreadPool::globalInstance()->start([&] {
        result.emplace(f());
        QMetaObject::invokeMethod(&loop, &QEventLoop::quit, Qt::QueuedConnection);
    });
    loop.exec();
    QThreadPool::globalInstance()->waitForDone();
    return std::move(*result);
}

DatasourceSettings settings(const QString &url, QVariantMap json = {}, QVariantMap secure = {})
{
    DatasourceSettings s;
    s.name = QStringLiteral("test");
    s.url = url;
    s.jsonData = std::move(json);
    s.secureJsonData = std::move(secure);
    return s;
}

} // namespace

class TestHttpClient : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QVERIFY(m_server.listen());
        m_server.setResponse({200, R"({"ok":true})", "application/json"});
    }

    void getKeepsPrefixAndEncodesEverything()
    {
        auto c = HttpClient::create(settings(m_server.url() + QStringLiteral("/loki")), QStringLiteral("Loki"));
        QVERIFY(c.has_value());
        auto r = onWorker([&] {
            return c->get(QStringLiteral("/loki/api/v1/labels"), {{QStringLiteral("query"), QStringLiteral(R"({a="b+c %2B"})")}}, {});
        });
        QVERIFY(r.has_value());
        QCOMPARE(r->status, 200);
        QCOMPARE(r->body, QByteArray(R"({"ok":true})"));
        QCOMPARE(r->contentType, QByteArray("application/json"));
        const RecordedRequest &req = m_server.requests().last();
        QCOMPARE(req.method, QByteArray("GET"));
        QCOMPARE(req.target, QByteArray("/loki/loki/api/v1/labels?query=%7Ba%3D%22b%2Bc%20%252B%22%7D"));
        QCOMPARE(req.header("Accept"), QByteArray("application/json"));
    }

    void postFormAndPostBody()
    {
        auto c = HttpClient::create(settings(m_server.url()), QStringLiteral("X"));
        QVERIFY(c.has_value());
        QCOMPARE(c->queryMethod(), HttpMethod::Post);
        auto form = onWorker([&] { return c->postForm(QStringLiteral("q"), {{QStringLiteral("a"), QStringLiteral("1 2")}}, {}); });
        QVERIFY(form.has_value());
        QCOMPARE(m_server.requests().last().method, QByteArray("POST"));
        QCOMPARE(m_server.requests().last().body, QByteArray("a=1%202"));
        QCOMPARE(m_server.requests().last().header("Content-Type"), QByteArray("application/x-www-form-urlencoded"));

        auto body = onWorker([&] {
            return c->postBody(QStringLiteral("svc/Method"), R"({"x":1})", "application/json", {},
                               {{"Connect-Protocol-Version", "1"}});
        });
        QVERIFY(body.has_value());
        QCOMPARE(m_server.requests().last().body, QByteArray(R"({"x":1})"));
        QCOMPARE(m_server.requests().last().header("Content-Type"), QByteArray("application/json"));
        QCOMPARE(m_server.requests().last().header("Connect-Protocol-Version"), QByteArray("1"));

        auto get = HttpClient::create(settings(m_server.url(), {{QStringLiteral("httpMethod"), QStringLiteral("get")}}),
                                      QStringLiteral("X"));
        QCOMPARE(get->queryMethod(), HttpMethod::Get);
        QVERIFY(!HttpClient::create(settings(m_server.url(), {{QStringLiteral("httpMethod"), QStringLiteral("PUT")}}),
                                    QStringLiteral("X")));
    }

    void authHeadersAndTenant()
    {
        auto c = HttpClient::create(settings(m_server.url(),
                                             {{QStringLiteral("basicAuth"), true},
                                              {QStringLiteral("basicAuthUser"), QStringLiteral("me")},
                                              {QStringLiteral("tenantId"), QStringLiteral("team-a")},
                                              {QStringLiteral("httpHeaderName1"), QStringLiteral("X-Extra")}},
                                             {{QStringLiteral("basicAuthPassword"), QStringLiteral("pw")},
                                              {QStringLiteral("httpHeaderValue1"), QStringLiteral("v1")}}),
                                    QStringLiteral("X"));
        QVERIFY(c.has_value());
        QVERIFY(onWorker([&] { return c->get(QStringLiteral("x"), {}, {}); }).has_value());
        const RecordedRequest &req = m_server.requests().last();
        QCOMPARE(req.header("Authorization"), "Basic " + QByteArray("me:pw").toBase64());
        QCOMPARE(req.header("X-Scope-OrgID"), QByteArray("team-a"));
        QCOMPARE(req.header("X-Extra"), QByteArray("v1"));

        // A custom X-Scope-OrgID header wins over tenantId; a custom
        // Authorization replaces basic auth.
        auto custom = HttpClient::create(settings(m_server.url(),
                                                  {{QStringLiteral("basicAuth"), true},
                                                   {QStringLiteral("tenantId"), QStringLiteral("ignored")},
                                                   {QStringLiteral("httpHeaderName1"), QStringLiteral("x-scope-orgid")},
                                                   {QStringLiteral("httpHeaderName2"), QStringLiteral("Authorization")}},
                                                  {{QStringLiteral("httpHeaderValue1"), QStringLiteral("team-b")},
                                                   {QStringLiteral("httpHeaderValue2"), QStringLiteral("Bearer t")}}),
                                         QStringLiteral("X"));
        QVERIFY(onWorker([&] { return custom->get(QStringLiteral("x"), {}, {}); }).has_value());
        QCOMPARE(m_server.requests().last().header("X-Scope-OrgID"), QByteArray("team-b"));
        QCOMPARE(m_server.requests().last().header("Authorization"), QByteArray("Bearer t"));
        int orgHeaders = 0;
        for (const auto &[name, value] : custom->headers())
            orgHeaders += name.compare("X-Scope-OrgID", Qt::CaseInsensitive) == 0;
        QCOMPARE(orgHeaders, 1);
    }

    void httpErrorsAreResponsesTransportErrorsAreErrors()
    {
        m_server.setResponse({503, "overloaded\n", "text/plain"});
        auto c = HttpClient::create(settings(m_server.url()), QStringLiteral("X"));
        auto r = onWorker([&] { return c->get(QStringLiteral("x"), {}, {}); });
        QVERIFY(r.has_value());
        QCOMPARE(r->status, 503);
        QCOMPARE(r->body, QByteArray("overloaded\n"));
        m_server.setResponse({200, R"({"ok":true})", "application/json"});

        auto down = HttpClient::create(settings(QStringLiteral("http://user:secret@127.0.0.1:1/p")), QStringLiteral("X"));
        QVERIFY(down.has_value());
        QVERIFY(!down->displayUrl().contains(u"secret"));
        auto refused = onWorker([&] { return down->get(QStringLiteral("x"), {}, {}); });
        QVERIFY(!refused);
        QCOMPARE(refused.error().kind, Error::Kind::Unavailable);
        QVERIFY(refused.error().message.contains(u"connection refused"));
        QVERIFY(!refused.error().message.contains(u"secret"));
    }

    void timeoutAndCancel()
    {
        m_server.setResponse({200, {}, "text/plain", true}); // never answers
        auto c = HttpClient::create(settings(m_server.url(), {{QStringLiteral("timeout"), 0.3}}), QStringLiteral("X"));
        QCOMPARE(c->timeoutMs(), 300);
        auto slow = onWorker([&] { return c->get(QStringLiteral("x"), {}, {}); });
        QVERIFY(!slow);
        QCOMPARE(slow.error().kind, Error::Kind::Timeout);
        QVERIFY(slow.error().message.contains(u"0.3 s"));

        auto patient = HttpClient::create(settings(m_server.url()), QStringLiteral("X"));
        CancelToken cancel;
        QTimer::singleShot(100, [cancel] { cancel.cancel(); });
        auto cancelled = onWorker([&] { return patient->get(QStringLiteral("x"), {}, cancel); });
        QVERIFY(!cancelled);
        QCOMPARE(cancelled.error().kind, Error::Kind::Cancelled);
        m_server.setResponse({200, R"({"ok":true})", "application/json"});
    }

    void badSettings()
    {
        auto noUrl = HttpClient::create(settings(QString()), QStringLiteral("Tempo"));
        QVERIFY(!noUrl);
        QCOMPARE(noUrl.error().message, QStringLiteral("the Tempo datasource \"test\" has no URL"));
        auto ftp = HttpClient::create(settings(QStringLiteral("ftp://x")), QStringLiteral("Tempo"));
        QVERIFY(!ftp);
        QVERIFY(ftp.error().message.contains(u"not a usable Tempo URL"));
        QVERIFY(!HttpClient::create(settings(m_server.url(), {{QStringLiteral("timeout"), QStringLiteral("soon")}}),
                                    QStringLiteral("X")));
        QVERIFY(!HttpClient::create(settings(m_server.url(), {{QStringLiteral("tlsCACert"), QStringLiteral("x")}},
                                             {{QStringLiteral("tlsCACert"), QStringLiteral("not pem")}}),
                                    QStringLiteral("X")));
        QCOMPARE(formEncode({{QStringLiteral("a b"), QStringLiteral("x+y&z")}}), QByteArray("a%20b=x%2By%26z"));
    }

private:
    RecordingHttpServer m_server;
};

QTEST_GUILESS_MAIN(TestHttpClient)
#include "tst_http_client.moc"
