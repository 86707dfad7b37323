#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QObject>
#include <QString>
#include <QTcpServer>
#include <functional>
#include <memory>

class QSslCertificate;
class QSslKey;
class QTcpSocket;

namespace spyglass::test {

struct RecordedRequest
{
    QByteArray method;
    QByteArray target;                  // path plus "?query" as sent
    QHash<QByteArray, QByteArray> headers; // names lower-cased
    QByteArray body;

    QByteArray path() const { return target.left(target.indexOf('?') < 0 ? target.size() : target.indexOf('?')); }
    QByteArray header(const QByteArray &name) const { return headers.value(name.toLower()); }
};

struct CannedResponse
{
    int status = 200;
    QByteArray body;
    QByteArray contentType = "application/json";
    bool silent = false; // read the request, never answer (timeouts, cancellation)
};

// A tiny HTTP/1.1 server on 127.0.0.1 for client tests: records every
// request (method, target, headers, body) and answers from a handler. It
// lives in the thread that created it, so the client under test must run on
// another thread while this one spins an event loop.
class RecordingHttpServer : public QObject
{
    Q_OBJECT
public:
    using Handler = std::function<CannedResponse(const RecordedRequest &)>;

    explicit RecordingHttpServer(QObject *parent = nullptr);
    bool listen(); // on 127.0.0.1, any free port
    // The same over TLS (https) with this certificate and key.
    bool listenTls(const QSslCertificate &cert, const QSslKey &key);
    quint16 port() const { return m_server ? m_server->serverPort() : 0; }
    QString url() const
    {
        return QStringLiteral("%1://127.0.0.1:%2").arg(m_tls ? QStringLiteral("https") : QStringLiteral("http")).arg(port());
    }

    void setHandler(Handler h) { m_handler = std::move(h); }
    void setResponse(CannedResponse r)
    {
        m_handler = [r](const RecordedRequest &) { return r; };
    }

    const QList<RecordedRequest> &requests() const { return m_requests; }
    void clear() { m_requests.clear(); }

signals:
    void requestReceived();

private:
    void onReadyRead(QTcpSocket *socket);
    void acceptPending();
    bool listenOn(std::unique_ptr<QTcpServer> server);

    std::unique_ptr<QTcpServer> m_server;
    bool m_tls = false;
    Handler m_handler;
    QHash<QTcpSocket *, QByteArray> m_buffers;
    QList<RecordedRequest> m_requests;
};

} // namespace spyglass::test
