#pragma once

// A deliberately dumb HTTP/1.1 client over a raw QTcpSocket, so tests can
// send exactly the bytes they want (lying Content-Length, Expect headers,
// pipelined requests, half-sent bodies) and see exactly what comes back.

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QTcpSocket>
#include <optional>

namespace spyglass::testing {

struct RawResponse
{
    int status = 0;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;

    QByteArray header(QByteArrayView name) const
    {
        for (const auto &h : headers)
            if (h.first.compare(name, Qt::CaseInsensitive) == 0)
                return h.second;
        return {};
    }
};

class RawHttpClient
{
public:
    // Generous: these guard against hangs, they are not measurements.
    static constexpr int kWaitMs = 20'000;

    bool connectTo(quint16 port)
    {
        m_socket.connectToHost(QStringLiteral("127.0.0.1"), port);
        return m_socket.waitForConnected(kWaitMs);
    }

    void send(const QByteArray &bytes)
    {
        m_socket.write(bytes);
        m_socket.waitForBytesWritten(kWaitMs);
    }

    // Reads one response. A 1xx response is returned like any other.
    std::optional<RawResponse> readResponse(bool forHead = false)
    {
        RawResponse r;
        qsizetype headerEnd;
        while ((headerEnd = m_pending.indexOf("\r\n\r\n")) < 0)
            if (!fill())
                return std::nullopt;
        const QList<QByteArray> lines = m_pending.left(headerEnd).split('\n');
        m_pending.remove(0, headerEnd + 4);
        const QList<QByteArray> statusLine = lines.front().trimmed().split(' ');
        if (statusLine.size() < 2)
            return std::nullopt;
        r.status = statusLine[1].toInt();
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const qsizetype colon = lines[i].indexOf(':');
            if (colon > 0)
                r.headers.append({lines[i].left(colon).trimmed(), lines[i].mid(colon + 1).trimmed()});
        }
        if (r.status < 200 || forHead || r.status == 204 || r.status == 304)
            return r;
        const QByteArray len = r.header("Content-Length");
        if (r.header("Transfer-Encoding").toLower().contains("chunked")) {
            // What Go's net/http sends for large bodies: hex size line, data, CRLF; 0 ends.
            while (true) {
                qsizetype eol;
                while ((eol = m_pending.indexOf("\r\n")) < 0)
                    if (!fill())
                        return std::nullopt;
                bool ok = false;
                const qsizetype n = m_pending.left(eol).split(';').front().trimmed().toLongLong(&ok, 16);
                if (!ok)
                    return std::nullopt;
                m_pending.remove(0, eol + 2);
                while (m_pending.size() < n + 2)
                    if (!fill())
                        return std::nullopt;
                r.body += m_pending.left(n);
                m_pending.remove(0, n + 2);
                if (n == 0)
                    break; // (no trailers are sent by the servers tested here)
            }
        } else if (!len.isEmpty()) {
            const qsizetype n = len.toLongLong();
            while (m_pending.size() < n)
                if (!fill())
                    return std::nullopt;
            r.body = m_pending.left(n);
            m_pending.remove(0, n);
        } else {
            while (fill()) {
            }
            r.body = m_pending;
            m_pending.clear();
        }
        return r;
    }

    // True once the server has closed its side (reads return EOF).
    bool waitForServerClose()
    {
        while (fill()) {
        }
        return m_socket.state() != QAbstractSocket::ConnectedState || m_closed;
    }

    QTcpSocket &socket() { return m_socket; }
    const QByteArray &pending() const { return m_pending; }

private:
    bool fill()
    {
        if (m_socket.bytesAvailable() == 0 && !m_socket.waitForReadyRead(kWaitMs)) {
            m_closed = true;
            return false;
        }
        const QByteArray chunk = m_socket.readAll();
        m_pending += chunk;
        return true;
    }

    QTcpSocket m_socket;
    QByteArray m_pending;
    bool m_closed = false;
};

} // namespace spyglass::testing
