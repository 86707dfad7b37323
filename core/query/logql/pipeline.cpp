#include "core/query/logql/pipeline.h"

#include "core/query/logql/line_template.h"
#include "core/query/logql/parser.h"
#include "core/store/log_store.h"

#include <QRegularExpression>

#include <arpa/inet.h>
#include <re2/re2.h>

#include <array>
#include <cstring>
#include <optional>
#include <variant>

namespace spyglass::query::logql {

// ---------------------------------------------------------------- labels

void LabelsBuilder::reset(const model::Labels *stream, QByteArrayView metadataRaw)
{
    m_stream = stream;
    m_metaRaw = metadataRaw;
    m_materialized = false;
    m_entries.clear();
    m_modified = false;
}

void LabelsBuilder::materialize() const
{
    if (m_materialized)
        return;
    m_materialized = true;
    if (m_stream)
        for (const auto &l : *m_stream)
            m_entries.append({l.name, l.value, Category::Stream});
    if (!m_metaRaw.isEmpty()) {
        for (const auto &l : store::LogStore::decodeMetadata(m_metaRaw)) {
            bool replaced = false;
            for (auto &e : m_entries)
                if (e.name == l.name) {
                    e = {l.name, l.value, Category::Metadata};
                    replaced = true;
                }
            if (!replaced)
                m_entries.append({l.name, l.value, Category::Metadata});
        }
    }
}

QString LabelsBuilder::get(QStringView name) const
{
    materialize();
    for (const auto &e : m_entries)
        if (e.name == name)
            return e.value;
    return {};
}

bool LabelsBuilder::has(QStringView name) const
{
    materialize();
    for (const auto &e : m_entries)
        if (e.name == name)
            return true;
    return false;
}

void LabelsBuilder::set(const QString &name, const QString &value, Category c)
{
    materialize();
    m_modified = true;
    for (auto &e : m_entries)
        if (e.name == name) {
            e.value = value;
            e.cat = c;
            return;
        }
    m_entries.append({name, value, c});
}

void LabelsBuilder::del(QStringView name)
{
    materialize();
    for (qsizetype i = 0; i < m_entries.size(); ++i)
        if (m_entries[i].name == name) {
            m_entries.removeAt(i);
            m_modified = true;
            return;
        }
}

void LabelsBuilder::setError(const QString &error, const QString &details)
{
    if (hasError())
        return; // the first error wins, as in Loki
    set(QStringLiteral("__error__"), error);
    if (!details.isEmpty())
        set(QStringLiteral("__error_details__"), details);
}

void LabelsBuilder::keepOnly(const std::function<bool(const QString &, const QString &)> &keep)
{
    materialize();
    const auto n = m_entries.size();
    m_entries.removeIf([&](const Entry &e) { return !keep(e.name, e.value); });
    if (m_entries.size() != n)
        m_modified = true;
}

model::Labels LabelsBuilder::labels() const
{
    materialize();
    QList<model::Label> pairs;
    pairs.reserve(m_entries.size());
    for (const auto &e : m_entries)
        if (!e.value.isEmpty())
            pairs.append({e.name, e.value});
    return model::Labels(std::move(pairs));
}

model::Labels LabelsBuilder::metadata() const
{
    materialize();
    QList<model::Label> pairs;
    for (const auto &e : m_entries)
        if (e.cat == Category::Metadata && !e.value.isEmpty())
            pairs.append({e.name, e.value});
    return model::Labels(std::move(pairs));
}

model::Labels LabelsBuilder::parsed() const
{
    materialize();
    QList<model::Label> pairs;
    for (const auto &e : m_entries)
        if (e.cat == Category::Parsed && !e.value.isEmpty())
            pairs.append({e.name, e.value});
    return model::Labels(std::move(pairs));
}

namespace {

const QString kErr = QStringLiteral("__error__");
const QString kJsonErr = QStringLiteral("JSONParserErr");
const QString kLogfmtErr = QStringLiteral("LogfmtParserErr");
const QString kLabelFilterErr = QStringLiteral("LabelFilterErr");
const QString kTemplateErr = QStringLiteral("TemplateFormatErr");

// Label names must be valid Prometheus names: other characters become '_'.
QString sanitizeKey(QStringView key)
{
    QString out;
    out.reserve(key.size());
    for (QChar c : key) {
        const bool ok = (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9') || c == u'_';
        out += ok ? c : QChar(u'_');
    }
    if (!out.isEmpty() && out[0].isDigit())
        out.prepend(u'_');
    return out;
}

// Parsed labels that collide with a stream label get "_extracted" (Loki).
void setParsed(LabelsBuilder &lbs, QString key, const QString &value)
{
    if (key.isEmpty())
        return;
    if (lbs.streamHas(key))
        key += QStringLiteral("_extracted");
    lbs.set(key, value, LabelsBuilder::Category::Parsed);
}

// ---------------------------------------------------------------- ip()

struct IpRange
{
    std::array<std::uint8_t, 16> lo{};
    std::array<std::uint8_t, 16> hi{};
};

std::optional<std::array<std::uint8_t, 16>> parseIp(const QByteArray &text)
{
    std::array<std::uint8_t, 16> out{};
    in_addr v4;
    if (inet_pton(AF_INET, text.constData(), &v4) == 1) {
        out[10] = out[11] = 0xff; // IPv4-mapped IPv6
        std::memcpy(out.data() + 12, &v4, 4);
        return out;
    }
    in6_addr v6;
    if (inet_pton(AF_INET6, text.constData(), &v6) == 1) {
        std::memcpy(out.data(), &v6, 16);
        return out;
    }
    return std::nullopt;
}

Result<IpRange> parseIpPattern(const QString &pattern)
{
    const QByteArray p = pattern.trimmed().toLatin1();
    IpRange r;
    if (const qsizetype slash = p.indexOf('/'); slash >= 0) {
        auto base = parseIp(p.left(slash));
        bool ok = false;
        int bits = p.mid(slash + 1).toInt(&ok);
        if (!base || !ok)
            return fail(Error::invalid(QStringLiteral("invalid ip pattern \"%1\"").arg(pattern)));
        if (!p.left(slash).contains(':'))
            bits += 96;
        if (bits < 0 || bits > 128)
            return fail(Error::invalid(QStringLiteral("invalid ip pattern \"%1\"").arg(pattern)));
        r.lo = r.hi = *base;
        for (int i = 0; i < 128; ++i) {
            if (i < bits)
                continue;
            const std::uint8_t bit = std::uint8_t(0x80 >> (i % 8));
            r.lo[i / 8] &= std::uint8_t(~bit);
            r.hi[i / 8] |= bit;
        }
        return r;
    }
    if (const qsizetype dash = p.indexOf('-'); dash >= 0) {
        auto a = parseIp(p.left(dash).trimmed());
        auto b = parseIp(p.mid(dash + 1).trimmed());
        if (!a || !b)
            return fail(Error::invalid(QStringLiteral("invalid ip pattern \"%1\"").arg(pattern)));
        r.lo = *a;
        r.hi = *b;
        return r;
    }
    auto a = parseIp(p);
    if (!a)
        return fail(Error::invalid(QStringLiteral("invalid ip pattern \"%1\"").arg(pattern)));
    r.lo = r.hi = *a;
    return r;
}

bool ipInRange(const std::array<std::uint8_t, 16> &ip, const IpRange &r)
{
    return ip >= r.lo && ip <= r.hi;
}

// Finds IP-looking words in the line and checks each.
bool lineHasIpIn(QByteArrayView line, const IpRange &r)
{
    auto isIpChar = [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '.' || c == ':';
    };
    qsizetype i = 0;
    while (i < line.size()) {
        if (!isIpChar(line[i])) {
            ++i;
            continue;
        }
        qsizetype j = i;
        while (j < line.size() && isIpChar(line[j]))
            ++j;
        if (j - i >= 2 && j - i <= 45) {
            QByteArray cand(line.data() + i, j - i);
            while (cand.endsWith('.') || cand.endsWith(':'))
                cand.chop(1);
            if (auto ip = parseIp(cand); ip && ipInRange(*ip, r))
                return true;
        }
        i = j;
    }
    return false;
}

// ---------------------------------------------------------------- pattern

struct PatternNode
{
    bool capture = false;
    QByteArray literal; // when !capture
    QString name;       // capture name, "_" = unnamed
};

QList<PatternNode> parsePattern(const QString &p)
{
    QList<PatternNode> out;
    static const QRegularExpression cap(QStringLiteral("<([A-Za-z_][A-Za-z0-9_]*)>"));
    qsizetype pos = 0;
    for (auto it = cap.globalMatch(p); it.hasNext();) {
        const auto m = it.next();
        if (m.capturedStart() > pos)
            out.append(PatternNode{false, p.mid(pos, m.capturedStart() - pos).toUtf8(), {}});
        out.append(PatternNode{true, {}, m.captured(1)});
        pos = m.capturedEnd();
    }
    if (pos < p.size())
        out.append(PatternNode{false, p.mid(pos).toUtf8(), {}});
    return out;
}

// Loki's pattern.Matches: leading literal must be a prefix; each capture
// runs to the next literal; a missing literal ends the match with the rest.
void patternExtract(const QList<PatternNode> &nodes, QByteArrayView in, QList<std::pair<QString, QByteArrayView>> &out)
{
    if (in.isEmpty() || nodes.isEmpty())
        return;
    qsizetype k = 0;
    if (!nodes[0].capture) {
        if (!in.startsWith(nodes[0].literal))
            return;
        in = in.sliced(nodes[0].literal.size());
        k = 1;
    }
    while (k < nodes.size()) {
        if (k + 1 >= nodes.size()) {
            if (nodes[k].name != u"_")
                out.append({nodes[k].name, in});
            return;
        }
        const auto &c = nodes[k];
        const auto &lit = nodes[k + 1].literal;
        k += 2;
        const qsizetype i = in.indexOf(lit);
        if (i < 0) {
            if (c.name != u"_")
                out.append({c.name, in});
            return;
        }
        if (c.name != u"_")
            out.append({c.name, in.first(i)});
        in = in.sliced(i + lit.size());
    }
}

// Loki's pattern line filter: literals in order, the first anchored at the
// start, a trailing literal anchored at the end.
bool patternTest(const QList<PatternNode> &nodes, QByteArrayView in)
{
    if (nodes.isEmpty())
        return in.isEmpty();
    qsizetype off = 0;
    for (qsizetype i = 0; i < nodes.size(); ++i) {
        if (nodes[i].capture)
            continue;
        const auto &lit = nodes[i].literal;
        const qsizetype j = in.sliced(off).indexOf(lit);
        if (j < 0)
            return false;
        if (i == 0 && j != 0)
            return false;
        off += j + lit.size();
    }
    if (!nodes.back().capture && off != in.size()) {
        // The last literal may occur again later: anchor it at the end.
        return in.endsWith(nodes.back().literal);
    }
    return true;
}

// ---------------------------------------------------------------- JSON

class JsonReader
{
public:
    JsonReader(QByteArrayView in) : p(in.data()), end(in.data() + in.size()) {}
    const char *p;
    const char *end;
    QString error;

    void ws()
    {
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
            ++p;
    }
    bool failAt(const char *what)
    {
        if (error.isEmpty())
            error = QString::fromLatin1(what);
        return false;
    }
    bool readString(QString &out)
    {
        if (p >= end || *p != '"')
            return failAt("expected string");
        ++p;
        const char *start = p;
        bool simple = true;
        while (p < end && *p != '"') {
            if (*p == '\\') {
                simple = false;
                p += 2;
                continue;
            }
            ++p;
        }
        if (p >= end)
            return failAt("unterminated string");
        if (simple) {
            out = QString::fromUtf8(start, p - start);
        } else {
            QByteArray b;
            for (const char *q = start; q < p; ++q) {
                if (*q != '\\') {
                    b += *q;
                    continue;
                }
                ++q;
                switch (*q) {
                case 'n': b += '\n'; break;
                case 't': b += '\t'; break;
                case 'r': b += '\r'; break;
                case 'b': b += '\b'; break;
                case 'f': b += '\f'; break;
                case 'u': {
                    if (end - q < 5)
                        return failAt("bad unicode escape");
                    bool ok = false;
                    uint cp = QByteArray(q + 1, 4).toUInt(&ok, 16);
                    q += 4;
                    if (cp >= 0xd800 && cp < 0xdc00 && q + 6 < p && q[1] == '\\' && q[2] == 'u') {
                        const uint lo = QByteArray(q + 3, 4).toUInt(&ok, 16);
                        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                        q += 6;
                    }
                    const char32_t c = cp;
                    b += QString::fromUcs4(&c, 1).toUtf8();
                    break;
                }
                default: b += *q;
                }
            }
            out = QString::fromUtf8(b);
        }
        ++p;
        return true;
    }
    // Skips a value, leaving [start, p) as its raw text.
    bool skipValue()
    {
        ws();
        if (p >= end)
            return failAt("unexpected end of input");
        if (*p == '"') {
            QString s;
            return readString(s);
        }
        if (*p == '{' || *p == '[') {
            const char open = *p;
            const char close = open == '{' ? '}' : ']';
            ++p;
            ws();
            if (p < end && *p == close) {
                ++p;
                return true;
            }
            for (;;) {
                if (open == '{') {
                    ws();
                    QString k;
                    if (!readString(k))
                        return false;
                    ws();
                    if (p >= end || *p != ':')
                        return failAt("expected ':'");
                    ++p;
                }
                if (!skipValue())
                    return false;
                ws();
                if (p < end && *p == ',') {
                    ++p;
                    continue;
                }
                if (p < end && *p == close) {
                    ++p;
                    return true;
                }
                return failAt("expected ',' or closing bracket");
            }
        }
        const char *start = p;
        while (p < end && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\n' && *p != '\t' && *p != '\r')
            ++p;
        const QByteArrayView lit(start, p - start);
        if (lit == "true" || lit == "false" || lit == "null")
            return true;
        bool ok = false;
        QByteArray(start, p - start).toDouble(&ok);
        return ok ? true : failAt("invalid literal");
    }
};

using JsonPath = QList<QString>; // keys; array indices as "[n]"

// Parses `a.b[0]["c d"]` (Loki's json expressions).
std::optional<JsonPath> parseJsonExpression(const QString &e)
{
    JsonPath path;
    qsizetype i = 0;
    QString cur;
    while (i < e.size()) {
        const QChar c = e[i];
        if (c == u'.') {
            if (!cur.isEmpty())
                path.append(cur);
            cur.clear();
            ++i;
        } else if (c == u'[') {
            if (!cur.isEmpty())
                path.append(cur);
            cur.clear();
            const qsizetype close = e.indexOf(u']', i);
            if (close < 0)
                return std::nullopt;
            QString inner = e.mid(i + 1, close - i - 1).trimmed();
            if (inner.startsWith(u'"') || inner.startsWith(u'\'')) {
                path.append(inner.mid(1, inner.size() - 2));
            } else {
                bool ok = false;
                inner.toInt(&ok);
                if (!ok)
                    return std::nullopt;
                path.append(u'[' + inner + u']');
            }
            i = close + 1;
        } else {
            cur += c;
            ++i;
        }
    }
    if (!cur.isEmpty())
        path.append(cur);
    if (path.isEmpty())
        return std::nullopt;
    return path;
}

struct JsonTarget
{
    QString label;
    JsonPath path;
};

// Walks a JSON document; in flatten mode every scalar under objects becomes
// a label (arrays skipped, as Loki); in extraction mode only the targets.
bool walkJson(JsonReader &r, JsonPath &path, const QString &prefix, const QList<JsonTarget> *targets,
              LabelsBuilder &lbs, bool descendOnly = false)
{
    r.ws();
    if (r.p >= r.end)
        return r.failAt("unexpected end of input");
    if (targets && !descendOnly) {
        bool below = false;
        for (const auto &t : *targets)
            if (t.path.size() > path.size() && t.path.first(path.size()) == path)
                below = true;
        for (const auto &t : *targets) {
            if (t.path != path || below)
                continue;
            const char *start = r.p;
            if (*r.p == '"') {
                QString s;
                if (!r.readString(s))
                    return false;
                setParsed(lbs, t.label, s);
            } else {
                if (!r.skipValue())
                    return false;
                const QByteArrayView raw(start, r.p - start);
                setParsed(lbs, t.label, raw == "null" ? QString() : QString::fromUtf8(raw));
            }
            return true;
        }
        if (!below)
            return r.skipValue();
        // A target here with more targets below: descend, then take the raw text.
        const char *start = r.p;
        bool matched = false;
        for (const auto &t : *targets)
            matched = matched || t.path == path;
        if (matched) {
            if (!walkJson(r, path, prefix, targets == nullptr ? nullptr : targets, lbs, true))
                return false;
            const QByteArrayView raw(start, r.p - start);
            for (const auto &t : *targets)
                if (t.path == path)
                    setParsed(lbs, t.label, QString::fromUtf8(raw));
            return true;
        }
    }
    const char c = *r.p;
    if (c == '{') {
        ++r.p;
        r.ws();
        if (r.p < r.end && *r.p == '}') {
            ++r.p;
            return true;
        }
        for (;;) {
            r.ws();
            QString key;
            if (!r.readString(key))
                return false;
            r.ws();
            if (r.p >= r.end || *r.p != ':')
                return r.failAt("expected ':' after object key");
            ++r.p;
            path.append(key);
            const QString childPrefix = targets ? QString()
                                                : (prefix.isEmpty() ? sanitizeKey(key) : prefix + u'_' + sanitizeKey(key));
            if (!walkJson(r, path, childPrefix, targets, lbs))
                return false;
            path.removeLast();
            r.ws();
            if (r.p < r.end && *r.p == ',') {
                ++r.p;
                continue;
            }
            if (r.p < r.end && *r.p == '}') {
                ++r.p;
                return true;
            }
            return r.failAt("expected ',' or '}'");
        }
    }
    if (c == '[') {
        if (!targets)
            return r.skipValue();
        ++r.p;
        r.ws();
        if (r.p < r.end && *r.p == ']') {
            ++r.p;
            return true;
        }
        for (int idx = 0;; ++idx) {
            path.append(QStringLiteral("[%1]").arg(idx));
            if (!walkJson(r, path, QString(), targets, lbs))
                return false;
            path.removeLast();
            r.ws();
            if (r.p < r.end && *r.p == ',') {
                ++r.p;
                continue;
            }
            if (r.p < r.end && *r.p == ']') {
                ++r.p;
                return true;
            }
            return r.failAt("expected ',' or ']'");
        }
    }
    if (c == '"') {
        QString s;
        if (!r.readString(s))
            return false;
        if (!targets)
            setParsed(lbs, prefix, s);
        return true;
    }
    const char *start = r.p;
    if (!r.skipValue())
        return false;
    const QByteArrayView raw(start, r.p - start);
    if (!targets && raw != "null")
        setParsed(lbs, prefix, QString::fromUtf8(raw));
    return true;
}

// ---------------------------------------------------------------- logfmt

// Returns false on malformed input (go-logfmt's errors); in non-strict mode
// the caller keeps what was parsed before.
bool parseLogfmt(QByteArrayView in, bool keepEmpty, bool strict, const QHash<QString, QString> *wanted,
                 LabelsBuilder &lbs, QString &err)
{
    qsizetype i = 0;
    const qsizetype n = in.size();
    while (i < n) {
        while (i < n && static_cast<unsigned char>(in[i]) <= ' ')
            ++i;
        if (i >= n)
            break;
        const qsizetype ks = i;
        while (i < n && static_cast<unsigned char>(in[i]) > ' ' && in[i] != '=' && in[i] != '"')
            ++i;
        const QByteArrayView key = in.sliced(ks, i - ks);
        if (key.isEmpty()) {
            if (strict) {
                err = QStringLiteral("logfmt syntax error at pos %1 : unexpected '%2'").arg(i + 1).arg(QLatin1Char(in[i]));
                return false;
            }
            // skip the bad token
            while (i < n && static_cast<unsigned char>(in[i]) > ' ')
                ++i;
            continue;
        }
        QString value;
        bool hasValue = false;
        if (i < n && in[i] == '=') {
            ++i;
            hasValue = true;
            if (i < n && in[i] == '"') {
                ++i;
                QByteArray v;
                bool closed = false;
                while (i < n) {
                    if (in[i] == '\\' && i + 1 < n) {
                        const char e = in[i + 1];
                        v += e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e;
                        i += 2;
                        continue;
                    }
                    if (in[i] == '"') {
                        closed = true;
                        ++i;
                        break;
                    }
                    v += in[i++];
                }
                if (!closed) {
                    if (strict) {
                        err = QStringLiteral("logfmt syntax error at pos %1 : unterminated quoted value").arg(n + 1);
                        return false;
                    }
                    return true;
                }
                value = QString::fromUtf8(v);
            } else {
                const qsizetype vs = i;
                while (i < n && static_cast<unsigned char>(in[i]) > ' ') {
                    if (in[i] == '"' || in[i] == '=') {
                        if (strict) {
                            err = QStringLiteral("logfmt syntax error at pos %1 : unexpected '%2'").arg(i + 1).arg(QLatin1Char(in[i]));
                            return false;
                        }
                    }
                    ++i;
                }
                value = QString::fromUtf8(in.sliced(vs, i - vs));
            }
        } else if (i < n && in[i] == '"') {
            if (strict) {
                err = QStringLiteral("logfmt syntax error at pos %1 : unexpected '\"'").arg(i + 1);
                return false;
            }
            while (i < n && static_cast<unsigned char>(in[i]) > ' ')
                ++i;
            continue;
        }
        if (!hasValue && !keepEmpty)
            continue;
        if (value.isEmpty() && !keepEmpty)
            continue;
        const QString k = QString::fromUtf8(key);
        if (wanted) {
            const auto it = wanted->find(k);
            if (it == wanted->end())
                continue;
            setParsed(lbs, it.value(), value);
        } else {
            setParsed(lbs, sanitizeKey(k), value);
        }
    }
    return true;
}

QByteArray decolorize(QByteArrayView in)
{
    QByteArray out;
    out.reserve(in.size());
    for (qsizetype i = 0; i < in.size(); ++i) {
        if (in[i] == '\x1b' && i + 1 < in.size() && in[i + 1] == '[') {
            qsizetype j = i + 2;
            while (j < in.size() && ((in[j] >= '0' && in[j] <= '9') || in[j] == ';'))
                ++j;
            if (j < in.size() && ((in[j] >= 'a' && in[j] <= 'z') || (in[j] >= 'A' && in[j] <= 'Z'))) {
                i = j;
                continue;
            }
        }
        out += in[i];
    }
    return out;
}

bool compare(double a, CmpOp op, double b)
{
    switch (op) {
    case CmpOp::Eq: return a == b;
    case CmpOp::Ne: return a != b;
    case CmpOp::Gt: return a > b;
    case CmpOp::Ge: return a >= b;
    case CmpOp::Lt: return a < b;
    case CmpOp::Le: return a <= b;
    }
    return false;
}

} // namespace

bool applyLabelFilter(const LabelFilter &f, LabelsBuilder &lbs)
{
    switch (f.kind) {
    case LabelFilter::Kind::And:
        return applyLabelFilter(*f.left, lbs) && applyLabelFilter(*f.right, lbs);
    case LabelFilter::Kind::Or:
        return applyLabelFilter(*f.left, lbs) || applyLabelFilter(*f.right, lbs);
    case LabelFilter::Kind::String:
        return f.matcher->matches(lbs.get(f.matcher->name()));
    case LabelFilter::Kind::Ip: {
        if (!lbs.has(f.name))
            return false;
        auto range = parseIpPattern(f.ipPattern);
        if (!range)
            return false;
        auto ip = parseIp(lbs.get(f.name).toLatin1());
        const bool in = ip && ipInRange(*ip, *range);
        return f.op == CmpOp::Eq ? in : !in;
    }
    case LabelFilter::Kind::Number:
    case LabelFilter::Kind::Duration:
    case LabelFilter::Kind::Bytes: {
        // Lines that already failed only string matchers can filter out.
        if (lbs.hasError())
            return true;
        if (!lbs.has(f.name))
            return false;
        const QString v = lbs.get(f.name);
        std::optional<double> x;
        if (f.kind == LabelFilter::Kind::Number) {
            bool ok = false;
            const double d = v.toDouble(&ok);
            if (ok)
                x = d;
        } else if (f.kind == LabelFilter::Kind::Duration) {
            x = parseGoDuration(v);
        } else {
            x = parseHumanBytes(v);
        }
        if (!x) {
            lbs.setError(kLabelFilterErr, QStringLiteral("cannot convert \"%1\" for filter %2").arg(v, f.text));
            return true;
        }
        return compare(*x, f.op, f.number);
    }
    }
    return false;
}

// ---------------------------------------------------------------- compiled stages

struct CompiledFilterTerm
{
    enum class Kind { Contains, Regex, Pattern, Ip } kind = Kind::Contains;
    QByteArray needle;
    std::shared_ptr<RE2> re;
    QList<PatternNode> pattern;
    IpRange ip;

    bool matches(QByteArrayView line) const
    {
        switch (kind) {
        case Kind::Contains:
            return needle.isEmpty()
                   || (line.size() >= needle.size()
                       && ::memmem(line.data(), size_t(line.size()), needle.constData(), size_t(needle.size())));
        case Kind::Regex:
            return RE2::PartialMatch(re2::StringPiece(line.data(), size_t(line.size())), *re);
        case Kind::Pattern:
            return patternTest(pattern, line);
        case Kind::Ip:
            return lineHasIpIn(line, ip);
        }
        return false;
    }
};

struct CompiledStage
{
    Stage::Kind kind;
    // line filter
    bool negate = false;
    QList<CompiledFilterTerm> terms;
    // parsers
    QList<JsonTarget> jsonTargets;
    bool jsonExtract = false;
    QHash<QString, QString> logfmtWanted; // key -> label
    bool strict = false, keepEmpty = false;
    std::shared_ptr<RE2> re;
    QList<std::pair<int, QString>> reGroups;
    QList<PatternNode> pattern;
    LabelFilterPtr labelFilter;
    LineTemplate lineTemplate;
    QList<std::pair<LabelFormatItem, LineTemplate>> labelFormats;
    QList<DropKeepItem> dropKeep;
};

struct Pipeline::Impl
{
    QList<CompiledStage> stages;
    bool onlyLineFilters = true;
};

Pipeline::Pipeline() : m_d(std::make_shared<Impl>()) {}
Pipeline::~Pipeline() = default;
Pipeline::Pipeline(const Pipeline &) = default;
Pipeline &Pipeline::operator=(const Pipeline &) = default;

bool Pipeline::isEmpty() const
{
    return m_d->stages.isEmpty();
}

bool Pipeline::onlyLineFilters() const
{
    return m_d->onlyLineFilters;
}

Result<Pipeline> Pipeline::compileLabelFilters(const QList<LabelFilterPtr> &filters)
{
    QList<Stage> stages;
    for (const auto &f : filters) {
        Stage s;
        s.kind = Stage::Kind::LabelFilter;
        s.labelFilter = f;
        stages.append(s);
    }
    return compile(stages);
}

Result<Pipeline> Pipeline::compile(const QList<Stage> &stages)
{
    auto d = std::make_shared<Impl>();
    for (const Stage &s : stages) {
        CompiledStage c;
        c.kind = s.kind;
        if (s.kind != Stage::Kind::LineFilter)
            d->onlyLineFilters = false;
        switch (s.kind) {
        case Stage::Kind::LineFilter:
            c.negate = s.lineFilter.op == LineFilter::Op::NotContains || s.lineFilter.op == LineFilter::Op::NotRegex
                       || s.lineFilter.op == LineFilter::Op::NotPattern;
            for (const auto &t : s.lineFilter.terms) {
                CompiledFilterTerm ct;
                if (t.isIp) {
                    auto r = parseIpPattern(t.value);
                    if (!r)
                        return fail(r.error());
                    ct.kind = CompiledFilterTerm::Kind::Ip;
                    ct.ip = *r;
                } else if (s.lineFilter.op == LineFilter::Op::Regex || s.lineFilter.op == LineFilter::Op::NotRegex) {
                    RE2::Options o;
                    o.set_log_errors(false);
                    o.set_dot_nl(true);
                    ct.kind = CompiledFilterTerm::Kind::Regex;
                    ct.re = std::make_shared<RE2>(t.value.toStdString(), o);
                    if (!ct.re->ok())
                        return fail(Error::invalid(QStringLiteral("invalid regex %1").arg(t.value)));
                } else if (s.lineFilter.op == LineFilter::Op::Pattern || s.lineFilter.op == LineFilter::Op::NotPattern) {
                    ct.kind = CompiledFilterTerm::Kind::Pattern;
                    ct.pattern = parsePattern(t.value);
                } else {
                    ct.needle = t.value.toUtf8();
                }
                c.terms.append(ct);
            }
            break;
        case Stage::Kind::Json:
            c.jsonExtract = !s.extractions.isEmpty();
            for (const auto &x : s.extractions) {
                auto path = parseJsonExpression(x.expression);
                if (!path)
                    return fail(Error::invalid(QStringLiteral("invalid json expression \"%1\"").arg(x.expression)));
                c.jsonTargets.append({x.label, *path});
            }
            break;
        case Stage::Kind::Logfmt:
            c.strict = s.strict;
            c.keepEmpty = s.keepEmpty;
            for (const auto &x : s.extractions)
                c.logfmtWanted.insert(x.expression, x.label);
            break;
        case Stage::Kind::Regexp: {
            c.re = std::make_shared<RE2>(s.text.toStdString(), RE2::Quiet);
            for (const auto &[name, idx] : c.re->NamedCapturingGroups())
                c.reGroups.append({idx, QString::fromStdString(name)});
            break;
        }
        case Stage::Kind::Pattern:
            c.pattern = parsePattern(s.text);
            break;
        case Stage::Kind::LabelFilter:
            c.labelFilter = s.labelFilter;
            break;
        case Stage::Kind::LineFormat: {
            auto t = LineTemplate::parse(s.text);
            if (!t)
                return fail(Error::invalid(QStringLiteral("invalid line template: %1").arg(t.error().message)));
            c.lineTemplate = *t;
            break;
        }
        case Stage::Kind::LabelFormat:
            for (const auto &item : s.labelFormats) {
                LineTemplate t;
                if (!item.isRename) {
                    auto pt = LineTemplate::parse(item.templ);
                    if (!pt)
                        return fail(Error::invalid(QStringLiteral("invalid label template: %1").arg(pt.error().message)));
                    t = *pt;
                }
                c.labelFormats.append({item, t});
            }
            break;
        case Stage::Kind::Drop:
        case Stage::Kind::Keep:
            c.dropKeep = s.dropKeep;
            break;
        case Stage::Kind::Unpack:
        case Stage::Kind::Decolorize:
            break;
        }
        d->stages.append(std::move(c));
    }
    Pipeline p;
    p.m_d = d;
    return p;
}

bool Pipeline::process(model::TimestampNs ts, QByteArrayView &line, QByteArray &storage, LabelsBuilder &lbs) const
{
    for (const CompiledStage &s : m_d->stages) {
        switch (s.kind) {
        case Stage::Kind::LineFilter: {
            bool any = false;
            for (const auto &t : s.terms)
                if (t.matches(line)) {
                    any = true;
                    break;
                }
            if (any == s.negate)
                return false;
            break;
        }
        case Stage::Kind::Json: {
            JsonReader r(line);
            JsonPath path;
            r.ws();
            if (!s.jsonExtract && (r.p >= r.end || *r.p != '{')) {
                lbs.setError(kJsonErr, QStringLiteral("Value looks like object, but can't find closing '}' symbol"));
                break;
            }
            if (!walkJson(r, path, QString(), s.jsonExtract ? &s.jsonTargets : nullptr, lbs) && !s.jsonExtract)
                lbs.setError(kJsonErr, r.error);
            break;
        }
        case Stage::Kind::Logfmt: {
            QString err;
            if (!parseLogfmt(line, s.keepEmpty, s.strict, s.logfmtWanted.isEmpty() ? nullptr : &s.logfmtWanted, lbs, err))
                lbs.setError(kLogfmtErr, err);
            break;
        }
        case Stage::Kind::Regexp: {
            const int n = s.re->NumberOfCapturingGroups();
            std::vector<re2::StringPiece> groups(size_t(n) + 1);
            if (s.re->Match(re2::StringPiece(line.data(), size_t(line.size())), 0, size_t(line.size()),
                            RE2::UNANCHORED, groups.data(), n + 1)) {
                for (const auto &[idx, name] : s.reGroups) {
                    const auto &g = groups[size_t(idx)];
                    if (g.data())
                        setParsed(lbs, name, QString::fromUtf8(g.data(), qsizetype(g.size())));
                }
            }
            break;
        }
        case Stage::Kind::Pattern: {
            QList<std::pair<QString, QByteArrayView>> caps;
            patternExtract(s.pattern, line, caps);
            for (const auto &[name, v] : caps)
                setParsed(lbs, name, QString::fromUtf8(v));
            break;
        }
        case Stage::Kind::Unpack: {
            JsonReader r(line);
            r.ws();
            if (r.p >= r.end || *r.p != '{') {
                lbs.setError(kJsonErr, QStringLiteral("expecting json object"));
                break;
            }
            ++r.p;
            bool ok = true;
            std::optional<QString> entry;
            r.ws();
            if (r.p < r.end && *r.p == '}') {
                break;
            }
            for (;;) {
                r.ws();
                QString key;
                if (!r.readString(key)) {
                    ok = false;
                    break;
                }
                r.ws();
                if (r.p >= r.end || *r.p != ':') {
                    ok = false;
                    break;
                }
                ++r.p;
                r.ws();
                if (r.p < r.end && *r.p == '"') {
                    QString v;
                    if (!r.readString(v)) {
                        ok = false;
                        break;
                    }
                    if (key == u"_entry")
                        entry = v;
                    else
                        setParsed(lbs, sanitizeKey(key), v);
                } else if (!r.skipValue()) {
                    ok = false;
                    break;
                }
                r.ws();
                if (r.p < r.end && *r.p == ',') {
                    ++r.p;
                    continue;
                }
                if (r.p < r.end && *r.p == '}')
                    break;
                ok = false;
                break;
            }
            if (!ok) {
                lbs.setError(kJsonErr, r.error.isEmpty() ? QStringLiteral("malformed json") : r.error);
            } else if (entry) {
                storage = entry->toUtf8();
                line = storage;
            }
            break;
        }
        case Stage::Kind::LabelFilter:
            if (!applyLabelFilter(*s.labelFilter, lbs))
                return false;
            break;
        case Stage::Kind::LineFormat: {
            TemplateContext tc;
            tc.label = [&lbs](const QString &n) { return lbs.get(n); };
            if (s.lineTemplate.usesLine())
                tc.line = QString::fromUtf8(line);
            tc.timeNs = ts;
            auto out = s.lineTemplate.render(tc);
            if (!out) {
                lbs.setError(kTemplateErr, out.error().message);
                break;
            }
            storage = out->toUtf8();
            line = storage;
            break;
        }
        case Stage::Kind::LabelFormat: {
            // All templates see the labels as they were before this stage.
            QHash<QString, QString> snapshot;
            lbs.forEach([&](const QString &n, const QString &v) { snapshot.insert(n, v); });
            TemplateContext tc;
            tc.label = [&snapshot](const QString &n) { return snapshot.value(n); };
            tc.timeNs = ts;
            bool lineSet = false;
            for (const auto &[item, tmpl] : s.labelFormats) {
                if (item.isRename) {
                    const QString v = snapshot.value(item.src);
                    lbs.del(item.src);
                    lbs.set(item.dst, v);
                    continue;
                }
                if (tmpl.usesLine() && !lineSet) {
                    tc.line = QString::fromUtf8(line);
                    lineSet = true;
                }
                auto out = tmpl.render(tc);
                if (!out) {
                    lbs.setError(kTemplateErr, out.error().message);
                    continue;
                }
                lbs.set(item.dst, *out);
            }
            break;
        }
        case Stage::Kind::Drop:
            lbs.keepOnly([&](const QString &n, const QString &v) {
                for (const auto &item : s.dropKeep)
                    if (item.name == n && (!item.matcher || item.matcher->matches(v)))
                        return false;
                return true;
            });
            break;
        case Stage::Kind::Keep:
            lbs.keepOnly([&](const QString &n, const QString &v) {
                for (const auto &item : s.dropKeep)
                    if (item.name == n && (!item.matcher || item.matcher->matches(v)))
                        return true;
                return false;
            });
            break;
        case Stage::Kind::Decolorize:
            storage = decolorize(line);
            line = storage;
            break;
        }
    }
    return true;
}

} // namespace spyglass::query::logql
