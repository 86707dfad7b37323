#pragma once

#include "core/datasource/datasource.h"
#include "core/model/cancel_token.h"
#include "core/model/result.h"

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>
#include <QUrl>
#include <memory>
#include <utility>

namespace spyglass::datasource {

enum class HttpMethod { Get, Post };

// Query parameters as plain text pairs. Not QUrlQuery: it treats '%' in
// values as an escape on the way out, which corrupts PromQL such as `x %25 y`.
using QueryParams = QList<std::pair<QString, QString>>;
using HttpHeaders = QList<QPair<QByteArray, QByteArray>>;

// "a=1&b=x%2By": every reserved character percent-encoded ('+' included,
// since servers decode '+' in forms and query strings as a blank).
QByteArray formEncode(const QueryParams &params);

struct HttpResponse
{
    int status = 0; // HTTP status code
    QByteArray body;
    QByteArray contentType;
};

// Blocking HTTP calls to one server, configured from a Grafana-shaped
// DatasourceSettings; shared by every remote datasource plugin. Safe to use
// from any thread, including pool threads without an event loop: every call
// runs its own QNetworkAccessManager and a local QEventLoop, and polls the
// cancel token. Copies are cheap and independent.
//
// Settings read (Grafana's names):
//   url                                  base URL, path prefix kept (Mimir: .../prometheus)
//   jsonData.httpMethod                  "GET" or "POST" for queryMethod() (default POST)
//   jsonData.timeout                     seconds (default 30)
//   jsonData.basicAuth, basicAuthUser    + secureJsonData.basicAuthPassword
//   jsonData.httpHeaderName<N>           + secureJsonData.httpHeaderValue<N>, N = 1, 2, ...
//   jsonData.tenantId                    sent as X-Scope-OrgID (Loki, Tempo, Mimir,
//                                        Pyroscope multi-tenancy); a custom header wins
//   jsonData.tlsSkipVerify               accept any server certificate
//   secureJsonData.tlsCACert | jsonData.tlsCACertFile   extra CA (PEM text | file)
//   jsonData.tlsAuth                     + secureJsonData.tlsClientCert / tlsClientKey (PEM)
class HttpClient
{
public:
    // `product` names the server kind in messages ("Prometheus", "Loki").
    static Result<HttpClient> create(const DatasourceSettings &settings, const QString &product);

    // `path` is relative to the base URL ("api/v1/query"). A HTTP error
    // status is not an Error here (the body says why); a transport failure,
    // timeout or cancellation is.
    Result<HttpResponse> get(const QString &path, const QueryParams &params, const CancelToken &cancel,
                             const HttpHeaders &extraHeaders = {}) const;
    Result<HttpResponse> postForm(const QString &path, const QueryParams &params, const CancelToken &cancel) const;
    Result<HttpResponse> postBody(const QString &path, const QByteArray &body, const QByteArray &contentType,
                                  const CancelToken &cancel, const HttpHeaders &extraHeaders = {}) const;
    // GET with the parameters in the URL, or POST with them as a form.
    Result<HttpResponse> call(const QString &path, const QueryParams &params, HttpMethod method,
                              const CancelToken &cancel) const;

    HttpMethod queryMethod() const { return m_method; }
    int timeoutMs() const { return m_timeoutMs; }
    QUrl baseUrl() const { return m_base; }
    QUrl endpoint(const QString &path) const;
    QUrl endpoint(const QString &path, const QueryParams &params) const;
    // The base URL for messages: no credentials, no query.
    QString displayUrl() const;
    // The headers sent with every request (auth, custom headers, tenant).
    const HttpHeaders &headers() const { return m_headers; }
    bool hasTlsOptions() const { return m_tls != nullptr; }

private:
    Result<HttpResponse> send(const QUrl &url, const QByteArray *body, const QByteArray &contentType,
                              const HttpHeaders &extraHeaders, const CancelToken &cancel) const;

    struct Tls;
    QUrl m_base;
    HttpMethod m_method = HttpMethod::Post;
    int m_timeoutMs = 30000;
    HttpHeaders m_headers;
    std::shared_ptr<const Tls> m_tls; // null when no TLS option is set
};

} // namespace spyglass::datasource
