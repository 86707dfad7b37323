#include "app/gui/logs/log_level.h"

#include <array>

namespace spyglass::gui::logs {

QString logLevelName(LogLevel level)
{
    switch (level) {
    case LogLevel::Trace: return QStringLiteral("trace");
    case LogLevel::Debug: return QStringLiteral("debug");
    case LogLevel::Info: return QStringLiteral("info");
    case LogLevel::Warn: return QStringLiteral("warn");
    case LogLevel::Error: return QStringLiteral("error");
    case LogLevel::Critical: return QStringLiteral("critical");
    case LogLevel::Unknown: break;
    }
    return QStringLiteral("unknown");
}

QColor logLevelColor(LogLevel level)
{
    // Grafana's level palette, so people recognise it.
    switch (level) {
    case LogLevel::Trace: return QColor(0x6e, 0xd0, 0xe0);
    case LogLevel::Debug: return QColor(0x1f, 0x78, 0xc1);
    case LogLevel::Info: return QColor(0x7e, 0xb2, 0x6d);
    case LogLevel::Warn: return QColor(0xea, 0xb8, 0x39);
    case LogLevel::Error: return QColor(0xe2, 0x4d, 0x42);
    case LogLevel::Critical: return QColor(0x70, 0x5d, 0xa0);
    case LogLevel::Unknown: break;
    }
    return QColor(0x8e, 0x8e, 0x8e);
}

LogLevel parseLogLevel(QStringView t)
{
    t = t.trimmed();
    if (t.isEmpty() || t.size() > 16)
        return LogLevel::Unknown;
    auto is = [&](QLatin1StringView s) { return t.compare(s, Qt::CaseInsensitive) == 0; };
    if (is(QLatin1StringView("info")) || is(QLatin1StringView("information")) || is(QLatin1StringView("informational"))
        || is(QLatin1StringView("notice")) || is(QLatin1StringView("i")) || t == u"6" || t == u"5")
        return LogLevel::Info;
    if (is(QLatin1StringView("warn")) || is(QLatin1StringView("warning")) || is(QLatin1StringView("w")) || t == u"4")
        return LogLevel::Warn;
    if (is(QLatin1StringView("error")) || is(QLatin1StringView("err")) || is(QLatin1StringView("e")) || t == u"3"
        || is(QLatin1StringView("eror")))
        return LogLevel::Error;
    if (is(QLatin1StringView("debug")) || is(QLatin1StringView("dbug")) || is(QLatin1StringView("d")) || t == u"7")
        return LogLevel::Debug;
    if (is(QLatin1StringView("trace")) || is(QLatin1StringView("trce")) || is(QLatin1StringView("t")))
        return LogLevel::Trace;
    if (is(QLatin1StringView("critical")) || is(QLatin1StringView("crit")) || is(QLatin1StringView("fatal"))
        || is(QLatin1StringView("panic")) || is(QLatin1StringView("emerg")) || is(QLatin1StringView("alert"))
        || t == u"0" || t == u"1" || t == u"2")
        return LogLevel::Critical;
    return LogLevel::Unknown;
}

namespace {

LogLevel fromLabels(const model::Labels &l)
{
    if (l.isEmpty())
        return LogLevel::Unknown;
    static const std::array<QString, 6> names = {QStringLiteral("level"), QStringLiteral("detected_level"),
                                                 QStringLiteral("severity"), QStringLiteral("lvl"),
                                                 QStringLiteral("loglevel"), QStringLiteral("severity_text")};
    for (const auto &n : names) {
        if (l.has(n)) {
            const LogLevel v = parseLogLevel(l.value(n));
            if (v != LogLevel::Unknown)
                return v;
        }
    }
    return LogLevel::Unknown;
}

bool isWordChar(QChar c) { return c.isLetterOrNumber() || c == u'_'; }

} // namespace

LogLevel detectLogLevel(const model::Labels &labels, const model::Labels &metadata,
                        const model::Labels &parsed, QStringView line)
{
    if (auto v = fromLabels(labels); v != LogLevel::Unknown)
        return v;
    if (auto v = fromLabels(metadata); v != LogLevel::Unknown)
        return v;
    if (auto v = fromLabels(parsed); v != LogLevel::Unknown)
        return v;
    const QStringView head = line.left(300);
    // logfmt / json: level=warn, "level":"warn", severity=...
    for (QLatin1StringView key : {QLatin1StringView("level"), QLatin1StringView("lvl"), QLatin1StringView("severity")}) {
        qsizetype at = head.indexOf(key, 0, Qt::CaseInsensitive);
        while (at >= 0) {
            qsizetype p = at + key.size();
            if (p < head.size() && head[p] == u'"')
                ++p;
            if (p < head.size() && (head[p] == u'=' || head[p] == u':')
                && (at == 0 || !isWordChar(head[at - 1]))) {
                ++p;
                while (p < head.size() && (head[p] == u' ' || head[p] == u'"'))
                    ++p;
                qsizetype e = p;
                while (e < head.size() && isWordChar(head[e]))
                    ++e;
                const LogLevel v = parseLogLevel(head.mid(p, e - p));
                if (v != LogLevel::Unknown)
                    return v;
            }
            at = head.indexOf(key, at + 1, Qt::CaseInsensitive);
        }
    }
    // A bare upper-case level word: "2024-01-01 12:00:00 ERROR something".
    qsizetype i = 0;
    const qsizetype n = std::min<qsizetype>(head.size(), 120);
    while (i < n) {
        while (i < n && !head[i].isLetter())
            ++i;
        qsizetype e = i;
        while (e < head.size() && head[e].isLetter())
            ++e;
        const QStringView w = head.mid(i, e - i);
        if (w.size() >= 4 && w.size() <= 8 && w.front().isUpper() && w.back().isUpper()) {
            if (w == u"ERROR" || w == u"WARN" || w == u"WARNING" || w == u"INFO" || w == u"DEBUG"
                || w == u"TRACE" || w == u"FATAL" || w == u"CRITICAL" || w == u"PANIC")
                return parseLogLevel(w);
        }
        i = e;
    }
    return LogLevel::Unknown;
}

} // namespace spyglass::gui::logs
