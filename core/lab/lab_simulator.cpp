#include "core/lab/lab_simulator.h"

#include <QDateTime>
#include <algorithm>
#include <cmath>
#include <numbers>
#include <utility>

namespace spyglass::lab {

using model::Attribute;
using model::Labels;
using model::Span;
using model::TimestampMs;
using model::TimestampNs;

namespace {

constexpr std::int64_t kNsPerMs = 1'000'000;
constexpr std::int64_t kNsPerS = 1'000'000'000;

// mythical_request_times uses millisecond buckets, as in intro-to-mltp.
const QList<double> kRequestTimeBucketsMs{10, 20, 50, 100, 200, 500, 1000, 2000, 5000};
// OpenTelemetry's default http.server.request.duration boundaries.
const QList<double> kServerDurationBuckets{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25,
                                           0.5,   0.75, 1,     2.5,  5,     7.5, 10};

struct Instance
{
    QString service;
    QString instance;
    QString version;
    double baseRss;
};

const Instance kRequester{QStringLiteral("mythical-requester"), QStringLiteral("mythical-requester:4001"),
                          QStringLiteral("1.9.2"), 62e6};
const Instance kServers[2] = {
    {QStringLiteral("mythical-server"), QStringLiteral("mythical-server-1:4000"), QStringLiteral("1.9.2"), 88e6},
    {QStringLiteral("mythical-server"), QStringLiteral("mythical-server-2:4000"), QStringLiteral("2.0.0"), 91e6},
};
const Instance kRecorder{QStringLiteral("mythical-recorder"), QStringLiteral("mythical-recorder:4002"),
                         QStringLiteral("1.9.2"), 58e6};

const Instance *allInstances[] = {&kRequester, &kServers[0], &kServers[1], &kRecorder};

QString processKey(const Instance &i) { return i.service + u'/' + i.instance; }

model::Attributes resourceOf(const Instance &i)
{
    return {{QStringLiteral("service.name"), i.service},
            {QStringLiteral("service.version"), i.version},
            {QStringLiteral("service.instance.id"), i.instance},
            {QStringLiteral("service.namespace"), QStringLiteral("mythical")},
            {QStringLiteral("telemetry.sdk.language"), QStringLiteral("nodejs")},
            {QStringLiteral("telemetry.sdk.name"), QStringLiteral("opentelemetry")}};
}

Span makeSpan(const Instance &inst, const QByteArray &traceId, const QByteArray &spanId, const QByteArray &parent,
              const QString &name, Span::Kind kind, TimestampNs start, TimestampNs end)
{
    Span s;
    s.traceId = traceId;
    s.spanId = spanId;
    s.parentSpanId = parent;
    s.name = name;
    s.kind = kind;
    s.start = start;
    s.end = end;
    s.serviceName = inst.service;
    s.resourceAttributes = resourceOf(inst);
    s.scopeName = QStringLiteral("@opentelemetry/instrumentation-") +
        (kind == Span::Kind::Server || kind == Span::Kind::Client
             ? (name.startsWith(u"pg.") ? QStringLiteral("pg") : QStringLiteral("http"))
             : QStringLiteral("amqplib"));
    s.scopeVersion = QStringLiteral("0.45.0");
    return s;
}

QString hex(const QByteArray &b) { return QString::fromLatin1(b.toHex()); }

QString rfc3339(TimestampNs t)
{
    return QDateTime::fromMSecsSinceEpoch(t / kNsPerMs, Qt::UTC).toString(Qt::ISODateWithMs);
}

// logfmt value: quoted when it contains spaces, quotes or '='.
QString logfmtValue(const QString &v)
{
    if (!v.isEmpty() && !v.contains(u' ') && !v.contains(u'"') && !v.contains(u'='))
        return v;
    QString e = v;
    e.replace(u'\\', QStringLiteral("\\\\")).replace(u'"', QStringLiteral("\\\""));
    return u'"' + e + u'"';
}

QString logfmt(const QList<std::pair<QString, QString>> &fields)
{
    QStringList parts;
    parts.reserve(fields.size());
    for (const auto &[k, v] : fields)
        parts << k + u'=' + logfmtValue(v);
    return parts.join(u' ');
}

model::LogRecord logRecord(const Instance &inst, TimestampNs t, bool error, const QString &beast,
                           const QString &line, const QByteArray &traceId, const QByteArray &spanId)
{
    model::LogRecord r;
    r.time = t;
    r.line = line;
    const QString level = error ? QStringLiteral("error") : QStringLiteral("info");
    // job="alloy": the intro-to-mltp dashboards select the logs Alloy forwarded.
    r.stream = Labels{{QStringLiteral("service_name"), inst.service},
                      {QStringLiteral("job"), QStringLiteral("alloy")},
                      {QStringLiteral("level"), level},
                      {QStringLiteral("beast"), beast}};
    r.structuredMetadata = Labels{{QStringLiteral("trace_id"), hex(traceId)}, {QStringLiteral("span_id"), hex(spanId)}};
    r.severity = error ? QStringLiteral("ERROR") : QStringLiteral("INFO");
    return r;
}

QString formatLe(double b) { return QString::number(b, 'g', 15); }

QString msText(double ms) { return QString::number(ms, 'f', 2); }

} // namespace

std::int64_t LabBatch::sampleCount() const
{
    std::int64_t n = 0;
    for (const auto &s : series)
        n += s.samples.size();
    return n;
}

const QStringList &LabSimulator::beasts()
{
    static const QStringList b{QStringLiteral("unicorn"), QStringLiteral("manticore"), QStringLiteral("illithid"),
                               QStringLiteral("owlbear"), QStringLiteral("beholder")};
    return b;
}

const QStringList &LabSimulator::services()
{
    static const QStringList s{kRequester.service, kServers[0].service, kRecorder.service};
    return s;
}

LabSimulator::LabSimulator(LabOptions options) : m_options(std::move(options)), m_rng(m_options.seed)
{
    if (m_options.virtualUsers < 1)
        m_options.virtualUsers = 1;
}

void LabSimulator::setClock(TimestampNs t)
{
    if (m_clockNs == 0)
        for (const Instance *i : allInstances)
            m_processes[processKey(*i)].startedNs = t;
    m_clockNs = t;
    m_nextArrivalNs = -1;
    m_profileWindows.clear(); // a skipped gap has no samples to attribute
}

double LabSimulator::uniform()
{
    // 53 random bits: portable, unlike std::uniform_real_distribution.
    return double(m_rng() >> 11) * (1.0 / 9007199254740992.0);
}

double LabSimulator::normal()
{
    const double u1 = std::max(uniform(), 1e-300);
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

double LabSimulator::logNormalMs(double medianMs, double sigma) { return medianMs * std::exp(sigma * normal()); }

double LabSimulator::exponential(double mean) { return -mean * std::log(1.0 - uniform()); }

QByteArray LabSimulator::randomId(int bytes)
{
    QByteArray id(bytes, Qt::Uninitialized);
    for (int i = 0; i < bytes; i += 8) {
        const std::uint64_t r = m_rng();
        for (int j = 0; j < 8 && i + j < bytes; ++j)
            id[i + j] = char((r >> (8 * j)) & 0xff);
    }
    if (id.count('\0') == bytes) // all-zero ids are invalid in W3C trace context
        id[0] = 1;
    return id;
}

double LabSimulator::loadFactor(TimestampNs t) const
{
    const auto period = m_options.burstPeriod.count();
    if (period <= 0)
        return 1.0;
    const double phase = double(t % (period * kNsPerS)) / double(period * kNsPerS);
    // A slow swell with a sharp burst at its top, like the requester's cycles.
    const double s = std::sin(2.0 * std::numbers::pi * phase);
    return std::max(0.05, 1.0 + 0.5 * s + 0.4 * std::pow(std::max(0.0, s), 8) - 0.1);
}

void LabSimulator::observe(Histogram &h, const QList<double> &bounds, double v)
{
    if (h.counts.isEmpty())
        h.counts.resize(bounds.size(), 0);
    for (qsizetype i = 0; i < bounds.size(); ++i)
        if (v <= bounds[i]) {
            ++h.counts[i];
            break;
        }
    h.sum += v;
    ++h.count;
}

void LabSimulator::addCpu(const QString &key, const QStringList &stack, double seconds)
{
    m_profileWindows[key].cpu[stack.join(u';')] += std::int64_t(std::llround(seconds * 1e9));
}

void LabSimulator::addAlloc(const QString &key, const QStringList &stack, double bytes)
{
    m_profileWindows[key].alloc[stack.join(u';')] += std::int64_t(std::llround(bytes));
}

void LabSimulator::simulateRequest(TimestampNs start, int vu, LabBatch &out)
{
    ++out.requests;
    ++m_requestSeq;
    const QString beast = beasts()[qsizetype(uniform() * beasts().size()) % beasts().size()];
    const double m = uniform();
    const QString method = m < 0.6 ? QStringLiteral("GET") : m < 0.9 ? QStringLiteral("POST") : QStringLiteral("DELETE");
    const Instance &server = kServers[uniform() < 0.5 ? 0 : 1];
    const bool v2 = server.version == u"2.0.0";
    const QString target = u'/' + beast;

    const QByteArray traceId = randomId(16);
    const QByteArray clientId = randomId(8), serverId = randomId(8), dbId = randomId(8);

    // Outcome: POST constraint violations (correlated with 2.0.0), injected errors.
    const bool constraintError =
        method == u"POST" && uniform() < m_options.postErrorRate * (v2 ? 1.6 : 0.4);
    const bool injectedError = !constraintError && m_faults.errorRate > 0 && uniform() < m_faults.errorRate;
    const bool failed = constraintError || injectedError;
    const int status = failed ? 500 : 200;

    // Timeline (ns), from the requester's client span inward.
    const auto ns = [](double ms) { return TimestampNs(std::llround(ms * kNsPerMs)); };
    const TimestampNs netOut = ns(0.2 + exponential(0.3));
    const TimestampNs netBack = ns(0.2 + exponential(0.3));
    double preMs = logNormalMs(1.5, 0.5);
    if (m_faults.cpuHotLoop)
        preMs += logNormalMs(25, 0.3);
    if (!m_faults.slowEndpoint.isEmpty() && m_faults.slowEndpoint == target && m_faults.addedLatencyMs > 0)
        preMs += m_faults.addedLatencyMs * (0.8 + 0.4 * uniform());
    const double dbMedian = method == u"GET" ? 4.0 : method == u"POST" ? 7.0 : 5.0;
    double dbMs = logNormalMs(dbMedian, 0.6);
    if (uniform() < 0.02) // the occasional slow query: a long tail, not a bell
        dbMs *= 10;
    const bool publishes = method == u"POST" && !failed;
    const double publishMs = publishes ? logNormalMs(0.6, 0.4) : 0;
    const double postMs = logNormalMs(0.8, 0.4);

    const TimestampNs clientStart = start;
    const TimestampNs serverStart = clientStart + netOut;
    const TimestampNs dbStart = serverStart + ns(preMs);
    const TimestampNs dbEnd = dbStart + ns(dbMs);
    const TimestampNs pubStart = dbEnd + ns(0.05);
    const TimestampNs pubEnd = pubStart + ns(publishMs);
    const TimestampNs serverEnd = (publishes ? pubEnd : dbEnd) + ns(postMs);
    const TimestampNs clientEnd = serverEnd + netBack;

    const QString dbOperation = method == u"GET" ? QStringLiteral("SELECT")
        : method == u"POST"                      ? QStringLiteral("INSERT")
                                                 : QStringLiteral("DELETE");
    const QString statement = method == u"GET" ? QStringLiteral("SELECT name FROM %1").arg(beast)
        : method == u"POST" ? QStringLiteral("INSERT INTO %1(name) VALUES ($1) RETURNING id").arg(beast)
                            : QStringLiteral("DELETE FROM %1 WHERE name = $1").arg(beast);
    const QString constraintMessage =
        QStringLiteral("duplicate key value violates unique constraint \"%1_name_key\"").arg(beast);
    const QString injectedMessage = QStringLiteral("TypeError: Cannot read properties of undefined (reading 'name')");
    const QString errorMessage = constraintError ? constraintMessage : injectedMessage;
    const QString url = QStringLiteral("http://mythical-server:4000") + target;

    // requester: the root, an HTTP client span
    Span client = makeSpan(kRequester, traceId, clientId, {}, QStringLiteral("HTTP ") + method, Span::Kind::Client,
                           clientStart, clientEnd);
    client.attributes = {{QStringLiteral("http.method"), method},
                         {QStringLiteral("http.url"), url},
                         {QStringLiteral("http.status_code"), QVariant::fromValue<qlonglong>(status)},
                         {QStringLiteral("net.peer.name"), QStringLiteral("mythical-server")},
                         {QStringLiteral("net.peer.port"), QVariant::fromValue<qlonglong>(4000)},
                         {QStringLiteral("beast"), beast},
                         {QStringLiteral("vu"), QVariant::fromValue<qlonglong>(vu)}};
    if (failed) {
        client.status = Span::Status::Error;
        client.statusMessage = QStringLiteral("HTTP 500");
    }

    // server
    Span srv = makeSpan(server, traceId, serverId, clientId, method + u' ' + target, Span::Kind::Server, serverStart,
                        serverEnd);
    srv.attributes = {{QStringLiteral("http.method"), method},
                      {QStringLiteral("http.target"), target},
                      {QStringLiteral("http.route"), target},
                      {QStringLiteral("http.scheme"), QStringLiteral("http")},
                      {QStringLiteral("http.flavor"), QStringLiteral("1.1")},
                      {QStringLiteral("http.status_code"), QVariant::fromValue<qlonglong>(status)},
                      {QStringLiteral("http.user_agent"), QStringLiteral("mythical-requester/1.9.2")},
                      {QStringLiteral("net.host.name"), QStringLiteral("mythical-server")},
                      {QStringLiteral("net.host.port"), QVariant::fromValue<qlonglong>(4000)}};
    if (failed) {
        srv.status = Span::Status::Error;
        srv.statusMessage = errorMessage;
        srv.events.append({serverEnd - ns(postMs / 2), QStringLiteral("exception"),
                           {{QStringLiteral("exception.type"),
                             constraintError ? QStringLiteral("error") : QStringLiteral("TypeError")},
                            {QStringLiteral("exception.message"), errorMessage}}});
    }

    // database client span
    Span db = makeSpan(server, traceId, dbId, serverId, QStringLiteral("pg.query:") + dbOperation, Span::Kind::Client,
                       dbStart, dbEnd);
    db.attributes = {{QStringLiteral("db.system"), QStringLiteral("postgresql")},
                     {QStringLiteral("db.name"), QStringLiteral("postgres")},
                     {QStringLiteral("db.user"), QStringLiteral("postgres")},
                     {QStringLiteral("db.operation"), dbOperation},
                     {QStringLiteral("db.statement"), statement},
                     {QStringLiteral("db.sql.table"), beast},
                     {QStringLiteral("net.peer.name"), QStringLiteral("mythical-database")},
                     {QStringLiteral("net.peer.port"), QVariant::fromValue<qlonglong>(5432)},
                     {QStringLiteral("peer.service"), QStringLiteral("mythical-database")}};
    if (constraintError) {
        db.status = Span::Status::Error;
        db.statusMessage = constraintMessage;
        db.events.append({dbEnd, QStringLiteral("exception"),
                          {{QStringLiteral("exception.type"), QStringLiteral("error")},
                           {QStringLiteral("exception.message"), constraintMessage}}});
    }
    out.spans << client << srv << db;

    TimestampNs recorderEnd = 0;
    if (publishes) {
        const QByteArray pubId = randomId(8), consumeId = randomId(8);
        Span pub = makeSpan(server, traceId, pubId, serverId, QStringLiteral("beasts publish"), Span::Kind::Producer,
                            pubStart, pubEnd);
        pub.attributes = {{QStringLiteral("messaging.system"), QStringLiteral("rabbitmq")},
                          {QStringLiteral("messaging.destination.name"), QStringLiteral("beasts")},
                          {QStringLiteral("messaging.operation"), QStringLiteral("publish")},
                          {QStringLiteral("net.peer.name"), QStringLiteral("mythical-queue")}};
        const TimestampNs consumeStart = pubEnd + ns(1 + exponential(2));
        recorderEnd = consumeStart + ns(logNormalMs(2.5, 0.5));
        Span consume = makeSpan(kRecorder, traceId, consumeId, pubId, QStringLiteral("beasts process"),
                                Span::Kind::Consumer, consumeStart, recorderEnd);
        consume.attributes = {{QStringLiteral("messaging.system"), QStringLiteral("rabbitmq")},
                              {QStringLiteral("messaging.source.name"), QStringLiteral("beasts")},
                              {QStringLiteral("messaging.operation"), QStringLiteral("process")},
                              {QStringLiteral("beast"), beast}};
        consume.links.append({traceId, pubId, {{QStringLiteral("messaging.operation"), QStringLiteral("publish")}}});
        out.spans << pub << consume;

        out.logs << logRecord(kRecorder, recorderEnd, false, beast,
                              logfmt({{QStringLiteral("level"), QStringLiteral("info")},
                                      {QStringLiteral("ts"), rfc3339(recorderEnd)},
                                      {QStringLiteral("msg"), QStringLiteral("recorded %1").arg(beast)},
                                      {QStringLiteral("service"), kRecorder.service},
                                      {QStringLiteral("beast"), beast},
                                      {QStringLiteral("queue"), QStringLiteral("beasts")},
                                      {QStringLiteral("traceID"), hex(traceId)},
                                      {QStringLiteral("spanID"), hex(consumeId)}}),
                              traceId, consumeId);
        addCpu(processKey(kRecorder),
               {QStringLiteral("pg.Client.query"), QStringLiteral("recorder.recordBeast"),
                QStringLiteral("amqp.Channel.onDelivery"), QStringLiteral("processTicksAndRejections")},
               0.0006);
        addCpu(processKey(kRecorder),
               {QStringLiteral("JSON.parse"), QStringLiteral("recorder.recordBeast"),
                QStringLiteral("amqp.Channel.onDelivery"), QStringLiteral("processTicksAndRejections")},
               0.0003);
        addAlloc(processKey(kRecorder),
                 {QStringLiteral("Buffer.from"), QStringLiteral("amqp.Channel.onDelivery"),
                  QStringLiteral("processTicksAndRejections")},
                 6 * 1024);
    }

    // Logs: the server's request line, the requester's outcome.
    const double serverMs = double(serverEnd - serverStart) / kNsPerMs;
    const double clientMs = double(clientEnd - clientStart) / kNsPerMs;
    out.logs << logRecord(server, serverEnd, failed, beast,
                          logfmt({{QStringLiteral("level"), failed ? QStringLiteral("error") : QStringLiteral("info")},
                                  {QStringLiteral("ts"), rfc3339(serverEnd)},
                                  {QStringLiteral("msg"), failed ? QString(QStringLiteral("Error: ") + errorMessage)
                                                                 : QString(method + u' ' + target)},
                                  {QStringLiteral("service"), server.service},
                                  {QStringLiteral("version"), server.version},
                                  {QStringLiteral("http.method"), method},
                                  {QStringLiteral("http.target"), target},
                                  {QStringLiteral("beast"), beast},
                                  {QStringLiteral("status"), failed ? QStringLiteral("Error") : QStringLiteral("OK")},
                                  {QStringLiteral("status_code"), QString::number(status)},
                                  {QStringLiteral("duration_ms"), msText(serverMs)},
                                  {QStringLiteral("traceID"), hex(traceId)},
                                  {QStringLiteral("spanID"), hex(serverId)}}),
                          traceId, serverId);
    out.logs << logRecord(kRequester, clientEnd, failed, beast,
                          logfmt({{QStringLiteral("level"), failed ? QStringLiteral("error") : QStringLiteral("info")},
                                  {QStringLiteral("ts"), rfc3339(clientEnd)},
                                  {QStringLiteral("msg"), failed ? QStringLiteral("request failed")
                                                                 : QStringLiteral("request completed")},
                                  {QStringLiteral("service"), kRequester.service},
                                  {QStringLiteral("http.method"), method},
                                  {QStringLiteral("http.url"), url},
                                  {QStringLiteral("beast"), beast},
                                  {QStringLiteral("status"), failed ? QStringLiteral("Error") : QStringLiteral("OK")},
                                  {QStringLiteral("status_code"), QString::number(status)},
                                  {QStringLiteral("duration_ms"), msText(clientMs)},
                                  {QStringLiteral("vu"), QString::number(vu)},
                                  {QStringLiteral("traceID"), hex(traceId)},
                                  {QStringLiteral("spanID"), hex(clientId)}}),
                          traceId, clientId);

    // Profiles: CPU and allocations on the stacks that served this request.
    const QString handler = method == u"GET" ? QStringLiteral("handlers.getBeast")
        : method == u"POST"                  ? QStringLiteral("handlers.postBeast")
                                             : QStringLiteral("handlers.deleteBeast");
    const QStringList base{handler, QStringLiteral("express.Router.handle"), QStringLiteral("http.Server.emit"),
                           QStringLiteral("processTicksAndRejections")};
    const QString serverKey = processKey(server);
    const double cpuScale = method == u"GET" ? 1.0 : method == u"POST" ? 1.6 : 1.2;
    double serverCpu = 0;
    const auto cpu = [&](const QStringList &leaf, double s) {
        addCpu(serverKey, leaf + base, s);
        serverCpu += s;
    };
    cpu({QStringLiteral("pg.Client.query"), QStringLiteral("db.") + dbOperation.toLower()}, 0.0007 * cpuScale);
    cpu({QStringLiteral("JSON.stringify"), QStringLiteral("res.json")}, 0.0004 * cpuScale);
    cpu({QStringLiteral("express.Router.handle")}, 0.0003);
    if (publishes)
        cpu({QStringLiteral("amqp.Channel.publish"), QStringLiteral("queue.publishBeast")}, 0.0002);
    if (m_faults.cpuHotLoop)
        cpu({QStringLiteral("beasts.validateName")}, 0.020 * (0.8 + 0.4 * uniform()));
    addAlloc(serverKey, QStringList{QStringLiteral("Buffer.alloc"), QStringLiteral("res.json")} + base, 16 * 1024);
    addAlloc(serverKey, QStringList{QStringLiteral("pg.Result.parseRow"), QStringLiteral("pg.Client.query")} + base,
             8 * 1024);
    const double leakBytes = m_faults.memoryLeak ? 256 * 1024 : 0;
    if (leakBytes > 0)
        addAlloc(serverKey, QStringList{QStringLiteral("cache.remember")} + base, leakBytes);
    addCpu(processKey(kRequester),
           {QStringLiteral("http.request"), QStringLiteral("requester.makeRequest"), QStringLiteral("listOnTimeout"),
            QStringLiteral("processTimers")},
           0.0005);
    addAlloc(processKey(kRequester),
             {QStringLiteral("Buffer.concat"), QStringLiteral("requester.makeRequest"), QStringLiteral("listOnTimeout"),
              QStringLiteral("processTimers")},
             4 * 1024);

    // Metrics count the request when its server span ends.
    Observation o;
    o.end = serverEnd;
    o.instance = server.instance;
    o.version = server.version;
    o.beast = beast;
    o.method = method;
    o.status = QString::number(status);
    o.durationS = serverMs / 1000.0;
    o.cpuS = serverCpu;
    o.leakBytes = leakBytes;
    o.traceId = traceId;
    o.spanId = serverId;
    const auto at = std::upper_bound(m_pending.begin(), m_pending.end(), o.end,
                                     [](TimestampNs t, const Observation &x) { return t < x.end; });
    m_pending.insert(at, o);
    m_processes[processKey(kRequester)].cpuSeconds += 0.0005;
    if (publishes)
        m_processes[processKey(kRecorder)].cpuSeconds += 0.0009;
}

void LabSimulator::appendHistogram(std::map<Labels, model::Series> &out, const QString &name, const Labels &labels,
                                   const Histogram &h, const QList<double> &bounds, TimestampMs t)
{
    const auto add = [&](const Labels &l, double v) {
        auto &s = out[l];
        if (s.labels.isEmpty())
            s.labels = l;
        s.samples.append({t, v});
    };
    std::uint64_t cumulative = 0;
    for (qsizetype i = 0; i < bounds.size(); ++i) {
        cumulative += h.counts.value(i);
        add(labels.with(QStringLiteral("__name__"), name + QStringLiteral("_bucket"))
                .with(QStringLiteral("le"), formatLe(bounds[i])),
            double(cumulative));
    }
    add(labels.with(QStringLiteral("__name__"), name + QStringLiteral("_bucket")).with(QStringLiteral("le"), QStringLiteral("+Inf")),
        double(h.count));
    add(labels.with(QStringLiteral("__name__"), name + QStringLiteral("_sum")), h.sum);
    add(labels.with(QStringLiteral("__name__"), name + QStringLiteral("_count")), double(h.count));
}

void LabSimulator::scrape(TimestampMs t, std::map<Labels, model::Series> &series)
{
    const TimestampNs tNs = t * kNsPerMs;
    QList<store::SeriesExemplar> exemplarsThisScrape;
    while (!m_pending.isEmpty() && m_pending.front().end <= tNs) {
        const Observation o = m_pending.takeFirst();
        const Labels rt{{QStringLiteral("job"), QStringLiteral("mythical-server")},
                        {QStringLiteral("instance"), o.instance},
                        {QStringLiteral("beast"), o.beast},
                        {QStringLiteral("method"), o.method},
                        {QStringLiteral("status"), o.status}};
        observe(m_requestTimes[rt], kRequestTimeBucketsMs, o.durationS * 1000.0);
        {
            const double ms = o.durationS * 1000.0;
            QString le = QStringLiteral("+Inf");
            for (double b : kRequestTimeBucketsMs)
                if (ms <= b) {
                    le = formatLe(b);
                    break;
                }
            const Labels bucket = rt.with(QStringLiteral("__name__"), QStringLiteral("mythical_request_times_bucket"))
                                      .with(QStringLiteral("le"), le);
            const model::Exemplar e{Labels{{QStringLiteral("traceID"), hex(o.traceId)},
                                           {QStringLiteral("spanID"), hex(o.spanId)}},
                                    ms, TimestampMs(o.end / kNsPerMs), true};
            // Latest per bucket series and scrape, as a client library exposes.
            auto it = std::find_if(exemplarsThisScrape.begin(), exemplarsThisScrape.end(),
                                   [&](const store::SeriesExemplar &x) { return x.series == bucket; });
            if (it != exemplarsThisScrape.end())
                it->exemplar = e;
            else
                exemplarsThisScrape.append({bucket, e});
        }
        const Labels sd{{QStringLiteral("job"), QStringLiteral("mythical-server")},
                        {QStringLiteral("instance"), o.instance},
                        {QStringLiteral("service_version"), o.version},
                        {QStringLiteral("http_request_method"), o.method},
                        {QStringLiteral("http_route"), u'/' + o.beast},
                        {QStringLiteral("http_response_status_code"), o.status}};
        observe(m_serverDuration[sd], kServerDurationBuckets, o.durationS);
        auto &p = m_processes[QStringLiteral("mythical-server/") + o.instance];
        p.cpuSeconds += o.cpuS;
        p.leakedBytes += o.leakBytes;
    }
    m_exemplars += exemplarsThisScrape;
    for (auto it = m_requestTimes.cbegin(); it != m_requestTimes.cend(); ++it)
        appendHistogram(series, QStringLiteral("mythical_request_times"), it.key(), it.value(), kRequestTimeBucketsMs, t);
    for (auto it = m_serverDuration.cbegin(); it != m_serverDuration.cend(); ++it)
        appendHistogram(series, QStringLiteral("http_server_request_duration_seconds"), it.key(), it.value(),
                        kServerDurationBuckets, t);
    for (const Instance *i : allInstances) {
        auto &p = m_processes[processKey(*i)];
        const Labels l{{QStringLiteral("job"), i->service}, {QStringLiteral("instance"), i->instance}};
        const auto add = [&](const QString &name, double v) {
            const Labels sl = l.with(QStringLiteral("__name__"), name);
            auto &s = series[sl];
            s.labels = sl;
            s.samples.append({t, v});
        };
        const double uptimeS = double(tNs - p.startedNs) / kNsPerS;
        add(QStringLiteral("up"), 1);
        // An idle Node.js process still burns ~1% of a core on timers and GC.
        add(QStringLiteral("process_cpu_seconds_total"), p.cpuSeconds + 0.01 * std::max(0.0, uptimeS));
        add(QStringLiteral("process_resident_memory_bytes"),
            std::round(i->baseRss + 4e6 * std::sin(double(tNs / kNsPerS) / 47.0) + p.leakedBytes));
        add(QStringLiteral("process_start_time_seconds"), double(p.startedNs / kNsPerS));
        add(QStringLiteral("nodejs_heap_size_used_bytes"),
            std::round(0.45 * i->baseRss + 3e6 * std::sin(double(tNs / kNsPerS) / 13.0) + p.leakedBytes));
    }
}

void LabSimulator::emitProfiles(TimestampNs end, LabBatch &out)
{
    const TimestampNs duration = std::int64_t(m_options.profileInterval.count()) * kNsPerMs;
    const double windowS = double(duration) / kNsPerS;
    for (const Instance *inst : allInstances) {
        ProfileWindow w = m_profileWindows.take(processKey(*inst));
        // Background work every process does whether or not it serves requests.
        const QStringList gc{QStringLiteral("(garbage collector)")};
        w.cpu[gc.join(u';')] += std::int64_t(0.004 * windowS * 1e9);
        w.cpu[QStringLiteral("uv__io_poll;uv_run;node::SpinEventLoop;main")] += std::int64_t(0.006 * windowS * 1e9);
        w.alloc[QStringLiteral("Timeout;setInterval;metrics.collect;listOnTimeout;processTimers")] +=
            std::int64_t(2048 * windowS);
        const Labels labels{{QStringLiteral("service_name"), inst->service},
                            {QStringLiteral("instance"), inst->instance},
                            {QStringLiteral("service_version"), inst->version}};
        const auto build = [&](const QString &typeId, std::int64_t period, const std::map<QString, std::int64_t> &m) {
            model::Profile p;
            p.typeId = typeId;
            p.labels = labels;
            p.time = end - duration;
            p.durationNs = duration;
            p.period = period;
            QHash<QString, std::uint32_t> index;
            for (const auto &[key, value] : m) {
                if (value <= 0)
                    continue;
                model::Profile::Stack s;
                s.value = value;
                for (const QString &f : key.split(u';')) {
                    auto it = index.find(f);
                    if (it == index.end()) {
                        it = index.insert(f, std::uint32_t(p.functionNames.size()));
                        p.functionNames.append(f);
                    }
                    s.functions.append(*it);
                }
                p.stacks.append(s);
            }
            out.profiles.append(p);
        };
        build(QStringLiteral("process_cpu:cpu:nanoseconds:cpu:nanoseconds"), 10'000'000, w.cpu);
        build(QStringLiteral("memory:alloc_space:bytes:space:bytes"), 512 * 1024, w.alloc);
    }
}

LabBatch LabSimulator::step(TimestampNs to)
{
    LabBatch out;
    if (m_clockNs == 0)
        setClock(to);
    if (to <= m_clockNs)
        return out;
    const std::int64_t scrapeNs = std::max<std::int64_t>(1, m_options.scrapeInterval.count()) * kNsPerMs;
    const std::int64_t profileNs = std::max<std::int64_t>(1, m_options.profileInterval.count()) * kNsPerMs;
    std::map<Labels, model::Series> series;

    const auto nextMultiple = [](TimestampNs after, std::int64_t every) { return (after / every + 1) * every; };
    const auto gapAt = [&](TimestampNs t) -> TimestampNs {
        const double rate = m_options.requestsPerSecond * loadFactor(t);
        return TimestampNs(std::llround(exponential(1.0 / rate) * kNsPerS)) + 1;
    };

    TimestampNs a = m_clockNs;
    while (a < to) {
        const TimestampNs nextScrape = nextMultiple(a, scrapeNs);
        const TimestampNs nextProfile = nextMultiple(a, profileNs);
        const TimestampNs b = std::min({to, nextScrape, nextProfile});
        // Requests starting in [a, b).
        if (m_options.requestsPerSecond > 0) {
            if (m_nextArrivalNs < a)
                m_nextArrivalNs = a + gapAt(a);
            while (m_nextArrivalNs < b) {
                simulateRequest(m_nextArrivalNs, 1 + (m_nextVu++ % m_options.virtualUsers), out);
                m_nextArrivalNs += gapAt(m_nextArrivalNs);
            }
        } else {
            m_nextArrivalNs = -1;
        }
        if (b == nextScrape) {
            scrape(b / kNsPerMs, series);
            out.scrapeTimes.append(b / kNsPerMs);
        }
        if (b == nextProfile)
            emitProfiles(b, out);
        a = b;
    }
    m_clockNs = to;
    out.exemplars = std::exchange(m_exemplars, {});
    out.series.reserve(qsizetype(series.size()));
    for (auto &[labels, s] : series)
        out.series.append(std::move(s));
    return out;
}

} // namespace spyglass::lab
