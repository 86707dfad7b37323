#include "core/ingest/otlp_profiles_converter.h"

#include "core/ingest/otlp_json_decoder.h"
#include "core/ingest/otlp_values.h"
#include "core/proto/opentelemetry/proto/collector/profiles/v1development/profiles_service.pb.h"

#include <QHash>

namespace spyglass::ingest {

using opentelemetry::proto::collector::profiles::v1development::ExportProfilesServiceRequest;
namespace pb = opentelemetry::proto::profiles::v1development;
using otlp::qs;

namespace {

QString labelName(const QString &key)
{
    QString out = key;
    for (QChar &c : out)
        if (!(c.isLetterOrNumber() && c.unicode() < 128) && c != u'_')
            c = u'_';
    if (!out.isEmpty() && out.front().isDigit())
        out.prepend(u'_');
    return out;
}

// Thrown-free bounds checking: every index into the dictionary goes through here.
struct Dict
{
    const pb::ProfilesDictionary &d;

    std::optional<QString> str(int i) const
    {
        if (i < 0 || i >= d.string_table_size())
            return std::nullopt;
        return qs(d.string_table(i));
    }
};

} // namespace

QString OtlpProfilesConverter::profileName(const QString &sampleType, const QString &sampleUnit)
{
    if (sampleType == u"cpu" || (sampleType == u"samples" && sampleUnit == u"count"))
        return QStringLiteral("process_cpu");
    if (sampleType.startsWith(u"alloc_") || sampleType.startsWith(u"inuse_"))
        return QStringLiteral("memory");
    if (sampleType == u"wall")
        return QStringLiteral("wall");
    if (sampleType == u"contentions" || sampleType == u"delay")
        return QStringLiteral("block");
    if (sampleType.isEmpty())
        return QStringLiteral("unknown");
    return sampleType;
}

ProfilesConversion OtlpProfilesConverter::convert(const ExportProfilesServiceRequest &request)
{
    ProfilesConversion out;
    const Dict dict{request.dictionary()};
    const auto &d = request.dictionary();

    for (const auto &rp : request.resource_profiles()) {
        QString service = otlp::attributeText(rp.resource().attributes(), "service.name");
        if (service.isEmpty())
            service = QStringLiteral("unknown_service");
        QList<model::Label> pairs;
        for (const auto &kv : rp.resource().attributes()) {
            if (kv.key() == "service.name" || !kv.value().has_string_value())
                continue;
            pairs.append({labelName(qs(kv.key())), qs(kv.value().string_value())});
        }
        pairs.append({QStringLiteral("service_name"), service});
        const model::Labels seriesLabels(pairs);

        for (const auto &sp : rp.scope_profiles()) {
            for (const auto &p : sp.profiles()) {
                auto reject = [&](const QString &why) {
                    ++out.rejectedProfiles;
                    noteProblem(out.problems, why);
                };
                const auto type = dict.str(p.sample_type().type_strindex());
                const auto unit = dict.str(p.sample_type().unit_strindex());
                const auto ptype = dict.str(p.period_type().type_strindex());
                const auto punit = dict.str(p.period_type().unit_strindex());
                if (!type || !unit || !ptype || !punit) {
                    reject(QStringLiteral("a profile whose sample_type or period_type string index is outside the "
                                          "string_table was dropped"));
                    continue;
                }
                if (p.time_unix_nano() == 0) {
                    reject(QStringLiteral("a profile without time_unix_nano was dropped"));
                    continue;
                }
                model::Profile prof;
                prof.typeId = model::ProfileType{profileName(*type, *unit), *type, *unit, *ptype, *punit}.id();
                prof.labels = seriesLabels;
                prof.time = model::TimestampNs(p.time_unix_nano());
                prof.durationNs = std::int64_t(p.duration_nano());
                prof.period = p.period();

                QHash<QString, std::uint32_t> fnIndex;
                auto fn = [&](const QString &name) {
                    auto it = fnIndex.constFind(name);
                    if (it != fnIndex.cend())
                        return *it;
                    const auto idx = std::uint32_t(prof.functionNames.size());
                    prof.functionNames.append(name);
                    fnIndex.insert(name, idx);
                    return idx;
                };
                QString bad;
                for (const auto &s : p.samples()) {
                    if (s.stack_index() < 0 || s.stack_index() >= d.stack_table_size()) {
                        bad = QStringLiteral("sample stack_index %1 is outside the stack_table (%2 entries)")
                                  .arg(s.stack_index())
                                  .arg(d.stack_table_size());
                        break;
                    }
                    model::Profile::Stack st;
                    for (int li : d.stack_table(s.stack_index()).location_indices()) {
                        if (li < 0 || li >= d.location_table_size()) {
                            bad = QStringLiteral("location index %1 is outside the location_table").arg(li);
                            break;
                        }
                        const auto &loc = d.location_table(li);
                        if (loc.lines_size() == 0) {
                            st.functions.append(fn(QStringLiteral("0x%1").arg(loc.address(), 0, 16)));
                            continue;
                        }
                        for (const auto &line : loc.lines()) {
                            const int fi = line.function_index();
                            if (fi < 0 || fi >= d.function_table_size()) {
                                bad = QStringLiteral("function index %1 is outside the function_table").arg(fi);
                                break;
                            }
                            const auto name = dict.str(d.function_table(fi).name_strindex());
                            if (!name) {
                                bad = QStringLiteral("a function name index is outside the string_table");
                                break;
                            }
                            st.functions.append(fn(name->isEmpty() ? QStringLiteral("0x%1").arg(loc.address(), 0, 16)
                                                                    : *name));
                        }
                        if (!bad.isEmpty())
                            break;
                    }
                    if (!bad.isEmpty())
                        break;
                    for (std::int64_t v : s.values())
                        st.value += v;
                    if (s.values_size() == 0 && s.timestamps_unix_nano_size() > 0)
                        st.value = s.timestamps_unix_nano_size(); // one event per timestamp
                    QList<model::Label> sl;
                    for (int ai : s.attribute_indices()) {
                        if (ai < 0 || ai >= d.attribute_table_size())
                            continue;
                        const auto &kv = d.attribute_table(ai);
                        if (auto key = dict.str(kv.key_strindex()); key && !key->isEmpty())
                            sl.append({labelName(*key), otlp::anyValueText(kv.value())});
                    }
                    if (s.link_index() > 0 && s.link_index() < d.link_table_size()) {
                        const auto &link = d.link_table(s.link_index());
                        if (!link.span_id().empty())
                            sl.append({QStringLiteral("span_id"), otlp::hexId(link.span_id())});
                    }
                    if (!sl.isEmpty())
                        st.labels = model::Labels(sl);
                    if (st.value != 0 && !st.functions.isEmpty())
                        prof.stacks.append(std::move(st));
                }
                if (!bad.isEmpty()) {
                    reject(QStringLiteral("a profile was dropped: %1").arg(bad));
                    continue;
                }
                out.profiles.append(std::move(prof));
            }
        }
    }
    return out;
}

Result<ProfilesConversion> OtlpProfilesConverter::decode(QByteArrayView body, PayloadEncoding encoding)
{
    ExportProfilesServiceRequest r;
    if (encoding == PayloadEncoding::Json) {
        if (auto ok = OtlpJsonDecoder::decode(body, r); !ok)
            return fail(ok.error());
    } else if (!r.ParseFromArray(body.data(), int(body.size()))) {
        return fail(Error::badData(
            QStringLiteral("the body is not a valid protobuf ExportProfilesServiceRequest (%1 bytes)").arg(body.size())));
    }
    return convert(r);
}

} // namespace spyglass::ingest
