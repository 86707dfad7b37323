#pragma once

// Two small hand-built traces the TraceQL tests check answers against.
//
// trace 1 (frontend -> productcatalog), starts at T0:
//   1 frontend  "GET /api/products" server ok     0ms +200  http.method=GET http.status_code=200
//   2 frontend  "HTTP GET"          client unset 10ms +150  (parent 1)
//   3 productcatalog "GetProducts"  server unset 20ms +120  (parent 2) http.status_code=500
//   4 productcatalog "SELECT"       client error 30ms +100  (parent 3) db.system=postgresql,
//        status "db timeout", scope "pg", event "exception" {exception.message=timeout}
//   5 productcatalog "cache.get"    internal unset 25ms +2 (parent 3)
//   6 frontend  "render"            internal unset 180ms +15 (parent 1)
// trace 2 (checkout -> payment), starts at T0+1s:
//   1 checkout "POST /checkout" server error 1000ms +600 http.status_code=503
//   2 payment  "Charge"         server error 1100ms +400 (parent 1), link to trace 1 span 4
//   3 checkout "SELECT"         client ok    1050ms +20  (parent 1) db.system=mysql

#include "core/model/span.h"

#include <QList>

namespace fixture {

using spyglass::model::Span;

constexpr std::int64_t kMs = 1'000'000;
constexpr std::int64_t kT0 = 1'700'000'000'000'000'000LL;

inline QByteArray traceId(int n)
{
    QByteArray b(16, '\0');
    b[0] = char(0x10);
    b[15] = char(n);
    return b;
}

inline QByteArray spanId(int trace, int n)
{
    QByteArray b(8, '\0');
    b[0] = char(0x20 + trace);
    b[7] = char(n);
    return b;
}

inline Span span(int trace, int id, int parent, const char *service, const char *name, Span::Kind kind,
                 Span::Status status, std::int64_t startMs, std::int64_t durMs)
{
    Span s;
    s.traceId = traceId(trace);
    s.spanId = spanId(trace, id);
    if (parent > 0)
        s.parentSpanId = spanId(trace, parent);
    s.serviceName = QString::fromUtf8(service);
    s.name = QString::fromUtf8(name);
    s.kind = kind;
    s.status = status;
    s.start = kT0 + startMs * kMs;
    s.end = s.start + durMs * kMs;
    s.resourceAttributes = {{QStringLiteral("service.name"), s.serviceName}};
    return s;
}

inline QList<Span> trace1()
{
    using K = Span::Kind;
    using S = Span::Status;
    QList<Span> t;
    Span s1 = span(1, 1, 0, "frontend", "GET /api/products", K::Server, S::Ok, 0, 200);
    s1.attributes = {{QStringLiteral("http.method"), QStringLiteral("GET")},
                     {QStringLiteral("http.status_code"), QVariant::fromValue<qlonglong>(200)}};
    s1.resourceAttributes << spyglass::model::Attribute{QStringLiteral("deployment.environment"), QStringLiteral("prod")};
    t << s1;
    t << span(1, 2, 1, "frontend", "HTTP GET", K::Client, S::Unset, 10, 150);
    Span s3 = span(1, 3, 2, "productcatalog", "GetProducts", K::Server, S::Unset, 20, 120);
    s3.attributes = {{QStringLiteral("http.status_code"), QVariant::fromValue<qlonglong>(500)}};
    t << s3;
    Span s4 = span(1, 4, 3, "productcatalog", "SELECT", K::Client, S::Error, 30, 100);
    s4.attributes = {{QStringLiteral("db.system"), QStringLiteral("postgresql")}};
    s4.statusMessage = QStringLiteral("db timeout");
    s4.scopeName = QStringLiteral("pg");
    s4.events = {{s4.start + 90 * kMs, QStringLiteral("exception"),
                  {{QStringLiteral("exception.message"), QStringLiteral("timeout")}}}};
    t << s4;
    t << span(1, 5, 3, "productcatalog", "cache.get", K::Internal, S::Unset, 25, 2);
    t << span(1, 6, 1, "frontend", "render", K::Internal, S::Unset, 180, 15);
    return t;
}

inline QList<Span> trace2()
{
    using K = Span::Kind;
    using S = Span::Status;
    QList<Span> t;
    Span s1 = span(2, 1, 0, "checkout", "POST /checkout", K::Server, S::Error, 1000, 600);
    s1.attributes = {{QStringLiteral("http.status_code"), QVariant::fromValue<qlonglong>(503)}};
    t << s1;
    Span s2 = span(2, 2, 1, "payment", "Charge", K::Server, S::Error, 1100, 400);
    s2.links = {{traceId(1), spanId(1, 4), {}}};
    t << s2;
    Span s3 = span(2, 3, 1, "checkout", "SELECT", K::Client, S::Ok, 1050, 20);
    s3.attributes = {{QStringLiteral("db.system"), QStringLiteral("mysql")}};
    t << s3;
    return t;
}

} // namespace fixture
