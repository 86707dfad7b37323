#include "tests/support/prometheus_server.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>

#ifdef Q_OS_LINUX
#include <csignal>
#include <sys/prctl.h>
#endif

namespace spyglass::test {

namespace {

QString findBinary(const char *envVar, const QString &name)
{
    const QString fromEnv = qEnvironmentVariable(envVar);
    if (!fromEnv.isEmpty())
        return fromEnv;
    const QString usr = QStringLiteral("/usr/bin/") + name;
    if (QFileInfo(usr).isExecutable())
        return usr;
    return QStandardPaths::findExecutable(name);
}

// One plain HTTP/1.0 GET with blocking sockets: the readiness poll must not
// depend on an event loop or on the HTTP client under test.
int httpStatus(quint16 port, const QByteArray &path)
{
    QTcpSocket s;
    s.connectToHost(QHostAddress::LocalHost, port);
    if (!s.waitForConnected(1000))
        return 0;
    s.write("GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
    QByteArray answer;
    QDeadlineTimer deadline(2000);
    while (!deadline.hasExpired() && !answer.contains("\r\n")) {
        if (!s.waitForReadyRead(200) && s.state() != QAbstractSocket::ConnectedState)
            break;
        answer += s.readAll();
    }
    // "HTTP/1.0 200 OK"
    const QList<QByteArray> parts = answer.left(answer.indexOf("\r\n")).split(' ');
    return parts.size() >= 2 ? parts[1].toInt() : 0;
}

} // namespace

quint16 freeLoopbackPort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    const quint16 port = probe.serverPort();
    probe.close();
    return port;
}

PrometheusServer::PrometheusServer() = default;

PrometheusServer::~PrometheusServer()
{
    stop();
}

QString PrometheusServer::prometheusBinary()
{
    return findBinary("SPYGLASS_PROMETHEUS", QStringLiteral("prometheus"));
}

QString PrometheusServer::promtoolBinary()
{
    return findBinary("SPYGLASS_PROMTOOL", QStringLiteral("promtool"));
}

QString PrometheusServer::unavailableReason()
{
    if (prometheusBinary().isEmpty() || !QFileInfo(prometheusBinary()).isExecutable())
        return QStringLiteral("no prometheus binary (apt-get install prometheus, or set SPYGLASS_PROMETHEUS)");
    if (promtoolBinary().isEmpty() || !QFileInfo(promtoolBinary()).isExecutable())
        return QStringLiteral("no promtool binary (apt-get install prometheus, or set SPYGLASS_PROMTOOL)");
    return {};
}

QString PrometheusServer::url() const
{
    return QStringLiteral("http://127.0.0.1:%1").arg(m_port);
}

QString PrometheusServer::dataDir() const
{
    return m_dir ? m_dir->filePath(QStringLiteral("data")) : QString();
}

QString PrometheusServer::log() const
{
    if (!m_dir)
        return {};
    QFile f(m_dir->filePath(QStringLiteral("prometheus.log")));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(f.readAll());
}

bool PrometheusServer::isRunning() const
{
    return m_process && m_process->state() != QProcess::NotRunning;
}

Result<void> PrometheusServer::start(const QByteArray &openMetrics, int readyTimeoutMs)
{
    if (const QString why = unavailableReason(); !why.isEmpty())
        return fail(Error{Error::Kind::Unavailable, why, {}, 0, 0});
    stop();
    m_dir = std::make_unique<QTemporaryDir>();
    if (!m_dir->isValid())
        return fail(Error::io(QStringLiteral("cannot create a temporary directory: %1").arg(m_dir->errorString())));
    if (auto r = importBlocks(openMetrics); !r)
        return r;

    QFile config(m_dir->filePath(QStringLiteral("prometheus.yml")));
    if (!config.open(QIODevice::WriteOnly))
        return fail(Error::io(QStringLiteral("cannot write %1").arg(config.fileName())));
    config.write("global:\n  scrape_interval: 15s\nscrape_configs: []\n");
    config.close();

    // The port may be taken between probing and prometheus binding it.
    for (int attempt = 0; attempt < 5; ++attempt) {
        bool portTaken = false;
        auto r = launch(readyTimeoutMs, &portTaken);
        if (r || !portTaken)
            return r;
    }
    return fail(Error{Error::Kind::Unavailable, QStringLiteral("no free loopback port for prometheus after 5 tries"),
                      {}, 0, 0});
}

Result<void> PrometheusServer::importBlocks(const QByteArray &openMetrics)
{
    if (!openMetrics.trimmed().endsWith("# EOF"))
        return fail(Error::invalid(QStringLiteral("promtool needs the OpenMetrics text to end with \"# EOF\"")));
    const QString input = m_dir->filePath(QStringLiteral("input.om"));
    QFile f(input);
    if (!f.open(QIODevice::WriteOnly) || f.write(openMetrics) != openMetrics.size())
        return fail(Error::io(QStringLiteral("cannot write %1: %2").arg(input, f.errorString())));
    f.close();
    QDir().mkpath(dataDir());

    QProcess promtool;
    promtool.setProcessChannelMode(QProcess::MergedChannels);
    promtool.start(promtoolBinary(), {QStringLiteral("tsdb"), QStringLiteral("create-blocks-from"),
                                      QStringLiteral("openmetrics"), input, dataDir()});
    if (!promtool.waitForStarted(10000))
        return fail(Error::io(QStringLiteral("cannot start %1: %2").arg(promtoolBinary(), promtool.errorString())));
    if (!promtool.waitForFinished(300000)) {
        promtool.kill();
        promtool.waitForFinished(5000);
        return fail(Error{Error::Kind::Timeout, QStringLiteral("promtool did not finish within 5 minutes"), {}, 0, 0});
    }
    const QString output = QString::fromUtf8(promtool.readAll());
    if (promtool.exitStatus() != QProcess::NormalExit || promtool.exitCode() != 0)
        return fail(Error::badData(QStringLiteral("promtool tsdb create-blocks-from openmetrics failed (exit %1): %2")
                                       .arg(promtool.exitCode())
                                       .arg(output.trimmed())));
    return {};
}

Result<void> PrometheusServer::launch(int readyTimeoutMs, bool *portTaken)
{
    *portTaken = false;
    m_port = freeLoopbackPort();
    if (m_port == 0)
        return fail(Error{Error::Kind::Unavailable, QStringLiteral("cannot bind a loopback port"), {}, 0, 0});

    const QString logPath = m_dir->filePath(QStringLiteral("prometheus.log"));
    QFile::remove(logPath);
    m_process = std::make_unique<QProcess>();
    // A file rather than a pipe: prometheus logs a lot, and a full pipe
    // nobody reads would stall it.
    m_process->setStandardOutputFile(logPath);
    m_process->setStandardErrorFile(logPath, QIODevice::Append);
#ifdef Q_OS_LINUX
    // If the test crashes before its destructor runs, the server must not
    // outlive it (an orphan would keep its port and temp dir forever).
    m_process->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGTERM); });
#endif
    m_process->start(prometheusBinary(),
                     {QStringLiteral("--config.file=") + m_dir->filePath(QStringLiteral("prometheus.yml")),
                      QStringLiteral("--storage.tsdb.path=") + dataDir(),
                      QStringLiteral("--web.listen-address=127.0.0.1:%1").arg(m_port),
                      QStringLiteral("--storage.tsdb.retention.time=100y"),
                      QStringLiteral("--log.level=warn")});
    if (!m_process->waitForStarted(10000))
        return fail(Error::io(QStringLiteral("cannot start %1: %2").arg(prometheusBinary(), m_process->errorString())));

    QDeadlineTimer deadline(readyTimeoutMs);
    while (!deadline.hasExpired()) {
        if (m_process->state() == QProcess::NotRunning) {
            const QString out = log();
            *portTaken = out.contains(QLatin1String("address already in use"));
            return fail(Error{Error::Kind::Unavailable,
                              QStringLiteral("prometheus exited (code %1) before it was ready: %2")
                                  .arg(m_process->exitCode())
                                  .arg(out.right(2000).trimmed()),
                              {}, 0, 0});
        }
        if (httpStatus(m_port, "/-/ready") == 200)
            return {};
        m_process->waitForFinished(100); // sleeps, but notices an early exit
    }
    const QString out = log();
    stop();
    return fail(Error{Error::Kind::Timeout,
                      QStringLiteral("prometheus was not ready within %1 s: %2").arg(readyTimeoutMs / 1000).arg(out.right(2000)),
                      {}, 0, 0});
}

void PrometheusServer::stop()
{
    if (!m_process)
        return;
    if (m_process->state() != QProcess::NotRunning) {
        m_process->terminate();
        if (!m_process->waitForFinished(10000)) {
            m_process->kill();
            m_process->waitForFinished(5000);
        }
    }
    m_process.reset();
}

} // namespace spyglass::test
