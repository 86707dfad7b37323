#pragma once

// Traces from compact text, and big synthetic traces, for the trace viewer
// tests and benchmark.
//
// Text fixture: one span per line, indentation (2 spaces per level) gives
// the parent; fields: service/name start_ms duration_ms [error] [event@ms]...
// Underscores in names become spaces. Span ids are 1, 2, 3... in line order.
//
//   frontend/GET_/ 0 100
//     cart/get 10 30
//       db/select 15 10 error

#include "core/model/span.h"

#include <QList>
#include <QRegularExpression>
#include <QString>
#include <QStringList>
#include <QtEndian>

namespace spyglass::gui::traces::fixtures {

inline QByteArray idBytes(quint64 v, int size)
{
    QByteArray out(size, '\0');
    qToBigEndian(v, reinterpret_cast<uchar *>(out.data()) + size - 8);
    return out;
}

inline QByteArray traceIdBytes(quint64 v = 0xabc) { return idBytes(v, 16); }
inline QByteArray spanIdBytes(quint64 v) { return idBytes(v, 8); }

inline QList<model::Span> spansFromText(const QString &text, quint64 traceId = 0xabc)
{
    QList<model::Span> spans;
    QList<QByteArray> parents; // span id at each depth
    const model::TimestampNs base = 1'700'000'000'000'000'000;
    quint64 next = 1;
    for (const QString &line : text.split(QLatin1Char('\n'))) {
        if (line.trimmed().isEmpty())
            continue;
        int indent = 0;
        while (indent < line.size() && line[indent] == QLatin1Char(' '))
            ++indent;
        const int depth = indent / 2;
        const QStringList f = line.trimmed().split(QLatin1Char(' '), Qt::SkipEmptyParts);
        model::Span s;
        s.traceId = traceIdBytes(traceId);
        s.spanId = spanIdBytes(next++);
        const QString head = f.value(0);
        const qsizetype slash = head.indexOf(QLatin1Char('/'));
        s.serviceName = head.left(slash);
        s.name = head.mid(slash + 1).replace(QLatin1Char('_'), QLatin1Char(' '));
        s.start = base + model::TimestampNs(f.value(1).toDouble() * 1e6);
        s.end = s.start + model::TimestampNs(f.value(2).toDouble() * 1e6);
        s.kind = depth == 0 ? model::Span::Kind::Server : model::Span::Kind::Internal;
        for (int i = 3; i < f.size(); ++i) {
            if (f[i] == QLatin1String("error")) {
                s.status = model::Span::Status::Error;
                s.statusMessage = QStringLiteral("boom");
            } else if (f[i].startsWith(QLatin1String("event@"))) {
                s.events.push_back({base + model::TimestampNs(f[i].mid(6).toDouble() * 1e6),
                                    QStringLiteral("event"), {{QStringLiteral("k"), QStringLiteral("v")}}});
            }
        }
        s.attributes.push_back({QStringLiteral("fixture.line"), int(next - 1)});
        s.resourceAttributes.push_back({QStringLiteral("service.name"), s.serviceName});
        parents.resize(depth);
        if (depth > 0)
            s.parentSpanId = parents.value(depth - 1);
        parents.push_back(s.spanId);
        spans.push_back(s);
    }
    return spans;
}

// A 4-ary tree of n spans (span i's parent is (i-1)/4), each child in its
// own quarter of the parent's time, 8 services, every 97th span an error,
// every 13th with an event; shuffled so the builder has to sort.
inline QList<model::Span> syntheticTrace(int n)
{
    QList<model::Span> spans(n);
    const model::TimestampNs base = 1'700'000'000'000'000'000;
    static const char *services[] = {"frontend", "cart", "checkout", "payment", "shipping", "db", "cache", "auth"};
    for (int i = 0; i < n; ++i) {
        model::Span &s = spans[i];
        s.traceId = traceIdBytes(0x5eed);
        s.spanId = spanIdBytes(quint64(i) + 1);
        if (i == 0) {
            s.start = base;
            s.end = base + 10'000'000'000; // 10 s
        } else {
            const model::Span &p = spans[(i - 1) / 4];
            s.parentSpanId = p.spanId;
            const model::TimestampNs q = (p.end - p.start) / 4;
            s.start = p.start + q * ((i - 1) % 4) + q / 20;
            s.end = s.start + q * 9 / 10;
        }
        s.serviceName = QString::fromLatin1(services[(i * 7 + i / 5) % 8]);
        s.name = QStringLiteral("operation %1").arg(i % 50);
        s.status = i % 97 == 0 && i > 0 ? model::Span::Status::Error : model::Span::Status::Ok;
        s.attributes.push_back({QStringLiteral("i"), i});
        if (i % 13 == 0)
            s.events.push_back({s.start + (s.end - s.start) / 2, QStringLiteral("tick"), {}});
    }
    // Deterministic shuffle.
    quint64 state = 42;
    for (int i = n - 1; i > 0; --i) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        std::swap(spans[i], spans[int((state >> 33) % quint64(i + 1))]);
    }
    return spans;
}

} // namespace spyglass::gui::traces::fixtures
