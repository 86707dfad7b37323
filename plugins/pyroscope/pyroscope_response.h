#pragma once

#include "core/model/frame.h"
#include "core/model/profile.h"
#include "core/model/result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

// Turns the answers of Pyroscope's querier (Connect protocol, JSON
// encoding) into frames. Pure functions, kept apart from the network code
// so they are unit-testable. Protobuf's JSON mapping leaves out fields with
// default values (a 0 point value, an empty label list) and writes int64 as
// strings; everything here accepts both forms.
namespace spyglass::plugins::pyroscope {

// A profile query as typed in the editor,
// `process_cpu:cpu:nanoseconds:cpu:nanoseconds{service_name="x"}`, split the
// way the querier wants it.
struct ProfileQuery
{
    QString profileTypeId; // the five-part type id
    QString labelSelector; // "{...}", "{}" when none was given
};
Result<ProfileQuery> parseProfileQuery(const QString &expr);

// The JSON object of a successful answer. A Connect error
// ({"code": "invalid_argument", "message": "..."}) becomes an Error whose
// message is the server's text and code; a non-2xx answer without a
// Connect body says what answered instead ("HTTP 404 ... is the URL a
// Pyroscope server?"). `what` names the call in messages.
Result<QJsonObject> parseConnectResponse(const QByteArray &body, int httpStatus, const QString &what);

// A Connect FlameGraph message ({names, levels: [{values}], total, maxSelf};
// 4 numbers per node: x offset from the end of the previous node on the
// level, total, self, name index) as Grafana's nested-set frame: fields
// level, value, self, label in depth-first pre-order, children in x order.
// Every name index and every node's place inside a parent is checked.
Result<model::Frame> flamegraphToFrame(const QJsonObject &flamegraph, const QString &unit = {});

// A SelectSeries answer ({series: [{labels: [{name, value}], points:
// [{value, timestamp}]}]}) as one TimeSeries frame per series, named by its
// labels (or `fallbackName` when it has none); value fields carry `unit`.
Result<model::Frames> seriesToFrames(const QJsonObject &response, const QString &unit, const QString &fallbackName);

// A ProfileTypes answer ({profileTypes: [{ID, name, sampleType, ...}]}).
Result<QList<model::ProfileType>> parseProfileTypes(const QJsonObject &response);

// The "names" list of LabelNames and LabelValues answers.
Result<QStringList> parseNames(const QJsonObject &response);

// Connect JSON int64: a string ("123") or a number.
std::optional<std::int64_t> jsonInt64(const QJsonValue &v);

} // namespace spyglass::plugins::pyroscope
