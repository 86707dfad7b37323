#include "core/store/span_store_codec.h"
#include "core/store/varint.h"

#include <QVariantList>
#include <bit>
#include <cstring>

namespace spyglass::store {

namespace {

// Type tags of attribute values (FORMAT.md).
enum class ValueTag : quint8 { Empty = 0, String = 1, Bool = 2, Int = 3, Double = 4, Bytes = 5, Array = 6 };

void putVarint(QByteArray &out, qint64 v)
{
    putUvarint(out, zigzag(v));
}

void putBytes(QByteArray &out, QByteArrayView b)
{
    putUvarint(out, quint64(b.size()));
    out.append(b.data(), b.size());
}

void putString(QByteArray &out, const QString &s)
{
    putBytes(out, s.toUtf8());
}

void putValue(QByteArray &out, const QVariant &v, int depth = 0)
{
    switch (v.typeId()) {
    case QMetaType::UnknownType:
        out.append(char(ValueTag::Empty));
        return;
    case QMetaType::Bool:
        out.append(char(ValueTag::Bool));
        out.append(char(v.toBool() ? 1 : 0));
        return;
    case QMetaType::Int:
    case QMetaType::LongLong:
    case QMetaType::UInt:
    case QMetaType::ULongLong:
    case QMetaType::Long:
    case QMetaType::ULong:
    case QMetaType::Short:
    case QMetaType::UShort:
        out.append(char(ValueTag::Int));
        putVarint(out, v.toLongLong());
        return;
    case QMetaType::Double:
    case QMetaType::Float: {
        out.append(char(ValueTag::Double));
        const quint64 bits = std::bit_cast<quint64>(v.toDouble());
        char buf[8];
        for (int i = 0; i < 8; ++i)
            buf[i] = char((bits >> (8 * i)) & 0xff);
        out.append(buf, 8);
        return;
    }
    case QMetaType::QByteArray:
        out.append(char(ValueTag::Bytes));
        putBytes(out, v.toByteArray());
        return;
    case QMetaType::QVariantList:
    case QMetaType::QStringList:
        if (depth < 8) {
            const QVariantList list = v.toList();
            out.append(char(ValueTag::Array));
            putUvarint(out, quint64(list.size()));
            for (const QVariant &e : list)
                putValue(out, e, depth + 1);
            return;
        }
        break;
    default:
        break;
    }
    out.append(char(ValueTag::String));
    putString(out, v.toString());
}

class Reader
{
public:
    explicit Reader(QByteArrayView d) : m_d(d) {}
    bool ok() const { return m_ok; }
    bool atEnd() const { return m_pos >= m_d.size(); }

    quint64 uvarint()
    {
        quint64 v = 0;
        for (int shift = 0; shift < 64 && m_pos < m_d.size(); shift += 7) {
            const auto b = quint8(m_d[m_pos++]);
            v |= quint64(b & 0x7f) << shift;
            if (!(b & 0x80))
                return v;
        }
        m_ok = false;
        return 0;
    }
    qint64 varint()
    {
        const quint64 u = uvarint();
        return qint64(u >> 1) ^ -qint64(u & 1);
    }
    quint8 byte()
    {
        if (m_pos >= m_d.size()) {
            m_ok = false;
            return 0;
        }
        return quint8(m_d[m_pos++]);
    }
    QByteArray bytes()
    {
        const quint64 n = uvarint();
        if (!m_ok || n > quint64(m_d.size() - m_pos)) {
            m_ok = false;
            return {};
        }
        QByteArray b(m_d.data() + m_pos, qsizetype(n));
        m_pos += qsizetype(n);
        return b;
    }
    QString string() { return QString::fromUtf8(bytes()); }
    // Counts are bounded by the bytes left, so a corrupt count cannot make
    // us reserve gigabytes.
    qsizetype count()
    {
        const quint64 n = uvarint();
        if (n > quint64(m_d.size() - m_pos)) {
            m_ok = false;
            return 0;
        }
        return qsizetype(n);
    }

    QVariant value(int depth = 0)
    {
        switch (ValueTag(byte())) {
        case ValueTag::Empty: return {};
        case ValueTag::String: return string();
        case ValueTag::Bool: return byte() != 0;
        case ValueTag::Int: return QVariant::fromValue<qlonglong>(varint());
        case ValueTag::Double: {
            if (m_d.size() - m_pos < 8) {
                m_ok = false;
                return {};
            }
            quint64 bits = 0;
            for (int i = 0; i < 8; ++i)
                bits |= quint64(quint8(m_d[m_pos + i])) << (8 * i);
            m_pos += 8;
            return std::bit_cast<double>(bits);
        }
        case ValueTag::Bytes: return bytes();
        case ValueTag::Array: {
            if (depth >= 8) {
                m_ok = false;
                return {};
            }
            const qsizetype n = count();
            QVariantList list;
            list.reserve(n);
            for (qsizetype i = 0; i < n && m_ok; ++i)
                list.push_back(value(depth + 1));
            return list;
        }
        }
        m_ok = false;
        return {};
    }

    model::Attributes attributes()
    {
        const qsizetype n = count();
        model::Attributes out;
        out.reserve(n);
        for (qsizetype i = 0; i < n && m_ok; ++i) {
            model::Attribute a;
            a.key = string();
            a.value = value();
            out.push_back(std::move(a));
        }
        return out;
    }

private:
    QByteArrayView m_d;
    qsizetype m_pos = 0;
    bool m_ok = true;
};

} // namespace

void SpanStoreCodec::encodeAttributes(QByteArray &out, const model::Attributes &attrs)
{
    putUvarint(out, quint64(attrs.size()));
    for (const auto &a : attrs) {
        putString(out, a.key);
        putValue(out, a.value);
    }
}

QByteArray SpanStoreCodec::encode(const model::Span &span)
{
    QByteArray out;
    out.reserve(64 + 32 * (span.attributes.size() + span.resourceAttributes.size()));
    out.append(char(kVersion));
    putString(out, span.statusMessage);
    putString(out, span.scopeName);
    putString(out, span.scopeVersion);
    encodeAttributes(out, span.attributes);
    encodeAttributes(out, span.resourceAttributes);
    putUvarint(out, quint64(span.events.size()));
    for (const auto &e : span.events) {
        // Event times are stored relative to the span start: small varints.
        putVarint(out, e.time - span.start);
        putString(out, e.name);
        encodeAttributes(out, e.attributes);
    }
    putUvarint(out, quint64(span.links.size()));
    for (const auto &l : span.links) {
        putBytes(out, l.traceId);
        putBytes(out, l.spanId);
        encodeAttributes(out, l.attributes);
    }
    return out;
}

Result<void> SpanStoreCodec::decode(QByteArrayView data, model::Span &span)
{
    Reader r(data);
    const quint8 version = r.byte();
    if (!r.ok() || version != kVersion)
        return fail(Error::badData(
            QStringLiteral("span record has encoding version %1; this build reads version %2")
                .arg(version)
                .arg(kVersion)));
    span.statusMessage = r.string();
    span.scopeName = r.string();
    span.scopeVersion = r.string();
    span.attributes = r.attributes();
    span.resourceAttributes = r.attributes();
    const qsizetype nEvents = r.count();
    span.events.clear();
    span.events.reserve(nEvents);
    for (qsizetype i = 0; i < nEvents && r.ok(); ++i) {
        model::SpanEvent e;
        e.time = span.start + r.varint();
        e.name = r.string();
        e.attributes = r.attributes();
        span.events.push_back(std::move(e));
    }
    const qsizetype nLinks = r.count();
    span.links.clear();
    span.links.reserve(nLinks);
    for (qsizetype i = 0; i < nLinks && r.ok(); ++i) {
        model::SpanLink l;
        l.traceId = r.bytes();
        l.spanId = r.bytes();
        l.attributes = r.attributes();
        span.links.push_back(std::move(l));
    }
    if (!r.ok() || !r.atEnd())
        return fail(Error::badData(QStringLiteral("span record of %1 bytes is truncated or corrupt")
                                       .arg(data.size())));
    return {};
}

} // namespace spyglass::store
