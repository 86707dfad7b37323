#include "core/formats/pprof_writer.h"

#include <QFile>
#include <QHash>
#include <QSaveFile>

#include <zlib.h>

#include <cstdint>

namespace spyglass::formats {

namespace {

// Protobuf wire format, only what profile.proto needs: varints and
// length-delimited fields (packed repeated integers, strings, messages).
class ProtoWriter
{
public:
    void varint(std::uint64_t v)
    {
        while (v >= 0x80) {
            m_out.append(char((v & 0x7f) | 0x80));
            v >>= 7;
        }
        m_out.append(char(v));
    }
    void tag(int field, int wireType) { varint(std::uint64_t(field) << 3 | std::uint64_t(wireType)); }
    // proto3 leaves zero scalars out.
    void int64Field(int field, std::int64_t v)
    {
        if (v == 0)
            return;
        tag(field, 0);
        varint(std::uint64_t(v));
    }
    void bytesField(int field, const QByteArray &bytes)
    {
        tag(field, 2);
        varint(std::uint64_t(bytes.size()));
        m_out.append(bytes);
    }
    void packedField(int field, const QList<std::uint64_t> &values)
    {
        if (values.isEmpty())
            return;
        ProtoWriter inner;
        for (std::uint64_t v : values)
            inner.varint(v);
        bytesField(field, inner.m_out);
    }
    const QByteArray &bytes() const { return m_out; }

private:
    QByteArray m_out;
};

class StringTable
{
public:
    StringTable() { id(QString()); } // pprof: string_table[0] must be ""
    std::int64_t id(const QString &s)
    {
        const auto it = m_ids.constFind(s);
        if (it != m_ids.constEnd())
            return it.value();
        const std::int64_t n = m_strings.size();
        m_ids.insert(s, n);
        m_strings.push_back(s);
        return n;
    }
    const QList<QString> &strings() const { return m_strings; }

private:
    QHash<QString, std::int64_t> m_ids;
    QList<QString> m_strings;
};

QByteArray valueType(StringTable &strings, const QString &type, const QString &unit)
{
    ProtoWriter w;
    w.int64Field(1, strings.id(type));
    w.int64Field(2, strings.id(unit));
    return w.bytes();
}

} // namespace

QByteArray PprofWriter::encode(const model::Profile &profile, const PprofWriteOptions &options)
{
    StringTable strings;
    ProtoWriter out;
    const std::optional<model::ProfileType> type = model::ProfileType::parse(profile.typeId);
    const QString sampleType = type ? type->sampleType : QStringLiteral("samples");
    const QString sampleUnit = type ? type->sampleUnit : QStringLiteral("count");

    out.bytesField(1, valueType(strings, sampleType, sampleUnit)); // sample_type

    for (const model::Profile::Stack &stack : profile.stacks) { // sample = 2
        ProtoWriter s;
        QList<std::uint64_t> locations;
        locations.reserve(stack.functions.size());
        for (std::uint32_t f : stack.functions)
            locations.push_back(std::uint64_t(f) + 1); // location i+1 calls function i+1
        s.packedField(1, locations);
        s.packedField(2, {std::uint64_t(stack.value)});
        for (const model::Label &l : stack.labels) {
            ProtoWriter label;
            label.int64Field(1, strings.id(l.name));
            label.int64Field(2, strings.id(l.value));
            s.bytesField(3, label.bytes());
        }
        out.bytesField(2, s.bytes());
    }

    for (qsizetype i = 0; i < profile.functionNames.size(); ++i) { // location = 4
        ProtoWriter line;
        line.int64Field(1, std::int64_t(i + 1));
        ProtoWriter loc;
        loc.int64Field(1, std::int64_t(i + 1));
        loc.bytesField(4, line.bytes());
        out.bytesField(4, loc.bytes());
    }
    for (qsizetype i = 0; i < profile.functionNames.size(); ++i) { // function = 5
        ProtoWriter fn;
        fn.int64Field(1, std::int64_t(i + 1));
        const std::int64_t name = strings.id(profile.functionNames[i]);
        fn.int64Field(2, name);
        fn.int64Field(3, name); // system_name
        out.bytesField(5, fn.bytes());
    }

    // The period type must be interned before the string table is written.
    QByteArray periodType;
    if (type && !type->periodType.isEmpty())
        periodType = valueType(strings, type->periodType, type->periodUnit);
    for (const QString &s : strings.strings()) // string_table = 6
        out.bytesField(6, s.toUtf8());
    out.int64Field(9, profile.time);
    out.int64Field(10, profile.durationNs);
    if (!periodType.isEmpty())
        out.bytesField(11, periodType);
    out.int64Field(12, profile.period);

    return options.gzip ? gzip(out.bytes()) : out.bytes();
}

QByteArray PprofWriter::gzip(const QByteArray &bytes)
{
    z_stream zs{};
    // 15 + 16: gzip header and trailer rather than zlib's.
    if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return {};
    QByteArray out;
    out.resize(qsizetype(deflateBound(&zs, uLong(bytes.size()))) + 32);
    zs.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(bytes.constData()));
    zs.avail_in = uInt(bytes.size());
    zs.next_out = reinterpret_cast<Bytef *>(out.data());
    zs.avail_out = uInt(out.size());
    const int rc = deflate(&zs, Z_FINISH);
    const qsizetype written = qsizetype(zs.total_out);
    deflateEnd(&zs);
    if (rc != Z_STREAM_END)
        return {};
    out.resize(written);
    return out;
}

Result<void> PprofWriter::writeFile(const model::Profile &profile, const QString &path,
                                    const PprofWriteOptions &options)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fail(Error::io(QStringLiteral("%1: cannot write: %2").arg(path, file.errorString())));
    const QByteArray bytes = encode(profile, options);
    if (bytes.isEmpty())
        return fail(Error::internal(QStringLiteral("%1: compressing the profile failed").arg(path)));
    if (file.write(bytes) != bytes.size() || !file.commit())
        return fail(Error::io(QStringLiteral("%1: cannot write: %2").arg(path, file.errorString())));
    return {};
}

} // namespace spyglass::formats
