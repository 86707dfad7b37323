#include "core/ingest/otlp_values.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>

#include <cmath>

namespace spyglass::ingest::otlp {

namespace {

QJsonValue toJson(const common::AnyValue &v)
{
    switch (v.value_case()) {
    case common::AnyValue::kStringValue: return qs(v.string_value());
    case common::AnyValue::kBoolValue: return v.bool_value();
    case common::AnyValue::kIntValue: return double(v.int_value()) == double(qint64(v.int_value()))
                                                 && std::abs(v.int_value()) < (qint64(1) << 53)
                                             ? QJsonValue(qint64(v.int_value()))
                                             : QJsonValue(QString::number(v.int_value()));
    case common::AnyValue::kDoubleValue: return v.double_value();
    case common::AnyValue::kBytesValue: return QString::fromLatin1(bytes(v.bytes_value()).toBase64());
    case common::AnyValue::kArrayValue: {
        QJsonArray a;
        for (const auto &e : v.array_value().values())
            a.append(toJson(e));
        return a;
    }
    case common::AnyValue::kKvlistValue: {
        QJsonObject o;
        for (const auto &kv : v.kvlist_value().values())
            o.insert(qs(kv.key()), toJson(kv.value()));
        return o;
    }
    case common::AnyValue::VALUE_NOT_SET: break;
    }
    return QJsonValue();
}

} // namespace

QString formatFloat(double v)
{
    if (std::isnan(v))
        return QStringLiteral("NaN");
    if (std::isinf(v))
        return v > 0 ? QStringLiteral("+Inf") : QStringLiteral("-Inf");
    return QString::number(v, 'f', QLocale::FloatingPointShortest);
}

QString anyValueText(const common::AnyValue &v)
{
    switch (v.value_case()) {
    case common::AnyValue::kStringValue: return qs(v.string_value());
    case common::AnyValue::kBoolValue: return v.bool_value() ? QStringLiteral("true") : QStringLiteral("false");
    case common::AnyValue::kIntValue: return QString::number(v.int_value());
    case common::AnyValue::kDoubleValue: return formatFloat(v.double_value());
    case common::AnyValue::kBytesValue: return QString::fromLatin1(bytes(v.bytes_value()).toBase64());
    case common::AnyValue::kArrayValue:
        return QString::fromUtf8(QJsonDocument(toJson(v).toArray()).toJson(QJsonDocument::Compact));
    case common::AnyValue::kKvlistValue:
        return QString::fromUtf8(QJsonDocument(toJson(v).toObject()).toJson(QJsonDocument::Compact));
    case common::AnyValue::VALUE_NOT_SET: break;
    }
    return {};
}

QVariant anyValueVariant(const common::AnyValue &v)
{
    switch (v.value_case()) {
    case common::AnyValue::kStringValue: return qs(v.string_value());
    case common::AnyValue::kBoolValue: return v.bool_value();
    case common::AnyValue::kIntValue: return qint64(v.int_value());
    case common::AnyValue::kDoubleValue: return v.double_value();
    case common::AnyValue::kBytesValue: return bytes(v.bytes_value());
    case common::AnyValue::kArrayValue: {
        QVariantList l;
        for (const auto &e : v.array_value().values())
            l.append(anyValueVariant(e));
        return l;
    }
    case common::AnyValue::kKvlistValue: {
        QVariantMap m;
        for (const auto &kv : v.kvlist_value().values())
            m.insert(qs(kv.key()), anyValueVariant(kv.value()));
        return m;
    }
    case common::AnyValue::VALUE_NOT_SET: break;
    }
    return {};
}

const common::AnyValue *findAttribute(const google::protobuf::RepeatedPtrField<common::KeyValue> &attrs,
                                      std::string_view key)
{
    for (const auto &kv : attrs)
        if (kv.key() == key)
            return &kv.value();
    return nullptr;
}

QString attributeText(const google::protobuf::RepeatedPtrField<common::KeyValue> &attrs, std::string_view key)
{
    const auto *v = findAttribute(attrs, key);
    return v ? anyValueText(*v) : QString();
}

} // namespace spyglass::ingest::otlp
