// The OTLP converters on the third-party captures: every otlp-* capture
// (HTTP protobuf/JSON, gzip'd, gRPC frames, JSON lines) must convert, and
// the results are checked against what SOURCE.txt says the JS SDK sent.

#include "core/ingest/otlp_json_decoder.h"
#include "core/ingest/otlp_logs_converter.h"
#include "core/ingest/otlp_metrics_converter.h"
#include "core/ingest/otlp_traces_converter.h"
#include "core/ingest/prometheus_naming.h"
#include "core/proto/opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h"
#include "core/proto/opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "tests/core/ingest/corpus.h"

#include <QSet>
#include <QTest>

#include <cmath>

using namespace spyglass;
using namespace spyglass::ingest;
using namespace spyglass::ingest::testing;

namespace {

const model::Series *findSeries(const MetricsConversion &c, const model::Labels &want)
{
    for (const auto &s : c.series)
        if (s.labels == want)
            return &s;
    return nullptr;
}

QList<const model::Series *> byName(const MetricsConversion &c, const QString &name)
{
    QList<const model::Series *> out;
    for (const auto &s : c.series)
        if (s.labels.metricName() == name)
            out.append(&s);
    return out;
}

QSet<QString> names(const MetricsConversion &c)
{
    QSet<QString> out;
    for (const auto &s : c.series)
        out.insert(s.labels.metricName());
    return out;
}

QSet<model::Labels> labelSets(const MetricsConversion &c)
{
    QSet<model::Labels> out;
    for (const auto &s : c.series)
        out.insert(s.labels);
    return out;
}

const model::Labels kShop{{QStringLiteral("job"), QStringLiteral("corpus/corpus-shop")},
                          {QStringLiteral("instance"), QStringLiteral("corpus-shop-0")},
                          {QStringLiteral("otel_scope_name"), QStringLiteral("corpus-shop.metrics")},
                          {QStringLiteral("otel_scope_version"), QStringLiteral("1.4.2")}};

QVariant attr(const model::Attributes &attrs, const QString &key)
{
    for (const auto &a : attrs)
        if (a.key == key)
            return a.value;
    return {};
}

} // namespace

class TestOtlpConverters : public QObject
{
    Q_OBJECT
private slots:
    void naming_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("unit");
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("expected");
        QTest::newRow("counter") << "shop.orders" << "{order}" << int(PromMetricKind::Counter) << "shop_orders_total";
        QTest::newRow("seconds histogram") << "http.server.request.duration" << "s" << int(PromMetricKind::Histogram)
                                           << "http_server_request_duration_seconds";
        QTest::newRow("unit already there") << "process.cpu.seconds" << "s" << int(PromMetricKind::Counter)
                                            << "process_cpu_seconds_total";
        QTest::newRow("total not doubled") << "requests.total" << "" << int(PromMetricKind::Counter) << "requests_total";
        QTest::newRow("celsius gauge") << "shop.freezer.temperature" << "Cel" << int(PromMetricKind::Gauge)
                                       << "shop_freezer_temperature_celsius";
        QTest::newRow("ratio") << "system.cpu.utilization" << "1" << int(PromMetricKind::Gauge)
                               << "system_cpu_utilization_ratio";
        QTest::newRow("per second") << "network.io.rate" << "By/s" << int(PromMetricKind::Gauge)
                                    << "network_io_rate_bytes_per_second";
        QTest::newRow("unknown unit kept") << "shop.revenue" << "USD" << int(PromMetricKind::Counter)
                                           << "shop_revenue_USD_total";
        QTest::newRow("leading digit") << "1st.metric" << "" << int(PromMetricKind::Gauge) << "_1st_metric";
    }
    void naming()
    {
        QFETCH(QString, name);
        QFETCH(QString, unit);
        QFETCH(int, kind);
        QFETCH(QString, expected);
        QCOMPARE(prometheusMetricName(name, unit, PromMetricKind(kind)), expected);
    }
    void labelNaming()
    {
        QCOMPARE(prometheusLabelName(QStringLiteral("service.name")), QStringLiteral("service_name"));
        QCOMPARE(prometheusLabelName(QStringLiteral("http.request.header.x-request-id")),
                 QStringLiteral("http_request_header_x_request_id"));
        QCOMPARE(prometheusLabelName(QStringLiteral("9lives")), QStringLiteral("key_9lives"));
    }

    void metricsProtobuf()
    {
        OtlpMetricsConverter conv;
        auto c = conv.decode(readCapture(QStringLiteral("otlp-http-proto/metrics-0001.bin")), PayloadEncoding::Protobuf);
        QVERIFY2(c, qPrintable(c ? QString() : c.error().toString()));
        QCOMPARE(c->acceptedPoints, 39);
        QCOMPARE(c->rejectedPoints, 0);
        QVERIFY(c->problems.isEmpty());

        const QSet<QString> n = names(*c);
        for (const char *expected :
             {"shop_orders_total", "shop_revenue_USD_total", "shop_cart_items", "shop_order_amount_USD_bucket",
              "shop_order_amount_USD_sum", "shop_order_amount_USD_count", "shop_freezer_temperature_celsius",
              "shop_inventory_level", "shop_process_cpu_time_seconds_total", "shop_payment_latency_seconds_bucket",
              "shop_connections_open", "http_server_request_duration_seconds_bucket",
              "http_client_request_duration_seconds_count", "otel_sdk_span_started_total", "target_info"})
            QVERIFY2(n.contains(QLatin1String(expected)), expected);

        // Counter with int values, resource -> job/instance, scope labels.
        const auto *orders = findSeries(
            *c, kShop.with(QStringLiteral("__name__"), QStringLiteral("shop_orders_total"))
                    .with(QStringLiteral("payment_method"), QStringLiteral("card"))
                    .with(QStringLiteral("shop_order_status"), QStringLiteral("accepted")));
        QVERIFY(orders);
        QCOMPARE(orders->samples.size(), 1);
        QCOMPARE(orders->samples[0].v, 2.0);
        QCOMPARE(orders->samples[0].t, 1795568636365);

        // Classic histogram: cumulative buckets, +Inf == count, sum kept.
        const model::Labels card = kShop.with(QStringLiteral("payment_method"), QStringLiteral("card"));
        auto bucket = [&](const QString &le) {
            const auto *s = findSeries(*c, card.with(QStringLiteral("__name__"), QStringLiteral("shop_order_amount_USD_bucket"))
                                               .with(QStringLiteral("le"), le));
            return s ? s->samples.value(0).v : -1.0;
        };
        QCOMPARE(bucket(QStringLiteral("0")), 0.0);
        QCOMPARE(bucket(QStringLiteral("25")), 1.0);
        QCOMPARE(bucket(QStringLiteral("50")), 1.0);
        QCOMPARE(bucket(QStringLiteral("100")), 2.0);
        QCOMPARE(bucket(QStringLiteral("1000")), 2.0);
        QCOMPARE(bucket(QStringLiteral("+Inf")), 2.0);
        const auto *sum = findSeries(*c, card.with(QStringLiteral("__name__"), QStringLiteral("shop_order_amount_USD_sum")));
        QVERIFY(sum);
        QCOMPARE(sum->samples[0].v, 96.49);

        // Exponential histogram -> classic buckets at 2^((i+1)/64).
        QList<QPair<double, double>> exp; // (le, cumulative)
        for (const auto *s : byName(*c, QStringLiteral("shop_payment_latency_seconds_bucket")))
            if (s->labels.value(u"payment_method") == u"card")
                exp.append({s->labels.value(u"le") == u"+Inf" ? INFINITY : s->labels.value(u"le").toDouble(),
                            s->samples[0].v});
        std::sort(exp.begin(), exp.end());
        QCOMPARE(exp.size(), 3);
        QVERIFY(std::abs(exp[0].first - std::exp2(-469.0 / 64)) < 1e-12);
        QVERIFY(exp[0].first >= 0.006205419); // the minimum falls in the first bucket
        QCOMPARE(exp[0].second, 1.0);
        QVERIFY(std::abs(exp[1].first - std::exp2(-444.0 / 64)) < 1e-12);
        QVERIFY(exp[1].first >= 0.008156268);
        QCOMPARE(exp[1].second, 2.0);
        QCOMPARE(exp[2].second, 2.0);

        // Gauge with a double value and a unit suffix.
        const auto *freezer = findSeries(
            *c, kShop.with(QStringLiteral("__name__"), QStringLiteral("shop_freezer_temperature_celsius"))
                    .with(QStringLiteral("shop_freezer"), QStringLiteral("A")));
        QVERIFY(freezer);
        QCOMPARE(freezer->samples[0].v, -17.5);

        // target_info carries the other resource attributes.
        const auto info = byName(*c, QStringLiteral("target_info"));
        QCOMPARE(info.size(), 1);
        QCOMPARE(info[0]->labels.value(u"deployment_environment_name"), QStringLiteral("test"));
        QCOMPARE(info[0]->labels.value(u"service_version"), QStringLiteral("1.4.2"));
        QCOMPARE(info[0]->labels.value(u"job"), QStringLiteral("corpus/corpus-shop"));
        QVERIFY(!info[0]->labels.has(u"service_name"));

        // Scopes seen with and without a version stay apart.
        QSet<QString> scopeVersions;
        for (const auto *s : byName(*c, QStringLiteral("otel_sdk_span_started_total")))
            scopeVersions.insert(s->labels.value(u"otel_scope_version"));
        QVERIFY(scopeVersions.contains(QStringLiteral("2.12.0")));

        // Each series is time-sorted and unique.
        QSet<model::Labels> seen;
        for (const auto &s : c->series) {
            QVERIFY(!seen.contains(s.labels));
            seen.insert(s.labels);
            for (qsizetype i = 1; i < s.samples.size(); ++i)
                QVERIFY(s.samples[i - 1].t < s.samples[i].t);
        }
    }

    void metricsJsonMatchesProtobuf()
    {
        // Run A: the JSON and protobuf exporters saw the same instruments.
        for (const char *pair : {"metrics-0001", "metrics-0002"}) {
            OtlpMetricsConverter a, b;
            auto pbc = a.decode(readCapture(QStringLiteral("otlp-http-proto/%1.bin").arg(QLatin1String(pair))),
                                PayloadEncoding::Protobuf);
            auto js = b.decode(readCapture(QStringLiteral("otlp-http-json/%1.json").arg(QLatin1String(pair))),
                               PayloadEncoding::Json);
            QVERIFY(pbc && js);
            QCOMPARE(js->acceptedPoints, pbc->acceptedPoints);
            QCOMPARE(labelSets(*js), labelSets(*pbc));
        }
    }

    void metricsAllCaptures_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("kind"); // 0 proto, 1 json, 2 proto.gz, 3 json.gz, 4 grpc
        QTest::addColumn<int>("points");
        QTest::newRow("proto 1") << "otlp-http-proto/metrics-0001.bin" << 0 << 39;
        QTest::newRow("proto 2") << "otlp-http-proto/metrics-0002.bin" << 0 << 48;
        QTest::newRow("json 2") << "otlp-http-json/metrics-0002.json" << 1 << 48;
        QTest::newRow("proto gzip 1 (delta)") << "otlp-http-proto-gzip/metrics-0001.bin.gz" << 2 << 37;
        QTest::newRow("proto gzip 2 (delta)") << "otlp-http-proto-gzip/metrics-0002.bin.gz" << 2 << 44;
        QTest::newRow("json gzip 1 (delta)") << "otlp-http-json-gzip/metrics-0001.json.gz" << 3 << 37;
        QTest::newRow("grpc 1") << "otlp-grpc/metrics-0001.grpc" << 4 << 37;
        QTest::newRow("grpc 2") << "otlp-grpc/metrics-0002.grpc" << 4 << 42;
        QTest::newRow("grpc gzip 2") << "otlp-grpc-gzip/metrics-0002.grpc" << 4 << 42;
    }
    void metricsAllCaptures()
    {
        QFETCH(QString, file);
        QFETCH(int, kind);
        QFETCH(int, points);
        QByteArray body = readCapture(file);
        if (kind == 2 || kind == 3)
            body = gunzip(body);
        if (kind == 4)
            body = grpcMessage(body);
        OtlpMetricsConverter conv;
        auto c = conv.decode(body, kind == 1 || kind == 3 ? PayloadEncoding::Json : PayloadEncoding::Protobuf);
        QVERIFY2(c, qPrintable(c ? QString() : c.error().toString()));
        QCOMPARE(c->acceptedPoints, points);
        QCOMPARE(c->rejectedPoints, 0);
        QVERIFY(c->sampleCount() > points);
    }

    void deltaBecomesCumulative()
    {
        // Run B is DELTA: the second export's counter values are added to
        // the first's, so the stored counter never goes down.
        OtlpMetricsConverter conv;
        auto first = conv.decode(gunzip(readCapture(QStringLiteral("otlp-http-proto-gzip/metrics-0001.bin.gz"))),
                                 PayloadEncoding::Protobuf);
        auto second = conv.decode(gunzip(readCapture(QStringLiteral("otlp-http-proto-gzip/metrics-0002.bin.gz"))),
                                  PayloadEncoding::Protobuf);
        QVERIFY(first && second);
        int compared = 0;
        for (const auto *s1 : byName(*first, QStringLiteral("otel_sdk_span_started_total"))) {
            const auto *s2 = findSeries(*second, s1->labels);
            if (!s2)
                continue;
            QVERIFY(s2->samples.back().v >= s1->samples.back().v);
            ++compared;
        }
        QVERIFY(compared > 0);
    }

    void metricsErrors()
    {
        OtlpMetricsConverter conv;
        const QByteArray good = readCapture(QStringLiteral("otlp-http-proto/metrics-0001.bin"));
        auto truncated = conv.decode(good.left(good.size() / 2), PayloadEncoding::Protobuf);
        QVERIFY(!truncated);
        QCOMPARE(truncated.error().kind, Error::Kind::BadData);
        QVERIFY(truncated.error().message.contains(u"ExportMetricsServiceRequest"));

        auto notJson = conv.decode("{\"resourceMetrics\": [", PayloadEncoding::Json);
        QVERIFY(!notJson);
        QVERIFY(notJson.error().message.contains(u"not valid JSON"));

        auto wrongType = conv.decode(R"({"resourceMetrics": {"a": 1}})", PayloadEncoding::Json);
        QVERIFY(!wrongType);
        QVERIFY2(wrongType.error().message.contains(u"resourceMetrics: expected an array"),
                 qPrintable(wrongType.error().message));

        // A point without a timestamp, a histogram with inconsistent buckets.
        auto partial = conv.decode(R"({"resourceMetrics":[{"scopeMetrics":[{"metrics":[
            {"name":"g","gauge":{"dataPoints":[{"asDouble":1},{"timeUnixNano":"1000000","asDouble":2}]}},
            {"name":"h","histogram":{"aggregationTemporality":2,"dataPoints":[
               {"timeUnixNano":"1000000","count":"1","bucketCounts":["1"],"explicitBounds":[1,2]}]}},
            {"name":"c","sum":{"isMonotonic":true,"dataPoints":[{"timeUnixNano":"1000000","asInt":"3"}]}}
        ]}]}], "someFutureField": true})",
                                   PayloadEncoding::Json);
        QVERIFY(partial);
        QCOMPARE(partial->acceptedPoints, 1);
        QCOMPARE(partial->rejectedPoints, 3);
        QCOMPARE(partial->problems.size(), 3);
        const auto g = byName(*partial, QStringLiteral("g"));
        QCOMPARE(g.size(), 1);
        QCOMPARE(g[0]->samples[0].t, 1);
        QCOMPARE(g[0]->samples[0].v, 2.0);
    }

    void noRecordedValueIsStale()
    {
        OtlpMetricsConverter conv;
        auto c = conv.decode(R"({"resourceMetrics":[{"scopeMetrics":[{"metrics":[
            {"name":"g","gauge":{"dataPoints":[{"timeUnixNano":"2000000","asDouble":5,"flags":1}]}}]}]}]})",
                             PayloadEncoding::Json);
        QVERIFY(c);
        QCOMPARE(c->series.size(), 1);
        QVERIFY(model::isStaleNaN(c->series[0].samples[0].v));
    }

    void logs_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("kind"); // 0 proto, 1 json, 2 proto.gz, 3 json.gz, 4 grpc
        QTest::newRow("proto") << "otlp-http-proto/logs-0001.bin" << 0;
        QTest::newRow("json") << "otlp-http-json/logs-0001.json" << 1;
        QTest::newRow("proto gzip") << "otlp-http-proto-gzip/logs-0001.bin.gz" << 2;
        QTest::newRow("json gzip") << "otlp-http-json-gzip/logs-0001.json.gz" << 3;
        QTest::newRow("grpc") << "otlp-grpc/logs-0001.grpc" << 4;
        QTest::newRow("grpc gzip") << "otlp-grpc-gzip/logs-0001.grpc" << 4;
    }
    void logs()
    {
        QFETCH(QString, file);
        QFETCH(int, kind);
        QByteArray body = readCapture(file);
        if (kind == 2 || kind == 3)
            body = gunzip(body);
        if (kind == 4)
            body = grpcMessage(body);
        auto c = OtlpLogsConverter::decode(body, kind == 1 || kind == 3 ? PayloadEncoding::Json : PayloadEncoding::Protobuf);
        QVERIFY2(c, qPrintable(c ? QString() : c.error().toString()));
        QCOMPARE(c->records.size(), 16);
        QCOMPARE(c->rejectedRecords, 0);
        int withTrace = 0, errors = 0, events = 0;
        QSet<QString> levels;
        for (const auto &r : c->records) {
            QCOMPARE(r.stream.value(u"service_name"), QStringLiteral("corpus-shop"));
            QCOMPARE(r.stream.value(u"service_namespace"), QStringLiteral("corpus"));
            QCOMPARE(r.structuredMetadata.value(u"scope_name"), QStringLiteral("corpus-shop.logs"));
            QVERIFY(r.time > 1'700'000'000'000'000'000LL);
            levels.insert(r.stream.value(u"level"));
            if (r.structuredMetadata.has(u"trace_id")) {
                ++withTrace;
                QCOMPARE(r.structuredMetadata.value(u"trace_id").size(), 32);
                QCOMPARE(r.structuredMetadata.value(u"span_id").size(), 16);
            }
            if (r.stream.value(u"level") == u"error") {
                ++errors;
                QCOMPARE(r.severity, QStringLiteral("ERROR"));
                QVERIFY(r.structuredMetadata.has(u"exception_type"));
            }
            if (r.structuredMetadata.value(u"event_name") == u"shop.order.placed") {
                ++events;
                QVERIFY2(r.line.startsWith(u"{") && r.line.contains(u"\"message\":\"order placed\""), qPrintable(r.line));
            }
        }
        QCOMPARE(withTrace, 14);
        QCOMPARE(errors, 2);
        QCOMPARE(events, 6);
        QCOMPARE(levels, (QSet<QString>{QStringLiteral("debug"), QStringLiteral("info"), QStringLiteral("warn"),
                                        QStringLiteral("error")}));
        QCOMPARE(c->records.front().line, QStringLiteral("service starting"));
    }

    void traces_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("kind");
        QTest::newRow("proto") << "otlp-http-proto/traces-0001.bin" << 0;
        QTest::newRow("json") << "otlp-http-json/traces-0001.json" << 1;
        QTest::newRow("proto gzip") << "otlp-http-proto-gzip/traces-0001.bin.gz" << 2;
        QTest::newRow("json gzip") << "otlp-http-json-gzip/traces-0001.json.gz" << 3;
        QTest::newRow("grpc") << "otlp-grpc/traces-0001.grpc" << 4;
        QTest::newRow("grpc gzip") << "otlp-grpc-gzip/traces-0001.grpc" << 4;
    }
    void traces()
    {
        QFETCH(QString, file);
        QFETCH(int, kind);
        QByteArray body = readCapture(file);
        if (kind == 2 || kind == 3)
            body = gunzip(body);
        if (kind == 4)
            body = grpcMessage(body);
        auto c = OtlpTracesConverter::decode(body, kind == 1 || kind == 3 ? PayloadEncoding::Json : PayloadEncoding::Protobuf);
        QVERIFY2(c, qPrintable(c ? QString() : c.error().toString()));
        QCOMPARE(c->spans.size(), 48);
        QCOMPARE(c->rejectedSpans, 0);
        QSet<QByteArray> traces;
        QSet<model::Span::Kind> kinds;
        int errors = 0, oks = 0, events = 0, links = 0;
        bool sawWebhook = false, sawCheckout = false;
        for (const auto &s : c->spans) {
            QCOMPARE(s.traceId.size(), 16);
            QCOMPARE(s.spanId.size(), 8);
            QVERIFY(s.parentSpanId.isEmpty() || s.parentSpanId.size() == 8);
            QCOMPARE(s.serviceName, QStringLiteral("corpus-shop"));
            QVERIFY(s.end >= s.start);
            traces.insert(s.traceId);
            kinds.insert(s.kind);
            errors += s.status == model::Span::Status::Error;
            oks += s.status == model::Span::Status::Ok;
            events += s.events.size();
            links += s.links.size();
            if (s.name == u"GET /webhook") {
                sawWebhook = true;
                QCOMPARE(s.traceId.toHex(), QByteArray("4bf92f3577b34da6a3ce929d0e0e4736"));
                QCOMPARE(s.parentSpanId.toHex(), QByteArray("00f067aa0ba902b7"));
                QCOMPARE(s.kind, model::Span::Kind::Server);
            }
            if (s.name == u"checkout-flow") {
                sawCheckout = true;
                QCOMPARE(s.scopeName, QStringLiteral("corpus-shop.manual"));
                // Attribute types survive (JSON and protobuf alike).
                bool sawInt = false, sawBool = false, sawDouble = false, sawArray = false;
                for (const auto &a : s.attributes) {
                    sawInt |= a.value.typeId() == QMetaType::LongLong;
                    sawBool |= a.value.typeId() == QMetaType::Bool;
                    sawDouble |= a.value.typeId() == QMetaType::Double;
                    sawArray |= a.value.typeId() == QMetaType::QVariantList;
                }
                QVERIFY(sawInt && sawBool && sawDouble && sawArray);
            }
        }
        QCOMPARE(traces.size(), 11);
        QCOMPARE(kinds.size(), 5);
        QCOMPARE(errors, 8);
        QCOMPARE(oks, 6);
        QCOMPARE(events, 32);
        QCOMPARE(links, 4);
        QVERIFY(sawWebhook && sawCheckout);
        const auto resourceService = attr(c->spans.front().resourceAttributes, QStringLiteral("service.version"));
        QCOMPARE(resourceService.toString(), QStringLiteral("1.4.2"));
    }

    void tracesJsonEqualsProtobuf()
    {
        auto a = OtlpTracesConverter::decode(readCapture(QStringLiteral("otlp-http-proto/traces-0001.bin")),
                                             PayloadEncoding::Protobuf);
        auto b = OtlpTracesConverter::decode(readCapture(QStringLiteral("otlp-http-json/traces-0001.json")),
                                             PayloadEncoding::Json);
        QVERIFY(a && b);
        QCOMPARE(a->spans.size(), b->spans.size());
        for (qsizetype i = 0; i < a->spans.size(); ++i) {
            const auto &x = a->spans[i];
            const auto &y = b->spans[i];
            QCOMPARE(x.traceId, y.traceId);
            QCOMPARE(x.spanId, y.spanId);
            QCOMPARE(x.parentSpanId, y.parentSpanId);
            QCOMPARE(x.name, y.name);
            QCOMPARE(x.start, y.start);
            QCOMPARE(x.end, y.end);
            QCOMPARE(x.attributes.size(), y.attributes.size());
            QCOMPARE(x.events.size(), y.events.size());
        }
    }

    void jsonLines()
    {
        // The Collector file exporter's layout: one request object per line.
        const QList<QByteArray> lines = readCapture(QStringLiteral("otlp-json-lines/otlp-file-exporter.jsonl")).split('\n');
        int metricsPoints = 0, spans = 0, logs = 0;
        OtlpMetricsConverter conv;
        for (const QByteArray &line : lines) {
            if (line.trimmed().isEmpty())
                continue;
            if (line.contains("\"resourceMetrics\"")) {
                auto c = conv.decode(line, PayloadEncoding::Json);
                QVERIFY(c);
                metricsPoints += c->acceptedPoints;
            } else if (line.contains("\"resourceSpans\"")) {
                auto c = OtlpTracesConverter::decode(line, PayloadEncoding::Json);
                QVERIFY(c);
                spans += c->spans.size();
            } else {
                auto c = OtlpLogsConverter::decode(line, PayloadEncoding::Json);
                QVERIFY(c);
                logs += c->records.size();
            }
        }
        QCOMPARE(metricsPoints, 39 + 48);
        QCOMPARE(spans, 48);
        QCOMPARE(logs, 16);
    }

    void jsonIdErrors()
    {
        auto bad = OtlpTracesConverter::decode(
            R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"zz","spanId":"0102030405060708"}]}]}]})",
            PayloadEncoding::Json);
        QVERIFY(!bad);
        QVERIFY2(bad.error().message.contains(u"resourceSpans[0].scopeSpans[0].spans[0].traceId"),
                 qPrintable(bad.error().message));

        auto shortId = OtlpTracesConverter::decode(
            R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0102","spanId":"0102030405060708",
                "startTimeUnixNano":"1","endTimeUnixNano":"2"},
               {"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102030405060708",
                "startTimeUnixNano":"1","endTimeUnixNano":"2","kind":2,"status":{"code":2}}]}]}]})",
            PayloadEncoding::Json);
        QVERIFY(shortId);
        QCOMPARE(shortId->spans.size(), 1);
        QCOMPARE(shortId->rejectedSpans, 1);
        QCOMPARE(shortId->spans[0].kind, model::Span::Kind::Server);
        QCOMPARE(shortId->spans[0].status, model::Span::Status::Error);

        auto notObject = OtlpLogsConverter::decode("[1,2]", PayloadEncoding::Json);
        QVERIFY(!notObject);
    }
};

QTEST_GUILESS_MAIN(TestOtlpConverters)
#include "tst_otlp_converters.moc"
