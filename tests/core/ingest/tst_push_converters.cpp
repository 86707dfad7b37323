// remote_write and Loki push decoding, on hand-built requests (the spec's
// shapes) including stale markers, exemplars and malformed input.

#include "core/ingest/loki_push_converter.h"
#include "core/ingest/remote_write_converter.h"
#include "core/ingest/snappy_codec.h"
#include "core/proto/loki/push.pb.h"
#include "core/proto/prometheus/remote.pb.h"

#include <QTest>

using namespace spyglass;
using namespace spyglass::ingest;

namespace {

QByteArray serialize(const google::protobuf::Message &m)
{
    const std::string s = m.SerializeAsString();
    return QByteArray(s.data(), qsizetype(s.size()));
}

void addLabel(prometheus::TimeSeries *ts, const char *n, const char *v)
{
    auto *l = ts->add_labels();
    l->set_name(n);
    l->set_value(v);
}

} // namespace

class TestPushConverters : public QObject
{
    Q_OBJECT
private slots:
    void snappyRoundTrip()
    {
        const QByteArray data = QByteArray("hello remote write ").repeated(100);
        const QByteArray packed = SnappyCodec::compress(data);
        QVERIFY(packed.size() < data.size());
        auto back = SnappyCodec::decompress(packed, 1 << 20);
        QVERIFY(back);
        QCOMPARE(*back, data);

        bool tooLarge = false;
        auto limited = SnappyCodec::decompress(packed, 100, &tooLarge);
        QVERIFY(!limited);
        QVERIFY(tooLarge);

        auto corrupt = SnappyCodec::decompress(packed.left(packed.size() / 2), 1 << 20, &tooLarge);
        QVERIFY(!corrupt);
        QVERIFY(!tooLarge);
        QVERIFY(!SnappyCodec::decompress(QByteArray("\xff\xff\xff\xff\xff\xff", 6), 1 << 20));
    }

    void remoteWrite()
    {
        prometheus::WriteRequest req;
        auto *a = req.add_timeseries();
        addLabel(a, "__name__", "http_requests_total");
        addLabel(a, "job", "api");
        addLabel(a, "empty", ""); // an empty value is no label
        // Out of order on purpose; the converter sorts.
        auto *s2 = a->add_samples();
        s2->set_timestamp(2000);
        s2->set_value(model::staleNaN());
        auto *s1 = a->add_samples();
        s1->set_timestamp(1000);
        s1->set_value(42);
        auto *ex = a->add_exemplars();
        ex->set_value(1);
        ex->set_timestamp(1000);

        auto *noName = req.add_timeseries();
        addLabel(noName, "job", "api");
        noName->add_samples()->set_value(1);

        auto *badLabel = req.add_timeseries();
        addLabel(badLabel, "__name__", "x");
        addLabel(badLabel, "bad-name", "v");
        badLabel->add_samples()->set_value(1);

        auto *hist = req.add_timeseries();
        addLabel(hist, "__name__", "native");
        hist->add_histograms();

        auto c = RemoteWriteConverter::decode(serialize(req));
        QVERIFY(c);
        QCOMPARE(c->series.size(), 1);
        const auto &s = c->series[0];
        QCOMPARE(s.labels, (model::Labels{{QStringLiteral("__name__"), QStringLiteral("http_requests_total")},
                                          {QStringLiteral("job"), QStringLiteral("api")}}));
        QCOMPARE(s.samples.size(), 2);
        QCOMPARE(s.samples[0].t, 1000);
        QCOMPARE(s.samples[0].v, 42.0);
        QCOMPARE(s.samples[1].t, 2000);
        QVERIFY(model::isStaleNaN(s.samples[1].v));
        QCOMPARE(c->acceptedPoints, 2);
        QCOMPARE(c->rejectedPoints, 3);
        // The exemplar is kept with its series (exemplar storage).
        QCOMPARE(c->ignoredExemplars, 0);
        QCOMPARE(c->exemplars.size(), 1);
        QCOMPARE(c->exemplars[0].series, s.labels);
        QCOMPARE(c->exemplars[0].exemplar.value, 1.0);
        QCOMPARE(c->exemplars[0].exemplar.t, 1000);
        QCOMPARE(c->problems.size(), 3);

        auto broken = RemoteWriteConverter::decode(QByteArray("\x0a\xff\xff", 3));
        QVERIFY(!broken);
        QVERIFY(broken.error().message.contains(u"WriteRequest"));
    }

    void lokiJson()
    {
        auto c = LokiPushConverter::decodeJson(R"({"streams":[
            {"stream":{"service_name":"api","level":"info"},
             "values":[["1700000000000000001","first"],
                       ["1700000000000000002","second",{"trace_id":"abc","empty":""}]]},
            {"stream":{"job":"b"},"values":[]}]})");
        QVERIFY2(c, qPrintable(c ? QString() : c.error().toString()));
        QCOMPARE(c->records.size(), 2);
        QCOMPARE(c->records[0].time, 1700000000000000001LL);
        QCOMPARE(c->records[0].line, QStringLiteral("first"));
        QCOMPARE(c->records[0].stream, (model::Labels{{QStringLiteral("service_name"), QStringLiteral("api")},
                                                      {QStringLiteral("level"), QStringLiteral("info")}}));
        QCOMPARE(c->records[1].structuredMetadata,
                 (model::Labels{{QStringLiteral("trace_id"), QStringLiteral("abc")}}));
    }

    void lokiJsonErrors_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("expected");
        QTest::newRow("not json") << QByteArray("{") << "not valid JSON";
        QTest::newRow("no streams") << QByteArray("{}") << "\"streams\" array";
        QTest::newRow("no labels") << QByteArray(R"({"streams":[{"stream":{},"values":[]}]})") << "at least one label";
        QTest::newRow("bad ts") << QByteArray(R"({"streams":[{"stream":{"a":"b"},"values":[["12x","l"]]}]})")
                                << "not Unix nanoseconds";
        QTest::newRow("bad entry") << QByteArray(R"({"streams":[{"stream":{"a":"b"},"values":[["1"]]}]})")
                                   << "values[0]";
        QTest::newRow("bad label") << QByteArray(R"({"streams":[{"stream":{"a-b":"c"},"values":[]}]})")
                                   << "invalid label name";
    }
    void lokiJsonErrors()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, expected);
        auto c = LokiPushConverter::decodeJson(body);
        QVERIFY(!c);
        QVERIFY2(c.error().message.contains(expected), qPrintable(c.error().message));
    }

    void lokiProtobuf()
    {
        logproto::PushRequest req;
        auto *s = req.add_streams();
        // (A plain literal: moc misreads this raw string and skips the class.)
        s->set_labels("{service_name=\"api\", level=\"error\", msg=\"a \\\"quoted\\\" \\\\ value\"}");
        auto *e = s->add_entries();
        e->mutable_timestamp()->set_seconds(1700000000);
        e->mutable_timestamp()->set_nanos(5);
        e->set_line("boom");
        auto *m = e->add_structuredmetadata();
        m->set_name("trace_id");
        m->set_value("0102");
        auto c = LokiPushConverter::decodeProtobuf(serialize(req));
        QVERIFY2(c, qPrintable(c ? QString() : c.error().toString()));
        QCOMPARE(c->records.size(), 1);
        QCOMPARE(c->records[0].time, 1700000000000000005LL);
        QCOMPARE(c->records[0].line, QStringLiteral("boom"));
        QCOMPARE(c->records[0].stream.value(u"msg"), QStringLiteral("a \"quoted\" \\ value"));
        QCOMPARE(c->records[0].stream.value(u"level"), QStringLiteral("error"));
        QCOMPARE(c->records[0].structuredMetadata.value(u"trace_id"), QStringLiteral("0102"));

        s->set_labels("{service_name=api}");
        auto bad = LokiPushConverter::decodeProtobuf(serialize(req));
        QVERIFY(!bad);
        QVERIFY2(bad.error().message.contains(u"expected a quoted value"), qPrintable(bad.error().message));
    }

    void labelSelector()
    {
        QVERIFY(LokiPushConverter::parseLabels(u"{}"));
        QVERIFY(LokiPushConverter::parseLabels(u"{}")->isEmpty());
        QVERIFY(!LokiPushConverter::parseLabels(u"{a=\"b\""));
        QVERIFY(!LokiPushConverter::parseLabels(u"a=\"b\"}"));
        QVERIFY(!LokiPushConverter::parseLabels(u"{a=\"b} x"));
        auto l = LokiPushConverter::parseLabels(u" { a = \"1\" ,b=\"x\\ny\" } ");
        QVERIFY(l);
        QCOMPARE(l->value(u"b"), QStringLiteral("x\ny"));
    }
};

QTEST_GUILESS_MAIN(TestPushConverters)
#include "tst_push_converters.moc"
