#include "core/formats/cpuprofile_reader.h"

#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

namespace spyglass::formats {

Result<QList<model::Profile>> CpuprofileReader::readFile(const QString &path,
                                                         const CpuprofileReadOptions &options)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return fail(Error::io(QStringLiteral("cannot open %1: %2").arg(path, f.errorString())));
    return parse(f.readAll(), path, options);
}

Result<QList<model::Profile>> CpuprofileReader::parse(const QByteArray &json, const QString &source,
                                                      const CpuprofileReadOptions &options)
{
    auto bad = [&](const QString &msg) {
        Error e = Error::badData(source + QStringLiteral(": ") + msg);
        e.source = source;
        return fail(e);
    };
    QJsonParseError perr;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &perr);
    if (perr.error != QJsonParseError::NoError) {
        // Report line and column of the byte offset QJsonDocument gives.
        const QByteArray upto = json.left(perr.offset);
        const int line = int(upto.count('\n')) + 1;
        const int col = int(perr.offset - (upto.lastIndexOf('\n') + 1)) + 1;
        return fail(Error::at(source, line, col, QStringLiteral("invalid JSON: ") + perr.errorString()));
    }
    const QJsonObject root = doc.object();
    if (!root.value(u"nodes").isArray() || !root.value(u"samples").isArray())
        return bad(QStringLiteral("not a V8 .cpuprofile (expected \"nodes\" and \"samples\" arrays)"));

    struct Node
    {
        qint64 parent = 0;
        std::uint32_t function = 0;
        bool isRoot = false;
    };
    QHash<qint64, Node> nodes;
    QHash<QString, std::uint32_t> nameIndex;
    model::Profile counts;
    counts.typeId = QStringLiteral("process_cpu:samples:count:cpu:nanoseconds");
    const QJsonArray nodeArray = root.value(u"nodes").toArray();
    for (qsizetype i = 0; i < nodeArray.size(); ++i) {
        const QJsonObject n = nodeArray[i].toObject();
        if (!n.value(u"id").isDouble())
            return bad(QStringLiteral("node %1 has no numeric id").arg(i + 1));
        const qint64 id = n.value(u"id").toInteger();
        const QJsonObject cf = n.value(u"callFrame").toObject();
        QString name = cf.value(u"functionName").toString();
        if (name.isEmpty()) {
            QString url = cf.value(u"url").toString();
            url = url.mid(url.lastIndexOf(QLatin1Char('/')) + 1);
            name = QStringLiteral("(anonymous) %1:%2").arg(url).arg(cf.value(u"lineNumber").toInt() + 1);
        }
        Node &node = nodes[id];
        node.isRoot = name == u"(root)";
        auto it = nameIndex.constFind(name);
        if (it == nameIndex.cend()) {
            node.function = std::uint32_t(counts.functionNames.size());
            counts.functionNames.append(name);
            nameIndex.insert(name, node.function);
        } else {
            node.function = *it;
        }
        for (const auto &c : n.value(u"children").toArray())
            nodes[c.toInteger()].parent = id;
    }

    const QJsonArray samples = root.value(u"samples").toArray();
    const QJsonArray deltas = root.value(u"timeDeltas").toArray();
    if (!deltas.isEmpty() && deltas.size() != samples.size())
        return bad(QStringLiteral("%1 samples but %2 time deltas").arg(samples.size()).arg(deltas.size()));
    const qint64 start = root.value(u"startTime").toInteger();
    const qint64 end = root.value(u"endTime").toInteger();

    // Sample i lasts until sample i+1; the last one until endTime.
    QList<qint64> stamps(samples.size());
    qint64 t = start;
    for (qsizetype i = 0; i < samples.size(); ++i) {
        t += deltas.isEmpty() ? 0 : deltas[i].toInteger();
        stamps[i] = t;
    }

    model::Profile times;
    times.typeId = QStringLiteral("process_cpu:cpu:nanoseconds:cpu:nanoseconds");
    QHash<qint64, qsizetype> stackOfNode;
    for (qsizetype i = 0; i < samples.size(); ++i) {
        const qint64 id = samples[i].toInteger();
        auto found = nodes.constFind(id);
        if (found == nodes.cend())
            return bad(QStringLiteral("sample %1 refers to node %2, which does not exist").arg(i + 1).arg(id));
        const qint64 next = i + 1 < samples.size() ? stamps[i + 1] : std::max(end, stamps[i]);
        const std::int64_t ns = std::max<qint64>(0, next - stamps[i]) * 1000;
        auto sit = stackOfNode.constFind(id);
        if (sit == stackOfNode.cend()) {
            QList<std::uint32_t> frames;
            qint64 cur = id;
            int guard = 0;
            while (cur != 0) {
                auto n = nodes.constFind(cur);
                if (n == nodes.cend())
                    return bad(QStringLiteral("node %1 has a parent that does not exist").arg(cur));
                if (++guard > nodes.size())
                    return bad(QStringLiteral("the node tree has a cycle through node %1").arg(cur));
                if (!n->isRoot)
                    frames.append(n->function);
                cur = n->parent;
            }
            sit = stackOfNode.insert(id, counts.stacks.size());
            counts.stacks.append(model::Profile::Stack{frames, 0, {}});
            times.stacks.append(model::Profile::Stack{frames, 0, {}});
        }
        counts.stacks[*sit].value += 1;
        times.stacks[*sit].value += ns;
    }
    for (auto *p : {&counts, &times}) {
        p->labels = options.labels;
        p->time = options.time;
        p->durationNs = (end - start) * 1000;
    }
    times.functionNames = counts.functionNames;
    return QList<model::Profile>{counts, times};
}

} // namespace spyglass::formats
