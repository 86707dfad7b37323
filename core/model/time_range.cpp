#include "core/model/time_range.h"

#include <QTimeZone>
#include <cmath>

namespace spyglass::model {

namespace {

std::int64_t unitMs(QStringView u)
{
    if (u == u"ms")
        return 1;
    if (u == u"s")
        return 1000;
    if (u == u"m")
        return 60'000;
    if (u == u"h")
        return 3'600'000;
    if (u == u"d")
        return 86'400'000;
    if (u == u"w")
        return 7 * 86'400'000LL;
    if (u == u"y")
        return 365 * 86'400'000LL;
    return 0;
}

} // namespace

Result<std::int64_t> parseDuration(QStringView text)
{
    const QStringView t = text.trimmed();
    if (t.isEmpty())
        return fail(Error::invalid(QStringLiteral("empty duration")));
    bool ok = false;
    const double secs = t.toDouble(&ok);
    if (ok) {
        if (!std::isfinite(secs) || std::abs(secs) > 9.2e15)
            return fail(Error::invalid(QStringLiteral("duration out of range: %1").arg(t)));
        return std::int64_t(std::llround(secs * 1000.0));
    }
    // Units must appear largest first, each at most once, as in Prometheus.
    static const QStringView order[] = {u"y", u"w", u"d", u"h", u"m", u"s", u"ms"};
    std::int64_t total = 0;
    int lastUnit = -1;
    qsizetype i = 0;
    while (i < t.size()) {
        const qsizetype numStart = i;
        while (i < t.size() && t[i].isDigit())
            ++i;
        if (i == numStart)
            return fail(Error::invalid(QStringLiteral("not a valid duration string: \"%1\"").arg(t)));
        const std::int64_t n = t.mid(numStart, i - numStart).toLongLong(&ok);
        const qsizetype unitStart = i;
        while (i < t.size() && t[i].isLetter())
            ++i;
        const QStringView unit = t.mid(unitStart, i - unitStart);
        int idx = -1;
        for (int k = 0; k < 7; ++k)
            if (order[k] == unit)
                idx = k;
        if (!ok || idx < 0 || idx <= lastUnit)
            return fail(Error::invalid(QStringLiteral("not a valid duration string: \"%1\"").arg(t)));
        lastUnit = idx;
        total += n * unitMs(unit);
    }
    return total;
}

QString formatDuration(std::int64_t ms)
{
    if (ms == 0)
        return QStringLiteral("0s");
    QString out;
    if (ms < 0) {
        out += QLatin1Char('-');
        ms = -ms;
    }
    static const std::pair<std::int64_t, const char *> units[] = {
        {365 * 86'400'000LL, "y"}, {7 * 86'400'000LL, "w"}, {86'400'000, "d"}, {3'600'000, "h"},
        {60'000, "m"},           {1000, "s"},              {1, "ms"}};
    for (const auto &[size, name] : units) {
        if (ms >= size) {
            out += QString::number(ms / size) + QLatin1String(name);
            ms %= size;
        }
    }
    return out;
}

Result<TimestampMs> parseTimestamp(QStringView text)
{
    const QStringView t = text.trimmed();
    bool ok = false;
    const double secs = t.toDouble(&ok);
    if (ok) {
        if (!std::isfinite(secs) || std::abs(secs) > 9.2e12)
            return fail(Error::invalid(QStringLiteral("timestamp out of range: %1").arg(t)));
        return TimestampMs(std::llround(secs * 1000.0));
    }
    QDateTime dt = QDateTime::fromString(t.toString(), Qt::ISODateWithMs);
    if (!dt.isValid())
        dt = QDateTime::fromString(t.toString(), Qt::ISODate);
    if (!dt.isValid())
        return fail(Error::invalid(
            QStringLiteral("cannot parse \"%1\" to a valid timestamp (use RFC 3339 or Unix seconds)")
                .arg(t)));
    if (dt.timeSpec() == Qt::LocalTime)
        dt.setTimeZone(QTimeZone::utc());
    return TimestampMs(dt.toMSecsSinceEpoch());
}

Result<TimestampMs> resolveTimeExpression(QStringView text, TimestampMs now, bool roundUp)
{
    const QStringView t = text.trimmed();
    if (!t.startsWith(u"now")) {
        bool ok = false;
        const qint64 n = t.toLongLong(&ok);
        // Grafana's URLs carry epoch milliseconds; plain seconds are far smaller.
        if (ok && n > 100'000'000'000LL)
            return TimestampMs(n);
        return parseTimestamp(t);
    }
    QStringView rest = t.mid(3);
    QStringView rounding;
    if (const qsizetype slash = rest.indexOf(u'/'); slash >= 0) {
        rounding = rest.mid(slash + 1);
        rest = rest.left(slash);
    }
    TimestampMs v = now;
    if (!rest.isEmpty()) {
        const QChar sign = rest[0];
        if (sign != u'-' && sign != u'+')
            return fail(Error::invalid(QStringLiteral("invalid relative time \"%1\"").arg(t)));
        auto d = parseDuration(rest.mid(1));
        if (!d)
            return fail(Error::invalid(QStringLiteral("invalid relative time \"%1\"").arg(t)));
        v += sign == u'-' ? -*d : *d;
    }
    if (!rounding.isEmpty()) {
        QDateTime dt = QDateTime::fromMSecsSinceEpoch(v, QTimeZone::utc());
        QDate date = dt.date();
        QDateTime start;
        if (rounding == u"d") {
            start = QDateTime(date, QTime(0, 0), QTimeZone::utc());
            if (roundUp)
                start = start.addDays(1);
        } else if (rounding == u"w") {
            start = QDateTime(date.addDays(1 - date.dayOfWeek()), QTime(0, 0), QTimeZone::utc());
            if (roundUp)
                start = start.addDays(7);
        } else if (rounding == u"M") {
            start = QDateTime(QDate(date.year(), date.month(), 1), QTime(0, 0), QTimeZone::utc());
            if (roundUp)
                start = start.addMonths(1);
        } else if (rounding == u"y") {
            start = QDateTime(QDate(date.year(), 1, 1), QTime(0, 0), QTimeZone::utc());
            if (roundUp)
                start = start.addYears(1);
        } else if (rounding == u"h") {
            start = QDateTime(date, QTime(dt.time().hour(), 0), QTimeZone::utc());
            if (roundUp)
                start = start.addSecs(3600);
        } else if (rounding == u"m") {
            start = QDateTime(date, QTime(dt.time().hour(), dt.time().minute()), QTimeZone::utc());
            if (roundUp)
                start = start.addSecs(60);
        } else {
            return fail(Error::invalid(QStringLiteral("invalid rounding unit in \"%1\"").arg(t)));
        }
        v = start.toMSecsSinceEpoch() - (roundUp ? 1 : 0);
    }
    return v;
}

Result<TimeRange> TimeRange::parse(const QString &from, const QString &to)
{
    const TimestampMs now = nowMs();
    auto f = resolveTimeExpression(from, now, false);
    if (!f)
        return fail(f.error());
    auto t = resolveTimeExpression(to, now, true);
    if (!t)
        return fail(t.error());
    if (*f > *t)
        return fail(Error::invalid(QStringLiteral("time range starts after it ends")));
    TimeRange r;
    r.m_from = from.trimmed();
    r.m_to = to.trimmed();
    return r;
}

TimeRange TimeRange::absolute(TimestampMs from, TimestampMs to)
{
    TimeRange r;
    // RFC 3339 keeps the text unambiguous (a bare number would read as seconds).
    auto iso = [](TimestampMs ms) {
        return QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc()).toString(Qt::ISODateWithMs);
    };
    r.m_from = iso(from);
    r.m_to = iso(to);
    return r;
}

TimeRange TimeRange::lastMs(std::int64_t ms)
{
    TimeRange r;
    r.m_from = QStringLiteral("now-") + formatDuration(ms);
    r.m_to = QStringLiteral("now");
    return r;
}

bool TimeRange::isRelative() const
{
    return m_from.startsWith(u"now") || m_to.startsWith(u"now");
}

TimestampMs TimeRange::fromMs(TimestampMs now) const
{
    return resolveTimeExpression(m_from, now, false).value_or(now - 3'600'000);
}

TimestampMs TimeRange::toMs(TimestampMs now) const
{
    return resolveTimeExpression(m_to, now, true).value_or(now);
}

QString TimeRange::displayText() const
{
    if (m_to == u"now" && m_from.startsWith(u"now-") && !m_from.contains(u'/')) {
        auto d = parseDuration(QStringView(m_from).mid(4));
        if (d) {
            static const std::pair<std::int64_t, const char *> names[] = {
                {86'400'000LL * 365, "year"}, {86'400'000LL * 7, "week"}, {86'400'000, "day"},
                {3'600'000, "hour"},          {60'000, "minute"},         {1000, "second"}};
            for (const auto &[size, name] : names) {
                if (*d % size == 0) {
                    const auto n = *d / size;
                    return n == 1 ? QStringLiteral("Last %1").arg(QLatin1String(name))
                                  : QStringLiteral("Last %1 %2s").arg(n).arg(QLatin1String(name));
                }
            }
        }
    }
    const TimestampMs now = nowMs();
    auto fmt = [](TimestampMs ms) {
        return QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc())
            .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
    };
    return fmt(fromMs(now)) + QStringLiteral(" to ") + fmt(toMs(now));
}

TimestampMs nowMs() { return QDateTime::currentMSecsSinceEpoch(); }

} // namespace spyglass::model
