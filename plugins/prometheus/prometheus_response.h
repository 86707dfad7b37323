#pragma once

#include "core/model/frame.h"
#include "core/model/labels.h"
#include "core/model/result.h"

#include <QByteArray>
#include <QJsonValue>
#include <QString>
#include <QStringList>

// Turns the JSON answers of Prometheus's HTTP API (and of anything speaking
// it: Mimir, Thanos, VictoriaMetrics, the embedded core) into frames. Pure
// functions, kept apart from the network code so they are unit-testable.
namespace spyglass::plugins::prometheus {

struct FrameOptions
{
    QString refId = QStringLiteral("A");
    QString executedQuery;
    QString legendFormat; // Grafana's `{{job}} - {{instance}}`; empty or "__auto" = labels
    bool table = false;   // options["format"] == "table": one Table frame
    QString datasourceUid;
};

// The "data" member of a successful answer. `warnings` receives the
// "warnings" and "infos" the server attached. An {"status":"error"} answer,
// or a non-2xx answer without a JSON body, becomes an Error whose message is
// the server's "error" text followed by its errorType, e.g.
// `1:5: parse error: unexpected end of input (bad_data)`.
Result<QJsonValue> parseApiResponse(const QByteArray &body, int httpStatus,
                                    QStringList *warnings = nullptr);

// A /api/v1/query or /api/v1/query_range answer as frames: one TimeSeries
// frame per series for "matrix" and "vector" (one point each), one
// one-row frame for "scalar" and "string", or one Table frame when
// options.table is set.
Result<model::Frames> parseQueryResponse(const QByteArray &body, int httpStatus,
                                         const FrameOptions &options);

// /api/v1/labels and /api/v1/label/<name>/values answers.
Result<QStringList> parseStringListResponse(const QByteArray &body, int httpStatus);

// A sample value as Prometheus prints it: "1.5", "NaN", "+Inf", "-Inf".
std::optional<double> parseSampleValue(QStringView text);

// A sample timestamp as Prometheus prints it (float seconds, ms precision).
model::TimestampMs secondsToMs(double seconds);

// Grafana's legend templating: `{{name}}` (blanks inside the braces allowed)
// becomes the label's value, empty when the series lacks it.
QString applyLegendFormat(const QString &format, const model::Labels &labels);

} // namespace spyglass::plugins::prometheus
