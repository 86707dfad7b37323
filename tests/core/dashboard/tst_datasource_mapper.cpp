#include "core/dashboard/dashboard.h"
#include "core/dashboard/datasource_mapper.h"
#include "core/dashboard/panel_query_builder.h"

#include <QJsonDocument>
#include <QTest>

using namespace spyglass;
using namespace spyglass::dashboard;

namespace {

QString corpus(const char *rel) { return QStringLiteral(SPYGLASS_CORPUS_DIR "/intro-to-mltp/grafana/") + QLatin1String(rel); }

QJsonValue ref(const QByteArray &json)
{
    return QJsonDocument::fromJson("[" + json + "]").array().at(0);
}

datasource::DatasourceSettings local(const QString &uid, const QString &language)
{
    datasource::DatasourceSettings s;
    s.uid = uid;
    s.name = uid;
    s.type = QStringLiteral("local");
    if (!language.isEmpty())
        s.jsonData.insert(QStringLiteral("language"), language);
    return s;
}

InterpolationScope scope()
{
    InterpolationScope s;
    s.from = 1'700'000'000'000;
    s.to = s.from + 3'600'000;
    return s;
}

} // namespace

class TestDatasourceMapper : public QObject
{
    Q_OBJECT
private slots:
    void readsCorpusProvisioning()
    {
        auto list = loadProvisioningFile(corpus("provisioning/datasources/datasources.yaml"));
        QVERIFY2(list, qPrintable(list ? QString() : list.error().toString()));
        QCOMPARE(list->size(), 5);
        const auto &loki = list->at(0);
        QCOMPARE(loki.uid, QStringLiteral("loki"));
        QCOMPARE(loki.type, QStringLiteral("loki"));
        QCOMPARE(loki.url, QStringLiteral("http://loki:3100"));
        const QVariantList derived = loki.jsonData.value(QStringLiteral("derivedFields")).toList();
        QCOMPARE(derived.size(), 1);
        // `$$` is a literal dollar in provisioning files.
        QCOMPARE(derived.front().toMap().value(QStringLiteral("url")).toString(), QStringLiteral("${__value.raw}"));
        const auto &mimir = list->at(2);
        QCOMPARE(mimir.uid, QStringLiteral("mimir"));
        QCOMPARE(mimir.type, QStringLiteral("prometheus"));
        QCOMPARE(mimir.jsonData.value(QStringLiteral("timeInterval")).toString(), QStringLiteral("2s"));
        QCOMPARE(mimir.jsonData.value(QStringLiteral("httpMethod")).toString(), QStringLiteral("POST"));
        QCOMPARE(list->at(3).type, QStringLiteral("phlare"));
        QCOMPARE(list->at(4).secureJsonData.value(QStringLiteral("password")).toString(), QStringLiteral("mythical"));
        QCOMPARE(list->at(4).jsonData.value(QStringLiteral("user")).toString(), QStringLiteral("postgres"));
    }

    void bundledLocalProvisioning()
    {
        auto list = loadProvisioningFile(QStringLiteral(SPYGLASS_SOURCE_DIR "/resources/dashboards/datasources-local.yaml"));
        QVERIFY2(list, qPrintable(list ? QString() : list.error().toString()));
        QStringList uids;
        for (const auto &s : *list) {
            QCOMPARE(s.type, QStringLiteral("local"));
            uids.append(s.uid);
        }
        QCOMPARE(uids, (QStringList{QStringLiteral("mimir"), QStringLiteral("loki"), QStringLiteral("tempo"),
                                    QStringLiteral("pyroscope")}));
    }

    void provisioningErrors()
    {
        auto bad = parseProvisioningYaml("datasources:\n  - name: [unclosed\n", QStringLiteral("p.yaml"));
        QVERIFY(!bad);
        QCOMPARE(bad.error().source, QStringLiteral("p.yaml"));
        QVERIFY(bad.error().line >= 2);
        auto noType = parseProvisioningYaml("apiVersion: 1\ndatasources:\n  - name: X\n");
        QVERIFY(!noType);
        QVERIFY(noType.error().message.contains(QStringLiteral("has no type")));
        QVERIFY(!parseProvisioningYaml("apiVersion: 1\n"));
        qputenv("SPYGLASS_TEST_URL", "http://example:9090");
        auto env = parseProvisioningYaml("datasources:\n  - name: P\n    type: prometheus\n    url: ${SPYGLASS_TEST_URL}\n");
        QVERIFY(env);
        QCOMPARE(env->front().url, QStringLiteral("http://example:9090"));
        QCOMPARE(env->front().uid, QStringLiteral("p"));
    }

    void resolvesReferences()
    {
        auto list = loadProvisioningFile(corpus("provisioning/datasources/datasources.yaml"));
        QVERIFY(list);
        DatasourceMapper mapper(*list, QStringLiteral("mimir"));
        auto r = mapper.resolve(ref(R"J({"type": "prometheus", "uid": "mimir"})J"));
        QCOMPARE(r.state, DatasourceResolution::State::Resolved);
        QCOMPARE(r.settings.name, QStringLiteral("Mimir"));
        QVERIFY(r.language.isEmpty()); // not a local datasource
        // Old dashboards name the datasource.
        r = mapper.resolve(ref(R"J("Loki")J"));
        QCOMPARE(r.settings.uid, QStringLiteral("loki"));
        // Null: the default.
        r = mapper.resolve(QJsonValue());
        QCOMPARE(r.settings.uid, QStringLiteral("mimir"));
        // Type only: the one of that type.
        r = mapper.resolve(ref(R"J({"type": "tempo"})J"));
        QCOMPARE(r.settings.uid, QStringLiteral("tempo"));
        QCOMPARE(mapper.resolve(ref(R"J("-- Mixed --")J")).state, DatasourceResolution::State::Mixed);
        QCOMPARE(mapper.resolve(ref(R"J({"type": "datasource", "uid": "-- Mixed --"})J")).state, DatasourceResolution::State::Mixed);
        QCOMPARE(mapper.resolve(ref(R"J({"type": "datasource", "uid": "-- Dashboard --"})J")).state,
                 DatasourceResolution::State::Dashboard);

        // Unmatched: a clear prompt, then the user's choice applies to every panel with that uid.
        r = mapper.resolve(ref(R"J({"type": "prometheus", "uid": "thanos"})J"));
        QCOMPARE(r.state, DatasourceResolution::State::Unmatched);
        QCOMPARE(r.message, QStringLiteral("no prometheus datasource with uid \"thanos\" is configured: choose a datasource"));
        QCOMPARE(mapper.candidatesFor(QStringLiteral("prometheus")).size(), 1);
        mapper.setChoice(r.key, QStringLiteral("mimir"));
        QCOMPARE(mapper.resolve(ref(R"J({"type": "prometheus", "uid": "thanos"})J")).settings.uid, QStringLiteral("mimir"));
    }

    void resolvesExportedInputs()
    {
        auto d = Dashboard::load(corpus("definitions/k6.json"));
        QVERIFY(d);
        datasource::DatasourceSettings prom{QStringLiteral("p1"), QStringLiteral("Prom"), QStringLiteral("prometheus"), {}, false, {}, {}};
        DatasourceMapper mapper({prom}, {});
        mapper.setInputs(d->inputs());
        // Without variables: the input's plugin id picks the only Prometheus.
        auto r = mapper.resolve(ref(R"J({"type": "prometheus", "uid": "${DS_PROMETHEUS}"})J"));
        QCOMPARE(r.state, DatasourceResolution::State::Resolved);
        QCOMPARE(r.settings.uid, QStringLiteral("p1"));
        // Two candidates: the user must choose.
        datasource::DatasourceSettings prom2 = prom;
        prom2.uid = QStringLiteral("p2");
        mapper.setConfigured({prom, prom2}, {});
        r = mapper.resolve(ref(R"J({"uid": "${DS_PROMETHEUS}"})J"));
        QCOMPARE(r.state, DatasourceResolution::State::Unmatched);
        QVERIFY2(r.message.contains(QStringLiteral("choose")), qPrintable(r.message));
        // Through the dashboard's datasource variable (value = uid).
        auto vars = VariableSet::fromJson(d->variablesJson());
        QVERIFY(vars);
        vars->find(QStringLiteral("DS_PROMETHEUS"))->setOptions({{QStringLiteral("Prom"), QStringLiteral("p2")}});
        r = mapper.resolve(ref(R"J({"type": "prometheus", "uid": "${DS_PROMETHEUS}"})J"), &*vars, scope());
        QCOMPARE(r.settings.uid, QStringLiteral("p2"));
    }

    void localDatasourceLanguage()
    {
        DatasourceMapper mapper({local(QStringLiteral("mimir"), QStringLiteral("promql")),
                                 local(QStringLiteral("loki"), QStringLiteral("logql")),
                                 local(QStringLiteral("tempo"), QStringLiteral("traceql")),
                                 local(QStringLiteral("store"), {})},
                                QStringLiteral("mimir"));
        QCOMPARE(mapper.resolve(ref(R"J({"type": "loki", "uid": "loki"})J")).language, QStringLiteral("logql"));
        QCOMPARE(mapper.resolve(ref(R"J({"type": "tempo", "uid": "tempo"})J")).language, QStringLiteral("traceql"));
        // A local datasource without a language speaks the panel's.
        mapper.setChoice(QStringLiteral("pyroscope"), QStringLiteral("store"));
        auto r = mapper.resolve(ref(R"J({"type": "grafana-pyroscope-datasource", "uid": "pyroscope"})J"));
        QCOMPARE(r.language, QStringLiteral("profile"));
        QCOMPARE(r.grafanaType, QStringLiteral("grafana-pyroscope-datasource"));
        QCOMPARE(languageForGrafanaType(QStringLiteral("phlare")), QStringLiteral("profile"));
        QCOMPARE(grafanaTypesOf(local(QStringLiteral("x"), QStringLiteral("logql"))), QStringList{QStringLiteral("loki")});
    }

    void buildsPanelQueries()
    {
        auto d = Dashboard::load(corpus("definitions/mlt.json"));
        QVERIFY(d);
        auto vars = VariableSet::fromJson(d->variablesJson());
        QVERIFY(vars);
        DatasourceMapper mapper({local(QStringLiteral("mimir"), QStringLiteral("promql")),
                                 local(QStringLiteral("loki"), QStringLiteral("logql"))},
                                QStringLiteral("mimir"));
        InterpolationScope s = scope();
        s.dashboardTitle = d->title();
        const QList<Panel> panels = d->allPanels();
        // "95th Percentile Response Latencies": $__rate_interval.
        const Panel *latency = nullptr;
        const Panel *logs = nullptr;
        for (const Panel &p : panels) {
            if (p.title().startsWith(QStringLiteral("95th")))
                latency = &p;
            if (p.type() == u"logs")
                logs = &p;
        }
        QVERIFY(latency && logs);
        PanelQueryPlan plan = buildPanelQueries(*latency, *vars, mapper, s, 800);
        QCOMPARE(plan.queries.size(), 1);
        QVERIFY(plan.unmatched.isEmpty());
        const datasource::QueryRequest &r = plan.queries.front().request;
        QCOMPARE(r.stepMs, 5000); // 3600 s / 800 points = 4.5 s -> 5 s
        QVERIFY2(r.expr.contains(QStringLiteral("[1m]")), qPrintable(r.expr)); // max(5s+15s, 60s)
        QCOMPARE(r.options.value(QStringLiteral("language")).toString(), QStringLiteral("promql"));
        QCOMPARE(r.options.value(QStringLiteral("legendFormat")).toString(), QStringLiteral("{{le}}"));
        QCOMPARE(r.from, s.from);

        plan = buildPanelQueries(*logs, *vars, mapper, s, 800);
        QCOMPARE(plan.queries.size(), 1);
        QCOMPARE(plan.queries.front().request.options.value(QStringLiteral("language")).toString(), QStringLiteral("logql"));
        QCOMPARE(plan.queries.front().request.expr, QStringLiteral("{job=\"alloy\"} | logfmt | status=\"Error\""));

        // The All of a multi variable becomes a regex alternation in PromQL.
        vars->find(QStringLiteral("httpEndpoint"))->setOptions({{QStringLiteral("/a.b"), QStringLiteral("/a.b")},
                                                              {QStringLiteral("/c"), QStringLiteral("/c")}});
        plan = buildPanelQueries(panels.front(), *vars, mapper, s, 800);
        QVERIFY2(plan.queries.front().request.expr.contains(QStringLiteral("http_target=~\"(/a\\\\.b|/c)\"")),
                 qPrintable(plan.queries.front().request.expr));

        // A Tempo panel with no configured Tempo: unmatched, with the prompt.
        const Panel *tracesTable = nullptr;
        auto erroring = Dashboard::load(corpus("definitions/mlt-erroring-endpoints.json"));
        QVERIFY(erroring);
        for (const Panel &p : erroring->allPanels())
            if (p.type() == u"table")
                tracesTable = erroring->findPanel(p.id());
        QVERIFY(tracesTable);
        auto evars = VariableSet::fromJson(erroring->variablesJson());
        QVERIFY(evars);
        plan = buildPanelQueries(*tracesTable, *evars, mapper, s, 800);
        QCOMPARE(plan.queries.size(), 0);
        QCOMPARE(plan.unmatched.size(), 1);
        QVERIFY(plan.unmatched.front().message.contains(QStringLiteral("tempo")));
    }

    void panelTimeOverrides()
    {
        auto d = Dashboard::parse(R"J({"panels": [{"id": 1, "type": "timeseries", "timeFrom": "5m", "timeShift": "1h",
            "interval": "30s", "maxDataPoints": 100, "datasource": {"type": "prometheus", "uid": "p"},
            "targets": [{"refId": "A", "expr": "up"}, {"refId": "B", "expr": "down", "hide": true},
                        {"refId": "C", "expr": "x", "instant": true, "datasource": {"type": "loki", "uid": "l"}}]}]})J");
        QVERIFY(d);
        datasource::DatasourceSettings p{QStringLiteral("p"), QStringLiteral("P"), QStringLiteral("prometheus"), {}, false, {}, {}};
        DatasourceMapper mapper({p}, QStringLiteral("p"));
        const VariableSet vars;
        const PanelQueryPlan plan = buildPanelQueries(d->panels().front(), vars, mapper, scope(), 800);
        QCOMPARE(plan.to, scope().to - 3'600'000);
        QCOMPARE(plan.from, plan.to - 300'000);
        QCOMPARE(plan.queries.size(), 1); // B hidden, C's loki datasource missing
        QCOMPARE(plan.unmatched.size(), 1);
        QCOMPARE(plan.queries.front().request.stepMs, 30'000); // the panel's min interval
        QCOMPARE(plan.queries.front().request.maxDataPoints, 100);
    }
};

QTEST_GUILESS_MAIN(TestDatasourceMapper)
#include "tst_datasource_mapper.moc"
