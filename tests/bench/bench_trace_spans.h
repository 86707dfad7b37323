#pragma once

// Synthetic traces for the TraceQL and span-ingest benchmarks: each trace
// is 10 spans over 6 services (frontend -> cart/checkout -> db/cache/
// payment), with http.status_code on every span (~2% >= 500, errors
// then), durations spread over 1 ms .. 2 s so `duration > 100ms` keeps
// about a fifth, and one trace per 10 ms of simulated time.

#include "core/model/span.h"

#include <QList>
#include <QtEndian>
#include <cmath>
#include <random>

namespace spyglass::bench {

inline QByteArray benchId(quint64 hi, quint64 lo, int size)
{
    QByteArray out(size, '\0');
    if (size == 16)
        qToBigEndian(hi, reinterpret_cast<uchar *>(out.data()));
    qToBigEndian(lo, reinterpret_cast<uchar *>(out.data()) + size - 8);
    return out;
}

inline const QStringList &benchServices()
{
    static const QStringList s = {QStringLiteral("frontend"), QStringLiteral("cart"), QStringLiteral("checkout"),
                                  QStringLiteral("db"), QStringLiteral("cache"), QStringLiteral("payment")};
    return s;
}

// Trace number `t` (0-based): the same spans for the same t.
inline QList<model::Span> benchTrace(quint64 t, model::TimestampNs base = 1'700'000'000'000'000'000)
{
    std::mt19937_64 rng(t * 7919 + 1);
    std::uniform_real_distribution<double> u(0, 1);
    // service of span i and its parent index (-1 root)
    static const int service[10] = {0, 1, 3, 4, 2, 5, 3, 1, 3, 4};
    static const int parent[10] = {-1, 0, 1, 1, 0, 4, 4, 0, 7, 7};
    static const char *names[10] = {"GET /api/checkout", "GetCart", "SELECT cart", "GET cart:item",
                                    "PlaceOrder", "Charge", "INSERT order", "UpdateCart", "UPDATE cart",
                                    "DEL cart:item"};
    QList<model::Span> out;
    out.reserve(10);
    const model::TimestampNs start = base + model::TimestampNs(t) * 10'000'000;
    // Root duration: log-uniform 5 ms .. 2 s.
    const double rootMs = 5.0 * std::pow(400.0, u(rng));
    const bool failing = u(rng) < 0.02;
    for (int i = 0; i < 10; ++i) {
        model::Span s;
        s.traceId = benchId(0x5157, t + 1, 16);
        s.spanId = benchId(0, (t + 1) * 16 + quint64(i), 8);
        if (parent[i] >= 0)
            s.parentSpanId = out[parent[i]].spanId;
        s.name = QString::fromLatin1(names[i]);
        s.serviceName = benchServices()[service[i]];
        s.kind = i == 0 ? model::Span::Kind::Server
                        : (service[i] == service[std::max(0, parent[i])] ? model::Span::Kind::Internal
                                                                          : model::Span::Kind::Server);
        const double frac = i == 0 ? 1.0 : 0.1 + 0.3 * u(rng);
        const double offset = i == 0 ? 0.0 : 0.5 * u(rng);
        s.start = start + model::TimestampNs(offset * rootMs * 1e6);
        s.end = s.start + model::TimestampNs(frac * rootMs * 1e6);
        const bool err = failing && (i == 0 || i == 4 || i == 5);
        const int code = err ? 500 + int(u(rng) * 4) : (u(rng) < 0.05 ? 404 : 200);
        s.status = err ? model::Span::Status::Error : model::Span::Status::Unset;
        s.attributes = {{QStringLiteral("http.status_code"), code},
                        {QStringLiteral("http.method"), QStringLiteral("GET")},
                        {QStringLiteral("net.peer.port"), 8080 + service[i]}};
        s.resourceAttributes = {{QStringLiteral("service.name"), s.serviceName},
                                {QStringLiteral("host.name"), QStringLiteral("node-%1").arg(t % 8)}};
        s.scopeName = QStringLiteral("bench");
        out.push_back(std::move(s));
    }
    return out;
}

} // namespace spyglass::bench
