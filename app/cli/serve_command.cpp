#include "app/cli/commands.h"

#include "core/api/http_server.h"
#include "core/api/loki_api.h"
#include "core/api/prometheus_api.h"
#include "core/api/pyroscope_api.h"
#include "core/api/tempo_api.h"
#include "core/ingest/http_ingest_receiver.h"
#include "core/ingest/http_push_sink.h"
#include "core/ingest/otlp_grpc_receiver.h"
#include "core/ingest/scraper.h"
#include "core/ingest/span_metrics_generator.h"
#include "core/ingest/storage_sink.h"
#include "core/lab/lab.h"
#include "core/model/time_range.h"
#include "core/store/storage.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QRandomGenerator>
#include <QSocketNotifier>

#include <csignal>
#include <fcntl.h>
#include <unistd.h>

namespace spyglass::cli {

namespace {

// Self-pipe: the signal handler only writes a byte (async-signal-safe); the
// event loop sees it through a QSocketNotifier and quits normally, so
// shutdown runs on the main thread with every destructor.
int g_signalPipe[2] = {-1, -1};

extern "C" void onStopSignal(int sig)
{
    const char c = char(sig);
    [[maybe_unused]] const auto n = ::write(g_signalPipe[1], &c, 1);
    // A second Ctrl-C during a slow shutdown ends the process at once.
    std::signal(sig, SIG_DFL);
}

struct Endpoint
{
    QString host;
    quint16 port = 0;
};

// "ADDR:PORT", "[::1]:PORT" or ":PORT" (host defaults to loopback).
std::optional<Endpoint> parseEndpoint(const QString &text)
{
    const qsizetype colon = text.lastIndexOf(u':');
    if (colon < 0)
        return std::nullopt;
    QString host = text.left(colon);
    if (host.startsWith(u'[') && host.endsWith(u']'))
        host = host.mid(1, host.size() - 2);
    if (host.isEmpty())
        host = QStringLiteral("127.0.0.1");
    bool ok = false;
    const uint port = text.mid(colon + 1).toUInt(&ok);
    if (!ok || port > 65535)
        return std::nullopt;
    return Endpoint{host, quint16(port)};
}

QByteArray generateToken()
{
    QByteArray raw(24, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(raw.data()), raw.size() / 4);
    return raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

} // namespace

int runServe(const QStringList &args, QTextStream &out, QTextStream &err)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Serves a data directory over HTTP with Prometheus's query API (/api/v1/query, "
        "/api/v1/query_range, /api/v1/series, /api/v1/labels, ...), so Grafana or any Prometheus "
        "client can query it, and receives telemetry: OTLP/HTTP (/v1/metrics, /v1/logs, /v1/traces), "
        "remote_write (/api/v1/write) and Loki push (/loki/api/v1/push) on the HTTP port, OTLP/gRPC "
        "on --grpc. Stops cleanly on SIGINT/SIGTERM."));
    p.addHelpOption();
    p.addOption({QStringLiteral("data"), QStringLiteral("Data directory."), QStringLiteral("DIR")});
    p.addOption({QStringLiteral("listen"),
                 QStringLiteral("HTTP address (default 127.0.0.1:4318; port 0 picks a free one)."),
                 QStringLiteral("ADDR:PORT")});
    p.addOption({QStringLiteral("listen-all"),
                 QStringLiteral("Bind all interfaces (0.0.0.0) instead of loopback; requires a bearer token.")});
    p.addOption({QStringLiteral("token"),
                 QStringLiteral("Bearer token clients must send (generated and shown once with "
                                "--listen-all when not given)."),
                 QStringLiteral("T")});
    p.addOption({QStringLiteral("grpc"), QStringLiteral("OTLP/gRPC address (default 127.0.0.1:4317; port 0 picks a free one; "
                                                         "with --listen-all 0.0.0.0 and the same bearer token)."),
                 QStringLiteral("ADDR:PORT")});
    p.addOption({QStringLiteral("demo"),
                 QStringLiteral("Run the demo system (the mythical beasts shop: traces, metrics, logs and "
                                "profiles; the last 15 minutes are generated at start).")});
    p.addOption({QStringLiteral("scrape"),
                 QStringLiteral("Scrape a Prometheus target every INTERVAL (default 15s) into the data directory, "
                                "with job=\"scrape\" and instance=HOST:PORT; repeatable."),
                 QStringLiteral("URL[,INTERVAL]")});
    if (!p.parse(args))
        return usageError(err, p.errorText());
    if (p.isSet(QStringLiteral("help"))) {
        out << p.helpText();
        return 0;
    }
    if (!p.isSet(QStringLiteral("data")))
        return usageError(err, QStringLiteral("--data DIR is required"));
    if (!p.positionalArguments().isEmpty())
        return usageError(err, QStringLiteral("unexpected argument \"%1\"").arg(p.positionalArguments().front()));

    const QString listenText = p.isSet(QStringLiteral("listen")) ? p.value(QStringLiteral("listen"))
                                                                  : QStringLiteral("127.0.0.1:4318");
    auto endpoint = parseEndpoint(listenText);
    if (!endpoint)
        return usageError(err, QStringLiteral("invalid --listen \"%1\": expected ADDR:PORT").arg(listenText));
    if (p.isSet(QStringLiteral("listen-all")))
        endpoint->host = QStringLiteral("0.0.0.0");

    api::HttpServerOptions options;
    options.bearerToken = p.value(QStringLiteral("token")).toUtf8();
    const bool loopback = api::HttpServer::isLoopbackAddress(endpoint->host);
    if (!loopback && options.bearerToken.isEmpty()) {
        if (!p.isSet(QStringLiteral("listen-all")))
            return usageError(err, QStringLiteral("listening on %1 needs --token T (or use --listen-all, "
                                                  "which generates one)")
                                       .arg(endpoint->host));
        options.bearerToken = generateToken();
        out << "spyglass-core: generated bearer token (shown only now): " << options.bearerToken << '\n';
    }
    const QString grpcText = p.isSet(QStringLiteral("grpc")) ? p.value(QStringLiteral("grpc"))
                                                              : QStringLiteral("127.0.0.1:4317");
    auto grpcEndpoint = parseEndpoint(grpcText);
    if (!grpcEndpoint)
        return usageError(err, QStringLiteral("invalid --grpc \"%1\": expected ADDR:PORT").arg(grpcText));
    if (p.isSet(QStringLiteral("listen-all")))
        grpcEndpoint->host = QStringLiteral("0.0.0.0");
    // Both receivers check the same token: an SDK sends one `authorization` header.
    if (!api::HttpServer::isLoopbackAddress(grpcEndpoint->host) && options.bearerToken.isEmpty())
        return usageError(err, QStringLiteral("--grpc %1 is not a loopback address: it needs --token T (or use "
                                              "--listen-all, which generates one)")
                                   .arg(grpcText));
    QList<ingest::ScrapeTarget> scrapeTargets;
    for (const QString &spec : p.values(QStringLiteral("scrape"))) {
        auto target = ingest::Scraper::parseTargetSpec(spec);
        if (!target)
            return usageError(err, target.error().message);
        scrapeTargets.append(*target);
    }
    err.flush();

    auto storage = store::Storage::open(p.value(QStringLiteral("data")));
    if (!storage) {
        err << "spyglass-core: " << storage.error().toString() << '\n';
        return 1;
    }

    if (::pipe2(g_signalPipe, O_CLOEXEC | O_NONBLOCK) != 0) {
        err << "spyglass-core: cannot create the signal pipe\n";
        return 1;
    }
    QSocketNotifier notifier(g_signalPipe[0], QSocketNotifier::Read);
    int stopSignal = 0;
    QObject::connect(&notifier, &QSocketNotifier::activated, [&] {
        char c = 0;
        if (::read(g_signalPipe[0], &c, 1) == 1)
            stopSignal = c;
        QCoreApplication::quit();
    });
    struct sigaction sa = {};
    sa.sa_handler = onStopSignal;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);

    int rc = 0;
    {
        ingest::StorageSink sink(**storage); // outlives both receivers
        // Spans that arrive through the receivers feed RED metrics like
        // Tempo's metrics generator, flushed every 15 s.
        ingest::SpanMetricsGenerator spanMetrics((*storage)->metrics());
        sink.setSpanMetrics(&spanMetrics);
        const bool withDemo = p.isSet(QStringLiteral("demo"));
        // With the demo the lab flushes the generator at its simulated scrape
        // times (its backfill needs that); without it a timer does.
        if (!withDemo)
            spanMetrics.start(std::chrono::seconds(15));
        std::unique_ptr<ingest::HttpPushSink> demoSink;
        std::unique_ptr<lab::Lab> demo;
        api::HttpServer server(options);
        api::PrometheusApi::registerRoutes(server.router(), **storage);
        api::LokiApi::registerRoutes(server.router(), **storage);
        api::PyroscopeApi::registerRoutes(server.router(), **storage);
        api::TempoApi::registerRoutes(server.router(), **storage);
        ingest::HttpIngestReceiver::registerRoutes(server.router(), sink);
        ingest::OtlpGrpcOptions grpcOptions;
        grpcOptions.bearerToken = options.bearerToken;
        ingest::OtlpGrpcReceiver grpcReceiver(sink, grpcOptions);
        ingest::Scraper scraper(sink);
        for (const auto &t : scrapeTargets)
            scraper.addTarget(t);
        auto port = server.listen(endpoint->host, endpoint->port);
        auto grpcPort = port ? grpcReceiver.start(grpcEndpoint->host, grpcEndpoint->port) : Result<quint16>(0);
        if (!port || !grpcPort) {
            err << "spyglass-core: " << (port ? grpcPort.error() : port.error()).toString() << '\n';
            rc = 1;
            server.stop();
        } else {
            const QString shown = endpoint->host.contains(u':') ? u'[' + endpoint->host + u']' : endpoint->host;
            out << "spyglass-core: HTTP listening on " << shown << ':' << *port << '\n';
            const QString grpcShown =
                grpcEndpoint->host.contains(u':') ? u'[' + grpcEndpoint->host + u']' : grpcEndpoint->host;
            out << "spyglass-core: OTLP/gRPC listening on " << grpcShown << ':' << *grpcPort << '\n';
            for (const auto &t : scrapeTargets)
                out << "spyglass-core: scraping " << t.url.toString() << " every "
                    << model::formatDuration(t.interval.count()) << '\n';
            out.flush();
            scraper.start();
            if (withDemo) {
                // The demo sends through this server's own receivers over
                // loopback, like any agent would.
                ingest::HttpPushOptions push;
                push.host = api::HttpServer::isLoopbackAddress(endpoint->host) ? endpoint->host
                                                                                : QStringLiteral("127.0.0.1");
                push.port = *port;
                push.bearerToken = options.bearerToken;
                demoSink = std::make_unique<ingest::HttpPushSink>(push);
                lab::LabOptions labOptions;
                labOptions.feedSpanMetrics = false; // the receiving sink feeds spanMetrics
                demo = std::make_unique<lab::Lab>(*demoSink, labOptions, &spanMetrics);
                // A learner sees a quarter of an hour of data at once, then it runs live.
                auto filled = demo->backfill(std::chrono::minutes(15));
                if (!filled)
                    err << "spyglass-core: demo: " << filled.error().toString() << '\n';
                else
                    out << "spyglass-core: demo system running (" << filled->requests << " requests backfilled)\n";
                out.flush();
                err.flush();
                (void)demo->start();
            }
            QCoreApplication::exec();
            out << "spyglass-core: " << (stopSignal == SIGINT ? "SIGINT" : stopSignal == SIGTERM ? "SIGTERM" : "quit")
                << " received, stopping\n";
            out.flush();
            scraper.stop();
            if (demo)
                demo->stop();
            // Both finish the requests in flight; each acknowledged one was committed.
            grpcReceiver.stop();
            server.stop();
            spanMetrics.stop();
            if (auto flushed = spanMetrics.flush(model::nowMs()); !flushed)
                err << "spyglass-core: span metrics not flushed: " << flushed.error().toString() << '\n';
        }
    }
    storage->reset(); // closes the catalog: every acknowledged write is on disk
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    notifier.setEnabled(false);
    ::close(g_signalPipe[0]);
    ::close(g_signalPipe[1]);
    if (rc == 0) {
        out << "spyglass-core: stopped\n";
        out.flush();
    }
    return rc;
}

} // namespace spyglass::cli
