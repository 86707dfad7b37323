#pragma once

#include "core/model/labels.h"
#include "core/model/result.h"
#include "core/model/sample.h"

#include <QList>
#include <QString>
#include <QUrl>
#include <chrono>
#include <cstdint>
#include <memory>

namespace spyglass::ingest {

class IngestSink;

struct ScrapeTarget
{
    QUrl url;
    std::chrono::milliseconds interval{15'000};
    // 0: the interval, at most 10 s (Prometheus's default scrape_timeout).
    std::chrono::milliseconds timeout{0};
    QString job = QStringLiteral("scrape");
    // Target labels added to every series (job and instance are implied:
    // instance defaults to the URL's host:port).
    model::Labels labels;
    // As Prometheus's honor_labels: true keeps scraped labels that clash
    // with target labels; false renames them exported_<name>.
    bool honorLabels = false;

    QString instance() const;
};

// What one scrape did (also written as the target's report series).
struct ScrapeReport
{
    bool up = false;
    QString error;                       // why the scrape failed (empty when up)
    model::TimestampMs time = 0;         // scrape start, the timestamp of its samples
    double durationSeconds = 0;
    std::int64_t samplesScraped = 0;     // samples in the exposition
    std::int64_t seriesAdded = 0;        // series not in the previous scrape
    std::int64_t staleMarkers = 0;       // series that disappeared
    std::int64_t samplesStored = 0;      // everything appended, report series included
};

// Scrapes Prometheus targets on schedule on its own worker thread, like a
// Prometheus server: negotiates OpenMetrics / text 0.0.4 with the Accept
// header, adds job/instance and target labels, writes up,
// scrape_duration_seconds, scrape_samples_scraped,
// scrape_samples_post_metric_relabeling and scrape_series_added, and
// writes staleness markers for series that disappear or all series of a
// target that goes down. A failed parse counts as a failed scrape (up=0),
// nothing of the body is stored.
class Scraper
{
public:
    // The sink must outlive the scraper.
    explicit Scraper(IngestSink &sink);
    ~Scraper(); // stops
    Scraper(const Scraper &) = delete;
    Scraper &operator=(const Scraper &) = delete;

    // Before start(). Returns the target's index.
    qsizetype addTarget(const ScrapeTarget &target);
    qsizetype targetCount() const;

    // Scrapes every target right away and then every interval, until stop().
    void start();
    void stop();

    // One scrape of a target, now, on the calling thread (blocking; the
    // thread needs no running event loop). Errors are only for a bad index
    // or a sink failure; a target that is down is a report with up=false.
    Result<ScrapeReport> scrapeNow(qsizetype index, model::TimestampMs now);

    // The last report of each target (time 0 before the first scrape).
    QList<ScrapeReport> lastReports() const;

    // "URL[,interval]" as given to `serve --scrape` ("http://h:9100/metrics,15s").
    static Result<ScrapeTarget> parseTargetSpec(const QString &spec);

    static const char *acceptHeader();

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace spyglass::ingest
