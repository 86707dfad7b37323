#include "core/ingest/otlp_traces_converter.h"

#include "core/ingest/otlp_json_decoder.h"
#include "core/ingest/otlp_values.h"
#include "core/proto/opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace spyglass::ingest {

using opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest;
namespace pb = opentelemetry::proto::trace::v1;
using otlp::qs;

namespace {

model::Attributes attributes(const google::protobuf::RepeatedPtrField<otlp::common::KeyValue> &kvs)
{
    model::Attributes out;
    out.reserve(kvs.size());
    for (const auto &kv : kvs)
        out.append({qs(kv.key()), otlp::anyValueVariant(kv.value())});
    return out;
}

bool allZero(const std::string &s)
{
    return std::all_of(s.begin(), s.end(), [](char c) { return c == 0; });
}

model::Span::Kind kind(int k)
{
    switch (k) {
    case pb::Span::SPAN_KIND_INTERNAL: return model::Span::Kind::Internal;
    case pb::Span::SPAN_KIND_SERVER: return model::Span::Kind::Server;
    case pb::Span::SPAN_KIND_CLIENT: return model::Span::Kind::Client;
    case pb::Span::SPAN_KIND_PRODUCER: return model::Span::Kind::Producer;
    case pb::Span::SPAN_KIND_CONSUMER: return model::Span::Kind::Consumer;
    default: return model::Span::Kind::Unspecified;
    }
}

} // namespace

SpansConversion OtlpTracesConverter::convert(const ExportTraceServiceRequest &request)
{
    SpansConversion out;
    for (const auto &rs : request.resource_spans()) {
        const model::Attributes resource = attributes(rs.resource().attributes());
        QString service = otlp::attributeText(rs.resource().attributes(), "service.name");
        if (service.isEmpty())
            service = QStringLiteral("unknown_service");
        for (const auto &ss : rs.scope_spans()) {
            const QString scopeName = qs(ss.scope().name());
            const QString scopeVersion = qs(ss.scope().version());
            for (const auto &s : ss.spans()) {
                auto reject = [&](const QString &why) {
                    ++out.rejectedSpans;
                    noteProblem(out.problems, why);
                };
                if (s.trace_id().size() != 16 || allZero(s.trace_id())) {
                    reject(QStringLiteral("a span without a valid 16-byte trace_id was dropped"));
                    continue;
                }
                if (s.span_id().size() != 8 || allZero(s.span_id())) {
                    reject(QStringLiteral("a span without a valid 8-byte span_id was dropped"));
                    continue;
                }
                if (!s.parent_span_id().empty() && s.parent_span_id().size() != 8) {
                    reject(QStringLiteral("a span with a parent_span_id that is not 8 bytes was dropped"));
                    continue;
                }
                if (s.end_time_unix_nano() < s.start_time_unix_nano()
                    || s.end_time_unix_nano() > std::uint64_t(std::numeric_limits<std::int64_t>::max())) {
                    reject(QStringLiteral("a span ending before it starts was dropped"));
                    continue;
                }
                model::Span span;
                span.traceId = otlp::bytes(s.trace_id());
                span.spanId = otlp::bytes(s.span_id());
                if (!allZero(s.parent_span_id()))
                    span.parentSpanId = otlp::bytes(s.parent_span_id());
                span.name = qs(s.name());
                span.kind = kind(s.kind());
                span.start = model::TimestampNs(s.start_time_unix_nano());
                span.end = model::TimestampNs(s.end_time_unix_nano());
                switch (s.status().code()) {
                case pb::Status::STATUS_CODE_OK: span.status = model::Span::Status::Ok; break;
                case pb::Status::STATUS_CODE_ERROR: span.status = model::Span::Status::Error; break;
                default: span.status = model::Span::Status::Unset; break;
                }
                span.statusMessage = qs(s.status().message());
                span.serviceName = service;
                span.attributes = attributes(s.attributes());
                span.resourceAttributes = resource;
                span.scopeName = scopeName;
                span.scopeVersion = scopeVersion;
                for (const auto &e : s.events())
                    span.events.append({model::TimestampNs(e.time_unix_nano()), qs(e.name()), attributes(e.attributes())});
                for (const auto &l : s.links())
                    span.links.append({otlp::bytes(l.trace_id()), otlp::bytes(l.span_id()), attributes(l.attributes())});
                out.spans.append(std::move(span));
            }
        }
    }
    return out;
}

Result<SpansConversion> OtlpTracesConverter::decode(QByteArrayView body, PayloadEncoding encoding)
{
    ExportTraceServiceRequest req;
    if (encoding == PayloadEncoding::Json) {
        if (auto r = OtlpJsonDecoder::decode(body, req); !r)
            return fail(r.error());
    } else if (!req.ParseFromArray(body.data(), int(body.size()))) {
        return fail(Error::badData(
            QStringLiteral("the body is not a valid protobuf ExportTraceServiceRequest (%1 bytes)").arg(body.size())));
    }
    return convert(req);
}

} // namespace spyglass::ingest
