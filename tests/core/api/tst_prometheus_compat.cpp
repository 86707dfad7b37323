// Asks a real Prometheus (Debian's package, via tests/support) and the
// embedded API the same HTTP requests over the same data and compares the
// answers: status code, envelope, errorType, parameter error texts, and the
// data (values within 1e-9 relative, identical label sets).

#include "core/api/http_server.h"
#include "core/api/prometheus_api.h"
#include "core/store/storage.h"
#include "tests/support/prometheus_server.h"

#include "raw_http_client.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

#include <cmath>

using namespace spyglass;
using namespace spyglass::api;
using spyglass::testing::RawHttpClient;
using spyglass::testing::RawResponse;

namespace {

constexpr qint64 kT0 = 1'700'000'000; // seconds
constexpr int kSteps = 240;           // one hour at 15 s

struct Family
{
    QString name;  // family name for # TYPE
    QString type;  // gauge, counter, histogram
    QList<model::Series> series;
};

model::Labels labelsOf(std::initializer_list<std::pair<QString, QString>> l) { return model::Labels(l); }

QList<Family> makeData()
{
    QList<Family> out;
    auto ts = [](int i) { return (kT0 + i * 15) * 1000; };

    Family up{QStringLiteral("up"), QStringLiteral("gauge"), {}};
    const QStringList jobs{QStringLiteral("api"), QStringLiteral("db")};
    for (const QString &job : jobs)
        for (int inst = 0; inst < 2; ++inst) {
            model::Series s{labelsOf({{QStringLiteral("__name__"), QStringLiteral("up")},
                                      {QStringLiteral("job"), job},
                                      {QStringLiteral("instance"), QStringLiteral("host%1:9100").arg(inst)}}),
                            {}};
            for (int i = 0; i <= kSteps; ++i)
                s.samples.append({ts(i), (job == u"db" && inst == 1 && i % 40 > 30) ? 0.0 : 1.0});
            up.series.append(s);
        }
    out.append(up);

    Family req{QStringLiteral("http_requests"), QStringLiteral("counter"), {}};
    int k = 0;
    for (const QString &code : {QStringLiteral("200"), QStringLiteral("500")})
        for (const QString &method : {QStringLiteral("GET"), QStringLiteral("POST")})
            for (int inst = 0; inst < 2; ++inst) {
                ++k;
                model::Series s{labelsOf({{QStringLiteral("__name__"), QStringLiteral("http_requests_total")},
                                          {QStringLiteral("job"), QStringLiteral("api")},
                                          {QStringLiteral("instance"), QStringLiteral("host%1:9100").arg(inst)},
                                          {QStringLiteral("code"), code},
                                          {QStringLiteral("method"), method}}),
                                {}};
                double v = 0;
                for (int i = 0; i <= kSteps; ++i) {
                    if (k == 3 && i == 120)
                        v = 0; // a counter reset
                    v += (k * 1.7) + (i % 7) * 0.3;
                    s.samples.append({ts(i), v});
                }
                req.series.append(s);
            }
    out.append(req);

    Family temp{QStringLiteral("room_temperature_celsius"), QStringLiteral("gauge"), {}};
    for (const QString &room : {QStringLiteral("kitchen"), QStringLiteral("lab")}) {
        model::Series s{labelsOf({{QStringLiteral("__name__"), QStringLiteral("room_temperature_celsius")},
                                  {QStringLiteral("room"), room}}),
                        {}};
        for (int i = 0; i <= kSteps; i += (room == u"lab" ? 3 : 1))
            s.samples.append({ts(i), 20.0 + std::sin(i / 10.0) * (room == u"lab" ? 3 : 1)});
        temp.series.append(s);
    }
    out.append(temp);

    Family hist{QStringLiteral("request_duration_seconds"), QStringLiteral("histogram"), {}};
    const QList<std::pair<QString, double>> buckets{{QStringLiteral("0.1"), 0.5}, {QStringLiteral("0.5"), 0.8},
                                                    {QStringLiteral("1"), 0.95}, {QStringLiteral("+Inf"), 1.0}};
    for (const QString &job : jobs) {
        const double rate = job == u"api" ? 10 : 3;
        for (const auto &[le, frac] : buckets) {
            model::Series s{labelsOf({{QStringLiteral("__name__"), QStringLiteral("request_duration_seconds_bucket")},
                                      {QStringLiteral("job"), job},
                                      {QStringLiteral("le"), le}}),
                            {}};
            for (int i = 0; i <= kSteps; ++i)
                s.samples.append({ts(i), std::floor(rate * i * frac)});
            hist.series.append(s);
        }
        model::Series count{labelsOf({{QStringLiteral("__name__"), QStringLiteral("request_duration_seconds_count")},
                                      {QStringLiteral("job"), job}}),
                            {}};
        model::Series sum{labelsOf({{QStringLiteral("__name__"), QStringLiteral("request_duration_seconds_sum")},
                                    {QStringLiteral("job"), job}}),
                          {}};
        for (int i = 0; i <= kSteps; ++i) {
            count.samples.append({ts(i), std::floor(rate * i)});
            sum.samples.append({ts(i), rate * i * 0.21});
        }
        hist.series.append(count);
        hist.series.append(sum);
    }
    out.append(hist);
    return out;
}

QString formatValue(double v)
{
    if (std::isinf(v))
        return v > 0 ? QStringLiteral("+Inf") : QStringLiteral("-Inf");
    return QString::number(v, 'g', 17);
}

QByteArray toOpenMetrics(const QList<Family> &families)
{
    QByteArray out;
    for (const Family &f : families) {
        out += "# TYPE " + f.name.toUtf8() + ' ' + f.type.toUtf8() + '\n';
        for (const auto &s : f.series) {
            QByteArray labels;
            for (const auto &l : s.labels) {
                if (l.name == u"__name__")
                    continue;
                labels += (labels.isEmpty() ? "" : ",") + l.name.toUtf8() + "=\"" + l.value.toUtf8() + '"';
            }
            const QByteArray head = s.labels.metricName().toUtf8() + '{' + labels + "} ";
            for (const auto &p : s.samples)
                out += head + formatValue(p.v).toUtf8() + ' ' + QByteArray::number(double(p.t) / 1000.0, 'f', 3) + '\n';
        }
    }
    out += "# EOF\n";
    return out;
}

bool nearlyEqual(const QString &a, const QString &b)
{
    if (a == b)
        return true;
    bool okA = false, okB = false;
    const double x = a.toDouble(&okA), y = b.toDouble(&okB);
    if (!okA || !okB)
        return false;
    if (std::isnan(x) || std::isnan(y))
        return std::isnan(x) && std::isnan(y);
    return std::abs(x - y) <= 1e-9 * std::max(std::abs(x), std::abs(y));
}

QString key(const QJsonObject &metric) { return QString::fromUtf8(QJsonDocument(metric).toJson(QJsonDocument::Compact)); }

// Compares two "data" values; returns a description of the first difference.
QString diffData(const QJsonValue &ours, const QJsonValue &theirs)
{
    if (ours.isObject() && ours.toObject().contains(u"resultType")) {
        const QJsonObject o = ours.toObject(), t = theirs.toObject();
        const QString type = o[u"resultType"].toString();
        if (type != t[u"resultType"].toString())
            return QStringLiteral("resultType %1 vs %2").arg(type, t[u"resultType"].toString());
        if (type == u"scalar" || type == u"string") {
            const QJsonArray a = o[u"result"].toArray(), b = t[u"result"].toArray();
            if (a[0].toDouble() != b[0].toDouble() || !nearlyEqual(a[1].toString(), b[1].toString()))
                return QStringLiteral("%1 result differs").arg(type);
            return {};
        }
        QHash<QString, QJsonArray> mine, real;
        const char *valuesKey = type == u"vector" ? "value" : "values";
        for (const auto &v : o[u"result"].toArray())
            mine.insert(key(v[u"metric"].toObject()), type == u"vector" ? QJsonArray{v[QLatin1String(valuesKey)]} : v[QLatin1String(valuesKey)].toArray());
        for (const auto &v : t[u"result"].toArray())
            real.insert(key(v[u"metric"].toObject()), type == u"vector" ? QJsonArray{v[QLatin1String(valuesKey)]} : v[QLatin1String(valuesKey)].toArray());
        if (mine.size() != real.size())
            return QStringLiteral("%1 series vs %2: ours %3 theirs %4")
                .arg(mine.size())
                .arg(real.size())
                .arg(QStringList(mine.keys()).join(u' '), QStringList(real.keys()).join(u' '));
        for (auto it = real.begin(); it != real.end(); ++it) {
            if (!mine.contains(it.key()))
                return QStringLiteral("missing series %1").arg(it.key());
            const QJsonArray a = mine[it.key()], b = it.value();
            if (a.size() != b.size())
                return QStringLiteral("%1: %2 points vs %3").arg(it.key()).arg(a.size()).arg(b.size());
            for (qsizetype i = 0; i < a.size(); ++i) {
                const QJsonArray pa = a[i].toArray(), pb = b[i].toArray();
                if (pa[0].toDouble() != pb[0].toDouble() || !nearlyEqual(pa[1].toString(), pb[1].toString()))
                    return QStringLiteral("%1 point %2: [%3,%4] vs [%5,%6]")
                        .arg(it.key())
                        .arg(i)
                        .arg(pa[0].toDouble(), 0, 'f', 3)
                        .arg(pa[1].toString())
                        .arg(pb[0].toDouble(), 0, 'f', 3)
                        .arg(pb[1].toString());
            }
        }
        return {};
    }
    if (ours.isArray()) {
        // series (objects) and label lists (strings): same members, same order
        // for strings (both sort), any order for series.
        QStringList a, b;
        for (const auto &v : ours.toArray())
            a.append(v.isObject() ? key(v.toObject()) : v.toString());
        for (const auto &v : theirs.toArray())
            b.append(v.isObject() ? key(v.toObject()) : v.toString());
        if (!ours.toArray().isEmpty() && ours.toArray()[0].isObject()) {
            a.sort();
            b.sort();
        }
        return a == b ? QString() : QStringLiteral("ours [%1] theirs [%2]").arg(a.join(u", "), b.join(u", "));
    }
    if (ours.isObject() && theirs.isObject())
        return ours.toObject().keys() == theirs.toObject().keys() ? QString() : QStringLiteral("object keys differ");
    return ours == theirs ? QString() : QStringLiteral("values differ");
}

} // namespace

class TestPrometheusCompat : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<store::Storage> m_storage;
    std::unique_ptr<HttpServer> m_server;
    std::unique_ptr<spyglass::test::PrometheusServer> m_prometheus;

    static RawResponse fetch(quint16 port, const QByteArray &raw)
    {
        RawHttpClient c;
        if (!c.connectTo(port))
            return {};
        c.send(raw);
        return c.readResponse().value_or(RawResponse{});
    }

    // Sends the same request to both; returns "" when the answers agree.
    QString compare(const QByteArray &method, const QByteArray &target, const QByteArray &form = {},
                    bool exactErrorText = true)
    {
        QByteArray raw = method + ' ' + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
        if (!form.isEmpty() || method == "POST")
            raw += "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " +
                   QByteArray::number(form.size()) + "\r\n";
        raw += "\r\n" + form;
        const RawResponse ours = fetch(m_server->port(), raw);
        const RawResponse theirs = fetch(m_prometheus->port(), raw);
        const QJsonObject o = QJsonDocument::fromJson(ours.body).object();
        const QJsonObject t = QJsonDocument::fromJson(theirs.body).object();
        const QString where = QString::fromUtf8(method + ' ' + target + (form.isEmpty() ? QByteArray() : " " + form));
        auto mismatch = [&](const QString &what) -> QString {
            // Concatenated, not arg()ed: the texts contain %XX escapes.
            return where + QStringLiteral(": ") + what + QStringLiteral("\n  ours:   ") + QString::number(ours.status) +
                   u' ' + QString::fromUtf8(ours.body.left(600)) + QStringLiteral("\n  theirs: ") +
                   QString::number(theirs.status) + u' ' + QString::fromUtf8(theirs.body.left(600));
        };
        if (ours.status != theirs.status)
            return mismatch(QStringLiteral("status code"));
        if (o[u"status"] != t[u"status"])
            return mismatch(QStringLiteral("status"));
        if (t[u"status"].toString() == u"error") {
            if (o[u"errorType"] != t[u"errorType"])
                return mismatch(QStringLiteral("errorType"));
            if (exactErrorText && o[u"error"] != t[u"error"])
                return mismatch(QStringLiteral("error text"));
            return {};
        }
        if (o.contains(u"warnings") != t.contains(u"warnings"))
            return mismatch(QStringLiteral("warnings"));
        if (const QString d = diffData(o[u"data"], t[u"data"]); !d.isEmpty())
            return mismatch(d);
        return {};
    }

    static QByteArray q(const QString &expr) { return QUrl::toPercentEncoding(expr); }

private slots:
    void initTestCase()
    {
        if (const QString why = spyglass::test::PrometheusServer::unavailableReason(); !why.isEmpty())
            QSKIP(qPrintable(why));
        const QList<Family> data = makeData();
        QVERIFY(m_dir.isValid());
        auto st = store::Storage::open(m_dir.filePath(QStringLiteral("data")));
        QVERIFY2(st.has_value(), qPrintable(st ? QString() : st.error().toString()));
        m_storage = std::move(*st);
        store::SampleBatch batch;
        for (const auto &f : data)
            batch.series.append(f.series);
        auto appended = m_storage->metrics().append(batch);
        QVERIFY2(appended.has_value(), qPrintable(appended ? QString() : appended.error().toString()));

        m_prometheus = std::make_unique<spyglass::test::PrometheusServer>();
        auto started = m_prometheus->start(toOpenMetrics(data));
        QVERIFY2(started.has_value(), qPrintable(started ? QString() : started.error().toString() + m_prometheus->log()));

        m_server = std::make_unique<HttpServer>();
        PrometheusApi::registerRoutes(m_server->router(), *m_storage);
        QVERIFY(m_server->listen().has_value());
    }

    void cleanupTestCase()
    {
        m_server.reset();
        m_prometheus.reset();
        m_storage.reset();
    }

    void instantQueries_data()
    {
        QTest::addColumn<QString>("expr");
        for (const char *e : {"up", "up{job=\"api\"}", "up == 0", "count by (job) (up)", "sum(up)",
                              "http_requests_total{code=\"500\",method=\"GET\"}",
                              "rate(http_requests_total[5m])", "sum by (code) (rate(http_requests_total[5m]))",
                              "increase(http_requests_total[10m])", "irate(http_requests_total[1m])",
                              "resets(http_requests_total[1h])",
                              "topk(2, http_requests_total)", "bottomk(1, room_temperature_celsius)",
                              "histogram_quantile(0.9, sum by (le) (rate(request_duration_seconds_bucket[5m])))",
                              "histogram_quantile(0.5, rate(request_duration_seconds_bucket[5m]))",
                              "rate(request_duration_seconds_sum[5m]) / rate(request_duration_seconds_count[5m])",
                              "avg_over_time(room_temperature_celsius[10m])", "max_over_time(room_temperature_celsius[30m])",
                              "deriv(room_temperature_celsius[10m])", "room_temperature_celsius offset 10m",
                              "label_replace(up, \"host\", \"$1\", \"instance\", \"(.*):.*\")",
                              "absent(nonexistent_metric)", "vector(1)", "time()", "scalar(sum(up))", "1 + 1",
                              "\"a string\"", "up[1m]", "sum(up) by (job) / on(job) group_left count(up) by (job)",
                              "quantile(0.5, room_temperature_celsius)", "stddev(room_temperature_celsius)",
                              "sort_desc(sum by (instance) (http_requests_total))", "nonexistent_metric"})
            QTest::newRow(e) << QString::fromUtf8(e);
    }

    void instantQueries()
    {
        QFETCH(QString, expr);
        // Two places where Prometheus 2.42 (Debian's) and 3.x differ, and our
        // engine follows 3.x, are avoided: evaluation times fall between
        // samples (2.x includes a sample exactly at a window's start), and no
        // window reaches back past a series' first sample (2.x caps the
        // extrapolation to the start by the "zero point" before checking the
        // threshold, 3.x after).
        for (qint64 t : {kT0 + 607, kT0 + 1807, kT0 + 3601, kT0 + 3600 + 203, kT0 + 4199})
            QVERIFY2(compare("GET", "/api/v1/query?query=" + q(expr) + "&time=" + QByteArray::number(t)).isEmpty(),
                     qPrintable(compare("GET", "/api/v1/query?query=" + q(expr) + "&time=" + QByteArray::number(t))));
        // The same through a form-encoded POST.
        const QString viaPost = compare("POST", "/api/v1/query", "query=" + q(expr) + "&time=" + QByteArray::number(kT0 + 1234.2, 'f', 1));
        QVERIFY2(viaPost.isEmpty(), qPrintable(viaPost));
    }

    void rangeQueries_data()
    {
        QTest::addColumn<QString>("expr");
        QTest::addColumn<QString>("params");
        QTest::newRow("selector") << QStringLiteral("up") << QStringLiteral("start=%1&end=%2&step=60").arg(kT0 + 7).arg(kT0 + 3607);
        QTest::newRow("rate") << QStringLiteral("sum by (job, code) (rate(http_requests_total[5m]))")
                              << QStringLiteral("start=%1&end=%2&step=30s").arg(kT0 + 607).arg(kT0 + 4507);
        QTest::newRow("histogram")
            << QStringLiteral("histogram_quantile(0.99, sum by (le) (rate(request_duration_seconds_bucket[5m])))")
            << QStringLiteral("start=%1&end=%2&step=1m").arg(kT0 + 7).arg(kT0 + 3607);
        QTest::newRow("sparse") << QStringLiteral("room_temperature_celsius")
                                << QStringLiteral("start=%1&end=%2&step=7.5").arg(kT0 + 101).arg(kT0 + 701);
        QTest::newRow("scalar") << QStringLiteral("time()") << QStringLiteral("start=%1&end=%2&step=600").arg(kT0).arg(kT0 + 3600);
        QTest::newRow("rfc3339") << QStringLiteral("up{job=\"db\"}")
                                 << QStringLiteral("start=2023-11-14T22:13:20Z&end=2023-11-14T22:43:20.5Z&step=5m");
        // Parameter errors: Prometheus's exact texts.
        QTest::newRow("no start") << QStringLiteral("up") << QStringLiteral("end=10&step=1");
        QTest::newRow("bad start") << QStringLiteral("up") << QStringLiteral("start=x&end=10&step=1");
        QTest::newRow("no end") << QStringLiteral("up") << QStringLiteral("start=10&step=1");
        QTest::newRow("end before start") << QStringLiteral("up") << QStringLiteral("start=10&end=5&step=1");
        QTest::newRow("no step") << QStringLiteral("up") << QStringLiteral("start=0&end=5");
        QTest::newRow("bad step") << QStringLiteral("up") << QStringLiteral("start=0&end=5&step=1x");
        QTest::newRow("zero step") << QStringLiteral("up") << QStringLiteral("start=0&end=5&step=0");
        QTest::newRow("negative step") << QStringLiteral("up") << QStringLiteral("start=0&end=5&step=-5s");
        QTest::newRow("too many points") << QStringLiteral("up") << QStringLiteral("start=0&end=20000&step=1");
        QTest::newRow("bad timeout") << QStringLiteral("up") << QStringLiteral("start=0&end=5&step=1&timeout=x");
        QTest::newRow("range vector") << QStringLiteral("up[5m]") << QStringLiteral("start=0&end=5&step=1");
        QTest::newRow("parse error") << QStringLiteral("sum(up") << QStringLiteral("start=0&end=5&step=1");
        QTest::newRow("no query") << QString() << QStringLiteral("start=0&end=5&step=1");
    }

    void rangeQueries()
    {
        QFETCH(QString, expr);
        QFETCH(QString, params);
        const QString d = compare("GET", "/api/v1/query_range?query=" + q(expr) + '&' + params.toUtf8());
        QVERIFY2(d.isEmpty(), qPrintable(d));
    }

    void queryErrors_data()
    {
        QTest::addColumn<QString>("target");
        QTest::newRow("parse") << QStringLiteral("/api/v1/query?query=") + QString::fromUtf8(q(QStringLiteral("sum(up")));
        QTest::newRow("empty") << QStringLiteral("/api/v1/query");
        QTest::newRow("many-to-many")
            << QStringLiteral("/api/v1/query?time=%1&query=").arg(kT0 + 600) +
                   QString::fromUtf8(q(QStringLiteral("http_requests_total + on(job) http_requests_total")));
        QTest::newRow("same labelset")
            << QStringLiteral("/api/v1/query?time=%1&query=").arg(kT0 + 600) +
                   QString::fromUtf8(q(QStringLiteral("label_replace(up, \"instance\", \"x\", \"\", \"\")")));
        QTest::newRow("bad time") << QStringLiteral("/api/v1/query?query=up&time=tomorrow");
        QTest::newRow("unknown function") << QStringLiteral("/api/v1/query?query=nosuchfn(up)");
    }

    void queryErrors()
    {
        QFETCH(QString, target);
        // Parse error wording is compared by errorType and status only.
        const QString d = compare("GET", target.toUtf8(), {}, false);
        QVERIFY2(d.isEmpty(), qPrintable(d));
        const QString exact = compare("GET", target.toUtf8());
        if (!exact.isEmpty())
            qInfo().noquote() << "error text differs:" << exact;
    }

    void metadataEndpoints_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QString>("target");
        QTest::addColumn<QByteArray>("form");
        const QByteArray g = "GET", p = "POST";
        QTest::newRow("series") << g << QStringLiteral("/api/v1/series?match[]=up") << QByteArray();
        QTest::newRow("series union") << g << QStringLiteral("/api/v1/series?match[]=up&match[]=") + QString::fromUtf8(q(QStringLiteral("{__name__=~\"room.*\"}"))) << QByteArray();
        QTest::newRow("series post") << p << QStringLiteral("/api/v1/series") << QByteArray("match[]=up&match[]=request_duration_seconds_count");
        QTest::newRow("series range") << g << QStringLiteral("/api/v1/series?match[]=up&start=%1&end=%2").arg(kT0).arg(kT0 + 60) << QByteArray();
        QTest::newRow("series none") << g << QStringLiteral("/api/v1/series?match[]=nothing") << QByteArray();
        QTest::newRow("series no match") << g << QStringLiteral("/api/v1/series") << QByteArray();
        QTest::newRow("series bad start") << g << QStringLiteral("/api/v1/series?match[]=up&start=x") << QByteArray();
        QTest::newRow("labels") << g << QStringLiteral("/api/v1/labels") << QByteArray();
        QTest::newRow("labels post") << p << QStringLiteral("/api/v1/labels") << QByteArray("match[]=up");
        QTest::newRow("labels match") << g << QStringLiteral("/api/v1/labels?match[]=room_temperature_celsius") << QByteArray();
        QTest::newRow("label values") << g << QStringLiteral("/api/v1/label/job/values") << QByteArray();
        QTest::newRow("metric names") << g << QStringLiteral("/api/v1/label/__name__/values") << QByteArray();
        QTest::newRow("label values match") << g << QStringLiteral("/api/v1/label/instance/values?match[]=") + QString::fromUtf8(q(QStringLiteral("up{job=\"db\"}"))) << QByteArray();
        QTest::newRow("label values none") << g << QStringLiteral("/api/v1/label/nothing/values") << QByteArray();
        QTest::newRow("label values bad name") << g << QStringLiteral("/api/v1/label/1x/values") << QByteArray();
        QTest::newRow("metadata") << g << QStringLiteral("/api/v1/metadata") << QByteArray();
        QTest::newRow("metadata bad limit") << g << QStringLiteral("/api/v1/metadata?limit=x") << QByteArray();
        QTest::newRow("exemplars") << g << QStringLiteral("/api/v1/query_exemplars?query=up&start=%1&end=%2").arg(kT0).arg(kT0 + 60) << QByteArray();
        QTest::newRow("buildinfo") << g << QStringLiteral("/api/v1/status/buildinfo") << QByteArray();
        QTest::newRow("ready") << g << QStringLiteral("/-/ready") << QByteArray();
    }

    void metadataEndpoints()
    {
        QFETCH(QByteArray, method);
        QFETCH(QString, target);
        QFETCH(QByteArray, form);
        const QString d = compare(method, target.toUtf8(), form);
        QVERIFY2(d.isEmpty(), qPrintable(d));
    }
};

QTEST_GUILESS_MAIN(TestPrometheusCompat)
#include "tst_prometheus_compat.moc"
