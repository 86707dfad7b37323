#include "core/formats/folded_reader.h"

#include <QFile>
#include <QHash>

#include <algorithm>
#include <limits>

namespace spyglass::formats {

Result<model::Profile> FoldedReader::readFile(const QString &path, const FoldedReadOptions &options)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return fail(Error::io(QStringLiteral("cannot open %1: %2").arg(path, f.errorString())));
    return parse(f.readAll(), path, options);
}

Result<model::Profile> FoldedReader::parse(QByteArrayView text, const QString &source,
                                           const FoldedReadOptions &options)
{
    model::Profile prof;
    prof.typeId = options.typeId;
    prof.labels = options.labels;
    prof.time = options.time;
    prof.durationNs = options.durationNs;
    QHash<QString, std::uint32_t> nameIndex;
    QHash<QList<std::uint32_t>, qsizetype> stackIndex;

    int lineNo = 0;
    qsizetype pos = 0;
    QList<std::uint32_t> frames;
    while (pos < text.size()) {
        qsizetype eol = text.indexOf('\n', pos);
        if (eol < 0)
            eol = text.size();
        QByteArrayView line = text.sliced(pos, eol - pos);
        pos = eol + 1;
        ++lineNo;
        if (line.endsWith('\r'))
            line.chop(1);
        if (line.trimmed().isEmpty())
            continue;

        QByteArrayView stackText = line;
        std::int64_t value = 1;
        if (!options.linesFormat) {
            const qsizetype sp = line.lastIndexOf(' ');
            if (sp < 0)
                return fail(Error::at(source, lineNo, int(line.size()) + 1,
                                      QStringLiteral("expected a space and a sample count after the stack")));
            const QByteArrayView num = line.sliced(sp + 1);
            bool ok = !num.isEmpty();
            std::uint64_t v = 0;
            for (char c : num) {
                if (c < '0' || c > '9') {
                    ok = false;
                    break;
                }
                const std::uint64_t next = v * 10 + std::uint64_t(c - '0');
                if (next / 10 != v) {
                    ok = false;
                    break;
                }
                v = next;
            }
            if (!ok || v > std::uint64_t(std::numeric_limits<std::int64_t>::max()) / std::uint64_t(std::max<std::int64_t>(1, options.valueMultiplier)))
                return fail(Error::at(source, lineNo, int(sp) + 2,
                                      QStringLiteral("expected a non-negative integer sample count, got \"%1\"")
                                          .arg(QString::fromUtf8(num.first(std::min<qsizetype>(num.size(), 40))))));
            value = std::int64_t(v);
            stackText = line.first(sp);
            while (stackText.endsWith(' '))
                stackText.chop(1);
        }
        value *= options.valueMultiplier;
        if (stackText.isEmpty())
            return fail(Error::at(source, lineNo, 1, QStringLiteral("expected a stack before the sample count")));

        frames.clear();
        qsizetype start = 0;
        while (true) {
            qsizetype semi = stackText.indexOf(';', start);
            const qsizetype end = semi < 0 ? stackText.size() : semi;
            const QString name = QString::fromUtf8(stackText.sliced(start, end - start));
            if (name.isEmpty())
                return fail(Error::at(source, lineNo, int(start) + 1,
                                      QStringLiteral("empty frame name in the stack")));
            auto it = nameIndex.constFind(name);
            std::uint32_t idx;
            if (it == nameIndex.cend()) {
                idx = std::uint32_t(prof.functionNames.size());
                prof.functionNames.append(name);
                nameIndex.insert(name, idx);
            } else {
                idx = *it;
            }
            frames.append(idx);
            if (semi < 0)
                break;
            start = semi + 1;
        }
        std::reverse(frames.begin(), frames.end()); // model stacks are leaf first
        if (value == 0)
            continue;
        auto it = stackIndex.constFind(frames);
        if (it == stackIndex.cend()) {
            stackIndex.insert(frames, prof.stacks.size());
            prof.stacks.append(model::Profile::Stack{frames, value, {}});
        } else {
            prof.stacks[*it].value += value;
        }
    }
    return prof;
}

QByteArray FoldedReader::write(const model::Profile &profile)
{
    QList<QByteArray> lines;
    QHash<QByteArray, std::int64_t> sums;
    for (const auto &s : profile.stacks) {
        QByteArray key;
        for (qsizetype i = s.functions.size() - 1; i >= 0; --i) {
            key += profile.functionNames.value(s.functions[i]).toUtf8();
            if (i)
                key += ';';
        }
        sums[key] += s.value;
    }
    for (auto it = sums.cbegin(); it != sums.cend(); ++it)
        lines.append(it.key() + ' ' + QByteArray::number(it.value()));
    std::sort(lines.begin(), lines.end());
    QByteArray out;
    for (const auto &l : lines)
        out += l + '\n';
    return out;
}

} // namespace spyglass::formats
