#include "core/ingest/scraper.h"

#include "core/formats/open_metrics_parser.h"
#include "core/ingest/ingest_sink.h"
#include "core/ingest/series_builder.h"
#include "core/model/time_range.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSet>
#include <QThread>

#include <condition_variable>
#include <mutex>

namespace spyglass::ingest {

namespace {

constexpr std::chrono::milliseconds kMaxTimeout{10'000};

struct TargetState
{
    ScrapeTarget target;
    QSet<model::Labels> lastSeries; // series of the previous scrape (for staleness)
    ScrapeReport last;
    std::chrono::steady_clock::time_point due{};
};

struct Fetched
{
    bool ok = false;
    QString error;
    QByteArray body;
    QByteArray contentType;
};

Fetched fetch(const ScrapeTarget &t)
{
    const auto timeout = t.timeout.count() > 0 ? t.timeout : std::min(t.interval, kMaxTimeout);
    QNetworkAccessManager nam;
    QNetworkRequest req(t.url);
    req.setRawHeader("Accept", Scraper::acceptHeader());
    req.setRawHeader("User-Agent", "Spyglass-scraper/1");
    req.setRawHeader("X-Prometheus-Scrape-Timeout-Seconds",
                     QByteArray::number(double(timeout.count()) / 1000.0, 'g', 6));
    req.setTransferTimeout(int(timeout.count()));
    req.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::NoLessSafeRedirectPolicy);
    QNetworkReply *reply = nam.get(req);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    if (!reply->isFinished())
        loop.exec();
    Fetched f;
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (reply->error() != QNetworkReply::NoError && status == 0) {
        f.error = reply->error() == QNetworkReply::OperationCanceledError
            ? QStringLiteral("context deadline exceeded (timeout %1 ms)").arg(timeout.count())
            : reply->errorString();
    } else if (status != 200) {
        f.error = QStringLiteral("server returned HTTP status %1").arg(status);
    } else {
        f.ok = true;
        f.body = reply->readAll();
        f.contentType = reply->header(QNetworkRequest::ContentTypeHeader).toByteArray();
    }
    delete reply;
    return f;
}

formats::MetricsFormat formatFor(const QByteArray &contentType)
{
    const QByteArray ct = contentType.toLower();
    if (ct.startsWith("application/openmetrics-text"))
        return formats::MetricsFormat::OpenMetrics;
    if (ct.startsWith("text/plain"))
        return formats::MetricsFormat::PrometheusText;
    return formats::MetricsFormat::Auto;
}

} // namespace

QString ScrapeTarget::instance() const
{
    const int port = url.port(url.scheme() == u"https" ? 443 : 80);
    return QStringLiteral("%1:%2").arg(url.host()).arg(port);
}

struct Scraper::Impl
{
    IngestSink &sink;
    mutable std::mutex mutex; // targets' state
    std::mutex scrapeMutex;   // one scrape at a time per scraper
    QList<TargetState> targets;

    std::mutex runMutex;
    std::condition_variable wake;
    bool stopping = false;
    std::unique_ptr<QThread> thread;

    explicit Impl(IngestSink &s) : sink(s) {}

    void run()
    {
        std::unique_lock lock(runMutex);
        const auto now0 = std::chrono::steady_clock::now();
        {
            std::lock_guard g(mutex);
            for (auto &t : targets)
                t.due = now0;
        }
        while (!stopping) {
            std::chrono::steady_clock::time_point next = std::chrono::steady_clock::time_point::max();
            qsizetype which = -1;
            {
                std::lock_guard g(mutex);
                for (qsizetype i = 0; i < targets.size(); ++i)
                    if (targets[i].due < next) {
                        next = targets[i].due;
                        which = i;
                    }
            }
            if (which < 0) {
                wake.wait(lock, [&] { return stopping; });
                break;
            }
            if (wake.wait_until(lock, next, [&] { return stopping; }))
                break;
            lock.unlock();
            // Keep the schedule on the grid so intervals do not drift.
            {
                std::lock_guard g(mutex);
                auto &t = targets[which];
                t.due += t.target.interval;
                if (t.due < std::chrono::steady_clock::now())
                    t.due = std::chrono::steady_clock::now() + t.target.interval;
            }
            (void)scrape(which, QDateTime::currentMSecsSinceEpoch());
            lock.lock();
        }
    }

    Result<ScrapeReport> scrape(qsizetype index, model::TimestampMs now)
    {
        std::lock_guard scrapeLock(scrapeMutex);
        ScrapeTarget target;
        QSet<model::Labels> previous;
        {
            std::lock_guard g(mutex);
            if (index < 0 || index >= targets.size())
                return fail(Error::invalid(QStringLiteral("no scrape target %1").arg(index)));
            target = targets[index].target;
            previous = targets[index].lastSeries;
        }

        // Target labels: job, instance, then the configured ones.
        model::Labels targetLabels{{QStringLiteral("job"), target.job},
                                   {QStringLiteral("instance"), target.instance()}};
        for (const auto &l : target.labels)
            targetLabels = targetLabels.with(l.name, l.value);

        ScrapeReport report;
        report.time = now;
        QElapsedTimer timer;
        timer.start();
        const Fetched f = fetch(target);
        SeriesBuilder out;
        QSet<model::Labels> current;
        if (f.ok) {
            const QString source = target.url.toString();
            auto entries = formats::OpenMetricsParser::parseAll(f.body, source, formatFor(f.contentType));
            if (!entries) {
                report.error = entries.error().toString();
            } else {
                report.up = true;
                for (const auto &e : *entries) {
                    if (e.kind != formats::MetricsEntry::Kind::Sample)
                        continue;
                    ++report.samplesScraped;
                    QList<model::Label> pairs = e.labels.pairs();
                    const model::Labels &scraped = e.labels;
                    for (const auto &tl : targetLabels) {
                        if (scraped.has(tl.name) && !scraped.value(tl.name).isEmpty()) {
                            if (target.honorLabels)
                                continue;
                            pairs.append({QStringLiteral("exported_") + tl.name, scraped.value(tl.name)});
                        }
                        pairs.append(tl);
                    }
                    // Later duplicates win in Labels(QList), so target labels override.
                    const model::Labels labels(pairs);
                    out.add(labels, e.hasTimestamp ? e.timestamp : now, e.value);
                    current.insert(labels);
                }
            }
        } else {
            report.error = f.error;
        }
        report.durationSeconds = double(timer.nsecsElapsed()) / 1e9;

        // Staleness: whatever the previous scrape had and this one has not.
        for (const auto &l : std::as_const(previous))
            if (!current.contains(l)) {
                out.add(l, now, model::staleNaN());
                ++report.staleMarkers;
            }
        for (const auto &l : std::as_const(current))
            if (!previous.contains(l))
                ++report.seriesAdded;

        auto reportSeries = [&](const QString &name, double v) {
            out.add(targetLabels.with(QStringLiteral("__name__"), name), now, v);
        };
        reportSeries(QStringLiteral("up"), report.up ? 1 : 0);
        reportSeries(QStringLiteral("scrape_duration_seconds"), report.durationSeconds);
        reportSeries(QStringLiteral("scrape_samples_scraped"), double(report.samplesScraped));
        reportSeries(QStringLiteral("scrape_samples_post_metric_relabeling"), double(report.samplesScraped));
        reportSeries(QStringLiteral("scrape_series_added"), double(report.seriesAdded));

        const QList<model::Series> series = out.take();
        for (const auto &s : series)
            report.samplesStored += s.samples.size();
        auto appended = sink.appendSamples(series);
        {
            std::lock_guard g(mutex);
            targets[index].lastSeries = current;
            targets[index].last = report;
        }
        if (!appended)
            return fail(appended.error());
        return report;
    }
};

Scraper::Scraper(IngestSink &sink) : d(std::make_unique<Impl>(sink)) {}

Scraper::~Scraper() { stop(); }

qsizetype Scraper::addTarget(const ScrapeTarget &target)
{
    std::lock_guard g(d->mutex);
    d->targets.append(TargetState{target, {}, {}, {}});
    return d->targets.size() - 1;
}

qsizetype Scraper::targetCount() const
{
    std::lock_guard g(d->mutex);
    return d->targets.size();
}

void Scraper::start()
{
    if (d->thread)
        return;
    {
        std::lock_guard g(d->runMutex);
        d->stopping = false;
    }
    d->thread.reset(QThread::create([this] { d->run(); }));
    d->thread->setObjectName(QStringLiteral("spyglass-scraper"));
    d->thread->start();
}

void Scraper::stop()
{
    if (!d->thread)
        return;
    {
        std::lock_guard g(d->runMutex);
        d->stopping = true;
    }
    d->wake.notify_all();
    d->thread->wait();
    d->thread.reset();
}

Result<ScrapeReport> Scraper::scrapeNow(qsizetype index, model::TimestampMs now)
{
    return d->scrape(index, now);
}

QList<ScrapeReport> Scraper::lastReports() const
{
    std::lock_guard g(d->mutex);
    QList<ScrapeReport> r;
    for (const auto &t : d->targets)
        r.append(t.last);
    return r;
}

Result<ScrapeTarget> Scraper::parseTargetSpec(const QString &spec)
{
    ScrapeTarget t;
    QString urlText = spec.trimmed();
    const qsizetype comma = urlText.lastIndexOf(u',');
    if (comma >= 0) {
        auto ms = model::parseDuration(QStringView(urlText).mid(comma + 1).trimmed());
        if (!ms || *ms <= 0)
            return fail(Error::invalid(
                QStringLiteral("scrape target \"%1\": invalid interval (expected e.g. 15s)").arg(spec)));
        t.interval = std::chrono::milliseconds(*ms);
        urlText.truncate(comma);
    }
    t.url = QUrl(urlText, QUrl::StrictMode);
    if (!t.url.isValid() || (t.url.scheme() != u"http" && t.url.scheme() != u"https") || t.url.host().isEmpty())
        return fail(Error::invalid(
            QStringLiteral("scrape target \"%1\": expected an http(s) URL such as http://127.0.0.1:9100/metrics")
                .arg(spec)));
    if (t.url.path().isEmpty())
        t.url.setPath(QStringLiteral("/metrics"));
    return t;
}

const char *Scraper::acceptHeader()
{
    // Prometheus 2.x's default scrape protocols, highest preference first.
    return "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
           "text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
}

} // namespace spyglass::ingest
