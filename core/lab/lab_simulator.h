#pragma once

#include "core/lab/lab_options.h"
#include "core/model/log_record.h"
#include "core/model/profile.h"
#include "core/model/sample.h"
#include "core/model/span.h"
#include "core/store/exemplar_store.h"

#include <QHash>
#include <QList>
#include <QStringList>
#include <cstdint>
#include <map>
#include <random>

namespace spyglass::lab {

// The telemetry of one simulated interval, ready for an IngestSink.
struct LabBatch
{
    QList<model::Span> spans;
    QList<model::Series> series;     // one entry per label set, samples in time order
    QList<model::LogRecord> logs;
    QList<model::Profile> profiles;
    // Exemplars of mythical_request_times buckets (label traceID, what the
    // intro-to-mltp Prometheus datasource links to Tempo): the latest
    // request per bucket series and scrape, as prom-client exposes them.
    QList<store::SeriesExemplar> exemplars;
    QList<model::TimestampMs> scrapeTimes; // the scrapes written into `series`
    std::int64_t requests = 0;

    std::int64_t sampleCount() const;
};

// A deterministic simulation of intro-to-mltp's "mythical beasts" system:
//   mythical-requester --HTTP--> mythical-server --SQL--> mythical-database (postgres)
//                                                 --AMQP--> mythical-recorder
// five beasts (unicorn, manticore, illithid, owlbear, beholder), GET/POST/DELETE,
// two server instances (versions 1.9.2 and 2.0.0). Every request becomes a
// trace, log lines carrying its trace id, observations in Prometheus-style
// histograms, and CPU/allocation samples in per-service profiles, so the four
// signals agree with each other.
//
// Time is simulated: step(to) generates the interval since the previous
// step. Equal seeds and equal step/control sequences give identical output.
// Not thread-safe (Lab serialises access).
class LabSimulator
{
public:
    static const QStringList &beasts();
    static const QStringList &services(); // the services that emit telemetry

    explicit LabSimulator(LabOptions options = {});

    // The clock: the end of the last generated interval (ns). Set it before
    // the first step; moving it forward skips time without traffic.
    void setClock(model::TimestampNs t);
    model::TimestampNs clock() const { return m_clockNs; }

    // Generates requests starting in [clock(), to) plus the scrapes and
    // profiles falling due in (clock(), to], and advances the clock to `to`.
    LabBatch step(model::TimestampNs to);

    const LabOptions &options() const { return m_options; }
    void setRequestsPerSecond(double rps) { m_options.requestsPerSecond = rps; }
    void setVirtualUsers(int n) { m_options.virtualUsers = n < 1 ? 1 : n; }
    void setPostErrorRate(double r) { m_options.postErrorRate = r; }
    const LabFaults &faults() const { return m_faults; }
    void setFaults(const LabFaults &f) { m_faults = f; }

    // The load multiplier at time t (bursty cycles), for the GUI.
    double loadFactor(model::TimestampNs t) const;

private:
    struct Histogram
    {
        QList<std::uint64_t> counts; // per bucket, not cumulative
        double sum = 0;
        std::uint64_t count = 0;
    };
    // A server request's observation, applied to the metrics at its end.
    struct Observation
    {
        model::TimestampNs end = 0;
        QString instance, version, beast, method, status;
        double durationS = 0;
        double cpuS = 0;
        double leakBytes = 0;
        QByteArray traceId, spanId;
    };
    struct Process
    {
        double cpuSeconds = 0;
        double baseRss = 0;
        double leakedBytes = 0;
        model::TimestampNs startedNs = 0;
    };
    struct ProfileWindow
    {
        // stack (function names leaf first, joined by ';') -> value
        std::map<QString, std::int64_t> cpu, alloc;
    };

    double uniform();
    double normal();
    double logNormalMs(double medianMs, double sigma);
    double exponential(double mean);
    QByteArray randomId(int bytes);
    void simulateRequest(model::TimestampNs start, int vu, LabBatch &out);
    void scrape(model::TimestampMs t, std::map<model::Labels, model::Series> &series);
    void emitProfiles(model::TimestampNs end, LabBatch &out);
    void addCpu(const QString &instanceKey, const QStringList &stackLeafFirst, double seconds);
    void addAlloc(const QString &instanceKey, const QStringList &stackLeafFirst, double bytes);
    static void observe(Histogram &h, const QList<double> &bounds, double v);
    static void appendHistogram(std::map<model::Labels, model::Series> &out, const QString &name,
                                const model::Labels &labels, const Histogram &h, const QList<double> &bounds,
                                model::TimestampMs t);

    LabOptions m_options;
    LabFaults m_faults;
    std::mt19937_64 m_rng;
    model::TimestampNs m_clockNs = 0;
    model::TimestampNs m_nextArrivalNs = -1;
    int m_nextVu = 0;
    std::int64_t m_requestSeq = 0;

    QList<Observation> m_pending; // ordered by end
    QList<store::SeriesExemplar> m_exemplars; // collected by scrape(), handed out by step()
    QHash<model::Labels, Histogram> m_requestTimes;   // mythical_request_times (ms)
    QHash<model::Labels, Histogram> m_serverDuration; // http_server_request_duration_seconds
    QHash<QString, Process> m_processes; // by "job/instance"
    QHash<QString, ProfileWindow> m_profileWindows; // by "service/instance"
};

} // namespace spyglass::lab
