#pragma once

// Internal to core/ingest: helpers over the generated OTLP common types.
// Only .cpp files include this (it pulls in generated protobuf headers).

#include "core/proto/opentelemetry/proto/common/v1/common.pb.h"
#include "core/proto/opentelemetry/proto/resource/v1/resource.pb.h"

#include <QByteArray>
#include <QString>
#include <QVariant>
#include <string>

namespace spyglass::ingest::otlp {

namespace common = opentelemetry::proto::common::v1;

inline QString qs(const std::string &s)
{
    return QString::fromUtf8(s.data(), qsizetype(s.size()));
}

inline QByteArray bytes(const std::string &s)
{
    return QByteArray(s.data(), qsizetype(s.size()));
}

inline QString hexId(const std::string &s)
{
    return QString::fromLatin1(bytes(s).toHex());
}

// Doubles the way Go's strconv.FormatFloat(v, 'f', -1, 64) prints them (what
// the OTLP translators use for label values such as `le`).
QString formatFloat(double v);

// A value as label or log-line text: strings as they are, numbers and bools
// in their usual form, arrays and maps as JSON, bytes as base64 (what
// pcommon.Value.AsString does).
QString anyValueText(const common::AnyValue &v);

// A value keeping its type, for span attributes: QString, bool, qint64,
// double, QByteArray, QVariantList, QVariantMap.
QVariant anyValueVariant(const common::AnyValue &v);

// The first attribute with this key, or nullptr.
const common::AnyValue *findAttribute(
    const google::protobuf::RepeatedPtrField<common::KeyValue> &attrs, std::string_view key);

QString attributeText(const google::protobuf::RepeatedPtrField<common::KeyValue> &attrs,
                      std::string_view key);

} // namespace spyglass::ingest::otlp
