#include "tests/support/recording_http_server.h"

#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslServer>
#include <QTcpSocket>

namespace spyglass::test {

RecordingHttpServer::RecordingHttpServer(QObject *parent) : QObject(parent)
{
    m_handler = [](const RecordedRequest &) { return CannedResponse{}; };
}

bool RecordingHttpServer::listenOn(std::unique_ptr<QTcpServer> server)
{
    m_server = std::move(server);
    // For QSslServer this fires after the TLS handshake, for QTcpServer at once.
    connect(m_server.get(), &QTcpServer::pendingConnectionAvailable, this, &RecordingHttpServer::acceptPending);
    return m_server->listen(QHostAddress::LocalHost, 0);
}

bool RecordingHttpServer::listen()
{
    m_tls = false;
    return listenOn(std::make_unique<QTcpServer>());
}

bool RecordingHttpServer::listenTls(const QSslCertificate &cert, const QSslKey &key)
{
    auto server = std::make_unique<QSslServer>();
    QSslConfiguration config = QSslConfiguration::defaultConfiguration();
    config.setLocalCertificate(cert);
    config.setPrivateKey(key);
    config.setPeerVerifyMode(QSslSocket::VerifyNone);
    server->setSslConfiguration(config);
    m_tls = true;
    return listenOn(std::move(server));
}

void RecordingHttpServer::acceptPending()
{
    while (QTcpSocket *s = m_server->nextPendingConnection()) {
        s->setParent(this);
        connect(s, &QTcpSocket::readyRead, this, [this, s] { onReadyRead(s); });
        connect(s, &QTcpSocket::disconnected, this, [this, s] {
            m_buffers.remove(s);
            s->deleteLater();
        });
        if (s->bytesAvailable() > 0)
            onReadyRead(s);
    }
}

void RecordingHttpServer::onReadyRead(QTcpSocket *socket)
{
    QByteArray &buf = m_buffers[socket];
    buf += socket->readAll();
    const qsizetype headerEnd = buf.indexOf("\r\n\r\n");
    if (headerEnd < 0)
        return;

    RecordedRequest req;
    const QList<QByteArray> lines = buf.left(headerEnd).split('\n');
    const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
    req.method = requestLine.value(0);
    req.target = requestLine.value(1);
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const qsizetype colon = lines[i].indexOf(':');
        if (colon > 0)
            req.headers.insert(lines[i].left(colon).trimmed().toLower(), lines[i].mid(colon + 1).trimmed());
    }
    const qsizetype length = req.headers.value("content-length", "0").toLongLong();
    if (buf.size() < headerEnd + 4 + length)
        return; // body still arriving
    req.body = buf.mid(headerEnd + 4, length);
    buf.clear();

    m_requests.push_back(req);
    const CannedResponse r = m_handler(req);
    emit requestReceived();
    if (r.silent)
        return;
    QByteArray answer = "HTTP/1.1 " + QByteArray::number(r.status) + " Canned\r\n";
    answer += "Content-Type: " + r.contentType + "\r\n";
    answer += "Content-Length: " + QByteArray::number(r.body.size()) + "\r\n";
    answer += "Connection: close\r\n\r\n";
    answer += r.body;
    socket->write(answer);
    socket->disconnectFromHost();
}

} // namespace spyglass::test
