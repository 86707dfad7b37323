#pragma once

// Realistic frames and panel JSON for each panel type, shared by the panel
// tests and the gallery (docs/panels-gallery.png).

#include "core/model/frame.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <cmath>

namespace spyglass::test {

inline constexpr model::TimestampMs kFrom = 1'700'000'000'000;
inline constexpr model::TimestampMs kTo = kFrom + 3'600'000;

inline QJsonObject json(const char *text) { return QJsonDocument::fromJson(QByteArray(text)).object(); }

inline QString s(const char *t) { return QString::fromUtf8(t); }

inline model::Frame seriesFrame(const QString &name, model::Labels labels, int points, double base, double amp, double phase,
                                model::TimestampMs step = 15'000)
{
    QList<std::int64_t> t;
    QList<double> v;
    for (int i = 0; i < points; ++i) {
        t << kFrom + i * step;
        v << base + amp * std::sin(i / 18.0 + phase) + amp * 0.3 * std::sin(i / 3.0 + phase * 2);
    }
    model::Frame f(name, model::FrameKind::TimeSeries);
    f.meta().custom.insert(QStringLiteral("refId"), QStringLiteral("A"));
    f.addField(model::Field::time(QStringLiteral("Time"), t));
    f.addField(model::Field::float64(QStringLiteral("Value"), v, std::move(labels)));
    return f;
}

inline model::Frames requestRates()
{
    return {seriesFrame(s("checkout"), model::Labels{{s("service"), s("checkout")}}, 240, 42, 12, 0),
            seriesFrame(s("cart"), model::Labels{{s("service"), s("cart")}}, 240, 27, 8, 1.3),
            seriesFrame(s("payments"), model::Labels{{s("service"), s("payments")}}, 240, 12, 4, 2.1)};
}

inline model::Frame latencyTable()
{
    model::Frame f(s("A"), model::FrameKind::Table);
    f.addField(model::Field::string(s("endpoint"), {s("/api/cart"), s("/api/checkout"), s("/api/products"), s("/api/payments"), s("/health")}));
    f.addField(model::Field::string(s("method"), {s("GET"), s("POST"), s("GET"), s("POST"), s("GET")}));
    f.addField(model::Field::int64(s("status"), {200, 500, 200, 200, 200}));
    f.addField(model::Field::float64(s("p99"), {120.5, 1840, 64.2, 512, 2.1}));
    f.addField(model::Field::float64(s("errors"), {0.4, 12.5, 0, 2.2, 0}));
    return f;
}

inline model::Frame logsFrame()
{
    model::Frame f(s("logs"), model::FrameKind::Logs);
    QList<std::int64_t> t, ns;
    QStringList lines;
    QList<model::Labels> labels;
    const char *msgs[] = {"level=info msg=\"GET /api/cart 200\" duration=12ms", "level=warn msg=\"slow query\" table=orders duration=840ms",
                          "level=error msg=\"payment declined\" code=402 trace_id=4bf92f3577b34da6", "level=info msg=\"POST /api/checkout 201\" duration=95ms",
                          "level=debug msg=\"cache hit\" key=product:42"};
    for (int i = 0; i < 12; ++i) {
        t << kTo - i * 20'000;
        ns << (kTo - i * 20'000) * 1'000'000;
        lines << QString::fromUtf8(msgs[i % 5]);
        labels << model::Labels{{s("service"), i % 2 ? s("checkout") : s("cart")}};
    }
    f.addField(model::Field::time(s("Time"), t));
    f.addField(model::Field::string(s("Line"), lines));
    f.addField(model::Field::labels(s("labels"), labels));
    f.addField(model::Field::int64(s("tsNs"), ns));
    return f;
}

// Prometheus histogram buckets (cumulative), one series per `le`.
inline model::Frames bucketSeries()
{
    model::Frames out;
    const char *les[] = {"0.05", "0.1", "0.25", "0.5", "1", "+Inf"};
    for (int b = 0; b < 6; ++b) {
        QList<std::int64_t> t;
        QList<double> v;
        for (int i = 0; i < 60; ++i) {
            t << kFrom + i * 60'000;
            double cum = 0;
            for (int k = 0; k <= b; ++k)
                cum += 20 * std::exp(-std::pow(k - 2 - std::sin(i / 9.0), 2) / 1.5);
            v << cum;
        }
        model::Frame f(QString::fromUtf8(les[b]), model::FrameKind::TimeSeries);
        f.addField(model::Field::time(s("Time"), t));
        f.addField(model::Field::float64(s("Value"), v, model::Labels{{s("le"), QString::fromUtf8(les[b])}}));
        out << f;
    }
    return out;
}

inline model::Frame upDownSeries(const QString &name, int phase)
{
    QList<std::int64_t> t;
    QList<double> v;
    for (int i = 0; i < 60; ++i) {
        t << kFrom + i * 60'000;
        v << (((i + phase) / 7) % 4 == 3 ? 0.0 : 1.0);
    }
    model::Frame f(name, model::FrameKind::TimeSeries);
    f.addField(model::Field::time(s("Time"), t));
    f.addField(model::Field::float64(s("Value"), v));
    return f;
}

inline model::Frame latencySamples()
{
    QList<double> v;
    for (int i = 0; i < 500; ++i) // deterministic, roughly log-normal
        v << 40 + 25 * std::sin(i * 12.9898) * std::sin(i * 78.233) + 30 * std::pow(std::abs(std::sin(i * 0.37)), 3);
    model::Frame f(s("latency"), model::FrameKind::Table);
    model::Field d = model::Field::float64(s("duration"), v);
    d.setUnit(s("ms"));
    f.addField(d);
    return f;
}

inline model::Frame spansFrame()
{
    model::Frame f(s("trace"), model::FrameKind::Spans);
    const QString trace = s("4bf92f3577b34da6a3ce929d0e0e4736");
    f.addField(model::Field::string(s("traceID"), {trace, trace, trace, trace}));
    f.addField(model::Field::string(s("spanID"), {s("00f067aa0ba902b7"), s("00f067aa0ba902b8"), s("00f067aa0ba902b9"), s("00f067aa0ba902ba")}));
    f.addField(model::Field::string(s("parentSpanID"), {QString(), s("00f067aa0ba902b7"), s("00f067aa0ba902b8"), s("00f067aa0ba902b7")}));
    f.addField(model::Field::string(s("operationName"), {s("POST /api/checkout"), s("charge card"), s("INSERT orders"), s("send email")}));
    f.addField(model::Field::string(s("serviceName"), {s("checkout"), s("payments"), s("postgres"), s("mailer")}));
    f.addField(model::Field::string(s("kind"), {s("server"), s("client"), s("client"), s("producer")}));
    f.addField(model::Field::string(s("statusCode"), {s("ok"), s("error"), s("unset"), s("unset")}));
    f.addField(model::Field::string(s("statusMessage"), {QString(), s("card declined"), QString(), QString()}));
    const double start = double(kFrom);
    f.addField(model::Field::float64(s("startTime"), {start, start + 5, start + 30, start + 80}));
    f.addField(model::Field::float64(s("duration"), {120, 60, 20, 15}));
    f.addField(model::Field::string(s("tags"), {s("[{\"key\":\"http.method\",\"value\":\"POST\"}]"), s("[]"), s("[]"), s("[]")}));
    return f;
}

inline model::Frame profileFrame()
{
    // total 100 = main 100 -> (handle 70 -> (parse 30, db 25; self 15), gc 20; self 10)
    model::Frame f(s("profile"), model::FrameKind::ProfileTree);
    f.addField(model::Field::int64(s("level"), {0, 1, 2, 3, 3, 2}));
    model::Field v = model::Field::int64(s("value"), {100, 100, 70, 30, 25, 20});
    v.setUnit(s("ns"));
    f.addField(v);
    f.addField(model::Field::int64(s("self"), {0, 10, 15, 30, 25, 20}));
    f.addField(model::Field::string(s("label"), {s("total"), s("main"), s("handle"), s("parse"), s("db"), s("gc")}));
    return f;
}

inline model::Frames serviceGraph()
{
    model::Frame nodes(s("nodes"), model::FrameKind::Table);
    nodes.addField(model::Field::string(s("id"), {s("frontend"), s("checkout"), s("cart"), s("payments"), s("postgres")}));
    nodes.addField(model::Field::string(s("title"), {s("frontend"), s("checkout"), s("cart"), s("payments"), s("postgres")}));
    model::Field main = model::Field::float64(s("mainstat"), {120, 41, 77, 40, 160});
    main.setUnit(s("ms"));
    nodes.addField(main);
    nodes.addField(model::Field::float64(s("arc__failed"), {0, 0.02, 0, 0.3, 0}));
    model::Frame edges(s("edges"), model::FrameKind::Table);
    edges.addField(model::Field::string(s("id"), {s("1"), s("2"), s("3"), s("4"), s("5")}));
    edges.addField(model::Field::string(s("source"), {s("frontend"), s("frontend"), s("checkout"), s("checkout"), s("cart")}));
    edges.addField(model::Field::string(s("target"), {s("checkout"), s("cart"), s("payments"), s("postgres"), s("postgres")}));
    model::Field rate = model::Field::float64(s("mainstat"), {12.5, 30.1, 12.4, 11.9, 28.7});
    rate.setUnit(s("reqps"));
    edges.addField(rate);
    return {nodes, edges};
}

} // namespace spyglass::test
