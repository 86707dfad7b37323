// Loki's answers (recorded in tests/data/loki from the documented shapes)
// to frames.
#include "plugins/loki/loki_response.h"

#include <QFile>
#include <QTest>

using namespace spyglass;
using namespace spyglass::plugins::loki;
using model::FrameKind;

namespace {

QByteArray data(const char *name)
{
    QFile f(QStringLiteral(SPYGLASS_TEST_DATA_DIR "/loki/") + QLatin1String(name));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", name);
    return f.readAll();
}

} // namespace

class TestLokiResponse : public QObject
{
    Q_OBJECT
private slots:
    void streamsBecomeOneLogsFrameNewestFirst()
    {
        LokiFrameOptions o;
        o.refId = QStringLiteral("B");
        o.executedQuery = QStringLiteral(R"({job="varlogs"})");
        auto r = parseQueryResponse(data("query_range_streams.json"), 200, o);
        QVERIFY2(r.has_value(), qPrintable(r ? QString() : r.error().toString()));
        QCOMPARE(r->size(), 1);
        const auto &f = r->front();
        QCOMPARE(f.kind(), FrameKind::Logs);
        QCOMPARE(f.name(), QStringLiteral("B"));
        QVERIFY(f.isConsistent());
        QCOMPARE(f.field(u"Line")->strings(), (QStringList{QStringLiteral("foo"), QStringLiteral("boom"), QStringLiteral("bar")}));
        QCOMPARE(f.field(u"tsNs")->int64s(),
                 (QList<std::int64_t>{1568234281726420425, 1568234275000000000, 1568234269716526880}));
        QCOMPARE(f.field(u"Time")->int64s().front(), 1568234281726);
        QCOMPARE(f.field(u"labels")->labelSets().at(1).value(u"level"), QStringLiteral("error"));
        QVERIFY(f.field(u"structuredMetadata")->labelSets().front().isEmpty());
        QCOMPARE(f.meta().executedQuery, o.executedQuery);
        QCOMPARE(f.meta().custom.value(QStringLiteral("linesScanned")).toLongLong(), 3);

        o.direction = Direction::Forward;
        auto fwd = parseQueryResponse(data("query_range_streams.json"), 200, o);
        QCOMPARE(fwd->front().field(u"Line")->strings().front(), QStringLiteral("bar"));
    }

    void categorizedLabelsAreSplit()
    {
        auto r = parseQueryResponse(data("query_range_streams_categorized.json"), 200, {});
        QVERIFY(r.has_value());
        const auto &f = r->front();
        QCOMPARE(f.rowCount(), 2);
        QCOMPARE(f.field(u"structuredMetadata")->labelSets().front().value(u"trace_id"),
                 QStringLiteral("4bf92f3577b34da6a3ce929d0e0e4736"));
        QCOMPARE(f.field(u"parsed")->labelSets().front().value(u"msg"), QStringLiteral("payment failed"));
        // "labels" holds all of the line's labels, as the local datasource's frames.
        const model::Labels all = f.field(u"labels")->labelSets().front();
        QCOMPARE(all.value(u"service_name"), QStringLiteral("checkout"));
        QCOMPARE(all.value(u"level"), QStringLiteral("error"));
        QCOMPARE(all.value(u"trace_id"), QStringLiteral("4bf92f3577b34da6a3ce929d0e0e4736"));
        QVERIFY(f.field(u"structuredMetadata")->labelSets().at(1).isEmpty());
    }

    void metricAnswersBecomeTimeSeries()
    {
        LokiFrameOptions o;
        o.legendFormat = QStringLiteral("{{level}} lines");
        auto r = parseQueryResponse(data("query_range_matrix.json"), 200, o);
        QVERIFY(r.has_value());
        QCOMPARE(r->size(), 2);
        QCOMPARE(r->at(0).kind(), FrameKind::TimeSeries);
        QCOMPARE(r->at(0).name(), QStringLiteral("info lines"));
        QCOMPARE(r->at(1).fields().at(1).doubles(), (QList<double>{1.0, 0.5}));
        QCOMPARE(r->at(1).fields().at(0).int64s(), (QList<std::int64_t>{1568234100000, 1568234160000}));

        auto v = parseQueryResponse(data("query_vector.json"), 200, {});
        QVERIFY(v.has_value());
        QCOMPARE(v->size(), 1);
        QCOMPARE(v->front().fields().at(1).doubles().front(), 42.0);
        QCOMPARE(v->front().fields().at(0).int64s().front(), 1568234281726);
    }

    void plainTextErrorsKeepLokisMessage()
    {
        auto r = parseQueryResponse(data("error_parse.txt"), 400, {});
        QVERIFY(!r);
        QVERIFY(r.error().message.contains(u"HTTP 400"));
        QVERIFY(r.error().message.contains(u"parse error at line 1, col 9"));
    }

    void badEntriesAreErrors()
    {
        auto r = parseQueryResponse(R"({"status":"success","data":{"resultType":"streams","result":[{"stream":{},"values":[["x","y"]]}]}})", 200, {});
        QVERIFY(!r);
        QVERIFY(r.error().message.contains(u"stream 1, entry 1"));
    }

    void tailMessages()
    {
        qint64 dropped = -1;
        auto f = parseTailMessage(data("tail_message.json"), &dropped);
        QVERIFY(f.has_value());
        QCOMPARE(dropped, 1);
        QCOMPARE(f->field(u"Line")->strings(), (QStringList{QStringLiteral("foo"), QStringLiteral("bar")}));
        auto none = parseTailMessage(R"({"streams":[],"dropped_entries":null})", &dropped);
        QVERIFY(none.has_value());
        QCOMPARE(none->rowCount(), 0);
        QCOMPARE(dropped, 0);
        QVERIFY(!parseTailMessage("not json", &dropped));
    }
};

QTEST_GUILESS_MAIN(TestLokiResponse)
#include "tst_loki_response.moc"
