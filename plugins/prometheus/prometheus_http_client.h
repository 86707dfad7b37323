#pragma once

#include "core/datasource/datasource.h"
#include "core/model/cancel_token.h"
#include "core/model/result.h"

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>
#include <QUrl>
#include <utility>
#include <memory>

namespace spyglass::plugins::prometheus {

enum class HttpMethod { Get, Post };

// Query parameters as plain text pairs. Not QUrlQuery: it treats '%' in
// values as an escape on the way out, which corrupts PromQL such as `x %25 y`.
using QueryParams = QList<std::pair<QString, QString>>;

// "a=1&b=x%2By": every reserved character percent-encoded ('+' included,
// since servers decode '+' in forms and query strings as a blank).
QByteArray formEncode(const QueryParams &params);

struct HttpResponse
{
    int status = 0; // HTTP status code
    QByteArray body;
};

// Blocking HTTP calls to one Prometheus-compatible server, configured from a
// Grafana-shaped DatasourceSettings. Safe to use from any thread, including
// pool threads without an event loop: every call runs its own
// QNetworkAccessManager and a local QEventLoop, and polls the cancel token.
//
// Settings read (Grafana's names):
//   url                                  base URL, path prefix kept (Mimir: .../prometheus)
//   jsonData.httpMethod                  "GET" or "POST" (default POST, form-encoded)
//   jsonData.timeout                     seconds (default 30)
//   jsonData.basicAuth, basicAuthUser    + secureJsonData.basicAuthPassword
//   jsonData.httpHeaderName<N>           + secureJsonData.httpHeaderValue<N>, N = 1, 2, ...
//   jsonData.tlsSkipVerify               accept any server certificate
//   secureJsonData.tlsCACert | jsonData.tlsCACertFile   extra CA (PEM text | file)
//   jsonData.tlsAuth                     + secureJsonData.tlsClientCert / tlsClientKey (PEM)
class PrometheusHttpClient
{
public:
    static Result<PrometheusHttpClient> create(const datasource::DatasourceSettings &settings);

    // `path` is relative to the base URL ("api/v1/query"). Query-string
    // parameters go in the URL for GET and in a form body for POST; a HTTP
    // error status is not an Error here (the body says why), a transport
    // failure, timeout or cancellation is.
    Result<HttpResponse> call(const QString &path, const QueryParams &params, HttpMethod method,
                              const CancelToken &cancel) const;
    Result<HttpResponse> get(const QString &path, const QueryParams &params, const CancelToken &cancel) const
    {
        return call(path, params, HttpMethod::Get, cancel);
    }

    HttpMethod queryMethod() const { return m_method; }
    int timeoutMs() const { return m_timeoutMs; }
    QUrl baseUrl() const { return m_base; }
    QUrl endpoint(const QString &path) const;
    // The headers sent with every request (auth, custom headers), for tests.
    const QList<QPair<QByteArray, QByteArray>> &headers() const { return m_headers; }

private:
    struct Tls;
    QUrl m_base;
    HttpMethod m_method = HttpMethod::Post;
    int m_timeoutMs = 30000;
    QList<QPair<QByteArray, QByteArray>> m_headers;
    std::shared_ptr<const Tls> m_tls; // null for plain http
};

} // namespace spyglass::plugins::prometheus
