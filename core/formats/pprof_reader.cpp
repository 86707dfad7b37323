#include "core/formats/pprof_reader.h"

#include "core/proto/pprof/profile.pb.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>

#include <QFile>
#include <QHash>

#include <zlib.h>

#include <algorithm>
#include <limits>
#include <memory>
#include <unordered_map>
#include <vector>

namespace spyglass::formats {

namespace pb = perftools::profiles;
using google::protobuf::internal::WireFormatLite;

namespace {

Error errorAt(const QString &source, const QString &msg)
{
    Error e = Error::badData(msg);
    e.source = source;
    return e;
}

QString tagName(int field)
{
    switch (field) {
    case 1: return QStringLiteral("sample_type");
    case 2: return QStringLiteral("sample");
    case 3: return QStringLiteral("mapping");
    case 4: return QStringLiteral("location");
    case 5: return QStringLiteral("function");
    case 6: return QStringLiteral("string_table");
    case 11: return QStringLiteral("period_type");
    default: return QStringLiteral("field %1").arg(field);
    }
}

// protobuf only says "parse failed"; walk the top-level fields to tell the
// user where the bytes stop making sense (truncation shows up here).
QString locateProtobufDamage(const QByteArray &bytes)
{
    const auto *data = reinterpret_cast<const std::uint8_t *>(bytes.constData());
    google::protobuf::io::CodedInputStream in(data, int(bytes.size()));
    int counts[16] = {};
    while (true) {
        const int start = in.CurrentPosition();
        const std::uint32_t tag = in.ReadTag();
        if (tag == 0) {
            if (start < bytes.size())
                return QStringLiteral("byte %1: invalid field tag").arg(start);
            break;
        }
        const int field = int(WireFormatLite::GetTagFieldNumber(tag));
        const auto wt = WireFormatLite::GetTagWireType(tag);
        const int ordinal = field >= 0 && field < 16 ? counts[field]++ : 0;
        if (wt == WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
            std::uint32_t len = 0;
            if (!in.ReadVarint32(&len))
                return QStringLiteral("byte %1: truncated length of %2 #%3")
                    .arg(start).arg(tagName(field)).arg(ordinal + 1);
            const int bodyStart = in.CurrentPosition();
            if (qint64(bodyStart) + len > bytes.size())
                return QStringLiteral("byte %1: %2 #%3 is truncated (needs %4 bytes, %5 left)")
                    .arg(start).arg(tagName(field)).arg(ordinal + 1).arg(len)
                    .arg(bytes.size() - bodyStart);
            std::unique_ptr<google::protobuf::MessageLite> msg;
            switch (field) {
            case 1: case 11: msg = std::make_unique<pb::ValueType>(); break;
            case 2: msg = std::make_unique<pb::Sample>(); break;
            case 3: msg = std::make_unique<pb::Mapping>(); break;
            case 4: msg = std::make_unique<pb::Location>(); break;
            case 5: msg = std::make_unique<pb::Function>(); break;
            default: break;
            }
            if (msg && !msg->ParseFromArray(data + bodyStart, int(len)))
                return QStringLiteral("byte %1: malformed %2 #%3")
                    .arg(start).arg(tagName(field)).arg(ordinal + 1);
            if (!in.Skip(int(len)))
                return QStringLiteral("byte %1: truncated %2").arg(start).arg(tagName(field));
        } else if (!WireFormatLite::SkipField(&in, tag)) {
            return QStringLiteral("byte %1: truncated or malformed %2").arg(start).arg(tagName(field));
        }
    }
    return QStringLiteral("malformed protobuf message");
}

} // namespace

Result<QByteArray> PprofReader::gunzip(const QByteArray &bytes, const QString &source, qint64 maxBytes)
{
    z_stream z{};
    // 15 + 32: largest window, gzip or zlib header detected automatically.
    if (inflateInit2(&z, 15 + 32) != Z_OK)
        return fail(Error::internal(QStringLiteral("cannot initialise zlib")));
    QByteArray out;
    out.resize(std::max<qsizetype>(bytes.size() * 4, 64 * 1024));
    z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(bytes.constData()));
    z.avail_in = uInt(bytes.size());
    qint64 produced = 0;
    int rc = Z_OK;
    while (true) {
        if (produced == out.size()) {
            if (out.size() >= maxBytes) {
                inflateEnd(&z);
                return fail(errorAt(source, QStringLiteral("%1: decompressed data exceeds the limit "
                                                           "of %2 bytes")
                                                .arg(source).arg(maxBytes)));
            }
            out.resize(std::min<qint64>(out.size() * 2, maxBytes));
        }
        z.next_out = reinterpret_cast<Bytef *>(out.data() + produced);
        z.avail_out = uInt(std::min<qint64>(out.size() - produced, std::numeric_limits<uInt>::max()));
        const uInt before = z.avail_out;
        rc = inflate(&z, Z_NO_FLUSH);
        produced += before - z.avail_out;
        if (rc == Z_STREAM_END) {
            // Concatenated members (gzip allows them) continue the stream.
            if (z.avail_in > 0 && inflateReset(&z) == Z_OK)
                continue;
            break;
        }
        if (rc == Z_BUF_ERROR && z.avail_in == 0) {
            inflateEnd(&z);
            return fail(errorAt(source, QStringLiteral("%1: gzip data is truncated after %2 "
                                                       "compressed bytes")
                                            .arg(source).arg(bytes.size())));
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            const QString why = z.msg ? QString::fromUtf8(z.msg) : QStringLiteral("error %1").arg(rc);
            const qint64 at = bytes.size() - z.avail_in;
            inflateEnd(&z);
            return fail(errorAt(source, QStringLiteral("%1: bad gzip data at compressed byte %2: %3")
                                            .arg(source).arg(at).arg(why)));
        }
    }
    inflateEnd(&z);
    out.resize(produced);
    return out;
}

QString PprofReader::profileName(const QString &periodType, const QString &firstSampleType)
{
    if (periodType == u"cpu")
        return QStringLiteral("process_cpu");
    if (periodType == u"space" || periodType == u"inuse_space" || periodType == u"alloc_space"
        || periodType == u"objects" || periodType == u"inuse_objects")
        return QStringLiteral("memory");
    if (periodType == u"wall")
        return QStringLiteral("wall");
    if (periodType == u"contentions")
        return QStringLiteral("mutex");
    if (periodType == u"goroutine")
        return QStringLiteral("goroutines");
    if (!periodType.isEmpty())
        return periodType;
    return firstSampleType.isEmpty() ? QStringLiteral("unknown") : firstSampleType;
}

Result<QList<model::Profile>> PprofReader::readFile(const QString &path, const PprofReadOptions &options)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return fail(Error::io(QStringLiteral("cannot open %1: %2").arg(path, f.errorString())));
    return parse(f.readAll(), path, options);
}

Result<QList<model::Profile>> PprofReader::parse(const QByteArray &input, const QString &source,
                                                 const PprofReadOptions &options)
{
    QByteArray bytes = input;
    if (bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f
        && static_cast<unsigned char>(bytes[1]) == 0x8b) {
        auto raw = gunzip(bytes, source, options.maxDecompressedBytes);
        if (!raw)
            return fail(raw.error());
        bytes = std::move(*raw);
    }
    if (bytes.isEmpty())
        return fail(errorAt(source, QStringLiteral("%1: empty file, not a pprof profile").arg(source)));
    if (bytes.size() > std::numeric_limits<int>::max())
        return fail(errorAt(source, QStringLiteral("%1: profile larger than 2 GiB").arg(source)));

    pb::Profile p;
    if (!p.ParseFromArray(bytes.constData(), int(bytes.size())))
        return fail(errorAt(source, QStringLiteral("%1: not a valid pprof profile: %2")
                                        .arg(source, locateProtobufDamage(bytes))));

    const auto &strings = p.string_table();
    if (strings.empty() || !strings.Get(0).empty())
        return fail(errorAt(source, QStringLiteral("%1: not a pprof profile: the string table must "
                                                   "start with an empty string")
                                        .arg(source)));
    QString bad;
    auto str = [&](std::int64_t idx, const QString &where) -> QString {
        if (idx < 0 || idx >= strings.size()) {
            if (bad.isEmpty())
                bad = QStringLiteral("%1: string index %2 is out of range (the table has %3 entries)")
                          .arg(where).arg(idx).arg(strings.size());
            return {};
        }
        return QString::fromStdString(strings.Get(int(idx)));
    };

    if (p.sample_type_size() == 0)
        return fail(errorAt(source, QStringLiteral("%1: the profile declares no sample types").arg(source)));

    struct VT { QString type, unit; };
    QList<VT> sampleTypes;
    for (int i = 0; i < p.sample_type_size(); ++i) {
        const QString where = QStringLiteral("sample_type %1").arg(i + 1);
        sampleTypes.append({str(p.sample_type(i).type(), where), str(p.sample_type(i).unit(), where)});
    }
    const VT periodType{str(p.period_type().type(), QStringLiteral("period_type")),
                        str(p.period_type().unit(), QStringLiteral("period_type"))};
    if (!bad.isEmpty())
        return fail(errorAt(source, source + QStringLiteral(": ") + bad));

    // Functions: one name per pprof function id.
    QHash<std::uint64_t, QString> functionNames;
    for (int i = 0; i < p.function_size(); ++i) {
        const auto &fn = p.function(i);
        const QString where = QStringLiteral("function %1 (id %2)").arg(i + 1).arg(fn.id());
        if (fn.id() == 0)
            return fail(errorAt(source, QStringLiteral("%1: %2: function id 0 is reserved").arg(source, where)));
        if (functionNames.contains(fn.id()))
            return fail(errorAt(source, QStringLiteral("%1: %2: duplicate function id").arg(source, where)));
        QString name = str(fn.name(), where);
        if (name.isEmpty())
            name = str(fn.system_name(), where);
        str(fn.filename(), where);
        if (!bad.isEmpty())
            return fail(errorAt(source, source + QStringLiteral(": ") + bad));
        if (name.isEmpty())
            name = QStringLiteral("(unknown function %1)").arg(fn.id());
        functionNames.insert(fn.id(), name);
    }

    QHash<std::uint64_t, int> mappingIds;
    for (int i = 0; i < p.mapping_size(); ++i) {
        const auto &m = p.mapping(i);
        const QString where = QStringLiteral("mapping %1 (id %2)").arg(i + 1).arg(m.id());
        if (m.id() == 0)
            return fail(errorAt(source, QStringLiteral("%1: %2: mapping id 0 is reserved").arg(source, where)));
        if (mappingIds.contains(m.id()))
            return fail(errorAt(source, QStringLiteral("%1: %2: duplicate mapping id").arg(source, where)));
        str(m.filename(), where);
        str(m.build_id(), where);
        mappingIds.insert(m.id(), i);
    }
    if (!bad.isEmpty())
        return fail(errorAt(source, source + QStringLiteral(": ") + bad));

    // Output function table, shared by every sample type's profile.
    QList<QString> names;
    QHash<QString, std::uint32_t> nameIndex;
    auto intern = [&](const QString &n) {
        auto it = nameIndex.constFind(n);
        if (it != nameIndex.cend())
            return *it;
        const auto idx = std::uint32_t(names.size());
        names.append(n);
        nameIndex.insert(n, idx);
        return idx;
    };

    // Locations: their frames, leaf first, already interned.
    QHash<std::uint64_t, QList<std::uint32_t>> locations;
    for (int i = 0; i < p.location_size(); ++i) {
        const auto &loc = p.location(i);
        const QString where = QStringLiteral("location %1 (id %2)").arg(i + 1).arg(loc.id());
        if (loc.id() == 0)
            return fail(errorAt(source, QStringLiteral("%1: %2: location id 0 is reserved").arg(source, where)));
        if (locations.contains(loc.id()))
            return fail(errorAt(source, QStringLiteral("%1: %2: duplicate location id").arg(source, where)));
        if (loc.mapping_id() != 0 && !mappingIds.contains(loc.mapping_id()))
            return fail(errorAt(source, QStringLiteral("%1: %2: mapping id %3 does not exist")
                                            .arg(source, where).arg(loc.mapping_id())));
        QList<std::uint32_t> frames;
        for (int l = 0; l < loc.line_size(); ++l) {
            const auto fid = loc.line(l).function_id();
            auto it = functionNames.constFind(fid);
            if (it == functionNames.cend())
                return fail(errorAt(source, QStringLiteral("%1: %2, line %3: function id %4 does not exist")
                                                .arg(source, where).arg(l + 1).arg(fid)));
            frames.append(intern(*it));
        }
        if (frames.isEmpty())
            frames.append(intern(QStringLiteral("0x%1").arg(loc.address(), 0, 16)));
        locations.insert(loc.id(), std::move(frames));
    }

    const QString name = options.name.isEmpty()
        ? profileName(periodType.type, sampleTypes.front().type)
        : options.name;

    QList<model::Profile> out(sampleTypes.size());
    // Per sample type: (frames, labels) -> index into out[t].stacks.
    struct Key
    {
        QList<std::uint32_t> frames;
        model::Labels labels;
        bool operator==(const Key &o) const { return frames == o.frames && labels == o.labels; }
    };
    struct KeyHash
    {
        size_t operator()(const Key &k) const
        {
            return qHashRange(k.frames.begin(), k.frames.end(), k.labels.hash());
        }
    };
    std::vector<std::unordered_map<Key, qsizetype, KeyHash>> seen(size_t(sampleTypes.size()));
    for (qsizetype t = 0; t < sampleTypes.size(); ++t) {
        auto &prof = out[t];
        prof.typeId = model::ProfileType{name, sampleTypes[t].type, sampleTypes[t].unit,
                                         periodType.type, periodType.unit}.id();
        prof.labels = options.labels;
        prof.time = p.time_nanos();
        prof.durationNs = p.duration_nanos();
        prof.period = p.period();
    }

    QList<std::uint32_t> frames;
    for (int s = 0; s < p.sample_size(); ++s) {
        const auto &sample = p.sample(s);
        const QString where = QStringLiteral("sample %1").arg(s + 1);
        if (sample.value_size() != sampleTypes.size())
            return fail(errorAt(source, QStringLiteral("%1: %2 has %3 values but the profile declares "
                                                       "%4 sample types")
                                            .arg(source, where).arg(sample.value_size())
                                            .arg(sampleTypes.size())));
        frames.clear();
        for (int l = 0; l < sample.location_id_size(); ++l) {
            auto it = locations.constFind(sample.location_id(l));
            if (it == locations.cend())
                return fail(errorAt(source, QStringLiteral("%1: %2, frame %3: location id %4 does not exist")
                                                .arg(source, where).arg(l + 1).arg(sample.location_id(l))));
            frames.append(*it);
        }
        model::Labels labels;
        if (sample.label_size() > 0) {
            QList<model::Label> pairs;
            for (int l = 0; l < sample.label_size(); ++l) {
                const auto &lab = sample.label(l);
                const QString key = str(lab.key(), where);
                QString value = lab.str() != 0 ? str(lab.str(), where) : QString::number(lab.num());
                str(lab.num_unit(), where);
                if (key.isEmpty() && bad.isEmpty())
                    bad = QStringLiteral("%1, label %2: empty label key").arg(where).arg(l + 1);
                pairs.append({key, value});
            }
            if (!bad.isEmpty())
                return fail(errorAt(source, source + QStringLiteral(": ") + bad));
            labels = model::Labels(pairs);
        }
        for (qsizetype t = 0; t < sampleTypes.size(); ++t) {
            const std::int64_t v = sample.value(int(t));
            if (v == 0)
                continue;
            auto &prof = out[t];
            Key key{frames, labels};
            auto [it, inserted] = seen[size_t(t)].try_emplace(std::move(key), prof.stacks.size());
            if (inserted)
                prof.stacks.append(model::Profile::Stack{frames, v, labels});
            else
                prof.stacks[it->second].value += v;
        }
    }
    for (auto &prof : out)
        prof.functionNames = names;
    return out;
}

} // namespace spyglass::formats
