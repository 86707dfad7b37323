// Tempo's answers (recorded in tests/data/tempo from the documented shapes)
// to frames.
#include "plugins/common/span_frame.h"
#include "plugins/tempo/tempo_response.h"

#include <QFile>
#include <QTest>

using namespace spyglass;
using namespace spyglass::plugins;
using namespace spyglass::plugins::tempo;
using model::FrameKind;

namespace {

QByteArray data(const char *name)
{
    QFile f(QStringLiteral(SPYGLASS_TEST_DATA_DIR "/tempo/") + QLatin1String(name));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", name);
    return f.readAll();
}

} // namespace

class TestTempoResponse : public QObject
{
    Q_OBJECT
private slots:
    void searchResultTable()
    {
        auto f = parseSearchResponse(data("search.json"), 200);
        QVERIFY(f.has_value());
        QCOMPARE(f->kind(), FrameKind::Table);
        QVERIFY(f->isConsistent());
        QCOMPARE(f->rowCount(), 2);
        QCOMPARE(f->field(u"traceID")->strings(),
                 (QStringList{QStringLiteral("2f3e0cee77ae5dc9c17ade3689eb2e54"),
                              QStringLiteral("0000000000000000c17ade3689eb2e54")}));
        QCOMPARE(f->field(u"rootServiceName")->strings().front(), QStringLiteral("shop-backend"));
        QCOMPARE(f->field(u"rootTraceName")->strings().front(), QStringLiteral("update-billing"));
        QCOMPARE(f->field(u"startTime")->int64s().front(), 1684778327699);
        QCOMPARE(f->field(u"traceDuration")->doubles().front(), 557.0);
        QCOMPARE(f->field(u"traceDuration")->unit(), QStringLiteral("ms"));
        QCOMPARE(f->field(u"spanSets")->int64s(), (QList<std::int64_t>{1, 1}));
        QCOMPARE(f->field(u"matched")->int64s(), (QList<std::int64_t>{1, 2}));
        QCOMPARE(f->meta().custom.value(QStringLiteral("inspectedTraces")).toLongLong(), 37);
    }

    void traceWithBase64IdsBecomesSpans()
    {
        auto f = parseTraceResponse(data("trace_v1_base64.json"), 200, QStringLiteral("2f3e0cee77ae5dc9c17ade3689eb2e54"));
        QVERIFY2(f.has_value(), qPrintable(f ? QString() : f.error().toString()));
        QCOMPARE(f->kind(), FrameKind::Spans);
        QCOMPARE(f->rowCount(), 2);
        auto spans = common::spansFromFrame(*f);
        QVERIFY(spans.has_value());
        const model::Span &root = spans->at(0);
        QCOMPARE(root.traceId.toHex(), QByteArray("2f3e0cee77ae5dc9c17ade3689eb2e54"));
        QCOMPARE(root.spanId.toHex(), QByteArray("563d623c76514f8e"));
        QVERIFY(root.parentSpanId.isEmpty());
        QCOMPARE(root.kind, model::Span::Kind::Server);
        QCOMPARE(root.status, model::Span::Status::Error);
        QCOMPARE(root.statusMessage, QStringLiteral("billing failed"));
        QCOMPARE(root.serviceName, QStringLiteral("shop-backend"));
        QCOMPARE(root.scopeName, QStringLiteral("io.opentelemetry.okhttp"));
        QCOMPARE(root.scopeVersion, QStringLiteral("1.2.0"));
        QCOMPARE(root.duration(), 557'000'000);
        QCOMPARE(root.events.size(), 1);
        QCOMPARE(root.events.front().time, 1684778327800000000);
        QCOMPARE(root.events.front().attributes.front().value.toString(), QStringLiteral("timeout"));
        QCOMPARE(root.attributes.at(1).value.toLongLong(), 500);
        QCOMPARE(root.attributes.at(2).value.toBool(), true);
        const model::Span &child = spans->at(1);
        QCOMPARE(child.parentSpanId.toHex(), QByteArray("563d623c76514f8e"));
        QCOMPARE(child.kind, model::Span::Kind::Client);
        QCOMPARE(child.attributes.at(0).value.toLongLong(), 12);
        QCOMPARE(child.attributes.at(1).value.toDouble(), 0.25);
        QCOMPARE(child.links.size(), 1);
        QCOMPARE(child.links.front().traceId.toHex(), QByteArray("0af7651916cd43dd8448eb211c80319c"));
        QCOMPARE(child.resourceAttributes.size(), 2);
    }

    void traceErrors()
    {
        auto missing = parseTraceResponse(data("trace_not_found.txt"), 404, QStringLiteral("abc"));
        QVERIFY(!missing);
        QCOMPARE(missing.error().kind, Error::Kind::NotFound);
        auto broken = parseTraceResponse("{\"batches\": [", 200, QStringLiteral("abc"));
        QVERIFY(!broken);
        QVERIFY(broken.error().message.contains(u"trace abc"));
        auto badId = parseTraceResponse(R"({"batches":[{"scopeSpans":[{"spans":[{"traceId":"zz","spanId":"01","name":"x"}]}]}]})", 200,
                                        QStringLiteral("abc"));
        QVERIFY(!badId);
        QVERIFY(badId.error().message.contains(u"span \"x\""));
    }

    void tagsAndValues()
    {
        auto v2 = parseTagsResponse(data("tags_v2.json"), 200);
        QVERIFY(v2.has_value());
        QCOMPARE(*v2, (QStringList{QStringLiteral("span.http.method"), QStringLiteral("span.http.status_code"),
                                   QStringLiteral("resource.service.name"), QStringLiteral("resource.k8s.pod.name"),
                                   QStringLiteral("duration"), QStringLiteral("kind"), QStringLiteral("name"),
                                   QStringLiteral("status")}));
        auto v1 = parseTagsResponse(data("tags_v1.json"), 200);
        QCOMPARE(v1.value(), (QStringList{QStringLiteral(".http.method"), QStringLiteral(".service.name")}));
        auto values = parseTagValuesResponse(data("tag_values_v2.json"), 200);
        QCOMPARE(values.value(), (QStringList{QStringLiteral("shop-backend"), QStringLiteral("auth")}));
    }

    void metricsSeries()
    {
        auto r = parseMetricsResponse(data("metrics_query_range.json"), 200);
        QVERIFY(r.has_value());
        QCOMPARE(r->size(), 2);
        QCOMPARE(r->at(0).kind(), FrameKind::TimeSeries);
        QCOMPARE(r->at(0).seriesLabels().value(u"resource.service.name"), QStringLiteral("shop-backend"));
        QCOMPARE(r->at(0).name(), QStringLiteral("{resource.service.name=\"shop-backend\"}"));
        QCOMPARE(r->at(0).fields().at(0).int64s(), (QList<std::int64_t>{1684778280000, 1684778340000}));
        QCOMPARE(r->at(0).fields().at(1).doubles(), (QList<double>{0.5, 1.25}));
    }

    void errorsAndDetection()
    {
        auto bad = parseSearchResponse(data("search_bad_query.txt"), 400);
        QVERIFY(!bad);
        QCOMPARE(bad.error().kind, Error::Kind::Invalid);
        QVERIFY(bad.error().message.contains(u"HTTP 400: invalid TraceQL query"));
        QVERIFY(!parseSearchResponse("<html>", 200));
        QVERIFY(isMetricsQuery(QStringLiteral("{ } | rate() by (resource.service.name)")));
        QVERIFY(isMetricsQuery(QStringLiteral("{ status = error } | quantile_over_time(duration, .9)")));
        QVERIFY(!isMetricsQuery(QStringLiteral("{ } | count() > 2")));
        QVERIFY(!isMetricsQuery(QStringLiteral("{ name = \"rate()\" }")));
    }

    void spanFrameRoundTrip()
    {
        model::Span s;
        s.traceId = QByteArray::fromHex("0102030405060708090a0b0c0d0e0f10");
        s.spanId = QByteArray::fromHex("0102030405060708");
        s.name = QStringLiteral("op");
        s.start = 1'700'000'000'123'456'789;
        s.end = s.start + 1'234;
        s.attributes = {{QStringLiteral("s"), QStringLiteral("v")}, {QStringLiteral("n"), QVariant::fromValue<qint64>(7)},
                        {QStringLiteral("d"), 1.5}, {QStringLiteral("b"), false}};
        auto back = common::spansFromFrame(common::spansToFrame({s}));
        QVERIFY(back.has_value());
        QCOMPARE(back->front().start, s.start); // exact, not via float ms
        QCOMPARE(back->front().end, s.end);
        QCOMPARE(back->front().attributes.at(1).value.toLongLong(), 7);
        QCOMPARE(back->front().attributes.at(2).value.toDouble(), 1.5);
        QCOMPARE(back->front().attributes.at(3).value.toBool(), false);
        QVERIFY(!common::spansFromFrame(model::Frame(QStringLiteral("x"), FrameKind::Table)));
    }
};

QTEST_GUILESS_MAIN(TestTempoResponse)
#include "tst_tempo_response.moc"
