#include "plugins/pyroscope/pyroscope_http_client.h"

#include <QEventLoop>
#include <QFile>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>
#include <QUrlQuery>
#include <QtNetwork/qtnetwork-config.h>
#if QT_CONFIG(ssl)
#include <QSslCertificate>
#include <QSslConfiguration>
#endif

#include <algorithm>

namespace spyglass::plugins::pyroscope {

namespace {

constexpr int kDefaultTimeoutMs = 30000;
constexpr int kCancelPollMs = 25;

QString describe(const QUrl &url)
{
    // Never echo credentials embedded in the URL into error messages.
    return url.toDisplayString(QUrl::RemoveUserInfo | QUrl::RemoveQuery);
}

Error unavailable(QString message)
{
    return Error{Error::Kind::Unavailable, std::move(message), {}, 0, 0};
}

Error transportError(QNetworkReply::NetworkError code, const QString &qtMessage, const QUrl &url)
{
    const QString where = describe(url);
    switch (code) {
    case QNetworkReply::ConnectionRefusedError:
        return unavailable(QStringLiteral("cannot connect to %1: connection refused (is Pyroscope running?)").arg(where));
    case QNetworkReply::HostNotFoundError:
        return unavailable(QStringLiteral("cannot connect to %1: host %2 not found").arg(where, url.host()));
    case QNetworkReply::RemoteHostClosedError:
        return unavailable(QStringLiteral("%1 closed the connection before answering").arg(where));
    case QNetworkReply::SslHandshakeFailedError:
        return unavailable(QStringLiteral("TLS handshake with %1 failed: %2 (configure a CA certificate or tlsSkipVerify)")
                               .arg(where, qtMessage));
    default:
        return unavailable(QStringLiteral("request to %1 failed: %2").arg(where, qtMessage));
    }
}

} // namespace

struct PyroscopeHttpClient::Tls
{
#if QT_CONFIG(ssl)
    QSslConfiguration config;
#endif
};

Result<PyroscopeHttpClient> PyroscopeHttpClient::create(const datasource::DatasourceSettings &settings)
{
    const QVariantMap &json = settings.jsonData;
    const QVariantMap &secure = settings.secureJsonData;
    PyroscopeHttpClient c;

    const QString rawUrl = settings.url.trimmed();
    if (rawUrl.isEmpty())
        return fail(Error::invalid(QStringLiteral("the Pyroscope datasource \"%1\" has no URL").arg(settings.name)));
    c.m_base = QUrl(rawUrl, QUrl::StrictMode);
    if (!c.m_base.isValid() || c.m_base.host().isEmpty()
        || (c.m_base.scheme() != u"http" && c.m_base.scheme() != u"https"))
        return fail(Error::invalid(
            QStringLiteral("\"%1\" is not a usable Pyroscope URL (expected http://host:port[/prefix])").arg(rawUrl)));
    // A trailing slash makes QUrl::resolved() keep a path prefix.
    if (!c.m_base.path().endsWith(QLatin1Char('/')))
        c.m_base.setPath(c.m_base.path() + QLatin1Char('/'));

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
        c.m_headers.push_back({"Authorization", "Basic " + (user + QLatin1Char(':') + password).toUtf8().toBase64()});
    }
    // Grafana's custom headers (X-Scope-OrgID for multi-tenant Pyroscope, a
    // bearer token): numbered pairs, the value kept secret.
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

    const bool skipVerify = json.value(QStringLiteral("tlsSkipVerify")).toBool();
    const QString caPem = secure.value(QStringLiteral("tlsCACert")).toString();
    const QString caFile = json.value(QStringLiteral("tlsCACertFile")).toString();
    if (skipVerify || !caPem.isEmpty() || !caFile.isEmpty()) {
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
        c.m_tls = std::move(tls);
#else
        return fail(Error::invalid(QStringLiteral("TLS options are set but this Qt build has no TLS support")));
#endif
    }
    return c;
}

QUrl PyroscopeHttpClient::endpoint(const QString &path) const
{
    QString rel = path;
    while (rel.startsWith(QLatin1Char('/')))
        rel.remove(0, 1);
    return m_base.resolved(QUrl(rel));
}

Result<HttpResponse> PyroscopeHttpClient::connectCall(const QString &path, const QJsonObject &request,
                                                      const CancelToken &cancel) const
{
    const QByteArray body = QJsonDocument(request).toJson(QJsonDocument::Compact);
    return send(endpoint(path), &body, cancel);
}

Result<HttpResponse> PyroscopeHttpClient::get(const QString &path, const QList<QPair<QString, QString>> &query,
                                              const CancelToken &cancel) const
{
    QUrl url = endpoint(path);
    if (!query.isEmpty()) {
        QByteArray q;
        for (const auto &[key, value] : query) {
            if (!q.isEmpty())
                q += '&';
            // Everything reserved encoded: label selectors hold '{', '"', '=' and '+'.
            q += QUrl::toPercentEncoding(key) + '=' + QUrl::toPercentEncoding(value);
        }
        url.setQuery(QString::fromLatin1(q), QUrl::StrictMode);
    }
    return send(url, nullptr, cancel);
}

Result<HttpResponse> PyroscopeHttpClient::send(const QUrl &url, const QByteArray *postBody,
                                               const CancelToken &cancel) const
{
    if (cancel.isCancelled())
        return fail(Error::cancelled());

    QNetworkRequest request(url);
    for (const auto &[name, value] : m_headers)
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
    if (postBody) {
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        request.setRawHeader("Connect-Protocol-Version", "1");
        reply = nam.post(request, *postBody);
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
    return HttpResponse{status.toInt(), reply->readAll()};
}

} // namespace spyglass::plugins::pyroscope
