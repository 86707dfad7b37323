#pragma once

// The data set the Prometheus plugin tests load into a real Prometheus:
// 2 hours at 15 s spacing from 2023-11-14T22:00:00Z (2 h aligned, as
// promtool cuts blocks). The same samples are available as model::Series so
// the embedded engine can be fed identical data.

#include "core/model/labels.h"
#include "core/model/sample.h"

#include <QByteArray>
#include <QList>
#include <cmath>
#include <limits>

namespace spyglass::test::fixture {

constexpr std::int64_t kStartS = 1699999200;
constexpr int kPoints = 480;
constexpr int kSpacingS = 15;
constexpr std::int64_t kStartMs = kStartS * 1000;

inline double counter200(int i) { return 1000 + 3.0 * i; }                               // 0.2/s
inline double counter500(int i) { return i < 240 ? 50 + 7.0 * i : 7.0 * (i - 240); } // resets at i=240
inline double temperature(int i) { return 40.1 + 0.01 * i; } // not exact in binary: checks exact transport
inline const char *const kLes[] = {"0.1", "0.5", "1", "+Inf"};
inline const int kPerLe[] = {2, 5, 8, 10};

// offsetMs shifts every sample off the minute grid. Prometheus 2.x range
// windows include their left edge, 3.x (and our engine) exclude it; with
// samples off the grid that queries evaluate on, no sample ever sits on a
// window edge and both semantics agree.
inline model::TimestampMs tsMs(int i, std::int64_t offsetMs = 0)
{
    return kStartMs + offsetMs + std::int64_t(i) * kSpacingS * 1000;
}

inline QList<model::Series> series(std::int64_t offsetMs = 0)
{
    using model::Labels;
    auto make = [offsetMs](Labels l, auto f) {
        model::Series s{std::move(l), {}};
        for (int i = 0; i < kPoints; ++i)
            s.samples.push_back({tsMs(i, offsetMs), f(i)});
        return s;
    };
    const QString name = QStringLiteral("__name__");
    QList<model::Series> out;
    out << make(Labels{{name, QStringLiteral("http_requests_total")}, {QStringLiteral("job"), QStringLiteral("api")},
                       {QStringLiteral("instance"), QStringLiteral("a:80")}, {QStringLiteral("code"), QStringLiteral("200")}},
                counter200);
    out << make(Labels{{name, QStringLiteral("http_requests_total")}, {QStringLiteral("job"), QStringLiteral("api")},
                       {QStringLiteral("instance"), QStringLiteral("b:80")}, {QStringLiteral("code"), QStringLiteral("500")}},
                counter500);
    out << make(Labels{{name, QStringLiteral("node_temperature_celsius")}, {QStringLiteral("instance"), QStringLiteral("a:80")},
                       {QStringLiteral("sensor"), QStringLiteral("cpu \"0\"")}},
                temperature);
    for (int b = 0; b < 4; ++b)
        out << make(Labels{{name, QStringLiteral("request_duration_seconds_bucket")}, {QStringLiteral("job"), QStringLiteral("api")},
                           {QStringLiteral("le"), QString::fromLatin1(kLes[b])}},
                    [b](int i) { return double(kPerLe[b] * i); });
    out << make(Labels{{name, QStringLiteral("request_duration_seconds_count")}, {QStringLiteral("job"), QStringLiteral("api")}},
                [](int i) { return 10.0 * i; });
    out << make(Labels{{name, QStringLiteral("request_duration_seconds_sum")}, {QStringLiteral("job"), QStringLiteral("api")}},
                [](int i) { return 0.37 * i; });
    out << make(Labels{{name, QStringLiteral("special_gauge")}, {QStringLiteral("kind"), QStringLiteral("inf")}},
                [](int) { return std::numeric_limits<double>::infinity(); });
    out << make(Labels{{name, QStringLiteral("special_gauge")}, {QStringLiteral("kind"), QStringLiteral("nan")}},
                [](int) { return std::numeric_limits<double>::quiet_NaN(); });
    return out;
}

inline QByteArray num(double v)
{
    if (std::isnan(v))
        return "NaN";
    if (std::isinf(v))
        return v > 0 ? "+Inf" : "-Inf";
    return QByteArray::number(v, 'g', 17);
}

// The same data as OpenMetrics text promtool accepts: families with TYPE
// lines, each series' points together, a histogram's buckets/_count/_sum of
// one timestamp together (one MetricPoint), "# EOF" at the end.
inline QByteArray openMetrics(std::int64_t offsetMs = 0)
{
    QByteArray om;
    // An explicit return type: with QT_USE_QSTRINGBUILDER an `auto` lambda
    // would return a builder referring to destroyed temporaries.
    auto ts = [offsetMs](int i) -> QByteArray {
        const std::int64_t ms = tsMs(i, offsetMs);
        return QByteArray::number(ms / 1000) + '.' + QByteArray::number(ms % 1000).rightJustified(3, '0');
    };
    om += "# HELP http_requests Requests served.\n# TYPE http_requests counter\n";
    for (int i = 0; i < kPoints; ++i)
        om += "http_requests_total{job=\"api\",instance=\"a:80\",code=\"200\"} " + num(counter200(i)) + ' ' + ts(i) + '\n';
    for (int i = 0; i < kPoints; ++i)
        om += "http_requests_total{job=\"api\",instance=\"b:80\",code=\"500\"} " + num(counter500(i)) + ' ' + ts(i) + '\n';
    om += "# HELP node_temperature_celsius Temperature.\n# TYPE node_temperature_celsius gauge\n";
    for (int i = 0; i < kPoints; ++i)
        om += "node_temperature_celsius{instance=\"a:80\",sensor=\"cpu \\\"0\\\"\"} " + num(temperature(i)) + ' ' + ts(i) + '\n';
    om += "# HELP request_duration_seconds Latency.\n# TYPE request_duration_seconds histogram\n";
    for (int i = 0; i < kPoints; ++i) {
        for (int b = 0; b < 4; ++b)
            om += QByteArray("request_duration_seconds_bucket{job=\"api\",le=\"") + kLes[b] + "\"} "
                + QByteArray::number(kPerLe[b] * i) + ' ' + ts(i) + '\n';
        om += "request_duration_seconds_count{job=\"api\"} " + QByteArray::number(10 * i) + ' ' + ts(i) + '\n';
        om += "request_duration_seconds_sum{job=\"api\"} " + num(0.37 * i) + ' ' + ts(i) + '\n';
    }
    om += "# HELP special_gauge Odd values.\n# TYPE special_gauge gauge\n";
    for (int i = 0; i < kPoints; ++i)
        om += "special_gauge{kind=\"inf\"} +Inf " + ts(i) + '\n';
    for (int i = 0; i < kPoints; ++i)
        om += "special_gauge{kind=\"nan\"} NaN " + ts(i) + '\n';
    om += "# EOF\n";
    return om;
}

} // namespace spyglass::test::fixture
