#include "core/ingest/prometheus_naming.h"

#include <QHash>
#include <QStringList>

namespace spyglass::ingest {

namespace {

// otlptranslator's unitMap and perUnitMap.
const QHash<QString, QString> &unitNames()
{
    static const QHash<QString, QString> m{
        {QStringLiteral("d"), QStringLiteral("days")},
        {QStringLiteral("h"), QStringLiteral("hours")},
        {QStringLiteral("min"), QStringLiteral("minutes")},
        {QStringLiteral("s"), QStringLiteral("seconds")},
        {QStringLiteral("ms"), QStringLiteral("milliseconds")},
        {QStringLiteral("us"), QStringLiteral("microseconds")},
        {QStringLiteral("ns"), QStringLiteral("nanoseconds")},
        {QStringLiteral("By"), QStringLiteral("bytes")},
        {QStringLiteral("KiBy"), QStringLiteral("kibibytes")},
        {QStringLiteral("MiBy"), QStringLiteral("mebibytes")},
        {QStringLiteral("GiBy"), QStringLiteral("gibibytes")},
        {QStringLiteral("TiBy"), QStringLiteral("tibibytes")},
        {QStringLiteral("KBy"), QStringLiteral("kilobytes")},
        {QStringLiteral("MBy"), QStringLiteral("megabytes")},
        {QStringLiteral("GBy"), QStringLiteral("gigabytes")},
        {QStringLiteral("TBy"), QStringLiteral("terabytes")},
        {QStringLiteral("m"), QStringLiteral("meters")},
        {QStringLiteral("V"), QStringLiteral("volts")},
        {QStringLiteral("A"), QStringLiteral("amperes")},
        {QStringLiteral("J"), QStringLiteral("joules")},
        {QStringLiteral("W"), QStringLiteral("watts")},
        {QStringLiteral("g"), QStringLiteral("grams")},
        {QStringLiteral("Cel"), QStringLiteral("celsius")},
        {QStringLiteral("Hz"), QStringLiteral("hertz")},
        {QStringLiteral("1"), QString()},
        {QStringLiteral("%"), QStringLiteral("percent")},
    };
    return m;
}

const QHash<QString, QString> &perUnitNames()
{
    static const QHash<QString, QString> m{
        {QStringLiteral("s"), QStringLiteral("second")}, {QStringLiteral("m"), QStringLiteral("minute")},
        {QStringLiteral("h"), QStringLiteral("hour")},   {QStringLiteral("d"), QStringLiteral("day")},
        {QStringLiteral("w"), QStringLiteral("week")},   {QStringLiteral("mo"), QStringLiteral("month")},
        {QStringLiteral("y"), QStringLiteral("year")},
    };
    return m;
}

bool isAlnum(QChar c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9');
}

QStringList tokens(const QString &s)
{
    QStringList out;
    QString cur;
    for (QChar c : s) {
        if (isAlnum(c)) {
            cur += c;
        } else if (!cur.isEmpty()) {
            out.append(cur);
            cur.clear();
        }
    }
    if (!cur.isEmpty())
        out.append(cur);
    return out;
}

// Drops "{annotation}" parts: they describe what is counted, not a unit.
QString withoutAnnotations(QString unit)
{
    qsizetype open;
    while ((open = unit.indexOf(u'{')) >= 0) {
        const qsizetype close = unit.indexOf(u'}', open);
        unit.remove(open, close < 0 ? unit.size() - open : close - open + 1);
    }
    return unit.trimmed();
}

} // namespace

QString prometheusMetricName(const QString &otlpName, const QString &unit, PromMetricKind kind)
{
    QStringList name = tokens(otlpName);

    const QString u = withoutAnnotations(unit);
    const qsizetype slash = u.indexOf(u'/');
    const QString mainUnit = slash < 0 ? u : u.left(slash).trimmed();
    const QString perUnit = slash < 0 ? QString() : u.mid(slash + 1).trimmed();

    if (!mainUnit.isEmpty()) {
        const QString mapped = unitNames().value(mainUnit, mainUnit);
        for (const QString &t : tokens(mapped))
            if (!name.contains(t))
                name.append(t);
    }
    if (!perUnit.isEmpty()) {
        const QString mapped = perUnitNames().value(perUnit, perUnit);
        const QStringList per = tokens(mapped);
        if (!per.isEmpty() && !name.contains(per.back())) {
            name.append(QStringLiteral("per"));
            name.append(per);
        }
    }
    if (kind == PromMetricKind::Counter) {
        name.removeAll(QStringLiteral("total"));
        name.append(QStringLiteral("total"));
    }
    if (kind == PromMetricKind::Gauge && unit == u"1") {
        name.removeAll(QStringLiteral("ratio"));
        name.append(QStringLiteral("ratio"));
    }
    QString out = name.join(u'_');
    if (!out.isEmpty() && out.front().isDigit())
        out.prepend(u'_');
    return out;
}

QString prometheusLabelName(const QString &key)
{
    QString out = key;
    for (QChar &c : out)
        if (!isAlnum(c) && c != u'_')
            c = u'_';
    if (!out.isEmpty() && out.front().isDigit())
        out.prepend(QStringLiteral("key_"));
    return out;
}

} // namespace spyglass::ingest
