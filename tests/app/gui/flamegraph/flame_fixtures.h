#pragma once

// Compact profile fixtures for the flame-graph tests, like KDAB Hotspot's
// "a;b;c 42" call-tree fixtures: one folded-stacks line per stack.

#include "core/formats/folded_reader.h"
#include "core/model/profile.h"

#include <QTest>

namespace spyglass::test {

inline model::Profile folded(const char *text, const QString &typeId = QStringLiteral("samples:samples:count::"))
{
    formats::FoldedReadOptions options;
    options.typeId = typeId;
    auto p = formats::FoldedReader::parse(QByteArrayView(text), QStringLiteral("fixture"), options);
    if (!p)
        qFatal("bad fixture: %s", qPrintable(p.error().toString()));
    return *p;
}

// A profile with `leaves` x `leaves` distinct stacks of depth 3..7: about
// 53 k frames for leaves = 230, for paint-cost checks and the benchmark.
inline model::Profile wideProfile(int leaves)
{
    model::Profile p;
    p.typeId = QStringLiteral("process_cpu:cpu:nanoseconds:cpu:nanoseconds");
    auto id = [&](const QString &name) {
        p.functionNames.push_back(name);
        return std::uint32_t(p.functionNames.size() - 1);
    };
    const std::uint32_t main = id(QStringLiteral("main.main"));
    QList<std::uint32_t> mids;
    for (int i = 0; i < leaves; ++i)
        mids.push_back(id(QStringLiteral("pkg%1/service.(*Handler).Serve%2").arg(i % 17).arg(i)));
    QList<std::uint32_t> leafIds;
    for (int j = 0; j < leaves; ++j)
        leafIds.push_back(id(QStringLiteral("lib%1.compute%2").arg(j % 11).arg(j)));
    for (int i = 0; i < leaves; ++i) {
        for (int j = 0; j < leaves; ++j) {
            // leaf first; a few stacks deeper so rows differ
            QList<std::uint32_t> stack{leafIds[j]};
            if ((i + j) % 3 == 0)
                stack.push_back(leafIds[(j + 1) % leaves]);
            stack.push_back(mids[i]);
            stack.push_back(main);
            p.stacks.push_back({stack, std::int64_t(1 + (i * 7 + j * 13) % 50) * 1'000'000, {}});
        }
    }
    return p;
}

// A bushy tree: `branching` children per frame down to `depth`, child k of a
// frame weighted 1/(k+1), so many frames are wide enough to draw and label
// (branching 3, depth 10: 88 573 frames, 59 049 stacks).
inline model::Profile bushyProfile(int branching, int depth)
{
    model::Profile p;
    p.typeId = QStringLiteral("process_cpu:cpu:nanoseconds:cpu:nanoseconds");
    for (int d = 0; d < depth; ++d)
        for (int k = 0; k < branching; ++k)
            p.functionNames.push_back(QStringLiteral("github.com/acme/pkg%1.(*Worker%2).processBatchLevel%1")
                                          .arg(d)
                                          .arg(k));
    QList<int> digits(depth, 0);
    while (true) {
        QList<std::uint32_t> stack;
        double weight = 1;
        for (int d = depth - 1; d >= 0; --d) {
            stack.push_back(std::uint32_t(d * branching + digits[d]));
            weight /= digits[d] + 1;
        }
        p.stacks.push_back({stack, std::int64_t(weight * 1e9), {}});
        int d = depth - 1;
        while (d >= 0 && ++digits[d] == branching)
            digits[d--] = 0;
        if (d < 0)
            break;
    }
    return p;
}

} // namespace spyglass::test
