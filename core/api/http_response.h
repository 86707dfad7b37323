#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>

namespace spyglass::api {

// What a handler returns. The server adds Content-Length, Date and
// Connection; Content-Type comes from `contentType` unless set in `headers`.
struct HttpResponse
{
    int status = 200;
    QByteArray contentType = "text/plain; charset=utf-8";
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;

    HttpResponse &setHeader(const QByteArray &name, const QByteArray &value);

    static HttpResponse text(int status, const QByteArray &body);
    static HttpResponse json(int status, const QByteArray &body);
};

} // namespace spyglass::api
