#include "core/ingest/blocking_http_client.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace spyglass::ingest {

QByteArray HttpReply::header(const QByteArray &lowerName) const
{
    for (const auto &h : headers)
        if (h.first == lowerName)
            return h.second;
    return {};
}

BlockingHttpClient::BlockingHttpClient(QString host, quint16 port, std::chrono::milliseconds timeout)
    : m_host(std::move(host)), m_port(port), m_timeout(timeout)
{
}

BlockingHttpClient::~BlockingHttpClient() { closeSocket(); }

void BlockingHttpClient::closeSocket()
{
    if (m_fd >= 0)
        ::close(m_fd);
    m_fd = -1;
}

Result<void> BlockingHttpClient::connectSocket()
{
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo *res = nullptr;
    const QByteArray host = m_host.toUtf8();
    const QByteArray port = QByteArray::number(m_port);
    if (int rc = ::getaddrinfo(host.constData(), port.constData(), &hints, &res); rc != 0)
        return fail(Error::io(QStringLiteral("cannot resolve %1: %2").arg(m_host, QString::fromUtf8(gai_strerror(rc)))));
    int lastErrno = 0;
    for (addrinfo *a = res; a; a = a->ai_next) {
        const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0)
            continue;
        if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
            const int one = 1;
            ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            m_fd = fd;
            break;
        }
        lastErrno = errno;
        ::close(fd);
    }
    ::freeaddrinfo(res);
    if (m_fd < 0)
        return fail(Error::io(QStringLiteral("cannot connect to %1:%2: %3")
                                  .arg(m_host)
                                  .arg(m_port)
                                  .arg(QString::fromUtf8(std::strerror(lastErrno)))));
    return {};
}

Result<HttpReply> BlockingHttpClient::post(const QByteArray &path, const QByteArray &contentType,
                                           const QByteArray &body, const QList<QPair<QByteArray, QByteArray>> &headers)
{
    QByteArray req = "POST " + path + " HTTP/1.1\r\nHost: " + m_host.toUtf8() + ':' + QByteArray::number(m_port)
        + "\r\nContent-Type: " + contentType + "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n";
    for (const auto &h : headers)
        req += h.first + ": " + h.second + "\r\n";
    req += "\r\n";
    req += body;
    const bool reused = m_fd >= 0;
    auto r = roundTrip(req);
    if (!r && reused) { // the server may have closed an idle keep-alive connection
        closeSocket();
        r = roundTrip(req);
    }
    if (!r)
        closeSocket();
    return r;
}

Result<HttpReply> BlockingHttpClient::roundTrip(const QByteArray &request)
{
    if (m_fd < 0)
        if (auto c = connectSocket(); !c)
            return fail(c.error());
    const QString where = QStringLiteral("%1:%2").arg(m_host).arg(m_port);
    qsizetype sent = 0;
    while (sent < request.size()) {
        const ssize_t n = ::send(m_fd, request.constData() + sent, std::size_t(request.size() - sent), MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return fail(Error::io(QStringLiteral("sending to %1 failed: %2").arg(where, QString::fromUtf8(std::strerror(errno)))));
        }
        sent += n;
    }
    QByteArray buf;
    auto readMore = [&]() -> Result<void> {
        pollfd p{m_fd, POLLIN, 0};
        const int pr = ::poll(&p, 1, int(m_timeout.count()));
        if (pr == 0)
            return fail(Error::io(QStringLiteral("no answer from %1 within %2 ms").arg(where).arg(m_timeout.count())));
        char tmp[65536];
        const ssize_t n = ::recv(m_fd, tmp, sizeof tmp, 0);
        if (n < 0 && errno == EINTR)
            return {};
        if (n <= 0)
            return fail(Error::io(QStringLiteral("%1 closed the connection").arg(where)));
        buf.append(tmp, qsizetype(n));
        return {};
    };
    qsizetype headerEnd = -1;
    while ((headerEnd = buf.indexOf("\r\n\r\n")) < 0)
        if (auto r = readMore(); !r)
            return fail(r.error());
    HttpReply reply;
    const QList<QByteArray> lines = buf.left(headerEnd).split('\n');
    const QList<QByteArray> statusLine = lines.value(0).trimmed().split(' ');
    reply.status = statusLine.value(1).toInt();
    qint64 length = -1;
    bool chunked = false, close = false;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const qsizetype colon = lines[i].indexOf(':');
        if (colon < 0)
            continue;
        const QByteArray name = lines[i].left(colon).trimmed().toLower();
        const QByteArray value = lines[i].mid(colon + 1).trimmed();
        reply.headers.append({name, value});
        if (name == "content-length")
            length = value.toLongLong();
        else if (name == "transfer-encoding" && value.toLower().contains("chunked"))
            chunked = true;
        else if (name == "connection" && value.toLower() == "close")
            close = true;
    }
    buf.remove(0, headerEnd + 4);
    if (chunked) {
        for (;;) {
            qsizetype eol;
            while ((eol = buf.indexOf("\r\n")) < 0)
                if (auto r = readMore(); !r)
                    return fail(r.error());
            const qint64 size = buf.left(eol).trimmed().toLongLong(nullptr, 16);
            while (buf.size() < eol + 2 + size + 2)
                if (auto r = readMore(); !r)
                    return fail(r.error());
            reply.body += buf.mid(eol + 2, size);
            buf.remove(0, eol + 2 + size + 2);
            if (size == 0)
                break;
        }
    } else if (length > 0) {
        while (buf.size() < length)
            if (auto r = readMore(); !r)
                return fail(r.error());
        reply.body = buf.left(length);
    } else if (length < 0 && reply.status != 204 && reply.status != 304) {
        close = true;
        for (;;) {
            if (auto r = readMore(); !r)
                break;
        }
        reply.body = buf;
    }
    if (close)
        closeSocket();
    return reply;
}

} // namespace spyglass::ingest
