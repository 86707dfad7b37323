#include "core/api/http_server.h"
#include "core/api/pyroscope_api.h"
#include "core/store/storage.h"
#include "raw_http_client.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace spyglass;
using namespace spyglass::api;
using spyglass::testing::RawHttpClient;
using spyglass::testing::RawResponse;

namespace {

QJsonObject json(const RawResponse &r) { return QJsonDocument::fromJson(r.body).object(); }

QByteArray corpusFile(const char *rel)
{
    QFile f(QStringLiteral(SPYGLASS_CORPUS_DIR "/captures/") + QLatin1String(rel));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("missing corpus file %s", rel);
    return f.readAll();
}

const QByteArray kT0 = "1700000000"; // ingest time, Unix seconds
const QString kCpu = QStringLiteral("process_cpu:cpu:nanoseconds:cpu:nanoseconds");

} // namespace

class TestPyroscopeApi : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<store::Storage> m_storage;
    std::unique_ptr<HttpServer> m_server;

    RawResponse request(const QByteArray &raw)
    {
        RawHttpClient c;
        if (!c.connectTo(m_server->port()))
            return {};
        c.send(raw);
        return c.readResponse().value_or(RawResponse{});
    }
    RawResponse post(const QByteArray &target, const QByteArray &body, const QByteArray &contentType)
    {
        return request("POST " + target + " HTTP/1.1\r\nHost: x\r\nContent-Type: " + contentType +
                       "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body);
    }
    RawResponse connect(const char *method, const QJsonObject &body)
    {
        return post("/querier.v1.QuerierService/" + QByteArray(method),
                    QJsonDocument(body).toJson(QJsonDocument::Compact), "application/json");
    }
    static QJsonObject range(QJsonObject o)
    {
        o.insert(QStringLiteral("start"), QStringLiteral("0"));
        o.insert(QStringLiteral("end"), 4102444800000.0); // 2100, as a number: both are accepted
        return o;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        auto st = store::Storage::open(m_dir.filePath(QStringLiteral("data")));
        QVERIFY2(st.has_value(), qPrintable(st ? QString() : st.error().toString()));
        m_storage = std::move(*st);
        m_server = std::make_unique<HttpServer>();
        PyroscopeApi::registerRoutes(m_server->router(), *m_storage);
        auto port = m_server->listen();
        QVERIFY(port.has_value());
    }
    void cleanupTestCase() { m_server.reset(); }

    void ingestFolded()
    {
        // 100 Hz samples: each counts 10 ms.
        const QByteArray body = "main;handle;parse 30\nmain;handle 10\nmain;gc 5\n";
        auto r = post("/ingest?name=shop.cpu%7Benv%3Dprod%2Cregion%3Deu%7D&from=" + kT0 + "&until=" + kT0 +
                          "&format=folded&sampleRate=100&spyName=gospy",
                      body, "text/plain");
        QCOMPARE(r.status, 200);
        auto lines = post("/ingest?name=shop.cpu%7Benv%3Ddev%7D&from=" + kT0 + "&until=" + kT0 + "&format=lines",
                          "main;handle\nmain;handle\n", "text/plain");
        QCOMPARE(lines.status, 200);
    }

    void ingestPprof()
    {
        // Raw body (Go's cpu profile keeps its own time_nanos).
        auto r = post("/ingest?name=goapp&format=pprof", corpusFile("go-pprof/cpu.pb.gz"), "application/octet-stream");
        QCOMPARE(r.status, 200);
        // Multipart, as Pyroscope's SDKs send it.
        const QByteArray boundary = "----spyglassBoundary42";
        QByteArray mp = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"profile\"; filename=\"profile.pprof\"\r\n"
                        "Content-Type: application/octet-stream\r\n\r\n" + corpusFile("node-pprof/heap.pb.gz") +
                        "\r\n--" + boundary + "--\r\n";
        r = post("/ingest?name=nodeapp&from=" + kT0 + "&until=" + kT0, mp, "multipart/form-data; boundary=" + boundary);
        QCOMPARE(r.status, 200);
    }

    void ingestErrors()
    {
        auto r = post("/ingest?name=x.cpu&format=folded", "main;a notanumber\n", "text/plain");
        QCOMPARE(r.status, 400);
        QVERIFY2(r.body.contains(":1:8:") && r.body.contains("non-negative integer"), r.body.constData());
        r = post("/ingest?name=x&format=pprof", "garbage bytes here", "application/octet-stream");
        QCOMPARE(r.status, 400);
        QVERIFY2(r.body.contains("not a valid pprof profile"), r.body.constData());
        r = post("/ingest?name=x&format=jfr", "x", "application/octet-stream");
        QCOMPARE(r.status, 400);
        QVERIFY(r.body.contains("unknown format"));
        r = post("/ingest?format=folded", "a 1\n", "text/plain");
        QCOMPARE(r.status, 400);
        QVERIFY(r.body.contains("no application name"));
    }

    void render()
    {
        auto r = request("GET /pyroscope/render?query=shop.cpu%7Benv%3D%22prod%22%7D&from=" + kT0 + "&until=" +
                         QByteArray::number(kT0.toLongLong() + 10) + "&format=json HTTP/1.1\r\nHost: x\r\n\r\n");
        QCOMPARE(r.status, 200);
        const QJsonObject o = json(r);
        const QJsonObject fb = o.value(u"flamebearer").toObject();
        QCOMPARE(fb.value(u"numTicks").toInteger(), qint64(450'000'000));
        QCOMPARE(fb.value(u"maxSelf").toInteger(), qint64(300'000'000));
        const QJsonArray names = fb.value(u"names").toArray();
        QCOMPARE(names.at(0).toString(), QStringLiteral("total"));
        const QJsonArray levels = fb.value(u"levels").toArray();
        QCOMPARE(levels.size(), 4); // total, main, {gc, handle}, parse
        QCOMPARE(levels.at(0).toArray().size(), 4);
        QCOMPARE(levels.at(2).toArray().size(), 8);
        QCOMPARE(names.at(levels.at(3).toArray().at(3).toInt()).toString(), QStringLiteral("parse"));
        QCOMPARE(o.value(u"metadata").toObject().value(u"format").toString(), QStringLiteral("single"));
        const QJsonObject tl = o.value(u"timeline").toObject();
        qint64 sum = 0;
        for (const auto &v : tl.value(u"samples").toArray())
            sum += v.toInteger();
        QCOMPARE(sum, qint64(450'000'000));

        auto bad = request("GET /pyroscope/render?query=%7Bbroken HTTP/1.1\r\nHost: x\r\n\r\n");
        QCOMPARE(bad.status, 400);
    }

    void profileTypes()
    {
        auto r = connect("ProfileTypes", range({}));
        QCOMPARE(r.status, 200);
        QStringList ids;
        for (const auto &t : json(r).value(u"profileTypes").toArray())
            ids.append(t.toObject().value(u"ID").toString());
        QVERIFY(ids.contains(kCpu));
        QVERIFY(ids.contains(QStringLiteral("process_cpu:samples:count:cpu:nanoseconds")));
        QVERIFY(ids.contains(QStringLiteral("memory:inuse_space:bytes:inuse_space:bytes")));
        const QJsonObject first = json(r).value(u"profileTypes").toArray().at(0).toObject();
        QVERIFY(first.contains(u"sampleType") && first.contains(u"periodUnit") && first.contains(u"name"));
    }

    void labelNamesAndValues()
    {
        auto r = connect("LabelNames", range({{QStringLiteral("matchers"), QJsonArray{QStringLiteral("{service_name=\"shop\"}")}}}));
        QCOMPARE(r.status, 200);
        const QJsonArray names = json(r).value(u"names").toArray();
        QVERIFY(names.contains(QStringLiteral("service_name")));
        QVERIFY(names.contains(QStringLiteral("env")));
        QVERIFY(names.contains(QStringLiteral("__profile_type__")));
        r = connect("LabelValues", range({{QStringLiteral("name"), QStringLiteral("service_name")}}));
        QCOMPARE(r.status, 200);
        QCOMPARE(json(r).value(u"names").toArray(),
                 (QJsonArray{QStringLiteral("goapp"), QStringLiteral("nodeapp"), QStringLiteral("shop")}));
        r = connect("LabelValues", range({{QStringLiteral("name"), QStringLiteral("env")},
                                          {QStringLiteral("matchers"), QJsonArray{QString(kCpu + QStringLiteral("{service_name=\"shop\"}"))}}}));
        QCOMPARE(json(r).value(u"names").toArray(), (QJsonArray{QStringLiteral("dev"), QStringLiteral("prod")}));
    }

    void selectMergeStacktraces()
    {
        auto r = connect("SelectMergeStacktraces",
                         range({{QStringLiteral("profileTypeID"), kCpu},
                                {QStringLiteral("labelSelector"), QStringLiteral("{service_name=\"goapp\"}")},
                                {QStringLiteral("maxNodes"), QStringLiteral("16384")}}));
        QCOMPARE(r.status, 200);
        const QJsonObject fg = json(r).value(u"flamegraph").toObject();
        QCOMPARE(fg.value(u"total").toString(), QStringLiteral("1980000000")); // cpu.traces.txt: 1.98s
        const QJsonArray levels = fg.value(u"levels").toArray();
        QVERIFY(levels.size() > 10);
        QCOMPARE(levels.at(0).toObject().value(u"values").toArray().at(1).toString(), QStringLiteral("1980000000"));
        QVERIFY(fg.value(u"names").toArray().contains(QStringLiteral("runtime.main")));

        // maxNodes limits the tree but keeps the total.
        r = connect("SelectMergeStacktraces", range({{QStringLiteral("profileTypeID"), kCpu},
                                                     {QStringLiteral("labelSelector"), QStringLiteral("{service_name=\"goapp\"}")},
                                                     {QStringLiteral("maxNodes"), 10}}));
        QCOMPARE(r.status, 200);
        qint64 nodes = 0;
        for (const auto &l : json(r).value(u"flamegraph").toObject().value(u"levels").toArray())
            nodes += l.toObject().value(u"values").toArray().size() / 4;
        QVERIFY2(nodes <= 14, QByteArray::number(nodes).constData());
        QCOMPARE(json(r).value(u"flamegraph").toObject().value(u"total").toString(), QStringLiteral("1980000000"));
    }

    void selectSeries()
    {
        auto r = connect("SelectSeries", range({{QStringLiteral("profileTypeID"), kCpu},
                                                {QStringLiteral("labelSelector"), QStringLiteral("{service_name=\"shop\"}")},
                                                {QStringLiteral("groupBy"), QJsonArray{QStringLiteral("env")}},
                                                {QStringLiteral("step"), 15.0}}));
        QCOMPARE(r.status, 200);
        const QJsonArray series = json(r).value(u"series").toArray();
        QCOMPARE(series.size(), 2);
        const QJsonObject dev = series.at(0).toObject();
        QCOMPARE(dev.value(u"labels").toArray().at(0).toObject().value(u"value").toString(), QStringLiteral("dev"));
        const QJsonObject point = dev.value(u"points").toArray().at(0).toObject();
        QCOMPARE(point.value(u"value").toDouble(), 20'000'000.0); // 2 lines x 10 ms
        QCOMPARE(point.value(u"timestamp").toString(), QStringLiteral("1699999995000")); // 15 s steps counted from start = 0
        QCOMPARE(series.at(1).toObject().value(u"points").toArray().at(0).toObject().value(u"value").toDouble(),
                 450'000'000.0);
    }

    void diff()
    {
        const QJsonObject left = range({{QStringLiteral("profileTypeID"), kCpu},
                                        {QStringLiteral("labelSelector"), QStringLiteral("{service_name=\"shop\", env=\"prod\"}")}});
        const QJsonObject right = range({{QStringLiteral("profileTypeID"), kCpu},
                                         {QStringLiteral("labelSelector"), QStringLiteral("{service_name=\"shop\", env=\"dev\"}")}});
        auto r = connect("Diff", {{QStringLiteral("left"), left}, {QStringLiteral("right"), right}});
        QCOMPARE(r.status, 200);
        const QJsonObject fg = json(r).value(u"flamegraph").toObject();
        QCOMPARE(fg.value(u"leftTicks").toString(), QStringLiteral("450000000"));
        QCOMPARE(fg.value(u"rightTicks").toString(), QStringLiteral("20000000"));
        QCOMPARE(fg.value(u"total").toString(), QStringLiteral("470000000"));
        QCOMPARE(fg.value(u"levels").toArray().at(0).toObject().value(u"values").toArray().size(), 7);
    }

    void connectErrors()
    {
        auto r = connect("SelectMergeStacktraces", range({{QStringLiteral("profileTypeID"), QStringLiteral("cpu")}}));
        QCOMPARE(r.status, 400);
        QCOMPARE(json(r).value(u"code").toString(), QStringLiteral("invalid_argument"));
        QVERIFY(json(r).value(u"message").toString().contains(u"not a profile type id"));
        r = connect("SelectMergeStacktraces", range({{QStringLiteral("profileTypeID"), kCpu},
                                                     {QStringLiteral("labelSelector"), QStringLiteral("{a=}")}}));
        QCOMPARE(r.status, 400);
        QVERIFY(json(r).value(u"message").toString().contains(u"1:4"));
        r = post("/querier.v1.QuerierService/ProfileTypes", "{not json", "application/json");
        QCOMPARE(r.status, 400);
        QCOMPARE(json(r).value(u"code").toString(), QStringLiteral("invalid_argument"));
        r = post("/querier.v1.QuerierService/ProfileTypes", "\x0a\x00", "application/proto");
        QCOMPARE(r.status, 415);
        r = connect("SelectSeries", range({{QStringLiteral("profileTypeID"), kCpu}, {QStringLiteral("step"), -1}}));
        QCOMPARE(r.status, 400);
        r = connect("LabelValues", range({}));
        QCOMPARE(r.status, 400);
        QJsonObject backwards{{QStringLiteral("start"), 10}, {QStringLiteral("end"), 5}};
        r = connect("ProfileTypes", backwards);
        QCOMPARE(r.status, 400);
    }
};

QTEST_GUILESS_MAIN(TestPyroscopeApi)
#include "tst_pyroscope_api.moc"
