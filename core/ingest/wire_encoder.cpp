#include "core/ingest/wire_encoder.h"

#include "core/proto/loki/push.pb.h"
#include "core/proto/opentelemetry/proto/collector/profiles/v1development/profiles_service.pb.h"
#include "core/proto/opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "core/proto/prometheus/remote.pb.h"

#include <QHash>
#include <map>

namespace spyglass::ingest {

namespace otc = opentelemetry::proto::common::v1;
namespace ott = opentelemetry::proto::trace::v1;
namespace otp = opentelemetry::proto::profiles::v1development;

namespace {

std::string ss(const QString &s) { return s.toStdString(); }
std::string sb(const QByteArray &b) { return std::string(b.constData(), std::size_t(b.size())); }

QByteArray toBytes(const std::string &s) { return QByteArray(s.data(), qsizetype(s.size())); }

void setAnyValue(otc::AnyValue *out, const QVariant &v)
{
    switch (v.typeId()) {
    case QMetaType::Bool: out->set_bool_value(v.toBool()); break;
    case QMetaType::Int:
    case QMetaType::LongLong:
    case QMetaType::UInt:
    case QMetaType::ULongLong: out->set_int_value(v.toLongLong()); break;
    case QMetaType::Double:
    case QMetaType::Float: out->set_double_value(v.toDouble()); break;
    case QMetaType::QByteArray: out->set_bytes_value(sb(v.toByteArray())); break;
    case QMetaType::QVariantList: {
        auto *a = out->mutable_array_value();
        for (const QVariant &x : v.toList())
            setAnyValue(a->add_values(), x);
        break;
    }
    case QMetaType::QVariantMap: {
        auto *m = out->mutable_kvlist_value();
        const QVariantMap map = v.toMap();
        for (auto it = map.cbegin(); it != map.cend(); ++it) {
            auto *kv = m->add_values();
            kv->set_key(ss(it.key()));
            setAnyValue(kv->mutable_value(), it.value());
        }
        break;
    }
    default: out->set_string_value(ss(v.toString())); break;
    }
}

template <typename Repeated>
void setAttributes(Repeated *out, const model::Attributes &attrs)
{
    for (const auto &a : attrs) {
        auto *kv = out->Add();
        kv->set_key(ss(a.key));
        setAnyValue(kv->mutable_value(), a.value);
    }
}

QString resourceKey(const model::Span &s)
{
    QString k = s.serviceName;
    for (const auto &a : s.resourceAttributes)
        k += u'\x1f' + a.key + u'=' + a.value.toString();
    return k;
}

ott::Span::SpanKind spanKind(model::Span::Kind k)
{
    switch (k) {
    case model::Span::Kind::Internal: return ott::Span::SPAN_KIND_INTERNAL;
    case model::Span::Kind::Server: return ott::Span::SPAN_KIND_SERVER;
    case model::Span::Kind::Client: return ott::Span::SPAN_KIND_CLIENT;
    case model::Span::Kind::Producer: return ott::Span::SPAN_KIND_PRODUCER;
    case model::Span::Kind::Consumer: return ott::Span::SPAN_KIND_CONSUMER;
    case model::Span::Kind::Unspecified: break;
    }
    return ott::Span::SPAN_KIND_UNSPECIFIED;
}

QString prometheusLabelsText(const model::Labels &labels)
{
    QString out = QStringLiteral("{");
    bool first = true;
    for (const auto &l : labels) {
        if (!first)
            out += QStringLiteral(", ");
        first = false;
        QString v = l.value;
        v.replace(u'\\', QStringLiteral("\\\\")).replace(u'"', QStringLiteral("\\\"")).replace(u'\n', QStringLiteral("\\n"));
        out += l.name + QStringLiteral("=\"") + v + u'"';
    }
    return out + u'}';
}

} // namespace

QByteArray WireEncoder::otlpTraces(const QList<model::Span> &spans)
{
    opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest req;
    QHash<QString, ott::ResourceSpans *> resources;
    QHash<QString, ott::ScopeSpans *> scopes;
    for (const auto &s : spans) {
        const QString rk = resourceKey(s);
        ott::ResourceSpans *rs = resources.value(rk);
        if (!rs) {
            rs = req.add_resource_spans();
            auto *attrs = rs->mutable_resource()->mutable_attributes();
            bool hasService = false;
            for (const auto &a : s.resourceAttributes)
                hasService |= a.key == u"service.name";
            if (!hasService && !s.serviceName.isEmpty()) {
                auto *kv = attrs->Add();
                kv->set_key("service.name");
                kv->mutable_value()->set_string_value(ss(s.serviceName));
            }
            setAttributes(attrs, s.resourceAttributes);
            resources.insert(rk, rs);
        }
        const QString sk = rk + u'\x1e' + s.scopeName + u'\x1e' + s.scopeVersion;
        ott::ScopeSpans *sc = scopes.value(sk);
        if (!sc) {
            sc = rs->add_scope_spans();
            sc->mutable_scope()->set_name(ss(s.scopeName));
            sc->mutable_scope()->set_version(ss(s.scopeVersion));
            scopes.insert(sk, sc);
        }
        auto *o = sc->add_spans();
        o->set_trace_id(sb(s.traceId));
        o->set_span_id(sb(s.spanId));
        if (!s.parentSpanId.isEmpty())
            o->set_parent_span_id(sb(s.parentSpanId));
        o->set_name(ss(s.name));
        o->set_kind(spanKind(s.kind));
        o->set_start_time_unix_nano(std::uint64_t(s.start));
        o->set_end_time_unix_nano(std::uint64_t(s.end));
        setAttributes(o->mutable_attributes(), s.attributes);
        for (const auto &e : s.events) {
            auto *oe = o->add_events();
            oe->set_time_unix_nano(std::uint64_t(e.time));
            oe->set_name(ss(e.name));
            setAttributes(oe->mutable_attributes(), e.attributes);
        }
        for (const auto &l : s.links) {
            auto *ol = o->add_links();
            ol->set_trace_id(sb(l.traceId));
            ol->set_span_id(sb(l.spanId));
            setAttributes(ol->mutable_attributes(), l.attributes);
        }
        if (s.status != model::Span::Status::Unset) {
            o->mutable_status()->set_code(s.status == model::Span::Status::Ok ? ott::Status::STATUS_CODE_OK
                                                                              : ott::Status::STATUS_CODE_ERROR);
            o->mutable_status()->set_message(ss(s.statusMessage));
        }
    }
    return toBytes(req.SerializeAsString());
}

QByteArray WireEncoder::otlpProfiles(const QList<model::Profile> &profiles)
{
    opentelemetry::proto::collector::profiles::v1development::ExportProfilesServiceRequest req;
    auto *dict = req.mutable_dictionary();
    QHash<QString, int> strings;
    auto str = [&](const QString &s) {
        auto it = strings.constFind(s);
        if (it != strings.cend())
            return *it;
        const int i = dict->string_table_size();
        dict->add_string_table(ss(s));
        strings.insert(s, i);
        return i;
    };
    str(QString()); // index 0 is the empty string, as the spec requires
    // Index 0 of every table is the "zero value" entry.
    dict->add_mapping_table();
    dict->add_location_table();
    dict->add_function_table();
    dict->add_link_table();
    dict->add_stack_table();
    dict->add_attribute_table();
    QHash<QString, int> functions; // name -> location index (one location per function)
    auto location = [&](const QString &name) {
        auto it = functions.constFind(name);
        if (it != functions.cend())
            return *it;
        const int fi = dict->function_table_size();
        dict->add_function_table()->set_name_strindex(str(name));
        const int li = dict->location_table_size();
        dict->add_location_table()->add_lines()->set_function_index(fi);
        functions.insert(name, li);
        return li;
    };
    QHash<QString, int> attributes;
    auto attribute = [&](const QString &k, const QString &v) {
        const QString key = k + u'\x1f' + v;
        auto it = attributes.constFind(key);
        if (it != attributes.cend())
            return *it;
        const int i = dict->attribute_table_size();
        auto *a = dict->add_attribute_table();
        a->set_key_strindex(str(k));
        a->mutable_value()->set_string_value(ss(v));
        attributes.insert(key, i);
        return i;
    };
    QHash<model::Labels, otp::ScopeProfiles *> byLabels;
    for (const auto &p : profiles) {
        otp::ScopeProfiles *sp = byLabels.value(p.labels);
        if (!sp) {
            auto *rp = req.add_resource_profiles();
            auto *attrs = rp->mutable_resource()->mutable_attributes();
            for (const auto &l : p.labels) {
                auto *kv = attrs->Add();
                kv->set_key(l.name == u"service_name" ? std::string("service.name") : ss(l.name));
                kv->mutable_value()->set_string_value(ss(l.value));
            }
            sp = rp->add_scope_profiles();
            byLabels.insert(p.labels, sp);
        }
        auto *o = sp->add_profiles();
        const auto type = model::ProfileType::parse(p.typeId).value_or(
            model::ProfileType{QStringLiteral("unknown"), QStringLiteral("samples"), QStringLiteral("count"), {}, {}});
        o->mutable_sample_type()->set_type_strindex(str(type.sampleType));
        o->mutable_sample_type()->set_unit_strindex(str(type.sampleUnit));
        o->mutable_period_type()->set_type_strindex(str(type.periodType));
        o->mutable_period_type()->set_unit_strindex(str(type.periodUnit));
        o->set_time_unix_nano(std::uint64_t(p.time));
        o->set_duration_nano(std::uint64_t(p.durationNs));
        o->set_period(p.period);
        for (const auto &st : p.stacks) {
            auto *stack = dict->add_stack_table();
            for (std::uint32_t f : st.functions)
                stack->add_location_indices(location(f < std::uint32_t(p.functionNames.size()) ? p.functionNames[f]
                                                                                              : QString()));
            auto *s = o->add_samples();
            s->set_stack_index(dict->stack_table_size() - 1);
            s->add_values(st.value);
            for (const auto &l : st.labels)
                s->add_attribute_indices(attribute(l.name, l.value));
        }
    }
    return toBytes(req.SerializeAsString());
}

QByteArray WireEncoder::remoteWrite(const QList<model::Series> &series, const QList<store::SeriesExemplar> &exemplars)
{
    prometheus::WriteRequest req;
    auto setLabels = [](prometheus::TimeSeries *ts, const model::Labels &labels) {
        for (const auto &l : labels) {
            auto *pl = ts->add_labels();
            pl->set_name(ss(l.name));
            pl->set_value(ss(l.value));
        }
    };
    for (const auto &s : series) {
        auto *ts = req.add_timeseries();
        setLabels(ts, s.labels);
        for (const auto &x : s.samples) {
            auto *ps = ts->add_samples();
            ps->set_timestamp(x.t);
            ps->set_value(x.v);
        }
    }
    std::map<model::Labels, QList<model::Exemplar>> bySeries;
    for (const auto &e : exemplars)
        bySeries[e.series].append(e.exemplar);
    for (const auto &[labels, list] : bySeries) {
        auto *ts = req.add_timeseries();
        setLabels(ts, labels);
        for (const auto &e : list) {
            auto *pe = ts->add_exemplars();
            pe->set_value(e.value);
            pe->set_timestamp(e.t);
            for (const auto &l : e.labels) {
                auto *pl = pe->add_labels();
                pl->set_name(ss(l.name));
                pl->set_value(ss(l.value));
            }
        }
    }
    return toBytes(req.SerializeAsString());
}

QByteArray WireEncoder::lokiPush(const QList<model::LogRecord> &records)
{
    logproto::PushRequest req;
    QHash<model::Labels, logproto::StreamAdapter *> streams;
    for (const auto &r : records) {
        logproto::StreamAdapter *st = streams.value(r.stream);
        if (!st) {
            st = req.add_streams();
            st->set_labels(ss(prometheusLabelsText(r.stream)));
            streams.insert(r.stream, st);
        }
        auto *e = st->add_entries();
        e->mutable_timestamp()->set_seconds(r.time / 1'000'000'000);
        e->mutable_timestamp()->set_nanos(int(r.time % 1'000'000'000));
        e->set_line(ss(r.line));
        for (const auto &l : r.structuredMetadata) {
            auto *m = e->add_structuredmetadata();
            m->set_name(ss(l.name));
            m->set_value(ss(l.value));
        }
    }
    return toBytes(req.SerializeAsString());
}

} // namespace spyglass::ingest
