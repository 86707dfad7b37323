#pragma once

#include "core/model/log_record.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QVariant>

namespace spyglass::model {

// An attribute value keeps its OTLP type (string, bool, int64, double,
// array or bytes) in a QVariant so TraceQL can compare with the right type.
struct Attribute
{
    QString key;
    QVariant value;
};
using Attributes = QList<Attribute>;

struct SpanEvent
{
    TimestampNs time = 0;
    QString name;
    Attributes attributes;
};

struct SpanLink
{
    QByteArray traceId; // 16 raw bytes
    QByteArray spanId;  // 8 raw bytes
    Attributes attributes;
};

struct Span
{
    enum class Kind { Unspecified, Internal, Server, Client, Producer, Consumer };
    enum class Status { Unset, Ok, Error };

    QByteArray traceId;      // 16 raw bytes
    QByteArray spanId;       // 8 raw bytes
    QByteArray parentSpanId; // empty for a root span
    QString name;
    Kind kind = Kind::Unspecified;
    TimestampNs start = 0;
    TimestampNs end = 0;
    Status status = Status::Unset;
    QString statusMessage;
    QString serviceName; // resource attribute service.name, kept apart for speed
    Attributes attributes;
    Attributes resourceAttributes;
    QString scopeName;
    QString scopeVersion;
    QList<SpanEvent> events;
    QList<SpanLink> links;

    TimestampNs duration() const { return end - start; }
};

} // namespace spyglass::model
