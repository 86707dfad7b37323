#include "core/datasource/http_client.h"

#include <QEventLoop>
#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>
#include <algorithm>
#include <QtNetwork/qtnetwork-config.h>
#if QT_CONFIG(ssl)
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#endif

namespace spyglass::datasource {

namespace {

constexpr int kDefaultTimeoutMs = 30000;
constexpr int kCancelPollMs = 25;

QString describe(const QUrl &url)
{
    // Never echo credentials embedded in the URL into error messages.
    return url.toDisplayString(QUrl::RemoveUserInfo | QUrl::RemoveQuery);
}

Error transportError(QNetworkReply::NetworkError code, const QString &qtMessage, const QUrl &url)
{
    const QString where = describe(url);
    switch (code) {
    case QNetworkReply::ConnectionRefusedError:
        return Error{Error::Kind::Unavailable,
                     QStringLiteral("cannot connect to %1: connection refused (is the server running?)").arg(where),
                     {}, 0, 0};
    case QNetworkReply::HostNotFoundError:
        return Error{Error::Kind::Unavailable,
                     QStringLiteral("cannot connect to %1: host %2 not found").arg(where, url.host()), {}, 0, 0};
    case QNetworkReply::RemoteHostClosedError:
        return Error{Error::Kind::Unavailable,
                     QStringLiteral("%1 closed the connection before answering").arg(where), {}, 0, 0};
    case QNetworkReply::SslHandshakeFailedError:
        return Error{Error::Kind::Unavailable,
                     QStringLiteral("TLS handshake with %1 failed: %2 (configure a CA certificate or tlsSkipVerify)")
                         .arg(where, qtMessage),
                     {}, 0, 0};
    default:
        return Error{Error::Kind::Unavailable, QStringLiteral("request to %1 failed: %2").arg(where, qtMessage),
                     {}, 0, 0};
    }
}

} // namespace

QByteArray formEncode(const QueryParams &params)
{
    QByteArray out;
    for (const auto &[key, value] : params) {
        if (!out.isEmpty())
            out += '&';
        out += QUrl::toPercentEncoding(key) + '=' + QUrl::toPercentEncoding(value);
    }
    return out;
}

struct HttpClient::Tls
{
#if QT_CONFIG(ssl)
    QSslConfiguration config;
#endif
};

Result<HttpClient> HttpClient::create(const DatasourceSettings &settings, const QString &product)
{
    const QVariantMap &json = settings.jsonData;
    const QVariantMap &secure = settings.secureJsonData;
    HttpClient c;

    const QString rawUrl = settings.url.trimmed();
    if (rawUrl.isEmpty())
        return fail(Error::invalid(QStringLiteral("the %1 datasource \"%2\" has no URL").arg(product, settings.name)));
    c.m_base = QUrl(rawUrl, QUrl::StrictMode);
    if (!c.m_base.isValid() || c.m_base.host().isEmpty()
        || (c.m_base.scheme() != u"http" && c.m_base.scheme() != u"https"))
        return fail(Error::invalid(
            QStringLiteral("\"%1\" is not a usable %2 URL (expected http://host:port[/prefix])").arg(rawUrl, product)));
    // A trailing slash makes QUrl::resolved() keep the prefix ("/prometheus/").
    QString path = c.m_base.path();
    if (!path.endsWith(QLatin1Char('/')))
        c.m_base.setPath(path + QLatin1Char('/'));

    const QString method = json.value(QStringLiteral("httpMethod")).toString().toUpper();
    if (method.isEmpty() || method == u"POST")
        c.m_method = HttpMethod::Post;
    else if (method == u"GET")
        c.m_method = HttpMethod::Get;
    else
        return fail(Error::invalid(QStringLiteral("httpMethod \"%1\" is not GET or POST").arg(method)));

    c.m_timeoutMs = kDefaultTimeoutMs;
    if (json.contains(QStringLiteral("timeout"))) {
        bool ok = false;
        const double seconds = json.value(QStringLiteral("timeout")).toDouble(&ok);
        if (!ok || seconds <= 0)
            return fail(Error::invalid(QStringLiteral("timeout \"%1\" is not a positive number of seconds")
                                           .arg(json.value(QStringLiteral("timeout")).toString())));
        c.m_timeoutMs = static_cast<int>(std::min(seconds * 1000.0, 24.0 * 3600 * 1000));
    }

    c.m_headers.push_back({"Accept", "application/json"});
    c.m_headers.push_back({"User-Agent", "Spyglass"});
    if (json.value(QStringLiteral("basicAuth")).toBool()) {
        const QString user = json.value(QStringLiteral("basicAuthUser")).toString();
        const QString password = secure.value(QStringLiteral("basicAuthPassword")).toString();
        c.m_headers.push_back(
            {"Authorization", "Basic " + (user + QLatin1Char(':') + password).toUtf8().toBase64()});
    }
    // Grafana's custom headers: numbered pairs, the value kept secret. A
    // custom Authorization header (a bearer token) replaces basic auth.
    for (int i = 1;; ++i) {
        const QString nameKey = QStringLiteral("httpHeaderName%1").arg(i);
        if (!json.contains(nameKey))
            break;
        const QByteArray name = json.value(nameKey).toString().trimmed().toLatin1();
        if (name.isEmpty())
            continue;
        const QByteArray value = secure.value(QStringLiteral("httpHeaderValue%1").arg(i)).toString().toUtf8();
        c.m_headers.removeIf([&](const auto &h) { return h.first.compare(name, Qt::CaseInsensitive) == 0; });
        c.m_headers.push_back({name, value});
    }

    // Multi-tenant Loki/Tempo/Mimir/Pyroscope read the tenant from this
    // header; a custom header of the same name set above wins.
    const QString tenant = json.value(QStringLiteral("tenantId")).toString().trimmed();
    if (!tenant.isEmpty()
        && std::none_of(c.m_headers.cbegin(), c.m_headers.cend(), [](const auto &h) {
               return h.first.compare("X-Scope-OrgID", Qt::CaseInsensitive) == 0;
           }))
        c.m_headers.push_back({"X-Scope-OrgID", tenant.toUtf8()});

    const bool skipVerify = json.value(QStringLiteral("tlsSkipVerify")).toBool();
    QString caPem = secure.value(QStringLiteral("tlsCACert")).toString();
    const QString caFile = json.value(QStringLiteral("tlsCACertFile")).toString();
    const bool clientAuth = json.value(QStringLiteral("tlsAuth")).toBool();
    const bool wantsTls = skipVerify || !caPem.isEmpty() || !caFile.isEmpty() || clientAuth;
    if (wantsTls) {
#if QT_CONFIG(ssl)
        auto tls = std::make_shared<Tls>();
        tls->config = QSslConfiguration::defaultConfiguration();
        if (skipVerify)
            tls->config.setPeerVerifyMode(QSslSocket::VerifyNone);
        QList<QSslCertificate> cas;
        if (!caPem.isEmpty()) {
            cas = QSslCertificate::fromData(caPem.toUtf8(), QSsl::Pem);
            if (cas.isEmpty())
                return fail(Error::invalid(QStringLiteral("tlsCACert does not hold a PEM certificate")));
        }
        if (!caFile.isEmpty()) {
            QFile f(caFile);
            if (!f.open(QIODevice::ReadOnly))
                return fail(Error::io(QStringLiteral("cannot read CA certificate file %1: %2").arg(caFile, f.errorString())));
            const auto fromFile = QSslCertificate::fromData(f.readAll(), QSsl::Pem);
            if (fromFile.isEmpty())
                return fail(Error::invalid(QStringLiteral("%1 does not hold a PEM certificate").arg(caFile)));
            cas += fromFile;
        }
        if (!cas.isEmpty())
            tls->config.setCaCertificates(tls->config.caCertificates() + cas);
        if (clientAuth) {
            const auto certs = QSslCertificate::fromData(secure.value(QStringLiteral("tlsClientCert")).toString().toUtf8());
            const QByteArray keyPem = secure.value(QStringLiteral("tlsClientKey")).toString().toUtf8();
            QSslKey key(keyPem, QSsl::Rsa);
            if (key.isNull())
                key = QSslKey(keyPem, QSsl::Ec);
            if (certs.isEmpty() || key.isNull())
                return fail(Error::invalid(
                    QStringLiteral("tlsAuth is on but tlsClientCert / tlsClientKey do not hold a PEM certificate and key")));
            tls->config.setLocalCertificate(certs.front());
            tls->config.setPrivateKey(key);
        }
        c.m_tls = std::move(tls);
#else
        return fail(Error::invalid(QStringLiteral("TLS options are set but this Qt build has no TLS support")));
#endif
    }
    return c;
}

QUrl HttpClient::endpoint(const QString &path) const
{
    QString rel = path;
    while (rel.startsWith(QLatin1Char('/')))
        rel.remove(0, 1);
    return m_base.resolved(QUrl(rel));
}

QUrl HttpClient::endpoint(const QString &path, const QueryParams &params) const
{
    QUrl url = endpoint(path);
    if (!params.isEmpty())
        url.setQuery(QString::fromLatin1(formEncode(params)), QUrl::StrictMode);
    return url;
}

QString HttpClient::displayUrl() const
{
    return describe(m_base);
}

Result<HttpResponse> HttpClient::get(const QString &path, const QueryParams &params, const CancelToken &cancel,
                                     const HttpHeaders &extraHeaders) const
{
    return send(endpoint(path, params), nullptr, {}, extraHeaders, cancel);
}

Result<HttpResponse> HttpClient::postForm(const QString &path, const QueryParams &params,
                                          const CancelToken &cancel) const
{
    const QByteArray form = formEncode(params);
    return send(endpoint(path), &form, QByteArrayLiteral("application/x-www-form-urlencoded"), {}, cancel);
}

Result<HttpResponse> HttpClient::postBody(const QString &path, const QByteArray &body, const QByteArray &contentType,
                                          const CancelToken &cancel, const HttpHeaders &extraHeaders) const
{
    return send(endpoint(path), &body, contentType, extraHeaders, cancel);
}

Result<HttpResponse> HttpClient::call(const QString &path, const QueryParams &params, HttpMethod method,
                                      const CancelToken &cancel) const
{
    return method == HttpMethod::Get ? get(path, params, cancel) : postForm(path, params, cancel);
}

Result<HttpResponse> HttpClient::send(const QUrl &url, const QByteArray *body, const QByteArray &contentType,
                                      const HttpHeaders &extraHeaders, const CancelToken &cancel) const
{
    if (cancel.isCancelled())
        return fail(Error::cancelled());

    QNetworkRequest request(url);
    for (const auto &[name, value] : m_headers)
        request.setRawHeader(name, value);
    for (const auto &[name, value] : extraHeaders)
        request.setRawHeader(name, value);
#if QT_CONFIG(ssl)
    if (m_tls && url.scheme() == u"https")
        request.setSslConfiguration(m_tls->config);
#endif
    // Our own timer decides about timeouts, so it can say which limit hit.
    request.setTransferTimeout(0);

    // Lives and dies on this thread: the caller may be a pool thread that
    // no one else touches, so nothing here may be shared across calls.
    QNetworkAccessManager nam;
    nam.setRedirectPolicy(QNetworkRequest::NoLessSafeRedirectPolicy);
    QNetworkReply *reply = nullptr;
    if (body) {
        request.setHeader(QNetworkRequest::ContentTypeHeader, contentType);
        reply = nam.post(request, *body);
    } else {
        reply = nam.get(request);
    }
    std::unique_ptr<QNetworkReply> owner(reply);

    bool cancelled = false;
    bool timedOut = false;
    QEventLoop loop;
    QTimer poll;
    poll.setInterval(kCancelPollMs);
    QObject::connect(&poll, &QTimer::timeout, &loop, [&] {
        if (cancel.isCancelled()) {
            cancelled = true;
            reply->abort();
        }
    });
    QTimer deadline;
    deadline.setSingleShot(true);
    QObject::connect(&deadline, &QTimer::timeout, &loop, [&] {
        timedOut = true;
        reply->abort();
    });
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    poll.start();
    deadline.start(m_timeoutMs);
    if (!reply->isFinished())
        loop.exec(QEventLoop::ExcludeUserInputEvents);
    poll.stop();
    deadline.stop();

    if (cancelled || (cancel.isCancelled() && reply->error() == QNetworkReply::OperationCanceledError))
        return fail(Error::cancelled());
    if (timedOut)
        return fail(Error{Error::Kind::Timeout,
                          QStringLiteral("no answer from %1 within %2 s (jsonData.timeout)")
                              .arg(describe(url))
                              .arg(m_timeoutMs / 1000.0),
                          {}, 0, 0});

    const QVariant status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    if (!status.isValid())
        return fail(transportError(reply->error(), reply->errorString(), url));
    return HttpResponse{status.toInt(), reply->readAll(), reply->rawHeader("Content-Type")};
}

} // namespace spyglass::datasource
