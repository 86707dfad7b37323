#include "core/formats/log_lines_reader.h"

#include <QDateTime>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <algorithm>

namespace spyglass::formats {

namespace {

const QStringList kTimeKeys{QStringLiteral("ts"), QStringLiteral("time"), QStringLiteral("timestamp"),
                            QStringLiteral("@timestamp"), QStringLiteral("t"), QStringLiteral("date")};
const QStringList kLevelKeys{QStringLiteral("level"), QStringLiteral("lvl"), QStringLiteral("severity"),
                             QStringLiteral("log.level"), QStringLiteral("loglevel"), QStringLiteral("severity_text")};

// logfmt pairs (quoted values unescaped); nothing when the line is not logfmt.
QList<std::pair<QString, QString>> logfmt(const QString &line)
{
    QList<std::pair<QString, QString>> out;
    qsizetype i = 0;
    const qsizetype n = line.size();
    while (i < n) {
        while (i < n && line[i].isSpace())
            ++i;
        if (i >= n)
            break;
        const qsizetype keyStart = i;
        while (i < n && line[i] != u'=' && !line[i].isSpace())
            ++i;
        const QString key = line.mid(keyStart, i - keyStart);
        if (i >= n || line[i] != u'=' || key.isEmpty())
            return {}; // a bare word: not logfmt
        ++i;
        QString value;
        if (i < n && line[i] == u'"') {
            ++i;
            while (i < n && line[i] != u'"') {
                if (line[i] == u'\\' && i + 1 < n)
                    ++i;
                value += line[i++];
            }
            ++i;
        } else {
            const qsizetype vs = i;
            while (i < n && !line[i].isSpace())
                ++i;
            value = line.mid(vs, i - vs);
        }
        out.append({key, value});
    }
    return out;
}

QString fileStem(const QString &name)
{
    QString base = QFileInfo(name).fileName();
    const qsizetype dot = base.indexOf(u'.');
    return dot > 0 ? base.left(dot) : base;
}

} // namespace

QString LogLinesReader::normalizeLevel(QStringView text)
{
    const QString l = text.trimmed().toString().toLower();
    if (l.isEmpty())
        return {};
    if (l.startsWith(u"err") || l == u"e" || l == u"critical" || l == u"crit" || l == u"alert" || l == u"emerg")
        return l.startsWith(u"crit") || l == u"alert" || l == u"emerg" ? QStringLiteral("critical")
                                                                         : QStringLiteral("error");
    if (l.startsWith(u"warn") || l == u"w")
        return QStringLiteral("warn");
    if (l.startsWith(u"info") || l == u"i" || l == u"notice")
        return QStringLiteral("info");
    if (l.startsWith(u"debug") || l == u"d" || l == u"dbug")
        return QStringLiteral("debug");
    if (l.startsWith(u"trace") || l == u"trc")
        return QStringLiteral("trace");
    if (l.startsWith(u"fatal") || l == u"panic")
        return QStringLiteral("fatal");
    return {};
}

std::optional<model::TimestampNs> LogLinesReader::parseTime(const QString &text)
{
    const QString t = text.trimmed();
    if (t.isEmpty())
        return std::nullopt;
    bool ok = false;
    const double num = t.toDouble(&ok);
    if (ok) {
        // The magnitude says the unit (seconds up to nanoseconds since 1970).
        const double a = std::abs(num);
        if (a < 1e11)
            return model::TimestampNs(num * 1e9);
        if (a < 1e14)
            return model::TimestampNs(num * 1e6);
        if (a < 1e17)
            return model::TimestampNs(num * 1e3);
        return model::TimestampNs(t.toLongLong());
    }
    static const QRegularExpression iso(QStringLiteral(
        R"(^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:[.,](\d{1,9}))?\s*(Z|[+-]\d{2}:?\d{2})?$)"));
    const auto m = iso.match(t);
    if (!m.hasMatch())
        return std::nullopt;
    QString zone = m.captured(4);
    if (zone.size() == 5)
        zone.insert(3, u':');
    const QDateTime dt = QDateTime::fromString(m.captured(1) + u'T' + m.captured(2) + (zone.isEmpty() ? QStringLiteral("Z") : zone),
                                               Qt::ISODate);
    if (!dt.isValid())
        return std::nullopt;
    const QString frac = m.captured(3).leftJustified(9, u'0');
    return model::TimestampNs(dt.toSecsSinceEpoch()) * 1'000'000'000 + frac.toLongLong();
}

Result<QList<model::LogRecord>> LogLinesReader::parse(const QByteArray &data, const QString &name,
                                                      const LogLinesReadOptions &options)
{
    static const QRegularExpression leadingTime(QStringLiteral(
        R"(^\[?(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?\s?(?:Z|[+-]\d{2}:?\d{2})?)\]?)"));
    static const QRegularExpression levelWord(QStringLiteral(
        R"(\b(FATAL|PANIC|CRITICAL|CRIT|ERROR|ERR|WARNING|WARN|INFO|NOTICE|DEBUG|TRACE)\b)"),
        QRegularExpression::CaseInsensitiveOption);

    QList<std::pair<QString, QString>> base;
    base.append({QStringLiteral("filename"), QFileInfo(name).fileName()});
    base.append({QStringLiteral("service_name"), fileStem(name)});
    for (const auto &l : options.labels)
        base.append({l.name, l.value});

    QList<model::LogRecord> out;
    model::TimestampNs last = options.fallbackTime;
    QString lastLevel;
    qsizetype pos = 0;
    int lineNo = 0;
    while (pos < data.size()) {
        qsizetype nl = data.indexOf('\n', pos);
        if (nl < 0)
            nl = data.size();
        ++lineNo;
        QByteArrayView raw = QByteArrayView(data).sliced(pos, nl - pos);
        pos = nl + 1;
        if (raw.endsWith('\r'))
            raw.chop(1);
        if (raw.trimmed().isEmpty())
            continue;
        for (char c : raw)
            if (static_cast<unsigned char>(c) < 0x20 && c != '\t')
                return fail(Error::at(name, lineNo, 0,
                                      QStringLiteral("binary data (byte 0x%1): not a text log file")
                                          .arg(int(static_cast<unsigned char>(c)), 2, 16, QLatin1Char('0'))));
        const QString line = QString::fromUtf8(raw);
        std::optional<model::TimestampNs> time;
        QString level;
        bool continuation = false;
        if (line.startsWith(u'{')) {
            QJsonParseError pe{};
            const QJsonDocument doc = QJsonDocument::fromJson(raw.toByteArray(), &pe);
            if (pe.error == QJsonParseError::NoError && doc.isObject()) {
                const QJsonObject o = doc.object();
                for (const QString &k : kTimeKeys)
                    if (o.contains(k)) {
                        const QJsonValue v = o.value(k);
                        time = parseTime(v.isDouble() ? QString::number(v.toDouble(), 'f', 0) : v.toString());
                        if (time)
                            break;
                    }
                for (const QString &k : kLevelKeys)
                    if (o.contains(k)) {
                        level = normalizeLevel(o.value(k).toString());
                        break;
                    }
            }
        } else if (const auto pairs = logfmt(line); pairs.size() >= 2) {
            for (const auto &[k, v] : pairs) {
                if (!time && kTimeKeys.contains(k))
                    time = parseTime(v);
                if (level.isEmpty() && kLevelKeys.contains(k))
                    level = normalizeLevel(v);
            }
        } else {
            const auto m = leadingTime.match(line);
            if (m.hasMatch())
                time = parseTime(m.captured(1));
            else
                continuation = line.front().isSpace();
            const auto lm = levelWord.match(line.left(120));
            if (lm.hasMatch())
                level = normalizeLevel(lm.captured(1));
        }
        if (continuation && level.isEmpty())
            level = lastLevel; // a stack trace line belongs to its record's level
        model::LogRecord r;
        // Lines without a time keep their predecessor's, one ns later, so order is kept.
        r.time = time ? *time : (out.isEmpty() ? last : last + 1);
        last = r.time;
        lastLevel = level;
        r.line = line;
        auto labels = base;
        labels.append({QStringLiteral("level"), level.isEmpty() ? QStringLiteral("unknown") : level});
        QList<model::Label> ls;
        for (const auto &[k, v] : labels)
            ls.append({k, v});
        r.stream = model::Labels(ls);
        if (!level.isEmpty())
            r.severity = level.toUpper();
        out.append(std::move(r));
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const model::LogRecord &a, const model::LogRecord &b) { return a.time < b.time; });
    return out;
}

bool LokiExportReader::looksLikeLokiExport(const QByteArray &json)
{
    const QJsonObject o = QJsonDocument::fromJson(json).object();
    const QJsonObject d = o.contains(u"data") ? o.value(u"data").toObject() : o;
    return d.value(u"resultType").toString() == u"streams" && d.value(u"result").isArray();
}

Result<QList<model::LogRecord>> LokiExportReader::parse(const QByteArray &json, const QString &name)
{
    QJsonParseError pe{};
    const QJsonDocument doc = QJsonDocument::fromJson(json, &pe);
    if (pe.error != QJsonParseError::NoError) {
        int line = 1;
        qsizetype lineStart = 0;
        for (qsizetype i = 0; i < std::min<qsizetype>(pe.offset, json.size()); ++i)
            if (json[i] == '\n') {
                ++line;
                lineStart = i + 1;
            }
        return fail(Error::at(name, line, int(pe.offset - lineStart) + 1,
                              QStringLiteral("invalid JSON: %1").arg(pe.errorString())));
    }
    const QJsonObject o = doc.object();
    const QJsonObject d = o.contains(u"data") ? o.value(u"data").toObject() : o;
    if (d.value(u"resultType").toString() != u"streams")
        return fail(Error::at(name, 0, 0, QStringLiteral("a Loki export must have resultType \"streams\" (found \"%1\")")
                                              .arg(d.value(u"resultType").toString())));
    QList<model::LogRecord> out;
    const QJsonArray result = d.value(u"result").toArray();
    for (qsizetype i = 0; i < result.size(); ++i) {
        const QJsonObject st = result[i].toObject();
        QList<model::Label> labels;
        const QJsonObject so = st.value(u"stream").toObject();
        for (auto it = so.begin(); it != so.end(); ++it)
            labels.append({it.key(), it.value().toString()});
        if (labels.isEmpty())
            return fail(Error::at(name, 0, 0, QStringLiteral("result %1: a stream without labels").arg(i)));
        const model::Labels stream(labels);
        const QJsonArray values = st.value(u"values").toArray();
        for (qsizetype j = 0; j < values.size(); ++j) {
            const QJsonArray v = values[j].toArray();
            bool ok = false;
            const qint64 ts = v.at(0).toString().toLongLong(&ok);
            if (!ok || !v.at(1).isString())
                return fail(Error::at(name, 0, 0, QStringLiteral("result %1, value %2: expected [\"<unix ns>\", "
                                                                 "\"<line>\"]").arg(i).arg(j)));
            model::LogRecord r;
            r.time = ts;
            r.line = v.at(1).toString();
            r.stream = stream;
            QJsonObject meta = v.at(2).toObject();
            if (meta.contains(u"structuredMetadata"))
                meta = meta.value(u"structuredMetadata").toObject();
            QList<model::Label> ml;
            for (auto it = meta.begin(); it != meta.end(); ++it)
                if (it.value().isString())
                    ml.append({it.key(), it.value().toString()});
            r.structuredMetadata = model::Labels(ml);
            out.append(std::move(r));
        }
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const model::LogRecord &a, const model::LogRecord &b) { return a.time < b.time; });
    return out;
}

} // namespace spyglass::formats
