#include "core/formats/perf_script_reader.h"

#include <QFile>
#include <QHash>

#include <optional>
#include <unordered_map>

namespace spyglass::formats {

namespace {

bool isDigits(QByteArrayView s)
{
    if (s.isEmpty())
        return false;
    for (char c : s)
        if (c < '0' || c > '9')
            return false;
    return true;
}

// "4897.532358:" -> seconds as nanoseconds.
std::optional<std::int64_t> parseTime(QByteArrayView tok)
{
    if (!tok.endsWith(':'))
        return std::nullopt;
    tok.chop(1);
    const qsizetype dot = tok.indexOf('.');
    if (dot <= 0 || !isDigits(tok.first(dot)) || !isDigits(tok.sliced(dot + 1)))
        return std::nullopt;
    const std::int64_t sec = tok.first(dot).toLongLong();
    QByteArray frac = tok.sliced(dot + 1).toByteArray().left(9);
    while (frac.size() < 9)
        frac += '0';
    return sec * 1'000'000'000 + frac.toLongLong();
}

QList<QByteArrayView> tokens(QByteArrayView line)
{
    QList<QByteArrayView> out;
    qsizetype i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t'))
            ++i;
        const qsizetype start = i;
        while (i < line.size() && line[i] != ' ' && line[i] != '\t')
            ++i;
        if (i > start)
            out.append(line.sliced(start, i - start));
    }
    return out;
}

struct Header
{
    QString comm;
    std::int64_t timeNs = 0;
    std::optional<std::int64_t> period;
    QString event;
};

std::optional<Header> parseHeader(QByteArrayView line)
{
    const auto toks = tokens(line);
    qsizetype t = -1;
    std::int64_t timeNs = 0;
    for (qsizetype i = 1; i < toks.size(); ++i) {
        if (auto ts = parseTime(toks[i])) {
            t = i;
            timeNs = *ts;
            break;
        }
    }
    if (t < 1)
        return std::nullopt;
    Header h;
    h.timeNs = timeNs;
    // Before the time: comm (may contain spaces), pid[/tid], optional [cpu].
    qsizetype commEnd = t;
    if (commEnd > 1 && toks[commEnd - 1].startsWith('[') && toks[commEnd - 1].endsWith(']'))
        --commEnd;
    if (commEnd > 1) {
        const QByteArrayView pid = toks[commEnd - 1];
        const qsizetype slash = pid.indexOf('/');
        if (isDigits(slash < 0 ? pid : pid.first(slash)))
            --commEnd;
    }
    const char *b = toks[0].data();
    const char *e = toks[commEnd - 1].data() + toks[commEnd - 1].size();
    h.comm = QString::fromUtf8(QByteArrayView(b, e - b));
    qsizetype i = t + 1;
    if (i < toks.size() && isDigits(toks[i])) {
        h.period = toks[i].toLongLong();
        ++i;
    }
    if (i < toks.size()) {
        QByteArrayView ev = toks[i];
        if (ev.endsWith(':'))
            ev.chop(1);
        const qsizetype colon = ev.indexOf(':'); // "cpu-clock:ppp" modifiers
        if (colon > 0)
            ev = ev.first(colon);
        h.event = QString::fromUtf8(ev);
    }
    return h;
}

} // namespace

bool PerfScriptReader::looksLikePerfScript(QByteArrayView head)
{
    qsizetype eol = head.indexOf('\n');
    QByteArrayView first = eol < 0 ? head : head.first(eol);
    if (first.isEmpty() || first[0] == ' ' || first[0] == '\t')
        return false;
    return parseHeader(first).has_value();
}

Result<QList<model::Profile>> PerfScriptReader::readFile(const QString &path,
                                                         const PerfScriptReadOptions &options)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return fail(Error::io(QStringLiteral("cannot open %1: %2").arg(path, f.errorString())));
    return parse(f.readAll(), path, options);
}

Result<QList<model::Profile>> PerfScriptReader::parse(QByteArrayView text, const QString &source,
                                                      const PerfScriptReadOptions &options)
{
    model::Profile counts;
    counts.typeId = QStringLiteral("process_cpu:samples:count:cpu:nanoseconds");
    model::Profile periods;
    QHash<QString, std::uint32_t> nameIndex;
    struct Key
    {
        QList<std::uint32_t> frames;
        QString comm;
        bool operator==(const Key &o) const { return frames == o.frames && comm == o.comm; }
    };
    struct KeyHash
    {
        size_t operator()(const Key &k) const
        {
            return qHashRange(k.frames.begin(), k.frames.end(), qHash(k.comm));
        }
    };
    std::unordered_map<Key, qsizetype, KeyHash> stackIndex;
    QHash<QString, model::Labels> commLabels;

    std::optional<Header> current;
    QList<std::uint32_t> frames;
    bool anyPeriod = false;
    QString periodEvent;
    std::int64_t firstNs = 0, lastNs = 0;
    int samples = 0;

    auto finish = [&]() {
        if (!current)
            return;
        Key key{frames, current->comm};
        auto [it, inserted] = stackIndex.try_emplace(key, counts.stacks.size());
        if (inserted) {
            auto &labels = commLabels[current->comm];
            if (labels.isEmpty())
                labels = model::Labels{{QStringLiteral("comm"), current->comm}};
            counts.stacks.append(model::Profile::Stack{frames, 1, labels});
            periods.stacks.append(model::Profile::Stack{frames, current->period.value_or(0), labels});
        } else {
            counts.stacks[it->second].value += 1;
            periods.stacks[it->second].value += current->period.value_or(0);
        }
        if (samples == 0)
            firstNs = current->timeNs;
        lastNs = current->timeNs;
        ++samples;
        current.reset();
        frames.clear();
    };

    int lineNo = 0;
    qsizetype pos = 0;
    while (pos < text.size()) {
        qsizetype eol = text.indexOf('\n', pos);
        if (eol < 0)
            eol = text.size();
        QByteArrayView line = text.sliced(pos, eol - pos);
        pos = eol + 1;
        ++lineNo;
        if (line.endsWith('\r'))
            line.chop(1);
        if (line.trimmed().isEmpty()) {
            finish();
            continue;
        }
        if (line[0] != ' ' && line[0] != '\t') {
            finish();
            if (line.startsWith('#')) // perf script -F header comments
                continue;
            current = parseHeader(line);
            if (!current)
                return fail(Error::at(source, lineNo, 1,
                                      QStringLiteral("expected a sample header \"comm pid time: [period] "
                                                     "event:\" (perf script output)")));
            if (current->period) {
                if (anyPeriod && current->event != periodEvent)
                    return fail(Error::at(source, lineNo, 1,
                                          QStringLiteral("samples of several events (%1, %2) in one "
                                                         "file; record one event at a time")
                                              .arg(periodEvent, current->event)));
                anyPeriod = true;
                periodEvent = current->event;
            }
            continue;
        }
        if (!current)
            return fail(Error::at(source, lineNo, 1,
                                  QStringLiteral("stack frame line before any sample header")));
        // "\t  3fba4 msort_with_tmp+0x244 (inlined)"
        QByteArrayView rest = line.trimmed();
        const qsizetype sp = rest.indexOf(' ');
        if (sp < 0)
            return fail(Error::at(source, lineNo, 1,
                                  QStringLiteral("expected \"address symbol (dso)\" in a stack frame line")));
        rest = rest.sliced(sp + 1).trimmed();
        QByteArrayView dso;
        if (rest.endsWith(')')) {
            const qsizetype open = rest.lastIndexOf(" (");
            if (open >= 0) {
                dso = rest.sliced(open + 2, rest.size() - open - 3);
                rest = rest.first(open);
            } else if (rest.startsWith('(')) {
                dso = rest.sliced(1, rest.size() - 2);
                rest = {};
            }
        }
        const qsizetype plus = rest.lastIndexOf("+0x");
        if (plus > 0)
            rest = rest.first(plus);
        QString name = QString::fromUtf8(rest);
        if (name.isEmpty() || name == u"[unknown]") {
            QByteArrayView base = dso;
            const qsizetype slash = base.lastIndexOf('/');
            if (slash >= 0)
                base = base.sliced(slash + 1);
            name = base.isEmpty() || base == "unknown" ? QStringLiteral("[unknown]")
                                                       : QLatin1Char('[') + QString::fromUtf8(base) + QLatin1Char(']');
        }
        auto it = nameIndex.constFind(name);
        std::uint32_t idx;
        if (it == nameIndex.cend()) {
            idx = std::uint32_t(counts.functionNames.size());
            counts.functionNames.append(name);
            nameIndex.insert(name, idx);
        } else {
            idx = *it;
        }
        frames.append(idx);
    }
    finish();
    if (samples == 0)
        return fail(Error::at(source, lineNo, 1, QStringLiteral("no samples found (is this perf script output?)")));

    counts.labels = options.labels;
    counts.time = options.time;
    counts.durationNs = lastNs - firstNs;
    QList<model::Profile> out{counts};
    if (anyPeriod) {
        periods.functionNames = counts.functionNames;
        periods.labels = counts.labels;
        periods.time = counts.time;
        periods.durationNs = counts.durationNs;
        if (periodEvent == u"cpu-clock" || periodEvent == u"task-clock")
            periods.typeId = QStringLiteral("process_cpu:cpu:nanoseconds:cpu:nanoseconds");
        else
            periods.typeId = model::ProfileType{QStringLiteral("perf_") + periodEvent, periodEvent,
                                                QStringLiteral("count"), periodEvent,
                                                QStringLiteral("count")}.id();
        QList<model::Profile::Stack> kept;
        for (auto &s : periods.stacks)
            if (s.value != 0)
                kept.append(std::move(s));
        periods.stacks = std::move(kept);
        out.append(std::move(periods));
    }
    return out;
}

} // namespace spyglass::formats
