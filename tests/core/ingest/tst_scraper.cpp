#include "core/ingest/scraper.h"

#include "core/formats/open_metrics_parser.h"
#include "core/ingest/ingest_sink.h"
#include "tests/support/recording_http_server.h"

#include <QEventLoop>
#include <QFile>
#include <QTest>
#include <QThread>

#include <cmath>
#include <mutex>
#include <optional>

using namespace spyglass;
using ingest::ScrapeReport;
using ingest::Scraper;
using ingest::ScrapeTarget;

namespace {

// Keeps what the scraper appended, series by series.
class RecordingSink : public ingest::IngestSink
{
public:
    Result<ingest::AppendCounts> appendSamples(const QList<model::Series> &series) override
    {
        std::lock_guard g(m_mutex);
        std::int64_t n = 0;
        for (const auto &s : series) {
            n += s.samples.size();
            m_all.append(s);
        }
        m_batches.append(series);
        return ingest::AppendCounts{n, 0, {}};
    }
    Result<ingest::AppendCounts> appendLogs(const QList<model::LogRecord> &) override { return ingest::AppendCounts{}; }
    Result<ingest::AppendCounts> appendSpans(const QList<model::Span> &) override { return ingest::AppendCounts{}; }
    Result<ingest::AppendCounts> appendProfiles(const QList<model::Profile> &) override
    {
        return ingest::AppendCounts{};
    }

    QList<model::Series> lastBatch() const
    {
        std::lock_guard g(m_mutex);
        return m_batches.isEmpty() ? QList<model::Series>{} : m_batches.last();
    }
    qsizetype batches() const
    {
        std::lock_guard g(m_mutex);
        return m_batches.size();
    }

private:
    mutable std::mutex m_mutex;
    QList<model::Series> m_all;
    QList<QList<model::Series>> m_batches;
};

QByteArray corpus(const char *rel)
{
    QFile f(QStringLiteral(SPYGLASS_CORPUS_DIR "/captures/") + QString::fromUtf8(rel));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(f.fileName()));
    return f.readAll();
}

std::int64_t sampleCount(const QByteArray &body)
{
    auto entries = formats::OpenMetricsParser::parseAll(body, QStringLiteral("test"));
    std::int64_t n = 0;
    for (const auto &e : entries.value())
        n += e.kind == formats::MetricsEntry::Kind::Sample ? 1 : 0;
    return n;
}

// The server answers on this thread, so the scrape runs on another one
// while this one spins its event loop.
Result<ScrapeReport> scrapeOffThread(Scraper &scraper, qsizetype index, model::TimestampMs t)
{
    std::optional<Result<ScrapeReport>> result;
    std::unique_ptr<QThread> thread(QThread::create([&] { result = scraper.scrapeNow(index, t); }));
    QEventLoop loop;
    QObject::connect(thread.get(), &QThread::finished, &loop, &QEventLoop::quit);
    thread->start();
    loop.exec();
    thread->wait();
    return *result;
}

const model::Series *findSeries(const QList<model::Series> &batch, const QString &name,
                                const QList<std::pair<QString, QString>> &labels = {})
{
    for (const auto &s : batch) {
        if (s.labels.metricName() != name)
            continue;
        bool all = true;
        for (const auto &[k, v] : labels)
            all = all && s.labels.value(k) == v;
        if (all)
            return &s;
    }
    return nullptr;
}

double valueOf(const QList<model::Series> &batch, const QString &name)
{
    const auto *s = findSeries(batch, name);
    return s && !s->samples.isEmpty() ? s->samples.last().v : std::nan("");
}

} // namespace

class TestScraper : public QObject
{
    Q_OBJECT

private slots:
    void scrapesPromClientTextAndGoesDown()
    {
        test::RecordingHttpServer server;
        QVERIFY(server.listen());
        const QByteArray body = corpus("prom-client/metrics.prom");
        const std::int64_t expected = sampleCount(body);
        QVERIFY(expected >= 122);
        server.setResponse({200, body, "text/plain; version=0.0.4; charset=utf-8"});

        RecordingSink sink;
        Scraper scraper(sink);
        ScrapeTarget t;
        t.url = QUrl(server.url() + u"/metrics");
        t.job = QStringLiteral("shop");
        t.labels = model::Labels{{QStringLiteral("env"), QStringLiteral("test")}};
        scraper.addTarget(t);
        const QString instance = QStringLiteral("127.0.0.1:%1").arg(server.port());

        auto r = scrapeOffThread(scraper, 0, 1'000'000);
        QVERIFY2(r.has_value(), r ? "" : qPrintable(r.error().toString()));
        QVERIFY2(r->up, qPrintable(r->error));
        QCOMPARE(r->samplesScraped, expected);
        QCOMPARE(r->seriesAdded, expected);
        QCOMPARE(r->staleMarkers, 0);
        QCOMPARE(server.requests().size(), 1);
        const QByteArray accept = server.requests().first().header("accept");
        QVERIFY(accept.startsWith("application/openmetrics-text;version=1.0.0"));
        QVERIFY(accept.contains("text/plain;version=0.0.4"));
        QCOMPARE(server.requests().first().path(), QByteArray("/metrics"));

        auto batch = sink.lastBatch();
        QCOMPARE(batch.size(), expected + 5);
        const auto *up = findSeries(batch, QStringLiteral("up"));
        QVERIFY(up);
        QCOMPARE(up->labels.value(u"job"), QStringLiteral("shop"));
        QCOMPARE(up->labels.value(u"instance"), instance);
        QCOMPARE(up->labels.value(u"env"), QStringLiteral("test"));
        QCOMPARE(up->samples.size(), 1);
        QCOMPARE(up->samples[0].t, 1'000'000);
        QCOMPARE(up->samples[0].v, 1.0);
        QCOMPARE(valueOf(batch, QStringLiteral("scrape_samples_scraped")), double(expected));
        QCOMPARE(valueOf(batch, QStringLiteral("scrape_samples_post_metric_relabeling")), double(expected));
        QCOMPARE(valueOf(batch, QStringLiteral("scrape_series_added")), double(expected));
        QVERIFY(valueOf(batch, QStringLiteral("scrape_duration_seconds")) > 0);
        const auto *requests = findSeries(batch, QStringLiteral("http_requests_total"));
        QVERIFY(requests);
        QCOMPARE(requests->labels.value(u"job"), QStringLiteral("shop"));
        QCOMPARE(requests->labels.value(u"service"), QStringLiteral("corpus-shop"));
        QCOMPARE(requests->samples[0].t, 1'000'000);

        // The same again: nothing added, nothing stale.
        r = scrapeOffThread(scraper, 0, 1'015'000);
        QVERIFY(r && r->up);
        QCOMPARE(r->seriesAdded, 0);
        QCOMPARE(r->staleMarkers, 0);
        QCOMPARE(valueOf(sink.lastBatch(), QStringLiteral("scrape_series_added")), 0.0);

        // Target fails: up=0 and every series of the last scrape goes stale.
        server.setResponse({500, "oops", "text/plain"});
        r = scrapeOffThread(scraper, 0, 1'030'000);
        QVERIFY(r.has_value());
        QVERIFY(!r->up);
        QVERIFY(r->error.contains(u"500"));
        QCOMPARE(r->staleMarkers, expected);
        batch = sink.lastBatch();
        QCOMPARE(valueOf(batch, QStringLiteral("up")), 0.0);
        QCOMPARE(valueOf(batch, QStringLiteral("scrape_samples_scraped")), 0.0);
        requests = findSeries(batch, QStringLiteral("http_requests_total"));
        QVERIFY(requests);
        QCOMPARE(requests->samples.size(), 1);
        QCOMPARE(requests->samples[0].t, 1'030'000);
        QVERIFY(model::isStaleNaN(requests->samples[0].v));
        std::int64_t stale = 0;
        for (const auto &s : batch)
            stale += (s.samples.size() == 1 && model::isStaleNaN(s.samples[0].v)) ? 1 : 0;
        QCOMPARE(stale, expected);

        // Still down: no second round of stale markers.
        r = scrapeOffThread(scraper, 0, 1'045'000);
        QVERIFY(r && !r->up);
        QCOMPARE(r->staleMarkers, 0);
        QCOMPARE(sink.lastBatch().size(), 5);
    }

    void connectionRefusedIsDown()
    {
        quint16 port = 0;
        {
            test::RecordingHttpServer server;
            QVERIFY(server.listen());
            port = server.port();
        } // closed: nothing listens there now
        RecordingSink sink;
        Scraper scraper(sink);
        ScrapeTarget t;
        t.url = QUrl(QStringLiteral("http://127.0.0.1:%1/metrics").arg(port));
        scraper.addTarget(t);
        auto r = scrapeOffThread(scraper, 0, 5000);
        QVERIFY(r.has_value());
        QVERIFY(!r->up);
        QVERIFY(!r->error.isEmpty());
        QCOMPARE(valueOf(sink.lastBatch(), QStringLiteral("up")), 0.0);
        QCOMPARE(findSeries(sink.lastBatch(), QStringLiteral("up"))->labels.value(u"job"), QStringLiteral("scrape"));
    }

    void openMetricsAndDisappearingSeries()
    {
        test::RecordingHttpServer server;
        QVERIFY(server.listen());
        const QByteArray body = corpus("prom-client/metrics.openmetrics.txt");
        server.setResponse({200, body, "application/openmetrics-text; version=1.0.0; charset=utf-8"});
        RecordingSink sink;
        Scraper scraper(sink);
        ScrapeTarget t;
        t.url = QUrl(server.url() + u"/metrics");
        scraper.addTarget(t);
        auto r = scrapeOffThread(scraper, 0, 10'000);
        QVERIFY2(r && r->up, r ? qPrintable(r->error) : "");
        QCOMPARE(r->samplesScraped, sampleCount(body));

        // Drop every shop_queue_depth line: exactly those series go stale.
        QByteArray fewer;
        std::int64_t dropped = 0;
        for (const QByteArray &line : body.split('\n')) {
            if (line.startsWith("shop_queue_depth")) {
                ++dropped;
                continue;
            }
            fewer += line + '\n';
        }
        fewer.chop(1);
        QVERIFY(dropped > 0);
        server.setResponse({200, fewer, "application/openmetrics-text; version=1.0.0; charset=utf-8"});
        r = scrapeOffThread(scraper, 0, 20'000);
        QVERIFY2(r && r->up, r ? qPrintable(r->error) : "");
        QCOMPARE(r->staleMarkers, dropped);
        const auto *q = findSeries(sink.lastBatch(), QStringLiteral("shop_queue_depth"));
        QVERIFY(q);
        QVERIFY(model::isStaleNaN(q->samples[0].v));
    }

    void malformedBodyIsDown()
    {
        test::RecordingHttpServer server;
        QVERIFY(server.listen());
        server.setResponse({200, "ok_metric 1\nbroken{ 2\n", "text/plain; version=0.0.4"});
        RecordingSink sink;
        Scraper scraper(sink);
        ScrapeTarget t;
        t.url = QUrl(server.url() + u"/metrics");
        scraper.addTarget(t);
        auto r = scrapeOffThread(scraper, 0, 10'000);
        QVERIFY(r.has_value());
        QVERIFY(!r->up);
        QVERIFY2(r->error.contains(u":2"), qPrintable(r->error));
        QCOMPARE(sink.lastBatch().size(), 5); // the report series only
        QVERIFY(!findSeries(sink.lastBatch(), QStringLiteral("ok_metric")));
    }

    void honorLabels_data()
    {
        QTest::addColumn<bool>("honor");
        QTest::newRow("rename") << false;
        QTest::newRow("honor") << true;
    }
    void honorLabels()
    {
        QFETCH(bool, honor);
        test::RecordingHttpServer server;
        QVERIFY(server.listen());
        server.setResponse({200, "m{job=\"pushed\",a=\"1\"} 7 123\n", "text/plain; version=0.0.4"});
        RecordingSink sink;
        Scraper scraper(sink);
        ScrapeTarget t;
        t.url = QUrl(server.url() + u"/metrics");
        t.job = QStringLiteral("fed");
        t.honorLabels = honor;
        scraper.addTarget(t);
        auto r = scrapeOffThread(scraper, 0, 10'000);
        QVERIFY(r && r->up);
        const auto *m = findSeries(sink.lastBatch(), QStringLiteral("m"));
        QVERIFY(m);
        QCOMPARE(m->samples[0].t, 123); // exposition timestamps are kept
        QCOMPARE(m->samples[0].v, 7.0);
        QCOMPARE(m->labels.value(u"job"), honor ? QStringLiteral("pushed") : QStringLiteral("fed"));
        QCOMPARE(m->labels.value(u"exported_job"), honor ? QString() : QStringLiteral("pushed"));
        QCOMPARE(m->labels.value(u"a"), QStringLiteral("1"));
    }

    void scheduledScrapes()
    {
        test::RecordingHttpServer server;
        QVERIFY(server.listen());
        server.setResponse({200, "a 1\n", "text/plain; version=0.0.4"});
        RecordingSink sink;
        Scraper scraper(sink);
        ScrapeTarget t;
        t.url = QUrl(server.url() + u"/metrics");
        t.interval = std::chrono::milliseconds(20);
        // The schedule is what is tested: a loaded machine must not turn a
        // slow answer into a down target.
        t.timeout = std::chrono::seconds(2);
        scraper.addTarget(t);
        scraper.start();
        QTRY_VERIFY_WITH_TIMEOUT(server.requests().size() >= 3, 20000);
        QTRY_VERIFY_WITH_TIMEOUT(sink.batches() >= 3, 20000);
        // Checked while running: stop() blocks this thread, which is also the
        // test server's, so a scrape in flight then can only time out.
        const auto reports = scraper.lastReports();
        scraper.stop();
        QCOMPARE(reports.size(), 1);
        QVERIFY(reports[0].up);
        QCOMPARE(reports[0].samplesScraped, 1);
    }

    void parseTargetSpec()
    {
        auto t = Scraper::parseTargetSpec(QStringLiteral("http://127.0.0.1:9100/metrics,5s"));
        QVERIFY(t.has_value());
        QCOMPARE(t->url.toString(), QStringLiteral("http://127.0.0.1:9100/metrics"));
        QCOMPARE(t->interval.count(), 5000);
        QCOMPARE(t->instance(), QStringLiteral("127.0.0.1:9100"));
        t = Scraper::parseTargetSpec(QStringLiteral("http://localhost:8080"));
        QVERIFY(t.has_value());
        QCOMPARE(t->url.path(), QStringLiteral("/metrics"));
        QCOMPARE(t->interval.count(), 15000);
        QVERIFY(!Scraper::parseTargetSpec(QStringLiteral("ftp://x/metrics")).has_value());
        QVERIFY(!Scraper::parseTargetSpec(QStringLiteral("http://x/metrics,soon")).has_value());
        QVERIFY(!Scraper::parseTargetSpec(QStringLiteral("not a url")).has_value());
    }
};

QTEST_GUILESS_MAIN(TestScraper)
#include "tst_scraper.moc"
