#pragma once

// A realistic 10,000-span trace for screenshots: an order export that
// renders 1,000 orders in 8 parallel workers, each order calling cart,
// cache, db, pricing and inventory (10 spans per order); every 137th stock
// check fails.

#include "trace_fixtures.h"

namespace spyglass::gui::traces::fixtures {

inline QList<model::Span> exportTrace(int orders = 1000, quint64 traceId = 0xe4901, int failEvery = 137,
                                      double slowFactor = 1.0)
{
    QList<model::Span> out;
    const model::TimestampNs base = 1'732'500'000'000'000'000;
    quint64 next = 1;
    const auto add = [&](const QByteArray &parent, const char *service, const QString &name, double startMs,
                         double durMs, model::Span::Kind kind = model::Span::Kind::Internal) -> model::Span & {
        model::Span s;
        s.traceId = traceIdBytes(traceId);
        s.spanId = spanIdBytes(next++);
        s.parentSpanId = parent;
        s.serviceName = QString::fromLatin1(service);
        s.name = name;
        s.kind = kind;
        s.start = base + model::TimestampNs(startMs * 1e6);
        s.end = s.start + model::TimestampNs(durMs * 1e6);
        s.resourceAttributes = {{QStringLiteral("service.name"), s.serviceName},
                                {QStringLiteral("service.version"), QStringLiteral("1.4.2")},
                                {QStringLiteral("host.name"), QStringLiteral("node-%1").arg(next % 3)}};
        s.scopeName = QStringLiteral("io.opentelemetry.auto");
        out.push_back(s);
        return out.last();
    };
    const int workers = 8;
    const double perOrder = 30.0 * slowFactor;
    const double total = 40 + (orders + workers - 1) / workers * perOrder + 25;
    model::Span &root = add({}, "frontend", QStringLiteral("GET /api/orders/export"), 0, total, model::Span::Kind::Server);
    root.attributes = {{QStringLiteral("http.method"), QStringLiteral("GET")},
                       {QStringLiteral("http.target"), QStringLiteral("/api/orders/export?month=2024-11")},
                       {QStringLiteral("http.status_code"), 200}};
    const QByteArray rootId = root.spanId;
    add(rootId, "auth", QStringLiteral("VerifyToken"), 2, 6, model::Span::Kind::Server)
        .attributes = {{QStringLiteral("auth.method"), QStringLiteral("jwt")}};
    model::Span &list = add(rootId, "orders", QStringLiteral("ListOrders"), 10, total - 20, model::Span::Kind::Server);
    const QByteArray listId = list.spanId;
    add(listId, "db", QStringLiteral("SELECT orders"), 12, 24, model::Span::Kind::Client).attributes = {
        {QStringLiteral("db.system"), QStringLiteral("postgresql")},
        {QStringLiteral("db.statement"), QStringLiteral("SELECT id, customer FROM orders WHERE month = $1")}};
    for (int o = 0; o < orders; ++o) {
        const double t = 40 + (o / workers) * perOrder + (o % workers) * 0.4;
        model::Span &render = add(listId, "orders", QStringLiteral("RenderOrder"), t, perOrder - 2);
        render.attributes = {{QStringLiteral("order.id"), 100'000 + o}};
        const QByteArray r = render.spanId;
        const QByteArray cart = add(r, "cart", QStringLiteral("GetCart"), t + 0.5, 7 * slowFactor, model::Span::Kind::Server).spanId;
        add(cart, "cache", QStringLiteral("GET cart"), t + 0.8, 1.2, model::Span::Kind::Client);
        add(cart, "db", QStringLiteral("SELECT cart_items"), t + 2.2, 4.5 * slowFactor, model::Span::Kind::Client);
        const QByteArray quote = add(r, "pricing", QStringLiteral("Quote"), t + 8, 12, model::Span::Kind::Server).spanId;
        for (int k = 0; k < 3; ++k)
            add(quote, "db", QStringLiteral("SELECT price"), t + 8.5 + k * 3.8, 3.2, model::Span::Kind::Client);
        model::Span &stock = add(r, "inventory", QStringLiteral("CheckStock"), t + 20.5, 6.5 * slowFactor, model::Span::Kind::Server);
        const bool fail = failEvery > 0 && o % failEvery == 136 % failEvery;
        const QByteArray stockId = stock.spanId;
        if (fail) {
            stock.status = model::Span::Status::Error;
            stock.statusMessage = QStringLiteral("stock service timeout after 5 retries");
            stock.events.push_back({stock.start + 3'000'000, QStringLiteral("exception"),
                                    {{QStringLiteral("exception.type"), QStringLiteral("TimeoutError")},
                                     {QStringLiteral("exception.message"), QStringLiteral("deadline exceeded")}}});
        }
        add(stockId, "db", QStringLiteral("SELECT stock"), t + 21, 4.5 * slowFactor, model::Span::Kind::Client);
    }
    return out;
}

} // namespace spyglass::gui::traces::fixtures
