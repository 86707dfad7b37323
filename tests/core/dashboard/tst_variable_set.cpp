#include "core/dashboard/interval.h"
#include "core/dashboard/variable_set.h"
#include "fake_datasource.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace spyglass;
using namespace spyglass::dashboard;

namespace {

QJsonArray parseList(const QByteArray &json) { return QJsonDocument::fromJson(json).array(); }

VariableSet makeSet(const QByteArray &json)
{
    auto set = VariableSet::fromJson(parseList(json));
    if (!set)
        qFatal("bad variables: %s", qPrintable(set.error().toString()));
    return *set;
}

// from = 2023-11-14T22:13:20Z, one hour range, 15 s interval.
InterpolationScope scope()
{
    InterpolationScope s;
    s.from = 1'700'000'000'000;
    s.to = s.from + 3'600'000;
    s.intervalMs = 15'000;
    s.scrapeIntervalMs = 15'000;
    s.dashboardTitle = QStringLiteral("MLT Dashboard");
    s.dashboardUid = QStringLiteral("ed4f4709");
    return s;
}

const QByteArray kMulti = R"J([{"name": "host", "type": "custom", "multi": true,
    "query": "Web 1 : web-1, DB 2 : db.2, cache",
    "current": {"text": ["Web 1", "DB 2"], "value": ["web-1", "db.2"]}}])J";

model::Frame seriesFrame(const model::Labels &labels)
{
    model::Frame f = model::Frame::timeSeries(labels, {{1000, 1.0}});
    return f;
}

} // namespace

class TestVariableSet : public QObject
{
    Q_OBJECT
private slots:
    void formats_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");
        QTest::newRow("$var (glob default)") << "$host" << "{web-1,db.2}";
        QTest::newRow("${var}") << "${host}" << "{web-1,db.2}";
        QTest::newRow("[[var]]") << "[[host]]" << "{web-1,db.2}";
        QTest::newRow("[[var:csv]]") << "[[host:csv]]" << "web-1,db.2";
        QTest::newRow("csv") << "${host:csv}" << "web-1,db.2";
        QTest::newRow("pipe") << "${host:pipe}" << "web-1|db.2";
        QTest::newRow("regex") << "${host:regex}" << "(web-1|db\\.2)";
        QTest::newRow("json") << "${host:json}" << "[\"web-1\",\"db.2\"]";
        QTest::newRow("glob") << "${host:glob}" << "{web-1,db.2}";
        QTest::newRow("raw") << "${host:raw}" << "web-1,db.2";
        QTest::newRow("queryparam") << "${host:queryparam}" << "var-host=web-1&var-host=db.2";
        QTest::newRow("singlequote") << "${host:singlequote}" << "'web-1','db.2'";
        QTest::newRow("doublequote") << "${host:doublequote}" << "\"web-1\",\"db.2\"";
        QTest::newRow("text") << "${host:text}" << "Web 1 + DB 2";
        QTest::newRow("in text") << "up{host=~\"${host:pipe}\"} and $unknown" << "up{host=~\"web-1|db.2\"} and $unknown";
    }

    void formats()
    {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        const VariableSet set = makeSet(kMulti);
        QCOMPARE(set.interpolate(text, scope()), expected);
    }

    void singleValueFormats()
    {
        const VariableSet set = makeSet("[{\"name\": \"q\", \"type\": \"textbox\", \"query\": \"it's a.b \\\"x\\\"\"}]");
        QCOMPARE(set.interpolate(QStringLiteral("${q:json}"), scope()), QStringLiteral("\"it's a.b \\\"x\\\"\""));
        QCOMPARE(set.interpolate(QStringLiteral("${q:regex}"), scope()), QStringLiteral("it's a\\.b \"x\""));
        QCOMPARE(set.interpolate(QStringLiteral("${q:singlequote}"), scope()), QStringLiteral("'it\\'s a.b \"x\"'"));
        QCOMPARE(set.interpolate(QStringLiteral("${q:doublequote}"), scope()), QStringLiteral("\"it's a.b \\\"x\\\"\""));
        QCOMPARE(set.interpolate(QStringLiteral("${q:queryparam}"), scope()), QStringLiteral("var-q=it's%20a.b%20%22x%22"));
        QCOMPARE(set.interpolate(QStringLiteral("$q"), scope()), QStringLiteral("it's a.b \"x\""));
        const VariableSet constant = makeSet(R"J([{"name": "c", "type": "constant", "query": "prod"}])J");
        QCOMPARE(constant.interpolate(QStringLiteral("env=$c"), scope()), QStringLiteral("env=prod"));
    }

    void prometheusDefaultFormat()
    {
        const VariableSet set = makeSet(kMulti);
        QCOMPARE(set.interpolate(QStringLiteral("up{host=~\"$host\"}"), scope(), DefaultFormat::Regex),
                 QStringLiteral("up{host=~\"(web-1|db\\\\.2)\"}"));
        // Titles: display texts.
        QCOMPARE(set.interpolate(QStringLiteral("Hosts: $host"), scope(), DefaultFormat::Text), QStringLiteral("Hosts: Web 1 + DB 2"));
        // Not multi, no All: the value as is (quotes escaped for the string).
        const VariableSet single = makeSet(R"J([{"name": "v", "type": "custom", "query": "a.b"}])J");
        QCOMPARE(single.interpolate(QStringLiteral("$v"), scope(), DefaultFormat::Regex), QStringLiteral("a.b"));
    }

    void builtins_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");
        QTest::newRow("$__interval") << "$__interval" << "15s";
        QTest::newRow("${__interval}") << "${__interval}" << "15s";
        QTest::newRow("$__interval_ms") << "$__interval_ms" << "15000";
        QTest::newRow("$__rate_interval") << "rate(x[$__rate_interval])" << "rate(x[1m])";
        QTest::newRow("$__range") << "$__range" << "3600s";
        QTest::newRow("$__range_s") << "$__range_s" << "3600";
        QTest::newRow("$__range_ms") << "$__range_ms" << "3600000";
        QTest::newRow("$__from") << "$__from" << "1700000000000";
        QTest::newRow("$__to") << "$__to" << "1700003600000";
        QTest::newRow("${__from:date:iso}") << "${__from:date:iso}" << "2023-11-14T22:13:20.000Z";
        QTest::newRow("${__to:date:seconds}") << "${__to:date:seconds}" << "1700003600";
        QTest::newRow("$__dashboard") << "$__dashboard" << "MLT Dashboard";
        QTest::newRow("${__dashboard.uid}") << "${__dashboard.uid}" << "ed4f4709";
        QTest::newRow("${__field.labels.job}") << "/explore?job=${__field.labels.job}" << "/explore?job=api";
        QTest::newRow("${__data.fields.traceID}") << "/trace/${__data.fields.traceID}" << "/trace/abc123";
        QTest::newRow("${__value.raw}") << "${__value.raw}" << "42.5";
        QTest::newRow("unknown built-in stays") << "${__field.labels.nope}" << "${__field.labels.nope}";
    }

    void builtins()
    {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        InterpolationScope s = scope();
        s.values.insert(QStringLiteral("__field.labels.job"), QStringLiteral("api"));
        s.values.insert(QStringLiteral("__data.fields.traceID"), QStringLiteral("abc123"));
        s.values.insert(QStringLiteral("__value.raw"), QStringLiteral("42.5"));
        const VariableSet set = makeSet("[]");
        QCOMPARE(set.interpolate(text, s), expected);
    }

    void intervalFromRange()
    {
        // Without an explicit interval: range / 1000 points, rounded.
        InterpolationScope s = scope();
        s.intervalMs = 0;
        const VariableSet set = makeSet("[]");
        QCOMPARE(set.interpolate(QStringLiteral("$__interval"), s), QStringLiteral("5s")); // 3.6 s -> 5 s
        QCOMPARE(roundIntervalMs(3600), 5000);
        QCOMPARE(calculateIntervalMs(0, 3'600'000, 100, 0), 30'000);    // 36 s -> 30 s
        QCOMPARE(calculateIntervalMs(0, 3'600'000, 1000, 60'000), 60'000); // min interval wins
        QCOMPARE(rateIntervalMs(120'000, 15'000), 135'000);
        QCOMPARE(rateIntervalMs(15'000, 2'000), 17'000);
    }

    void includeAll()
    {
        VariableSet set = makeSet(R"J([{"name": "env", "type": "custom", "multi": true, "includeAll": true,
            "query": "a,b.c,d", "current": {"text": ["All"], "value": ["$__all"]}}])J");
        const Variable *env = set.find(QStringLiteral("env"));
        QVERIFY(env->isAllSelected());
        QCOMPARE(env->options().size(), 4); // All + 3
        QCOMPARE(set.interpolate(QStringLiteral("$env"), scope()), QStringLiteral("{a,b.c,d}"));
        QCOMPARE(set.interpolate(QStringLiteral("$env"), scope(), DefaultFormat::Regex), QStringLiteral("(a|b\\\\.c|d)"));
        QCOMPARE(set.interpolate(QStringLiteral("${env:text}"), scope()), QStringLiteral("All"));
        QCOMPARE(set.interpolate(QStringLiteral("${env:csv}"), scope()), QStringLiteral("a,b.c,d"));
        QCOMPARE(set.interpolate(QStringLiteral("${env:queryparam}"), scope()), QStringLiteral("var-env=$__all"));

        // A custom all value is used verbatim.
        VariableSet custom = makeSet(R"J([{"name": "env", "type": "custom", "includeAll": true, "allValue": ".*",
            "query": "a,b", "current": {"text": "All", "value": "$__all"}}])J");
        QCOMPARE(custom.interpolate(QStringLiteral("x=~\"$env\""), scope(), DefaultFormat::Regex), QStringLiteral("x=~\".*\""));
        QCOMPARE(custom.interpolate(QStringLiteral("${env:pipe}"), scope()), QStringLiteral(".*"));

        // Picking values replaces All; picking All with others is All alone.
        Variable *v = set.find(QStringLiteral("env"));
        QVERIFY(v->setCurrent({QStringLiteral("a"), QStringLiteral("d")}));
        QCOMPARE(set.interpolate(QStringLiteral("${env:pipe}"), scope()), QStringLiteral("a|d"));
        QVERIFY(v->setCurrent({QStringLiteral("a"), kAllValue.toString()}));
        QVERIFY(v->isAllSelected());
    }

    void chainedVariablesRefreshInOrder()
    {
        // "instance" depends on "job", which is declared after it.
        VariableSet set = makeSet(R"J([
          {"name": "instance", "type": "query", "multi": true, "includeAll": true, "refresh": 1,
           "datasource": {"type": "prometheus", "uid": "prom"},
           "query": {"query": "label_values(up{job=\u0022$job\u0022}, instance)\n", "refId": "A"}},
          {"name": "job", "type": "query", "refresh": 1, "sort": 1,
           "datasource": {"type": "prometheus", "uid": "prom"}, "query": "label_values(job)\n"}])J");
        auto order = set.refreshOrder();
        QVERIFY(order);
        QCOMPARE(*order, (QList<int>{1, 0}));
        QCOMPARE(set.dependencies(QStringLiteral("instance")), QStringList{QStringLiteral("job")});

        auto ds = std::make_shared<FakeDatasource>(QStringLiteral("prom"));
        ds->labels.insert(QStringLiteral("job"), {QStringLiteral("node"), QStringLiteral("api")});
        ds->onQuery = [](const datasource::QueryRequest &r) -> Result<model::Frames> {
            model::Frames frames;
            if (r.expr.contains(QStringLiteral("job=\"api\"")))
                for (const char *i : {"api-1:80", "api-2:80"})
                    frames.append(seriesFrame(model::Labels{{QStringLiteral("instance"), QString::fromLatin1(i)}}));
            else if (r.expr.contains(QStringLiteral("job=\"node\"")))
                frames.append(seriesFrame(model::Labels{{QStringLiteral("instance"), QStringLiteral("node-1:9100")}}));
            return frames;
        };
        FakeEnvironment env(ds);
        QStringList errors = set.refresh(env, scope(), VariableSet::Trigger::Load);
        QVERIFY2(errors.isEmpty(), qPrintable(errors.join(QLatin1Char('\n'))));
        const Variable *job = set.find(QStringLiteral("job"));
        QCOMPARE(job->options().at(0).value, QStringLiteral("api")); // sorted alphabetically
        QCOMPARE(job->currentValues(), QStringList{QStringLiteral("api")});
        const Variable *instance = set.find(QStringLiteral("instance"));
        QCOMPARE(instance->options().size(), 3); // All + 2
        QCOMPARE(instance->allOptionValues(), (QStringList{QStringLiteral("api-1:80"), QStringLiteral("api-2:80")}));
        QVERIFY(instance->isAllSelected());
        QCOMPARE(ds->requests.size(), 1);
        QVERIFY(ds->requests.front().instant);
        QVERIFY2(ds->requests.front().expr.contains(QStringLiteral("up{job=\"api\"}")), qPrintable(ds->requests.front().expr));
        QVERIFY(ds->requests.front().expr.contains(QStringLiteral("[3600s]")));
        QCOMPARE(set.interpolate(QStringLiteral("up{instance=~\"$instance\"}"), scope(), DefaultFormat::Regex),
                 QStringLiteral("up{instance=~\"(api-1:80|api-2:80)\"}"));

        // The user picks another job: instance follows.
        set.find(QStringLiteral("job"))->setCurrent({QStringLiteral("node")});
        errors = set.refreshDependents(QStringLiteral("job"), env, scope());
        QVERIFY(errors.isEmpty());
        QCOMPARE(ds->requests.size(), 2);
        QCOMPARE(set.find(QStringLiteral("instance"))->allOptionValues(), QStringList{QStringLiteral("node-1:9100")});
        QCOMPARE(set.interpolate(QStringLiteral("$instance"), scope(), DefaultFormat::Regex), QStringLiteral("node-1:9100"));

        // Saved back: the new selection is in "current".
        const QJsonArray saved = set.toJson();
        const QJsonObject jobJson = saved.at(1).toObject();
        QCOMPARE(jobJson.value(u"current").toObject().value(u"value").toString(), QStringLiteral("node"));
    }

    void untouchedVariablesRoundTrip()
    {
        const QJsonArray list = parseList(kMulti);
        auto set = VariableSet::fromJson(list);
        QVERIFY(set);
        QCOMPARE(set->toJson(), list);
    }

    void regexAndSort()
    {
        auto ds = std::make_shared<FakeDatasource>(QStringLiteral("prom"));
        ds->labels.insert(QStringLiteral("server"),
                          {QStringLiteral("server-10"), QStringLiteral("server-2"), QStringLiteral("client-1"),
                           QStringLiteral("server-2")});
        VariableSet set = makeSet(R"J([{"name": "n", "type": "query", "query": "label_values(server)\n",
            "regex": "/server-(\\d+)/", "sort": 3}])J");
        FakeEnvironment env(ds);
        QVERIFY(set.refresh(env, scope(), VariableSet::Trigger::Load).isEmpty());
        QList<VariableOption> opts = set.find(QStringLiteral("n"))->options();
        QCOMPARE(opts.size(), 2);
        QCOMPARE(opts.at(0).value, QStringLiteral("2"));
        QCOMPARE(opts.at(1).value, QStringLiteral("10"));

        auto named = applyVariableRegex({{QStringLiteral("Mimir:mimir"), QStringLiteral("Mimir:mimir")}},
                                        QStringLiteral("/(?<text>[^:]+):(?<value>.+)/"));
        QVERIFY(named);
        QCOMPARE(named->front().text, QStringLiteral("Mimir"));
        QCOMPARE(named->front().value, QStringLiteral("mimir"));
        QVERIFY(!applyVariableRegex({}, QStringLiteral("/([/")));

        const QList<VariableOption> in{{QStringLiteral("b10"), {}}, {QStringLiteral("B2"), {}}, {QStringLiteral("a1"), {}}};
        auto texts = [](const QList<VariableOption> &o) {
            QStringList t;
            for (const auto &x : o)
                t.append(x.text);
            return t;
        };
        QCOMPARE(texts(sortVariableOptions(in, 1)), (QStringList{QStringLiteral("B2"), QStringLiteral("a1"), QStringLiteral("b10")}));
        QCOMPARE(texts(sortVariableOptions(in, 2)), (QStringList{QStringLiteral("b10"), QStringLiteral("a1"), QStringLiteral("B2")}));
        QCOMPARE(texts(sortVariableOptions(in, 4)), (QStringList{QStringLiteral("b10"), QStringLiteral("B2"), QStringLiteral("a1")}));
        QCOMPARE(texts(sortVariableOptions(in, 5)), (QStringList{QStringLiteral("a1"), QStringLiteral("b10"), QStringLiteral("B2")}));
        QCOMPARE(texts(sortVariableOptions(in, 7)), (QStringList{QStringLiteral("a1"), QStringLiteral("B2"), QStringLiteral("b10")}));
    }

    void customOptions()
    {
        const QList<VariableOption> opts = parseCustomOptions(QStringLiteral("Prod : prod, b\\,c, d , d"));
        QCOMPARE(opts.size(), 3);
        QCOMPARE(opts.at(0), (VariableOption{QStringLiteral("Prod"), QStringLiteral("prod")}));
        QCOMPARE(opts.at(1), (VariableOption{QStringLiteral("b,c"), QStringLiteral("b,c")}));
        QCOMPARE(opts.at(2).value, QStringLiteral("d"));
    }

    void intervalVariableWithAuto()
    {
        VariableSet set = makeSet(R"J([{"name": "iv", "type": "interval", "auto": true, "auto_count": 30,
            "auto_min": "10s", "query": "1m,5m,1h"}])J");
        auto ds = std::make_shared<FakeDatasource>();
        FakeEnvironment env(ds);
        QVERIFY(set.refresh(env, scope(), VariableSet::Trigger::Load).isEmpty());
        Variable *iv = set.find(QStringLiteral("iv"));
        QCOMPARE(iv->options().size(), 4);
        QCOMPARE(iv->currentTexts(), QStringList{QStringLiteral("auto")});
        // 1 h / 30 = 120 s -> 2m
        QCOMPARE(set.interpolate(QStringLiteral("rate(x[$iv])"), scope()), QStringLiteral("rate(x[2m])"));
        QCOMPARE(set.interpolate(QStringLiteral("$__auto_interval_iv"), scope()), QStringLiteral("2m"));
        iv->setCurrent({QStringLiteral("5m")});
        QCOMPARE(set.interpolate(QStringLiteral("[[iv]]"), scope()), QStringLiteral("5m"));
    }

    void datasourceVariable()
    {
        VariableSet set = makeSet(R"J([{"name": "DS", "type": "datasource", "query": "prometheus", "regex": "/^M/"}])J");
        auto ds = std::make_shared<FakeDatasource>();
        FakeEnvironment env(ds);
        datasource::DatasourceSettings a{QStringLiteral("mimir"), QStringLiteral("Mimir"), QStringLiteral("prometheus"), {}, false, {}, {}};
        datasource::DatasourceSettings b{QStringLiteral("prom2"), QStringLiteral("Prom 2"), QStringLiteral("prometheus"), {}, false, {}, {}};
        datasource::DatasourceSettings c{QStringLiteral("loki"), QStringLiteral("Mloki"), QStringLiteral("loki"), {}, false, {}, {}};
        env.configured = {a, b, c};
        QVERIFY(set.refresh(env, scope(), VariableSet::Trigger::Load).isEmpty());
        const Variable *v = set.find(QStringLiteral("DS"));
        QCOMPARE(v->options().size(), 1);
        QCOMPARE(set.interpolate(QStringLiteral("${DS}"), scope()), QStringLiteral("mimir"));
        QCOMPARE(set.interpolate(QStringLiteral("${DS:text}"), scope()), QStringLiteral("Mimir"));
    }

    void tagValueQueries()
    {
        // Tempo's {type: 1, label} query form (the MLT dashboard's).
        VariableSet set = makeSet(R"J([{"name": "httpStatus", "type": "query", "multi": true, "includeAll": true,
            "datasource": {"type": "tempo", "uid": "tempo"},
            "query": {"label": "http.status_code", "refId": "x", "type": 1}, "refresh": 2}])J");
        auto ds = std::make_shared<FakeDatasource>(QStringLiteral("tempo"), QStringLiteral("tempo"));
        ds->labels.insert(QStringLiteral("http.status_code"), {QStringLiteral("200"), QStringLiteral("500")});
        FakeEnvironment env(ds);
        QVERIFY(set.refresh(env, scope(), VariableSet::Trigger::TimeRangeChanged).isEmpty());
        QCOMPARE(ds->lookups, QStringList{QStringLiteral("http.status_code")});
        QCOMPARE(set.find(QStringLiteral("httpStatus"))->allOptionValues(),
                 (QStringList{QStringLiteral("200"), QStringLiteral("500")}));
    }

    void errorsAreCollected()
    {
        VariableSet set = makeSet(R"J([{"name": "a", "type": "query", "query": "label_values(job)\n"},
                                      {"name": "b", "type": "custom", "query": "x,y"}])J");
        auto ds = std::make_shared<FakeDatasource>();
        ds->failLookups = true;
        FakeEnvironment env(ds);
        const QStringList errors = set.refresh(env, scope(), VariableSet::Trigger::Load);
        QCOMPARE(errors.size(), 1);
        QCOMPARE(errors.front(), QStringLiteral("a: connection refused"));
        QCOMPARE(set.find(QStringLiteral("b"))->currentValues(), QStringList{QStringLiteral("x")});
    }

    void cycleIsReported()
    {
        const VariableSet set = makeSet(R"J([{"name": "a", "type": "query", "query": "label_values(x{b=\u0022$b\u0022}, a)\n"},
                                            {"name": "b", "type": "query", "query": "label_values(x{a=\u0022$a\u0022}, b)\n"}])J");
        auto order = set.refreshOrder();
        QVERIFY(!order);
        QVERIFY2(order.error().message.contains(QStringLiteral("a -> b -> a")), qPrintable(order.error().message));
        QVERIFY(!VariableSet::fromJson(parseList(R"J([{"name": "a", "type": "custom"}, {"name": "a", "type": "custom"}])J")));
        QVERIFY(!VariableSet::fromJson(parseList(R"J([{"type": "custom"}])J")));
    }

    void queryResult()
    {
        VariableSet set = makeSet(R"J([{"name": "r", "type": "query", "query": "query_result(up)\n", "regex": "/instance=\u0022([^\u0022]+)\u0022/"}])J");
        auto ds = std::make_shared<FakeDatasource>();
        ds->onQuery = [](const datasource::QueryRequest &) -> Result<model::Frames> {
            return model::Frames{seriesFrame(model::Labels{{QStringLiteral("__name__"), QStringLiteral("up")},
                                                           {QStringLiteral("instance"), QStringLiteral("h:1")}})};
        };
        FakeEnvironment env(ds);
        QVERIFY(set.refresh(env, scope(), VariableSet::Trigger::Load).isEmpty());
        QCOMPARE(ds->requests.front().expr, QStringLiteral("up"));
        QCOMPARE(set.find(QStringLiteral("r"))->currentValues(), QStringList{QStringLiteral("h:1")});
    }

    void adhocFilters()
    {
        const QList<AdhocFilter> filters{{QStringLiteral("job"), QStringLiteral("="), QStringLiteral("api")},
                                         {QStringLiteral("code"), QStringLiteral("!~"), QStringLiteral("5..")}};
        QCOMPARE(applyAdhocFilters(QStringLiteral("sum(rate(http_requests_total{code=\"500\"}[5m])) by (job) / up"), filters),
                 QStringLiteral("sum(rate(http_requests_total{code=\"500\",job=\"api\",code!~\"5..\"}[5m])) by (job) / "
                                "up{job=\"api\",code!~\"5..\"}"));
        QCOMPARE(applyAdhocFilters(QStringLiteral("{job=\"alloy\"} | logfmt | status=\"Error\""), {filters.front()}),
                 QStringLiteral("{job=\"alloy\",job=\"api\"} | logfmt | status=\"Error\""));
        QCOMPARE(applyAdhocFilters(QStringLiteral("rate(x[$__rate_interval]) * 100"), {filters.front()}),
                 QStringLiteral("rate(x{job=\"api\"}[$__rate_interval]) * 100"));
        VariableSet set = makeSet(R"J([{"name": "Filters", "type": "adhoc", "datasource": {"uid": "prom"},
            "filters": [{"key": "job", "operator": "=", "value": "api"}]}])J");
        QCOMPARE(set.adhocFiltersFor(QStringLiteral("prom")).size(), 1);
        QCOMPARE(set.adhocFiltersFor(QStringLiteral("other")).size(), 0);
        QCOMPARE(set.interpolate(QStringLiteral("$Filters"), scope()), QStringLiteral("$Filters"));
    }
};

QTEST_GUILESS_MAIN(TestVariableSet)
#include "tst_variable_set.moc"
