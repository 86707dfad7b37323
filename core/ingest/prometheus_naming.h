#pragma once

#include <QString>

namespace spyglass::ingest {

// How an OTLP metric becomes Prometheus series names, following the
// Prometheus OTLP translator (prometheus/otlptranslator, as used by
// Prometheus's and Mimir's OTLP endpoints with suffixes enabled).
enum class PromMetricKind { Gauge, Counter, Histogram, Summary };

// "http.server.request.duration" + unit "s" + Histogram ->
// "http_server_request_duration_seconds" (the caller adds _bucket/_sum/_count);
// "shop.orders" + Counter -> "shop_orders_total"; unit "1" on a gauge -> "_ratio";
// "By/s" -> "_bytes_per_second"; annotations like "{items}" are dropped.
QString prometheusMetricName(const QString &otlpName, const QString &unit, PromMetricKind kind);

// Attribute key -> label name: characters outside [a-zA-Z0-9_] become '_',
// a leading digit gets "key_" in front ("service.name" -> "service_name").
QString prometheusLabelName(const QString &key);

} // namespace spyglass::ingest
