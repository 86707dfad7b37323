#include "core/formats/open_metrics_parser.h"

#include <QBuffer>
#include <QIODevice>
#include <charconv>
#include <cmath>
#include <cstring>
#include <vector>

namespace spyglass::formats {

namespace {

constexpr qsizetype kReadChunk = 256 * 1024;
constexpr qsizetype kMaxLineBytes = 16 * 1024 * 1024;
constexpr qsizetype kSniffBytes = 64 * 1024;
constexpr qsizetype kLabelCacheMax = 1 << 16;
constexpr int kMaxExemplarLabelChars = 128; // OpenMetrics 1.0 limit

struct RawLabel
{
    const char *nameBegin;
    const char *nameEnd;
    const char *valueBegin; // inside the quotes, still escaped
    const char *valueEnd;
    bool escaped;
};

bool isNameStart(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool isNameChar(char c) { return isNameStart(c) || (c >= '0' && c <= '9'); }
bool isMetricNameStart(char c) { return isNameStart(c) || c == ':'; }
bool isMetricNameChar(char c) { return isNameChar(c) || c == ':'; }
bool isBlank(char c) { return c == ' ' || c == '\t'; }

const char *skipBlanks(const char *p, const char *end)
{
    while (p < end && isBlank(*p))
        ++p;
    return p;
}

const char *scanMetricName(const char *p, const char *end)
{
    if (p < end && isMetricNameStart(*p)) {
        ++p;
        while (p < end && isMetricNameChar(*p))
            ++p;
    }
    return p;
}

const char *scanLabelName(const char *p, const char *end)
{
    if (p < end && isNameStart(*p)) {
        ++p;
        while (p < end && isNameChar(*p))
            ++p;
    }
    return p;
}

// Returns the first byte that is not part of valid UTF-8 (overlongs,
// surrogates and code points above U+10FFFF are invalid), or nullptr.
const char *findInvalidUtf8(const char *b, const char *e)
{
    const auto *p = reinterpret_cast<const unsigned char *>(b);
    const auto *end = reinterpret_cast<const unsigned char *>(e);
    while (p < end) {
        unsigned char c = *p;
        if (c < 0x80) {
            ++p;
            continue;
        }
        int len = 0;
        unsigned char lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF)
            len = 2;
        else if (c == 0xE0) {
            len = 3;
            lo = 0xA0;
        } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF)
            len = 3;
        else if (c == 0xED) {
            len = 3;
            hi = 0x9F;
        } else if (c == 0xF0) {
            len = 4;
            lo = 0x90;
        } else if (c >= 0xF1 && c <= 0xF3)
            len = 4;
        else if (c == 0xF4) {
            len = 4;
            hi = 0x8F;
        } else
            return reinterpret_cast<const char *>(p);
        if (end - p < len)
            return reinterpret_cast<const char *>(p);
        if (p[1] < lo || p[1] > hi)
            return reinterpret_cast<const char *>(p);
        for (int i = 2; i < len; ++i)
            if ((p[i] & 0xC0) != 0x80)
                return reinterpret_cast<const char *>(p);
        p += len;
    }
    return nullptr;
}

// End of the UTF-8 character starting at p.
const char *charEnd(const char *p, const char *end)
{
    if (p >= end)
        return p;
    ++p;
    while (p < end && (static_cast<unsigned char>(*p) & 0xC0) == 0x80)
        ++p;
    return p;
}

int countChars(const char *b, const char *e)
{
    int n = 0;
    for (; b < e; ++b)
        if ((static_cast<unsigned char>(*b) & 0xC0) != 0x80)
            ++n;
    return n;
}

bool parseDouble(const char *b, const char *e, double &out)
{
    if (b == e)
        return false;
    if (*b == '+') {
        ++b;
        if (b == e || *b == '-' || *b == '+')
            return false;
    }
    auto [ptr, ec] = std::from_chars(b, e, out);
    return ec == std::errc() && ptr == e;
}

bool parseInt64(const char *b, const char *e, std::int64_t &out)
{
    if (b < e && *b == '+') {
        ++b;
        if (b == e || *b == '-')
            return false;
    }
    if (b == e)
        return false;
    auto [ptr, ec] = std::from_chars(b, e, out);
    return ec == std::errc() && ptr == e;
}

// Seconds with a fraction (OpenMetrics) to milliseconds. Rounding, not
// truncation: 1795568638.236 * 1000 is 1795568638235.9998 in binary.
bool secondsToMs(double s, model::TimestampMs &out)
{
    if (!std::isfinite(s) || std::fabs(s) > 9.0e15)
        return false;
    out = static_cast<model::TimestampMs>(std::llround(s * 1000.0));
    return true;
}

QString printable(const char *b, const char *e)
{
    constexpr qsizetype kMax = 40;
    QString s = QString::fromUtf8(b, std::min<qsizetype>(e - b, kMax));
    if (e - b > kMax)
        s += QStringLiteral("...");
    return s;
}

QString describeChar(const char *p, const char *end)
{
    if (p >= end)
        return QStringLiteral("end of line");
    if (*p == ' ')
        return QStringLiteral("' '");
    if (*p == '\t')
        return QStringLiteral("tab");
    if (*p == '\r')
        return QStringLiteral("carriage return");
    unsigned char c = static_cast<unsigned char>(*p);
    if (c < 0x20 || c == 0x7f)
        return QStringLiteral("control character 0x%1").arg(c, 2, 16, QLatin1Char('0'));
    // One whole UTF-8 character (the line was validated before parsing).
    const char *q = charEnd(p, end);
    return QLatin1Char('\'') + QString::fromUtf8(p, q - p) + QLatin1Char('\'');
}

// Unescapes \\, \" and \n (validated by the caller).
QString unescape(const char *b, const char *e, std::string &scratch)
{
    scratch.clear();
    scratch.reserve(e - b);
    for (const char *p = b; p < e; ++p) {
        if (*p == '\\' && p + 1 < e) {
            ++p;
            scratch.push_back(*p == 'n' ? '\n' : *p);
        } else {
            scratch.push_back(*p);
        }
    }
    return QString::fromUtf8(scratch.data(), qsizetype(scratch.size()));
}

QString toQString(const RawLabel &l, std::string &scratch)
{
    if (l.escaped)
        return unescape(l.valueBegin, l.valueEnd, scratch);
    return QString::fromUtf8(l.valueBegin, l.valueEnd - l.valueBegin);
}

bool equalsAscii(const char *b, const char *e, const char *lit)
{
    size_t n = std::strlen(lit);
    return size_t(e - b) == n && std::memcmp(b, lit, n) == 0;
}

bool startsWith(const char *b, const char *e, const char *lit)
{
    size_t n = std::strlen(lit);
    return size_t(e - b) >= n && std::memcmp(b, lit, n) == 0;
}

std::optional<MetricType> typeFromName(const char *b, const char *e, MetricsFormat format)
{
    if (equalsAscii(b, e, "counter"))
        return MetricType::Counter;
    if (equalsAscii(b, e, "gauge"))
        return MetricType::Gauge;
    if (equalsAscii(b, e, "histogram"))
        return MetricType::Histogram;
    if (equalsAscii(b, e, "summary"))
        return MetricType::Summary;
    if (format == MetricsFormat::PrometheusText) {
        if (equalsAscii(b, e, "untyped"))
            return MetricType::Unknown;
        return std::nullopt;
    }
    if (equalsAscii(b, e, "unknown"))
        return MetricType::Unknown;
    if (equalsAscii(b, e, "gaugehistogram"))
        return MetricType::GaugeHistogram;
    if (equalsAscii(b, e, "info"))
        return MetricType::Info;
    if (equalsAscii(b, e, "stateset"))
        return MetricType::StateSet;
    return std::nullopt;
}

QList<QLatin1StringView> suffixesOf(MetricType type)
{
    using L = QLatin1StringView;
    switch (type) {
    case MetricType::Counter:
        return {L("_total"), L("_created")};
    case MetricType::Histogram:
        return {L("_bucket"), L("_count"), L("_sum"), L("_created")};
    case MetricType::GaugeHistogram:
        return {L("_bucket"), L("_gcount"), L("_gsum")};
    case MetricType::Summary:
        return {L("_count"), L("_sum"), L("_created")};
    case MetricType::Info:
        return {L("_info")};
    case MetricType::Gauge:
    case MetricType::StateSet:
    case MetricType::Unknown:
        break;
    }
    return {};
}

} // namespace

QString metricTypeName(MetricType type)
{
    switch (type) {
    case MetricType::Counter:
        return QStringLiteral("counter");
    case MetricType::Gauge:
        return QStringLiteral("gauge");
    case MetricType::Histogram:
        return QStringLiteral("histogram");
    case MetricType::GaugeHistogram:
        return QStringLiteral("gaugehistogram");
    case MetricType::Summary:
        return QStringLiteral("summary");
    case MetricType::Info:
        return QStringLiteral("info");
    case MetricType::StateSet:
        return QStringLiteral("stateset");
    case MetricType::Unknown:
        break;
    }
    return QStringLiteral("unknown");
}

OpenMetricsParser::OpenMetricsParser(QIODevice *device, QString sourceName, MetricsFormat format)
    : m_device(device), m_source(std::move(sourceName)), m_format(format)
{
}

OpenMetricsParser::~OpenMetricsParser() = default;

Result<QList<MetricsEntry>> OpenMetricsParser::parseAll(const QByteArray &data,
                                                        const QString &sourceName,
                                                        MetricsFormat format)
{
    QByteArray copy = data;
    QBuffer buffer(&copy);
    buffer.open(QIODevice::ReadOnly);
    OpenMetricsParser parser(&buffer, sourceName, format);
    QList<MetricsEntry> entries;
    MetricsEntry entry;
    for (;;) {
        auto got = parser.next(entry);
        if (!got)
            return fail(got.error());
        if (!*got)
            break;
        entries.append(entry);
    }
    return entries;
}

MetricsFormat OpenMetricsParser::sniff(const QByteArray &head, const QByteArray &tail)
{
    // The tail is authoritative: only OpenMetrics ends with "# EOF".
    QByteArrayView t(tail);
    while (!t.isEmpty() && (t.back() == '\n' || t.back() == '\r' || t.back() == ' '))
        t.chop(1);
    if (t.endsWith("# EOF"))
        return MetricsFormat::OpenMetrics;

    qsizetype pos = 0;
    while (pos < head.size()) {
        qsizetype nl = head.indexOf('\n', pos);
        if (nl < 0)
            nl = head.size();
        QByteArrayView line(head.constData() + pos, nl - pos);
        pos = nl + 1;
        if (line == "# EOF" || line.startsWith("# UNIT "))
            return MetricsFormat::OpenMetrics;
        if (line.startsWith("# TYPE ")) {
            qsizetype sp = line.lastIndexOf(' ');
            QByteArrayView type = line.sliced(sp + 1);
            if (type == "unknown" || type == "info" || type == "stateset"
                || type == "gaugehistogram")
                return MetricsFormat::OpenMetrics;
        } else if (!line.startsWith("#") && line.contains(QByteArrayView(" # {"))) {
            return MetricsFormat::OpenMetrics; // an exemplar
        } else if (!line.startsWith("#")) {
            // A fractional timestamp is OpenMetrics seconds; 0.0.4 has integer
            // milliseconds. This catches OpenMetrics files cut before "# EOF".
            qsizetype i = 0;
            while (i < line.size() && isBlank(line[i]))
                ++i;
            while (i < line.size() && line[i] != '{' && !isBlank(line[i]))
                ++i;
            if (i < line.size() && line[i] == '{') {
                bool quoted = false;
                for (; i < line.size(); ++i) {
                    const char c = line[i];
                    if (quoted && c == '\\')
                        ++i;
                    else if (c == '"')
                        quoted = !quoted;
                    else if (!quoted && c == '}')
                        break;
                }
                ++i;
            }
            QList<QByteArrayView> tokens;
            while (i < line.size() && tokens.size() < 3) {
                while (i < line.size() && isBlank(line[i]))
                    ++i;
                const qsizetype start = i;
                while (i < line.size() && !isBlank(line[i]))
                    ++i;
                if (i > start)
                    tokens.append(line.sliced(start, i - start));
            }
            if (tokens.size() >= 2) {
                const QByteArrayView ts = tokens[1];
                if (ts.contains('.') || ts.contains('e') || ts.contains('E'))
                    return MetricsFormat::OpenMetrics;
            }
        }
    }
    return MetricsFormat::PrometheusText;
}

Result<void> OpenMetricsParser::detectFormat()
{
    m_detected = true;
    if (m_format != MetricsFormat::Auto)
        return {};
    QByteArray head = m_device->peek(kSniffBytes);
    QByteArray tail;
    if (!m_device->isSequential() && m_device->size() > 0) {
        const qint64 pos = m_device->pos();
        const qint64 size = m_device->size();
        if (m_device->seek(std::max<qint64>(pos, size - 64))) {
            tail = m_device->read(64);
            if (!m_device->seek(pos))
                return fail(Error::io(m_source + QStringLiteral(": cannot seek back to the start after format detection")));
        }
    }
    m_format = sniff(head, tail);
    return {};
}

Error OpenMetricsParser::errorAtLine(int line, int column, QString message) const
{
    return Error::at(m_source, line, column, std::move(message));
}

Error OpenMetricsParser::errorAt(const char *lineBegin, const char *at, QString message) const
{
    return errorAtLine(m_lineNo, 1 + countChars(lineBegin, at), std::move(message));
}

Result<bool> OpenMetricsParser::readLine(const char *&begin, const char *&end)
{
    qsizetype scanFrom = m_pos;
    for (;;) {
        const char *data = m_buffer.constData();
        const void *nl = scanFrom < m_buffer.size()
            ? std::memchr(data + scanFrom, '\n', size_t(m_buffer.size() - scanFrom))
            : nullptr;
        if (nl || m_deviceAtEnd) {
            if (!nl && m_pos >= m_buffer.size())
                return false;
            begin = data + m_pos;
            end = nl ? static_cast<const char *>(nl) : data + m_buffer.size();
            const qsizetype next = (end - data) + (nl ? 1 : 0);
            m_bytesConsumed += next - m_pos;
            m_pos = next;
            ++m_lineNo;
            m_lastLineTerminated = nl != nullptr;
            if (!nl)
                m_lastLineLength = countChars(begin, end);
            return true;
        }
        if (m_buffer.size() - m_pos > kMaxLineBytes)
            return fail(errorAtLine(m_lineNo + 1, 0,
                                    QStringLiteral("line is longer than %1 MiB")
                                        .arg(kMaxLineBytes / (1024 * 1024))));
        if (m_pos > 0) {
            m_buffer.remove(0, m_pos);
            m_pos = 0;
        }
        scanFrom = m_buffer.size();
        const qsizetype old = m_buffer.size();
        m_buffer.resize(old + kReadChunk);
        const qint64 n = m_device->read(m_buffer.data() + old, kReadChunk);
        if (n < 0) {
            m_buffer.resize(old);
            return fail(Error::io(m_source + QStringLiteral(": read error: ")
                                  + m_device->errorString()));
        }
        m_buffer.resize(old + qsizetype(n));
        if (n == 0)
            m_deviceAtEnd = true;
    }
}

Result<bool> OpenMetricsParser::next(MetricsEntry &entry)
{
    if (m_error)
        return fail(*m_error);
    auto stick = [this](Error e) {
        m_error = e;
        return fail(std::move(e));
    };
    if (!m_detected) {
        if (auto r = detectFormat(); !r)
            return stick(r.error());
    }
    for (;;) {
        const char *begin = nullptr;
        const char *end = nullptr;
        auto got = readLine(begin, end);
        if (!got)
            return stick(got.error());
        if (!*got) {
            if (m_format == MetricsFormat::OpenMetrics && !m_seenEof) {
                const int line = m_lastLineTerminated ? m_lineNo + 1 : m_lineNo;
                const int col = m_lastLineTerminated ? 1 : m_lastLineLength + 1;
                return stick(errorAtLine(line, col,
                                         QStringLiteral("unexpected end of file: missing \"# EOF\"")));
            }
            return false;
        }
        auto parsed = parseLine(begin, end, entry);
        if (!parsed)
            return stick(parsed.error());
        if (*parsed)
            return true;
    }
}

Result<bool> OpenMetricsParser::parseLine(const char *begin, const char *end, MetricsEntry &entry)
{
    if (const char *bad = findInvalidUtf8(begin, end))
        return fail(errorAt(begin, bad,
                            QStringLiteral("invalid UTF-8 byte 0x%1")
                                .arg(static_cast<unsigned char>(*bad), 2, 16, QLatin1Char('0'))));
    const bool om = m_format == MetricsFormat::OpenMetrics;
    if (om) {
        if (m_seenEof)
            return fail(errorAt(begin, begin, QStringLiteral("unexpected content after \"# EOF\"")));
        if (begin < end && end[-1] == '\r')
            return fail(errorAt(begin, end - 1,
                                QStringLiteral("carriage return is not allowed in OpenMetrics "
                                               "(lines end with \\n only)")));
        if (begin == end)
            return fail(errorAt(begin, begin, QStringLiteral("empty line is not allowed in OpenMetrics")));
        if (*begin == '#')
            return parseComment(begin, end, entry);
    } else {
        if (m_lineNo == 1 && startsWith(begin, end, "\xEF\xBB\xBF"))
            begin += 3; // a UTF-8 byte order mark some Windows tools write
        if (begin < end && end[-1] == '\r')
            --end;
        const char *p = skipBlanks(begin, end);
        if (p == end)
            return false;
        if (*p == '#')
            return parseComment(begin, end, entry);
    }
    if (auto r = parseSample(begin, end, entry); !r)
        return fail(r.error());
    return true;
}

Result<bool> OpenMetricsParser::parseComment(const char *begin, const char *end, MetricsEntry &entry)
{
    const bool om = m_format == MetricsFormat::OpenMetrics;
    const char *p = skipBlanks(begin, end) + 1; // past '#'
    const char *kw = nullptr;
    const char *kwEnd = nullptr;
    if (om) {
        if (p == end || *p != ' ')
            return fail(errorAt(begin, p, QStringLiteral("expected ' ' after '#'")));
        kw = p + 1;
        kwEnd = kw;
        while (kwEnd < end && *kwEnd != ' ')
            ++kwEnd;
        if (equalsAscii(kw, kwEnd, "EOF")) {
            if (kwEnd != end)
                return fail(errorAt(begin, kwEnd, QStringLiteral("unexpected text after \"# EOF\"")));
            m_seenEof = true;
            return false;
        }
        if (!equalsAscii(kw, kwEnd, "HELP") && !equalsAscii(kw, kwEnd, "TYPE")
            && !equalsAscii(kw, kwEnd, "UNIT"))
            return fail(errorAt(begin, kw, QStringLiteral("expected HELP, TYPE, UNIT or EOF after '# '")));
        if (kwEnd == end)
            return fail(errorAt(begin, kwEnd, QStringLiteral("expected ' ' and a metric name after %1")
                                                  .arg(QLatin1StringView(kw, kwEnd - kw))));
        p = kwEnd + 1;
    } else {
        kw = skipBlanks(p, end);
        kwEnd = kw;
        while (kwEnd < end && !isBlank(*kwEnd))
            ++kwEnd;
        // Other comments, UNIT and EOF included, mean nothing in 0.0.4.
        if (!equalsAscii(kw, kwEnd, "HELP") && !equalsAscii(kw, kwEnd, "TYPE"))
            return false;
        if (kwEnd == end)
            return fail(errorAt(begin, kwEnd, QStringLiteral("expected metric name after %1")
                                                  .arg(QLatin1StringView(kw, kwEnd - kw))));
        p = skipBlanks(kwEnd, end);
    }
    const char kind = *kw; // 'H', 'T' or 'U'
    const char *nameBegin = p;
    const char *nameEnd = scanMetricName(p, end);
    if (nameEnd == nameBegin)
        return fail(errorAt(begin, p, QStringLiteral("expected metric name, got %1").arg(describeChar(p, end))));
    if (nameEnd < end && !(om ? *nameEnd == ' ' : isBlank(*nameEnd)))
        return fail(errorAt(begin, nameEnd, QStringLiteral("expected ' ' after metric name, got %1")
                                                .arg(describeChar(nameEnd, end))));
    const QString name = QString::fromLatin1(nameBegin, nameEnd - nameBegin);
    p = nameEnd < end ? nameEnd + 1 : end;
    if (!om)
        p = skipBlanks(p, end);

    QSet<QString> &seen = kind == 'H' ? m_helped : kind == 'T' ? m_typed : m_united;
    const char *kindName = kind == 'H' ? "HELP" : kind == 'T' ? "TYPE" : "UNIT";
    if (seen.contains(name))
        return fail(errorAt(begin, nameBegin, QStringLiteral("second %1 line for metric family '%2'")
                                                  .arg(QLatin1StringView(kindName), name)));
    seen.insert(name);
    if (name != m_family.name)
        m_family = FamilyState{name, MetricType::Unknown};

    entry.line = m_lineNo;
    entry.family = name;
    entry.type = MetricType::Unknown;
    entry.text.clear();
    entry.labels = model::Labels();
    entry.value = 0;
    entry.hasTimestamp = false;
    entry.timestamp = 0;
    entry.exemplar.reset();

    if (kind == 'T') {
        const char *typeEnd = p;
        while (typeEnd < end && !isBlank(*typeEnd))
            ++typeEnd;
        if (typeEnd == p)
            return fail(errorAt(begin, p, QStringLiteral("expected metric type after metric name")));
        auto type = typeFromName(p, typeEnd, m_format);
        if (!type)
            return fail(errorAt(begin, p, QStringLiteral("invalid metric type '%1': expected %2")
                                              .arg(printable(p, typeEnd),
                                                   om ? QStringLiteral("counter, gauge, histogram, gaugehistogram, summary, info, stateset or unknown")
                                                      : QStringLiteral("counter, gauge, histogram, summary or untyped"))));
        const char *rest = om ? typeEnd : skipBlanks(typeEnd, end);
        if (rest != end)
            return fail(errorAt(begin, rest, QStringLiteral("unexpected text after metric type")));
        m_family.type = *type;
        entry.kind = MetricsEntry::Kind::Type;
        entry.type = *type;
        return true;
    }
    if (kind == 'H') {
        for (const char *q = p; q < end; ++q) {
            if (*q != '\\')
                continue;
            if (q + 1 == end || (q[1] != '\\' && q[1] != 'n' && q[1] != '"'))
                return fail(errorAt(begin, q, QStringLiteral("invalid escape sequence '%1'")
                                                  .arg(printable(q, charEnd(q + 1, end)))));
            ++q;
        }
        entry.kind = MetricsEntry::Kind::Help;
        entry.text = unescape(p, end, m_scratch);
        entry.type = m_family.type;
        return true;
    }
    // UNIT (OpenMetrics only)
    const char *unitEnd = p;
    while (unitEnd < end && isMetricNameChar(*unitEnd))
        ++unitEnd;
    if (unitEnd != end)
        return fail(errorAt(begin, unitEnd, QStringLiteral("invalid character %1 in unit")
                                                .arg(describeChar(unitEnd, end))));
    entry.kind = MetricsEntry::Kind::Unit;
    entry.text = QString::fromLatin1(p, end - p);
    entry.type = m_family.type;
    if (!entry.text.isEmpty() && !name.endsWith(QLatin1Char('_') + entry.text))
        return fail(errorAt(begin, p, QStringLiteral("unit '%1' is not a suffix of metric family '%2'")
                                          .arg(entry.text, name)));
    return true;
}

void OpenMetricsParser::resolveFamily(const QString &sampleName, MetricsEntry &entry) const
{
    entry.family = sampleName;
    entry.type = MetricType::Unknown;
    const QString &fam = m_family.name;
    if (fam.isEmpty() || !sampleName.startsWith(fam))
        return;
    if (sampleName.size() == fam.size()) {
        entry.family = fam;
        entry.type = m_family.type;
        return;
    }
    const QStringView rest = QStringView(sampleName).sliced(fam.size());
    for (const auto &suffix : suffixesOf(m_family.type)) {
        if (rest == suffix) {
            entry.family = fam;
            entry.type = m_family.type;
            return;
        }
    }
}

Result<void> OpenMetricsParser::parseSample(const char *begin, const char *end, MetricsEntry &entry)
{
    const bool om = m_format == MetricsFormat::OpenMetrics;
    const char *p = om ? begin : skipBlanks(begin, end);
    const char *nameBegin = p;
    const char *nameEnd = scanMetricName(p, end);
    if (nameEnd == nameBegin) {
        if (p < end && *p == '{')
            return fail(errorAt(begin, p, QStringLiteral("expected metric name before '{'")));
        return fail(errorAt(begin, p, QStringLiteral("expected metric name, got %1").arg(describeChar(p, end))));
    }
    p = nameEnd;

    // Scans `{name="value",...}` into raw spans; errors name the exact spot.
    auto scanLabels = [&](const char *&q, std::vector<RawLabel> &out) -> Result<void> {
        ++q; // '{'
        if (!om)
            q = skipBlanks(q, end);
        if (q < end && *q == '}') {
            ++q;
            return {};
        }
        for (;;) {
            const char *lnBegin = q;
            const char *lnEnd = scanLabelName(q, end);
            if (lnEnd == lnBegin) {
                if (q == end)
                    return fail(errorAt(begin, q, QStringLiteral("unexpected end of line: expected label name")));
                return fail(errorAt(begin, q, QStringLiteral("invalid label name: expected a letter or '_', got %1")
                                                  .arg(describeChar(q, end))));
            }
            for (const auto &l : out) {
                if (l.nameEnd - l.nameBegin == lnEnd - lnBegin
                    && std::memcmp(l.nameBegin, lnBegin, size_t(lnEnd - lnBegin)) == 0)
                    return fail(errorAt(begin, lnBegin, QStringLiteral("duplicate label name '%1'")
                                                            .arg(QLatin1StringView(lnBegin, lnEnd - lnBegin))));
            }
            q = om ? lnEnd : skipBlanks(lnEnd, end);
            if (q == end || *q != '=')
                return fail(errorAt(begin, q, QStringLiteral("expected '=' after label name, got %1")
                                                  .arg(describeChar(q, end))));
            ++q;
            if (!om)
                q = skipBlanks(q, end);
            if (q == end || *q != '"')
                return fail(errorAt(begin, q, QStringLiteral("expected '\"' to start the label value, got %1")
                                                  .arg(describeChar(q, end))));
            ++q;
            const char *vBegin = q;
            bool escaped = false;
            for (;;) {
                if (q == end)
                    return fail(errorAt(begin, q, QStringLiteral("unexpected end of line inside a label value (missing '\"')")));
                if (*q == '"')
                    break;
                if (*q == '\\') {
                    if (q + 1 == end)
                        return fail(errorAt(begin, q + 1, QStringLiteral("unexpected end of line after '\\' in a label value")));
                    if (q[1] != '\\' && q[1] != '"' && q[1] != 'n')
                        return fail(errorAt(begin, q, QStringLiteral("invalid escape sequence '%1'")
                                                          .arg(printable(q, charEnd(q + 1, end)))));
                    escaped = true;
                    q += 2;
                    continue;
                }
                ++q;
            }
            out.push_back(RawLabel{lnBegin, lnEnd, vBegin, q, escaped});
            ++q; // closing quote
            if (!om)
                q = skipBlanks(q, end);
            if (q < end && *q == '}') {
                ++q;
                return {};
            }
            if (q == end || *q != ',')
                return fail(errorAt(begin, q, QStringLiteral("expected ',' or '}' after label value, got %1")
                                                  .arg(describeChar(q, end))));
            ++q;
            if (!om) {
                q = skipBlanks(q, end);
                if (q < end && *q == '}') { // a trailing comma is fine in 0.0.4
                    ++q;
                    return {};
                }
            }
        }
    };

    std::vector<RawLabel> raw;
    if (!om) { // 0.0.4 allows blanks between the name and its labels
        const char *q = skipBlanks(p, end);
        if (q < end && *q == '{')
            p = q;
    }
    if (p < end && *p == '{') {
        if (auto r = scanLabels(p, raw); !r)
            return r;
    }
    const char *seriesEnd = p;
    for (const auto &l : raw) {
        if (equalsAscii(l.nameBegin, l.nameEnd, "__name__"))
            return fail(errorAt(begin, l.nameBegin, QStringLiteral("duplicate label name '__name__' (the metric name sets it)")));
    }

    // Value
    if (p == end)
        return fail(errorAt(begin, p, QStringLiteral("unexpected end of line: expected a value after the metric")));
    if (om ? *p != ' ' : !isBlank(*p))
        return fail(errorAt(begin, p, QStringLiteral("expected ' ' before the value, got %1").arg(describeChar(p, end))));
    p = om ? p + 1 : skipBlanks(p, end);
    const char *valueBegin = p;
    while (p < end && !isBlank(*p))
        ++p;
    if (p == valueBegin)
        return fail(errorAt(begin, p, QStringLiteral("expected a value after the metric, got %1").arg(describeChar(p, end))));
    double value = 0;
    if (!parseDouble(valueBegin, p, value))
        return fail(errorAt(begin, valueBegin, QStringLiteral("invalid value '%1': expected a number, NaN, +Inf or -Inf")
                                                   .arg(printable(valueBegin, p))));

    bool hasTs = false;
    model::TimestampMs ts = 0;
    std::optional<model::Exemplar> exemplar;
    auto parseExemplar = [&](const char *q) -> Result<void> {
        // q at "# "
        if (q + 2 > end || q[1] != ' ')
            return fail(errorAt(begin, q + 1, QStringLiteral("expected ' ' after '#' of an exemplar")));
        q += 2;
        if (q == end || *q != '{')
            return fail(errorAt(begin, q, QStringLiteral("expected '{' to start the exemplar labels, got %1")
                                              .arg(describeChar(q, end))));
        std::vector<RawLabel> exRaw;
        const char *labelsBegin = q;
        if (auto r = scanLabels(q, exRaw); !r)
            return r;
        int chars = 0;
        QList<model::Label> pairs;
        for (const auto &l : exRaw) {
            model::Label lab{QString::fromLatin1(l.nameBegin, l.nameEnd - l.nameBegin), toQString(l, m_scratch)};
            chars += int(lab.name.size()) + countChars(l.valueBegin, l.valueEnd);
            pairs.append(std::move(lab));
        }
        if (chars > kMaxExemplarLabelChars)
            return fail(errorAt(begin, labelsBegin, QStringLiteral("exemplar labels are longer than %1 characters")
                                                        .arg(kMaxExemplarLabelChars)));
        if (q == end || *q != ' ')
            return fail(errorAt(begin, q, QStringLiteral("expected ' ' and a value after the exemplar labels, got %1")
                                              .arg(describeChar(q, end))));
        ++q;
        const char *vb = q;
        while (q < end && *q != ' ')
            ++q;
        model::Exemplar ex;
        ex.labels = model::Labels(std::move(pairs));
        if (!parseDouble(vb, q, ex.value))
            return fail(errorAt(begin, vb, QStringLiteral("invalid exemplar value '%1': expected a number")
                                               .arg(printable(vb, q))));
        if (q < end) {
            ++q;
            const char *tb = q;
            while (q < end && *q != ' ')
                ++q;
            double secs = 0;
            if (!parseDouble(tb, q, secs) || !secondsToMs(secs, ex.t))
                return fail(errorAt(begin, tb, QStringLiteral("invalid exemplar timestamp '%1': expected seconds since the epoch")
                                                   .arg(printable(tb, q))));
            ex.hasTimestamp = true;
            if (q != end)
                return fail(errorAt(begin, q, QStringLiteral("unexpected text after the exemplar timestamp")));
        }
        exemplar = std::move(ex);
        return {};
    };

    if (om) {
        if (p < end) {
            if (*p != ' ')
                return fail(errorAt(begin, p, QStringLiteral("expected ' ' or end of line after the value, got %1")
                                                  .arg(describeChar(p, end))));
            ++p;
            if (p < end && *p == '#') {
                if (auto r = parseExemplar(p); !r)
                    return r;
            } else {
                const char *tb = p;
                while (p < end && *p != ' ')
                    ++p;
                double secs = 0;
                if (tb == p)
                    return fail(errorAt(begin, tb, QStringLiteral("expected a timestamp or '#' after ' ', got %1")
                                                       .arg(describeChar(tb, end))));
                if (!parseDouble(tb, p, secs) || !secondsToMs(secs, ts))
                    return fail(errorAt(begin, tb, QStringLiteral("invalid timestamp '%1': expected seconds since the epoch")
                                                       .arg(printable(tb, p))));
                hasTs = true;
                if (p < end) {
                    if (p + 1 < end && p[1] == '#') {
                        if (auto r = parseExemplar(p + 1); !r)
                            return r;
                    } else {
                        return fail(errorAt(begin, p, QStringLiteral("expected end of line or an exemplar after the timestamp")));
                    }
                }
            }
        }
    } else {
        p = skipBlanks(p, end);
        if (p < end) {
            const char *tb = p;
            while (p < end && !isBlank(*p))
                ++p;
            if (*tb == '#')
                return fail(errorAt(begin, tb, QStringLiteral("exemplars are only allowed in OpenMetrics, not in the 0.0.4 text format")));
            std::int64_t ms = 0;
            if (!parseInt64(tb, p, ms))
                return fail(errorAt(begin, tb, QStringLiteral("invalid timestamp '%1': expected integer milliseconds since the epoch")
                                                   .arg(printable(tb, p))));
            ts = ms;
            hasTs = true;
            p = skipBlanks(p, end);
            if (p != end)
                return fail(errorAt(begin, p, QStringLiteral("unexpected text after the timestamp")));
        }
    }

    // Labels: look the raw series text up first, building Labels is costly.
    const QByteArray key = QByteArray::fromRawData(nameBegin, seriesEnd - nameBegin);
    auto it = m_labelCache.constFind(key);
    model::Labels labels;
    if (it != m_labelCache.cend()) {
        labels = it.value();
    } else {
        QList<model::Label> pairs;
        pairs.reserve(qsizetype(raw.size()) + 1);
        pairs.append(model::Label{QStringLiteral("__name__"), QString::fromLatin1(nameBegin, nameEnd - nameBegin)});
        for (const auto &l : raw)
            pairs.append(model::Label{QString::fromLatin1(l.nameBegin, l.nameEnd - l.nameBegin), toQString(l, m_scratch)});
        labels = model::Labels(std::move(pairs));
        if (m_labelCache.size() >= kLabelCacheMax)
            m_labelCache.clear();
        m_labelCache.insert(QByteArray(nameBegin, seriesEnd - nameBegin), labels);
    }

    entry.kind = MetricsEntry::Kind::Sample;
    entry.line = m_lineNo;
    entry.text.clear();
    entry.value = value;
    entry.hasTimestamp = hasTs;
    entry.timestamp = ts;
    entry.exemplar = std::move(exemplar);
    resolveFamily(labels.metricName(), entry);
    entry.labels = std::move(labels);

    // Type-specific rules that make the sample meaningless when broken.
    auto findRaw = [&](const char *name) -> const RawLabel * {
        for (const auto &l : raw)
            if (equalsAscii(l.nameBegin, l.nameEnd, name))
                return &l;
        return nullptr;
    };
    auto checkFloatLabel = [&](const char *name, const QString &what) -> Result<void> {
        const RawLabel *l = findRaw(name);
        if (!l)
            return fail(errorAt(begin, seriesEnd, QStringLiteral("%1 without a '%2' label")
                                                      .arg(what, QLatin1StringView(name))));
        double d = 0;
        if (!parseDouble(l->valueBegin, l->valueEnd, d))
            return fail(errorAt(begin, l->valueBegin, QStringLiteral("invalid '%1' value '%2': expected a number")
                                                          .arg(QLatin1StringView(name), printable(l->valueBegin, l->valueEnd))));
        return {};
    };
    const bool histogram = entry.type == MetricType::Histogram || entry.type == MetricType::GaugeHistogram;
    if (histogram && entry.labels.metricName().endsWith(QLatin1StringView("_bucket")))
        return checkFloatLabel("le", QStringLiteral("histogram bucket"));
    if (entry.type == MetricType::Summary && entry.labels.metricName() == entry.family)
        return checkFloatLabel("quantile", QStringLiteral("summary quantile"));
    if (entry.type == MetricType::StateSet && !entry.labels.has(entry.family))
        return fail(errorAt(begin, seriesEnd, QStringLiteral("stateset sample without the '%1' label").arg(entry.family)));
    if (exemplar && om) {
        const bool allowed = (histogram && entry.labels.metricName().endsWith(QLatin1StringView("_bucket")))
            || (entry.type == MetricType::Counter && entry.labels.metricName().endsWith(QLatin1StringView("_total")))
            || entry.type == MetricType::Unknown;
        if (!allowed)
            return fail(errorAt(begin, nameBegin, QStringLiteral("exemplars are only allowed on counter _total and histogram _bucket samples")));
    }
    return {};
}

} // namespace spyglass::formats
