#pragma once

#include "core/model/cancel_token.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

namespace spyglass::api {

// Decoded `name=value&...` pairs in the order they were sent. A name may
// repeat (Prometheus's `match[]`), so this is a list, not a map.
class QueryParams
{
public:
    QueryParams() = default;

    // Parses application/x-www-form-urlencoded text: `+` is a space, %XX is
    // decoded, the result is read as UTF-8. Pairs without `=` get an empty value.
    static QueryParams parse(QByteArrayView encoded);

    void add(QString name, QString value) { m_pairs.append({std::move(name), std::move(value)}); }
    void append(const QueryParams &other) { m_pairs.append(other.m_pairs); }

    bool has(QStringView name) const;
    // The first value of `name`, or an empty string (Go's Form.Get).
    QString value(QStringView name) const;
    QStringList values(QStringView name) const;
    const QList<QPair<QString, QString>> &pairs() const { return m_pairs; }
    bool isEmpty() const { return m_pairs.isEmpty(); }

private:
    QList<QPair<QString, QString>> m_pairs;
};

// One HTTP request as handlers see it: fully read, body already
// decompressed, nothing of the network library visible.
struct HttpRequest
{
    QByteArray method;    // as sent, e.g. "GET"
    QByteArray target;    // raw request target, e.g. "/api/v1/query?query=up"
    QString path;         // percent-decoded path without the query string
    QueryParams query;    // decoded URL query parameters
    QHash<QString, QString> pathParams; // `{name}` segments of the matched route
    QList<QPair<QByteArray, QByteArray>> headers; // names as sent
    QByteArray body;      // after Content-Encoding (gzip) was undone
    QString remoteAddress;
    quint16 remotePort = 0;
    // Cancelled when the server shuts down while the handler still runs.
    CancelToken cancel;

    // First header with this name (case-insensitive), empty when absent.
    QByteArray header(QByteArrayView name) const;
    bool hasHeader(QByteArrayView name) const;
    // The media type of Content-Type, lower-case, without parameters.
    QByteArray contentType() const;
    // Like Go's Request.Form: form-encoded body parameters first, then the
    // URL query, so a POST form and a GET query are read the same way.
    QueryParams formParams() const;
};

} // namespace spyglass::api
