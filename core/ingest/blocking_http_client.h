#pragma once

#include "core/model/result.h"

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>
#include <chrono>

namespace spyglass::ingest {

struct HttpReply
{
    int status = 0;
    QList<QPair<QByteArray, QByteArray>> headers; // names lower-cased
    QByteArray body;
    QByteArray header(const QByteArray &lowerName) const;
};

// A minimal blocking HTTP/1.1 client (POSIX sockets, keep-alive) for
// senders that run on a worker thread of their own: the demo system and
// the load generators. No event loop, no thread affinity: one object per
// thread, or one at a time. Bodies are read by Content-Length or chunked.
class BlockingHttpClient
{
public:
    BlockingHttpClient(QString host, quint16 port, std::chrono::milliseconds timeout = std::chrono::seconds(30));
    ~BlockingHttpClient();
    BlockingHttpClient(const BlockingHttpClient &) = delete;
    BlockingHttpClient &operator=(const BlockingHttpClient &) = delete;

    // Reconnects once when a kept-alive connection was closed by the server.
    Result<HttpReply> post(const QByteArray &path, const QByteArray &contentType, const QByteArray &body,
                           const QList<QPair<QByteArray, QByteArray>> &headers = {});

private:
    Result<void> connectSocket();
    Result<HttpReply> roundTrip(const QByteArray &request);
    void closeSocket();

    QString m_host;
    quint16 m_port;
    std::chrono::milliseconds m_timeout;
    int m_fd = -1;
};

} // namespace spyglass::ingest
