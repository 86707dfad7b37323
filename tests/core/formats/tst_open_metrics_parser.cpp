#include "core/formats/open_metrics_parser.h"

#include <QBuffer>
#include <QFile>
#include <QRandomGenerator>
#include <QTest>
#include <cmath>

using namespace spyglass;
using namespace spyglass::formats;
using model::Labels;

// QVERIFY2 evaluates its message eagerly; only touch error() on failure.
#define VERIFY_OK(r) QVERIFY2(bool(r), bool(r) ? "" : qPrintable((r).error().toString()))

namespace {

QString s(const char *utf8) { return QString::fromUtf8(utf8); }

QList<MetricsEntry> samplesOf(const QList<MetricsEntry> &entries)
{
    QList<MetricsEntry> out;
    for (const auto &e : entries)
        if (e.kind == MetricsEntry::Kind::Sample)
            out.append(e);
    return out;
}

Result<QList<MetricsEntry>> parse(const QByteArray &data, MetricsFormat f = MetricsFormat::Auto)
{
    return OpenMetricsParser::parseAll(data, QStringLiteral("in.txt"), f);
}

QByteArray readCorpus(const char *name)
{
    QFile f(QStringLiteral(SPYGLASS_CORPUS_DIR "/captures/prom-client/") + QLatin1StringView(name));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

} // namespace

class TestOpenMetricsParser : public QObject
{
    Q_OBJECT
private slots:
    void textFormatAllTypes()
    {
        const QByteArray data =
            "# HELP http_requests_total The total.\r\n"
            "# TYPE http_requests_total counter\r\n"
            "http_requests_total{method=\"post\",code=\"200\"} 1027 1395066363000\r\n"
            "http_requests_total{ method = \"post\" , code=\"400\", }    3   1395066363000\n"
            "\n"
            "# A normal comment\n"
            "# TYPE temp gauge\n"
            "temp NaN\n"
            "temp{x=\"a\"} +Inf\n"
            "temp{x=\"b\"} -Inf -5\n"
            "# TYPE lat histogram\n"
            "lat_bucket{le=\"0.05\"} 24054\n"
            "lat_bucket{le=\"+Inf\"} 144320\n"
            "lat_sum 53423\n"
            "lat_count 144320\n"
            "# TYPE rpc summary\n"
            "rpc{quantile=\"0.5\"} 4773\n"
            "rpc_sum 1.7560473e+07\n"
            "rpc_count 2693\n"
            "# TYPE plain untyped\n"
            "plain 1e3\n"
            "   no_meta{} 12.5";
        auto r = parse(data);
        VERIFY_OK(r);
        const auto samples = samplesOf(*r);
        QCOMPARE(samples.size(), 14);

        QCOMPARE(r->at(0).kind, MetricsEntry::Kind::Help);
        QCOMPARE(r->at(0).text, s("The total."));
        QCOMPARE(r->at(1).kind, MetricsEntry::Kind::Type);
        QCOMPARE(r->at(1).type, MetricType::Counter);

        QCOMPARE(samples[0].labels, (Labels{{s("__name__"), s("http_requests_total")},
                                            {s("method"), s("post")},
                                            {s("code"), s("200")}}));
        QCOMPARE(samples[0].value, 1027.0);
        QVERIFY(samples[0].hasTimestamp);
        QCOMPARE(samples[0].timestamp, 1395066363000);
        QCOMPARE(samples[0].type, MetricType::Counter);
        QCOMPARE(samples[0].line, 3);
        QCOMPARE(samples[1].labels.value(u"code"), s("400"));
        QCOMPARE(samples[1].value, 3.0);
        QCOMPARE(samples[1].timestamp, 1395066363000);

        QVERIFY(std::isnan(samples[2].value));
        QVERIFY(!samples[2].hasTimestamp);
        QCOMPARE(samples[2].type, MetricType::Gauge);
        QCOMPARE(samples[3].value, std::numeric_limits<double>::infinity());
        QCOMPARE(samples[4].value, -std::numeric_limits<double>::infinity());
        QCOMPARE(samples[4].timestamp, -5);

        QCOMPARE(samples[5].labels.value(u"le"), s("0.05"));
        QCOMPARE(samples[5].family, s("lat"));
        QCOMPARE(samples[5].type, MetricType::Histogram);
        QCOMPARE(samples[7].family, s("lat"));
        QCOMPARE(samples[9].type, MetricType::Summary);
        QCOMPARE(samples[10].value, 1.7560473e+07);
        QCOMPARE(samples[12].value, 1000.0);
        QCOMPARE(samples[12].type, MetricType::Unknown);
        QCOMPARE(samples[13].labels.metricName(), s("no_meta"));
        QCOMPARE(samples[13].labels.size(), 1);
        QCOMPARE(samples[13].line, 22);
    }

    void textFormatBlanks()
    {
        auto r = parse("a {b=\"c\"}\t2\t 3\n\t# TYPE x gauge\nx\t7\n", MetricsFormat::PrometheusText);
        VERIFY_OK(r);
        QCOMPARE(r->size(), 3);
        QCOMPARE(r->at(0).labels, (Labels{{s("__name__"), s("a")}, {s("b"), s("c")}}));
        QCOMPARE(r->at(0).value, 2.0);
        QCOMPARE(r->at(0).timestamp, 3);
        QCOMPARE(r->at(1).kind, MetricsEntry::Kind::Type);
        QCOMPARE(r->at(2).type, MetricType::Gauge);
        // OpenMetrics is strict: exactly one space, none before '{'.
        auto om = parse("a {b=\"c\"} 2\n# EOF\n", MetricsFormat::OpenMetrics);
        QVERIFY(!om);
        QCOMPARE(om.error().column, 3);
    }

    void openMetricsAllTypes()
    {
        const QByteArray data =
            "# TYPE acme_http_router_request_seconds summary\n"
            "# UNIT acme_http_router_request_seconds seconds\n"
            "# HELP acme_http_router_request_seconds Latency though all of ACME's HTTP request router.\n"
            "acme_http_router_request_seconds_sum{path=\"/api/v1\",method=\"GET\"} 9036.32\n"
            "acme_http_router_request_seconds_count{path=\"/api/v1\",method=\"GET\"} 807283.0\n"
            "acme_http_router_request_seconds_created{path=\"/api/v1\",method=\"GET\"} 1605281325.0\n"
            "# TYPE foo counter\n"
            "foo_total 17.0 1520879607.789 # {id=\"counter-test\"} 5\n"
            "foo_created 1520430000.123\n"
            "# TYPE hist histogram\n"
            "hist_bucket{le=\"0.01\"} 0\n"
            "hist_bucket{le=\"+Inf\"} 17 # {trace_id=\"oHg5SJYRHA0\"} 9.8 1520879607.789\n"
            "hist_count 17\n"
            "hist_sum 324789.3\n"
            "# TYPE gh gaugehistogram\n"
            "gh_bucket{le=\"1\"} 3\n"
            "gh_gcount 3\n"
            "gh_gsum 2\n"
            "# TYPE build info\n"
            "build_info{version=\"1.2\"} 1\n"
            "# TYPE state stateset\n"
            "state{state=\"a\"} 1\n"
            "state{state=\"b\"} 0\n"
            "# TYPE other unknown\n"
            "other -Inf\n"
            "other{x=\"1\"} nan 0.5\n"
            "# TYPE g gauge\n"
            "g{a=\"x\"} +inf 1520879607\n"
            "# EOF\n";
        auto r = parse(data);
        VERIFY_OK(r);
        const auto samples = samplesOf(*r);
        QCOMPARE(samples.size(), 18);

        QCOMPARE(r->at(1).kind, MetricsEntry::Kind::Unit);
        QCOMPARE(r->at(1).text, s("seconds"));
        QCOMPARE(r->at(2).text, s("Latency though all of ACME's HTTP request router."));
        QCOMPARE(samples[0].family, s("acme_http_router_request_seconds"));
        QCOMPARE(samples[0].type, MetricType::Summary);
        QCOMPARE(samples[1].value, 807283.0);

        const auto &foo = samples[3];
        QCOMPARE(foo.family, s("foo"));
        QCOMPARE(foo.type, MetricType::Counter);
        QVERIFY(foo.hasTimestamp);
        QCOMPARE(foo.timestamp, 1520879607789);
        QVERIFY(foo.exemplar.has_value());
        QCOMPARE(foo.exemplar->labels, (Labels{{s("id"), s("counter-test")}}));
        QCOMPARE(foo.exemplar->value, 5.0);
        QVERIFY(!foo.exemplar->hasTimestamp);
        QCOMPARE(samples[4].labels.metricName(), s("foo_created"));
        QCOMPARE(samples[4].value, 1520430000.123);
        QVERIFY(!samples[4].hasTimestamp);

        const auto &inf = samples[6];
        QCOMPARE(inf.labels.value(u"le"), s("+Inf"));
        QVERIFY(!inf.hasTimestamp);
        QCOMPARE(inf.exemplar->labels.value(u"trace_id"), s("oHg5SJYRHA0"));
        QCOMPARE(inf.exemplar->value, 9.8);
        QVERIFY(inf.exemplar->hasTimestamp);
        QCOMPARE(inf.exemplar->t, 1520879607789);

        QCOMPARE(samples[9].type, MetricType::GaugeHistogram);
        QCOMPARE(samples[10].labels.metricName(), s("gh_gcount"));
        QCOMPARE(samples[10].family, s("gh"));
        QCOMPARE(samples[12].type, MetricType::Info);
        QCOMPARE(samples[12].family, s("build"));
        QCOMPARE(samples[13].type, MetricType::StateSet);
        QCOMPARE(samples[14].value, 0.0);
        QCOMPARE(samples[15].value, -std::numeric_limits<double>::infinity());
        QVERIFY(std::isnan(samples[16].value));
        QCOMPARE(samples[16].timestamp, 500);
        QCOMPARE(samples[17].value, std::numeric_limits<double>::infinity());
        QCOMPARE(samples[17].timestamp, 1520879607000);
    }

    void escapes()
    {
        const QByteArray data =
            "# HELP m A \\\\ backslash, a \\n newline and a \\\" quote.\n"
            "# TYPE m gauge\n"
            "m{a=\"C:\\\\dir\",b=\"say \\\"hi\\\"\\nbye\",c=\"\xc3\xbc\xe6\x97\xa5\"} 1\n"
            "# EOF\n";
        for (auto f : {MetricsFormat::OpenMetrics, MetricsFormat::PrometheusText}) {
            auto r = parse(data, f);
            VERIFY_OK(r);
            QCOMPARE(r->at(0).text, s("A \\ backslash, a \n newline and a \" quote."));
            const auto &l = r->at(2).labels;
            QCOMPARE(l.value(u"a"), s("C:\\dir"));
            QCOMPARE(l.value(u"b"), s("say \"hi\"\nbye"));
            QCOMPARE(l.value(u"c"), s("\xc3\xbc\xe6\x97\xa5"));
        }
    }

    void detectsFormat()
    {
        auto detect = [](const QByteArray &d) {
            QByteArray copy = d;
            QBuffer b(&copy);
            b.open(QIODevice::ReadOnly);
            OpenMetricsParser p(&b, QStringLiteral("x"));
            MetricsEntry e;
            while (true) {
                auto r = p.next(e);
                if (!r || !*r)
                    break;
            }
            return p.format();
        };
        QCOMPARE(detect("a 1\n# EOF\n"), MetricsFormat::OpenMetrics);
        QCOMPARE(detect("a 1\n# EOF"), MetricsFormat::OpenMetrics);
        QCOMPARE(detect("a 1\n"), MetricsFormat::PrometheusText);
        QCOMPARE(detect("# TYPE a info\na_info 1\n"), MetricsFormat::OpenMetrics);
        QCOMPARE(detect("# UNIT a_seconds seconds\n"), MetricsFormat::OpenMetrics);
        QCOMPARE(detect("a_total 1 # {x=\"y\"} 1\n"), MetricsFormat::OpenMetrics);
        QCOMPARE(OpenMetricsParser::sniff("a 1\n", "b 2\n# EOF\n"), MetricsFormat::OpenMetrics);
        QCOMPARE(OpenMetricsParser::sniff("# TYPE a counter\na 1\n", "a 1\n"), MetricsFormat::PrometheusText);
        // Cut before "# EOF", but its timestamps are fractional seconds.
        QCOMPARE(OpenMetricsParser::sniff("a{b=\"x y\"} 1 1700000000.5\n"), MetricsFormat::OpenMetrics);
        QCOMPARE(OpenMetricsParser::sniff("a{b=\"x 1.5\"} 1 1700000000500\n"), MetricsFormat::PrometheusText);
        QCOMPARE(OpenMetricsParser::sniff("a 1.5 1700000000500\n"), MetricsFormat::PrometheusText);

        // The text format reads millisecond integers, OpenMetrics seconds.
        auto text = parse("a 1 1500\n");
        QVERIFY(text);
        QCOMPARE(text->at(0).timestamp, 1500);
        auto om = parse("a 1 1500\n# EOF\n");
        QVERIFY(om);
        QCOMPARE(om->at(0).timestamp, 1500000);
    }

    void corpusFiles_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("format");
        QTest::newRow("prom") << s("metrics.prom") << int(MetricsFormat::PrometheusText);
        QTest::newRow("openmetrics") << s("metrics.openmetrics.txt") << int(MetricsFormat::OpenMetrics);
    }
    void corpusFiles()
    {
        QFETCH(QString, file);
        QFETCH(int, format);
        QFile f(QStringLiteral(SPYGLASS_CORPUS_DIR "/captures/prom-client/") + file);
        QVERIFY(f.open(QIODevice::ReadOnly));
        OpenMetricsParser p(&f, file);
        int samples = 0, types = 0, helps = 0, exemplars = 0;
        QMap<MetricType, int> typeCounts;
        MetricsEntry e;
        const Labels odd{{s("__name__"), s("shop_odd_labels_total")},
                         {s("path"), s("C:\\shop\\orders")},
                         {s("note"), s("say \"hi\"\nthen leave")},
                         {s("service"), s("corpus-shop")}};
        const Labels unicode{{s("__name__"), s("shop_odd_labels_total")},
                             {s("path"), s("/\xc3\xbcn\xc3\xaf" "c\xc3\xb8" "d\xc3\xa9/\xe6\x97\xa5\xe6\x9c\xac")},
                             {s("service"), s("corpus-shop")}};
        bool sawOdd = false, sawUnicode = false;
        for (;;) {
            auto r = p.next(e);
            VERIFY_OK(r);
            if (!*r)
                break;
            switch (e.kind) {
            case MetricsEntry::Kind::Sample:
                ++samples;
                typeCounts[e.type]++;
                exemplars += e.exemplar ? 1 : 0;
                QVERIFY(!e.hasTimestamp);
                if (e.labels == odd) {
                    sawOdd = true;
                    QCOMPARE(e.value, 3.0);
                    QCOMPARE(e.type, MetricType::Counter);
                }
                if (e.labels == unicode) {
                    sawUnicode = true;
                    QCOMPARE(e.value, 1.0);
                }
                break;
            case MetricsEntry::Kind::Type:
                ++types;
                break;
            case MetricsEntry::Kind::Help:
                ++helps;
                break;
            case MetricsEntry::Kind::Unit:
                break;
            }
        }
        QCOMPARE(p.format(), MetricsFormat(format));
        QCOMPARE(samples, 122);
        QCOMPARE(types, 39);
        QCOMPARE(helps, 39);
        QCOMPARE(exemplars, format == int(MetricsFormat::OpenMetrics) ? 11 : 0);
        QCOMPARE(typeCounts.value(MetricType::Unknown), 0); // every sample found its family
        QVERIFY(sawOdd);
        QVERIFY(sawUnicode);
        QCOMPARE(p.bytesConsumed(), f.size());
    }

    void malformed_data()
    {
        QTest::addColumn<QByteArray>("data");
        QTest::addColumn<int>("format");
        QTest::addColumn<int>("line");
        QTest::addColumn<int>("column");
        QTest::addColumn<QString>("message");
        const int text = int(MetricsFormat::PrometheusText);
        const int om = int(MetricsFormat::OpenMetrics);

        QTest::newRow("truncated in label value") << QByteArray("a 1\nb{c=\"d") << text << 2 << 7
                                                  << s("unexpected end of line inside a label value (missing '\"')");
        QTest::newRow("truncated after label name") << QByteArray("a 1\nb{c") << text << 2 << 4
                                                    << s("expected '=' after label name, got end of line");
        QTest::newRow("truncated before value") << QByteArray("a 1\nb{c=\"d\"}") << text << 2 << 9
                                                << s("unexpected end of line: expected a value after the metric");
        QTest::newRow("bad escape") << QByteArray("# TYPE x gauge\nx{a=\"b\\qc\"} 1\n") << text << 2 << 7
                                    << s("invalid escape sequence '\\q'");
        QTest::newRow("bad escape om") << QByteArray("x{a=\"\\t\"} 1\n# EOF\n") << om << 1 << 6
                                       << s("invalid escape sequence '\\t'");
        QTest::newRow("bad escape in help") << QByteArray("# HELP x a \\x b\n") << text << 1 << 12
                                            << s("invalid escape sequence '\\x'");
        QTest::newRow("missing eof") << QByteArray("a 1\nb 2\n") << om << 3 << 1
                                     << s("unexpected end of file: missing \"# EOF\"");
        QTest::newRow("missing eof no newline") << QByteArray("a 1\nbb 2") << om << 2 << 5
                                                << s("unexpected end of file: missing \"# EOF\"");
        QTest::newRow("content after eof") << QByteArray("a 1\n# EOF\nb 2\n") << om << 3 << 1
                                           << s("unexpected content after \"# EOF\"");
        QTest::newRow("blank after eof") << QByteArray("a 1\n# EOF\n\n") << om << 3 << 1
                                         << s("unexpected content after \"# EOF\"");
        QTest::newRow("non utf8 value") << QByteArray("a 1\nb{c=\"x\xff\"} 1\n") << text << 2 << 7
                                        << s("invalid UTF-8 byte 0xff");
        QTest::newRow("overlong utf8") << QByteArray("# HELP a \xc0\xaf\n") << text << 1 << 10
                                       << s("invalid UTF-8 byte 0xc0");
        QTest::newRow("surrogate utf8") << QByteArray("a{b=\"\xed\xa0\x80\"} 1\n# EOF\n") << om << 1 << 6
                                        << s("invalid UTF-8 byte 0xed");
        QTest::newRow("invalid label name") << QByteArray("a{1b=\"x\"} 1\n") << text << 1 << 3
                                            << s("invalid label name: expected a letter or '_', got '1'");
        QTest::newRow("label name with dash") << QByteArray("a{b-c=\"x\"} 1\n") << text << 1 << 4
                                              << s("expected '=' after label name, got '-'");
        QTest::newRow("missing value") << QByteArray("# TYPE a gauge\na{b=\"c\"}\n") << text << 2 << 9
                                       << s("unexpected end of line: expected a value after the metric");
        QTest::newRow("missing value om") << QByteArray("a \n# EOF\n") << om << 1 << 3
                                          << s("expected a value after the metric, got end of line");
        QTest::newRow("bad value") << QByteArray("a 12x\n") << text << 1 << 3
                                   << s("invalid value '12x': expected a number, NaN, +Inf or -Inf");
        QTest::newRow("bad timestamp text") << QByteArray("a 1 12.5\n") << text << 1 << 5
                                            << s("invalid timestamp '12.5': expected integer milliseconds since the epoch");
        QTest::newRow("bad timestamp om") << QByteArray("a 1 abc\n# EOF\n") << om << 1 << 5
                                          << s("invalid timestamp 'abc': expected seconds since the epoch");
        QTest::newRow("nan timestamp om") << QByteArray("a 1 NaN\n# EOF\n") << om << 1 << 5
                                          << s("invalid timestamp 'NaN': expected seconds since the epoch");
        QTest::newRow("duplicate label name") << QByteArray("a 1\na{b=\"1\",c=\"2\",b=\"3\"} 1\n") << text << 2 << 15
                                              << s("duplicate label name 'b'");
        QTest::newRow("name label in braces") << QByteArray("a{__name__=\"b\"} 1\n") << text << 1 << 3
                                              << s("duplicate label name '__name__' (the metric name sets it)");
        QTest::newRow("missing equals") << QByteArray("a{b \"c\"} 1\n") << text << 1 << 5
                                        << s("expected '=' after label name, got '\"'");
        QTest::newRow("missing comma") << QByteArray("a{b=\"c\" d=\"e\"} 1\n") << text << 1 << 9
                                       << s("expected ',' or '}' after label value, got 'd'");
        QTest::newRow("trailing comma om") << QByteArray("a{b=\"c\",} 1\n# EOF\n") << om << 1 << 9
                                           << s("invalid label name: expected a letter or '_', got '}'");
        QTest::newRow("two spaces om") << QByteArray("a  1\n# EOF\n") << om << 1 << 3
                                       << s("expected a value after the metric, got ' '");
        QTest::newRow("tab om") << QByteArray("a 1\t5\n# EOF\n") << om << 1 << 4
                                << s("expected ' ' or end of line after the value, got tab");
        QTest::newRow("empty line om") << QByteArray("a 1\n\n# EOF\n") << om << 2 << 1
                                       << s("empty line is not allowed in OpenMetrics");
        QTest::newRow("crlf om") << QByteArray("a 1\r\n# EOF\n") << om << 1 << 4
                                 << s("carriage return is not allowed in OpenMetrics (lines end with \\n only)");
        QTest::newRow("plain comment om") << QByteArray("# hello\n# EOF\n") << om << 1 << 3
                                          << s("expected HELP, TYPE, UNIT or EOF after '# '");
        QTest::newRow("bad type") << QByteArray("# TYPE a countr\n") << text << 1 << 10
                                  << s("invalid metric type 'countr': expected counter, gauge, histogram, summary or untyped");
        QTest::newRow("om type in text") << QByteArray("# TYPE a info\n") << text << 1 << 10
                                         << s("invalid metric type 'info': expected counter, gauge, histogram, summary or untyped");
        QTest::newRow("second type") << QByteArray("# TYPE a gauge\na 1\n# TYPE a gauge\n") << text << 3 << 8
                                     << s("second TYPE line for metric family 'a'");
        QTest::newRow("unit not suffix") << QByteArray("# UNIT a_bytes seconds\n# EOF\n") << om << 1 << 16
                                         << s("unit 'seconds' is not a suffix of metric family 'a_bytes'");
        QTest::newRow("bucket without le") << QByteArray("# TYPE h histogram\nh_bucket{x=\"1\"} 1\n") << text << 2 << 16
                                           << s("histogram bucket without a 'le' label");
        QTest::newRow("bad le") << QByteArray("# TYPE h histogram\nh_bucket{le=\"x\"} 1\n") << text << 2 << 14
                                << s("invalid 'le' value 'x': expected a number");
        QTest::newRow("quantile missing") << QByteArray("# TYPE s summary\ns 1\n") << text << 2 << 2
                                          << s("summary quantile without a 'quantile' label");
        QTest::newRow("exemplar in text") << QByteArray("a_total 1 # {a=\"b\"} 1\n") << text << 1 << 11
                                          << s("exemplars are only allowed in OpenMetrics, not in the 0.0.4 text format");
        QTest::newRow("exemplar no brace") << QByteArray("a_total 1 # a\n# EOF\n") << om << 1 << 13
                                           << s("expected '{' to start the exemplar labels, got 'a'");
        QTest::newRow("exemplar too long") << (QByteArray("a_total 1 # {a=\"") + QByteArray(128, 'x') + "\"} 1\n# EOF\n") << om << 1 << 13
                                           << s("exemplar labels are longer than 128 characters");
        QTest::newRow("exemplar on gauge") << QByteArray("# TYPE g gauge\ng 1 # {a=\"b\"} 1\n# EOF\n") << om << 2 << 1
                                           << s("exemplars are only allowed on counter _total and histogram _bucket samples");
        QTest::newRow("name starts with digit") << QByteArray("a 1\n1a 2\n") << text << 2 << 1
                                                << s("expected metric name, got '1'");
        QTest::newRow("label set without name") << QByteArray("{a=\"b\"} 1\n") << text << 1 << 1
                                                << s("expected metric name before '{'");
        QTest::newRow("text after timestamp") << QByteArray("a 1 2 3\n") << text << 1 << 7
                                              << s("unexpected text after the timestamp");
        QTest::newRow("column counts characters") << QByteArray("a{b=\"\xe6\x97\xa5\xe6\x9c\xac\",c=\"\\z\"} 1\n") << text << 1 << 13
                                                  << s("invalid escape sequence '\\z'");
    }
    void malformed()
    {
        QFETCH(QByteArray, data);
        QFETCH(int, format);
        QFETCH(int, line);
        QFETCH(int, column);
        QFETCH(QString, message);
        auto r = parse(data, MetricsFormat(format));
        QVERIFY(!r);
        QCOMPARE(r.error().message, message);
        QCOMPARE(r.error().source, s("in.txt"));
        QCOMPARE(r.error().line, line);
        QCOMPARE(r.error().column, column);
        QCOMPARE(r.error().kind, Error::Kind::BadData);
    }

    void errorIsSticky()
    {
        QByteArray data("a 1\nb{ 2\nc 3\n");
        QBuffer b(&data);
        b.open(QIODevice::ReadOnly);
        OpenMetricsParser p(&b, QStringLiteral("f"), MetricsFormat::PrometheusText);
        MetricsEntry e;
        QVERIFY(p.next(e).value());
        auto r = p.next(e);
        QVERIFY(!r);
        QCOMPARE(r.error().line, 2);
        auto again = p.next(e);
        QVERIFY(!again);
        QCOMPARE(again.error().toString(), r.error().toString());
        QCOMPARE(r.error().toString(), s("f:2:4: invalid label name: expected a letter or '_', got '2'"));
    }

    void longLinesAcrossReadBlocks()
    {
        // Lines straddle the parser's read blocks; values must survive.
        QByteArray data;
        const QByteArray big(300 * 1024, 'v');
        data += "a{x=\"" + big + "\"} 1\n";
        for (int i = 0; i < 20000; ++i)
            data += "series_" + QByteArray::number(i % 100) + "{i=\"" + QByteArray::number(i) + "\"} "
                + QByteArray::number(i) + " " + QByteArray::number(1000 + i) + "\n";
        auto r = parse(data, MetricsFormat::PrometheusText);
        VERIFY_OK(r);
        QCOMPARE(r->size(), 20001);
        QCOMPARE(r->at(0).labels.value(u"x").size(), big.size());
        for (int i = 0; i < 20000; ++i) {
            const auto &e = r->at(i + 1);
            QCOMPARE(e.value, double(i));
            QCOMPARE(e.timestamp, 1000 + i);
            QCOMPARE(e.line, i + 2);
        }
    }

    void fuzzTruncations()
    {
        // Every prefix of a compact file with every feature either parses or
        // fails with a position; the corpus files at a stride (quadratic cost).
        const QByteArray compact =
            "# HELP foo A \\\\ help \\n text.\n# TYPE foo counter\n"
            "foo_total{a=\"x\\\"y\\n\",b=\"\xc3\xbc\"} 17.0 1520879607.789 # {id=\"c\"} 5 1520879607.5\n"
            "foo_created 1520430000.123\n# TYPE h histogram\nh_bucket{le=\"0.1\"} 1 # {t=\"1\"} 0.05\n"
            "h_bucket{le=\"+Inf\"} 2\nh_count 2\nh_sum 0.3\n# TYPE s summary\ns{quantile=\"0.5\"} NaN\n"
            "s_count 1\n# TYPE st stateset\nst{st=\"a\"} 1\n# TYPE i info\ni_info{v=\"1\"} 1\n"
            "# TYPE g gaugehistogram\ng_bucket{le=\"1\"} 1\ng_gcount 1\ng_gsum -Inf\nu 1\n"
            "# TYPE x_seconds gauge\n# UNIT x_seconds seconds\nx_seconds 1\n# EOF\n";
        const QByteArray om = readCorpus("metrics.openmetrics.txt");
        const QByteArray text = readCorpus("metrics.prom");
        QVERIFY(!om.isEmpty() && !text.isEmpty());
        VERIFY_OK(parse(compact, MetricsFormat::OpenMetrics));
        int errors = 0, runs = 0;
        auto check = [&](const QByteArray &data, MetricsFormat format, int stride) {
            for (qsizetype n = 0; n <= data.size(); n += stride) {
                ++runs;
                auto r = parse(data.left(n), format);
                if (!r) {
                    ++errors;
                    QVERIFY2(r.error().line > 0 && r.error().column > 0, qPrintable(r.error().toString()));
                    QVERIFY(!r.error().message.isEmpty());
                }
            }
        };
        for (auto f : {MetricsFormat::OpenMetrics, MetricsFormat::PrometheusText, MetricsFormat::Auto})
            check(compact, f, 1);
        check(om, MetricsFormat::OpenMetrics, 7);
        check(om, MetricsFormat::Auto, 7);
        check(text, MetricsFormat::PrometheusText, 7);
        QVERIFY(errors > compact.size()); // every OpenMetrics prefix lacks "# EOF"
        QVERIFY(errors < runs);
    }

    void fuzzByteFlips()
    {
        QRandomGenerator rng(12345);
        const QByteArray om = readCorpus("metrics.openmetrics.txt");
        const QByteArray text = readCorpus("metrics.prom");
        const char interesting[] = "{}=\",# \\\n\r\t\x80\xff\xc3\x00";
        int ok = 0, failed = 0;
        for (int round = 0; round < 1500; ++round) {
            QByteArray data = round % 2 ? om : text;
            const int flips = 1 + int(rng.bounded(4));
            for (int i = 0; i < flips; ++i) {
                const qsizetype at = rng.bounded(data.size());
                data[at] = rng.bounded(2) ? char(rng.bounded(256))
                                          : interesting[rng.bounded(int(sizeof(interesting) - 1))];
            }
            auto r = parse(data, MetricsFormat(rng.bounded(3)));
            if (r) {
                ++ok;
            } else {
                ++failed;
                QVERIFY2(r.error().line > 0 && r.error().column > 0, qPrintable(r.error().toString()));
            }
        }
        QVERIFY(failed > 0);
        QVERIFY(ok + failed == 1500);
    }
};

QTEST_GUILESS_MAIN(TestOpenMetricsParser)
#include "tst_open_metrics_parser.moc"
