#pragma once

#include "core/datasource/datasource.h"
#include "core/model/cancel_token.h"
#include "core/model/result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QString>
#include <QUrl>
#include <memory>

namespace spyglass::plugins::pyroscope {

struct HttpResponse
{
    int status = 0; // HTTP status code
    QByteArray body;
};

// Blocking HTTP calls to one Pyroscope server (or Grafana Cloud Profiles, or
// spyglass-core serve), configured from a Grafana-shaped DatasourceSettings.
// Safe to use from any thread, including pool threads without an event
// loop: every call runs its own QNetworkAccessManager and a local
// QEventLoop, and polls the cancel token.
//
// Settings read (Grafana's names):
//   url                                  base URL, path prefix kept
//   jsonData.timeout                     seconds (default 30)
//   jsonData.basicAuth, basicAuthUser    + secureJsonData.basicAuthPassword
//   jsonData.httpHeaderName<N>           + secureJsonData.httpHeaderValue<N>, N = 1, 2, ...
//   jsonData.tlsSkipVerify               accept any server certificate
//   secureJsonData.tlsCACert | jsonData.tlsCACertFile   extra CA (PEM text | file)
class PyroscopeHttpClient
{
public:
    static Result<PyroscopeHttpClient> create(const datasource::DatasourceSettings &settings);

    // A Connect unary call with the JSON encoding: POST <base>/<service>/<method>
    // with `request` as the body. A HTTP error status is not an Error here
    // (the body says why); a transport failure, timeout or cancellation is.
    Result<HttpResponse> connectCall(const QString &path, const QJsonObject &request, const CancelToken &cancel) const;
    // A plain GET, for the legacy /pyroscope/* endpoints.
    Result<HttpResponse> get(const QString &path, const QList<QPair<QString, QString>> &query,
                             const CancelToken &cancel) const;

    int timeoutMs() const { return m_timeoutMs; }
    QUrl baseUrl() const { return m_base; }
    QUrl endpoint(const QString &path) const;
    const QList<QPair<QByteArray, QByteArray>> &headers() const { return m_headers; }

private:
    Result<HttpResponse> send(const QUrl &url, const QByteArray *postBody, const CancelToken &cancel) const;

    struct Tls;
    QUrl m_base;
    int m_timeoutMs = 30000;
    QList<QPair<QByteArray, QByteArray>> m_headers;
    std::shared_ptr<const Tls> m_tls; // null for plain http
};

} // namespace spyglass::plugins::pyroscope
