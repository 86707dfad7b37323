#include "core/dashboard/dashboard.h"
#include "core/dashboard/dashboard_check.h"
#include "core/viz/panel_types.h"

#include <QDir>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

using namespace spyglass;
using namespace spyglass::dashboard;

namespace {

QString corpusDir() { return QStringLiteral(SPYGLASS_CORPUS_DIR "/intro-to-mltp/grafana/definitions"); }

QJsonObject readJson(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

} // namespace

class TestDashboard : public QObject
{
    Q_OBJECT
private slots:
    void corpusDashboards_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("panelCount");
        QTest::newRow("mlt") << QStringLiteral("mlt.json") << 8;
        QTest::newRow("mlt-erroring-endpoints") << QStringLiteral("mlt-erroring-endpoints.json") << 3;
        QTest::newRow("traces-in-dashboards") << QStringLiteral("traces-in-dashboards.json") << 4;
        QTest::newRow("k6") << QStringLiteral("k6.json") << 18;
    }

    void corpusDashboards()
    {
        QFETCH(QString, file);
        QFETCH(int, panelCount);
        const QString path = corpusDir() + QLatin1Char('/') + file;
        auto d = Dashboard::load(path);
        QVERIFY2(d.has_value(), qPrintable(d ? QString() : d.error().toString()));
        QVERIFY(!d->title().isEmpty());
        QVERIFY(d->migrations().isEmpty());
        const QList<Panel> panels = d->allPanels();
        QCOMPARE(panels.size(), panelCount);
        for (const Panel &p : panels) {
            QVERIFY2(viz::isSupportedPanelType(p.type()), qPrintable(p.type()));
            const GridPos g = p.gridPos();
            QVERIFY(g.x >= 0 && g.x + g.w <= 24);
            QVERIFY(g.h > 0);
        }
        for (const PanelCheck &c : checkDashboard(*d))
            QVERIFY2(c.supported, qPrintable(c.title + QStringLiteral(": ") + c.reason));

        // Saved back, the JSON is the input (parsed trees compared).
        const QJsonObject original = readJson(path);
        QVERIFY(!original.isEmpty());
        const QJsonObject saved = QJsonDocument::fromJson(d->toJsonBytes()).object();
        QCOMPARE(saved, original);
    }

    void k6CollapsedRowKeepsChildren()
    {
        auto d = Dashboard::load(corpusDir() + QStringLiteral("/k6.json"));
        QVERIFY(d);
        const Panel *collapsed = nullptr;
        for (const Panel &p : d->panels())
            if (p.isRow() && p.isCollapsed())
                collapsed = &p;
        QVERIFY(collapsed);
        QCOMPARE(collapsed->children().size(), 2);
        QCOMPARE(collapsed->children().at(0).type(), QStringLiteral("table"));
        QCOMPARE(d->inputs().size(), 1);
        QCOMPARE(d->variablesJson().size(), 6);
    }

    void resolveInputsReplacesPlaceholders()
    {
        auto d = Dashboard::load(corpusDir() + QStringLiteral("/k6.json"));
        QVERIFY(d);
        d->resolveInputs({{QStringLiteral("DS_PROMETHEUS"), QStringLiteral("mimir")}});
        QVERIFY(d->inputs().isEmpty());
        const QByteArray json = d->toJsonBytes();
        QVERIFY(!json.contains("${DS_PROMETHEUS}"));
        const Panel first = d->allPanels().front();
        QCOMPARE(first.datasource().toObject().value(QLatin1String("uid")).toString(), QStringLiteral("mimir"));
    }

    void migratesGraphToTimeseries()
    {
        const QByteArray json = R"J({"schemaVersion": 16, "panels": [
          {"id": 1, "type": "graph", "title": "Requests", "gridPos": {"x":0,"y":0,"w":12,"h":8},
           "lines": true, "bars": false, "fill": 3, "linewidth": 2, "stack": true,
           "legend": {"show": true, "alignAsTable": true, "avg": true, "max": true, "current": true},
           "tooltip": {"shared": false, "sort": 2},
           "yaxes": [{"format": "reqps", "min": "0", "max": null, "decimals": 1}, {"format": "short"}],
           "aliasColors": {"errors": "red"},
           "seriesOverrides": [{"alias": "/5xx/", "yaxis": 2, "color": "#ff0000"}],
           "targets": [{"expr": "rate(x[5m])", "refId": "A"}], "customField": 42}]})J";
        auto d = Dashboard::parse(json);
        QVERIFY(d);
        QCOMPARE(d->migrations().size(), 1);
        const QJsonObject p = d->panels().front().json();
        QCOMPARE(p.value(u"type").toString(), QStringLiteral("timeseries"));
        QCOMPARE(p.value(u"customField").toInt(), 42); // unknown fields kept
        const QJsonObject defaults = p.value(u"fieldConfig").toObject().value(u"defaults").toObject();
        QCOMPARE(defaults.value(u"unit").toString(), QStringLiteral("reqps"));
        QCOMPARE(defaults.value(u"min").toDouble(), 0.0);
        QVERIFY(!defaults.contains(u"max"));
        QCOMPARE(defaults.value(u"decimals").toInt(), 1);
        const QJsonObject custom = defaults.value(u"custom").toObject();
        QCOMPARE(custom.value(u"fillOpacity").toInt(), 30);
        QCOMPARE(custom.value(u"lineWidth").toInt(), 2);
        QCOMPARE(custom.value(u"drawStyle").toString(), QStringLiteral("line"));
        QCOMPARE(custom.value(u"stacking").toObject().value(u"mode").toString(), QStringLiteral("normal"));
        const QJsonObject legend = p.value(u"options").toObject().value(u"legend").toObject();
        QCOMPARE(legend.value(u"displayMode").toString(), QStringLiteral("table"));
        QCOMPARE(legend.value(u"calcs").toArray(), (QJsonArray{QStringLiteral("mean"), QStringLiteral("max"), QStringLiteral("lastNotNull")}));
        const QJsonObject tooltip = p.value(u"options").toObject().value(u"tooltip").toObject();
        QCOMPARE(tooltip.value(u"mode").toString(), QStringLiteral("single"));
        QCOMPARE(tooltip.value(u"sort").toString(), QStringLiteral("desc"));
        const QJsonArray overrides = p.value(u"fieldConfig").toObject().value(u"overrides").toArray();
        QCOMPARE(overrides.size(), 2);
        QCOMPARE(overrides.at(0).toObject().value(u"matcher").toObject().value(u"id").toString(), QStringLiteral("byName"));
        QCOMPARE(overrides.at(1).toObject().value(u"matcher").toObject().value(u"id").toString(), QStringLiteral("byRegexp"));
        QCOMPARE(overrides.at(1).toObject().value(u"matcher").toObject().value(u"options").toString(), QStringLiteral("5xx"));
        QVERIFY(!p.contains(u"yaxes"));
        QVERIFY(!p.contains(u"seriesOverrides"));
    }

    void migratesSinglestat()
    {
        const QByteArray json = R"J({"panels": [
          {"id": 7, "type": "singlestat", "title": "Up", "format": "percent", "valueName": "current",
           "thresholds": "50,80", "colors": ["green", "orange", "red"], "colorBackground": true,
           "sparkline": {"show": true}, "valueMaps": [{"op": "=", "text": "DOWN", "value": "0"}]},
          {"id": 8, "type": "singlestat", "title": "G", "gauge": {"show": true, "minValue": 0, "maxValue": 200}},
          {"id": 9, "type": "table-old", "styles": [{"pattern": "Value", "unit": "ms", "decimals": 2}]},
          {"id": 10, "type": "grafana-piechart-panel", "pieType": "donut", "format": "bytes"}]})J";
        auto d = Dashboard::parse(json);
        QVERIFY(d);
        const QList<Panel> panels = d->allPanels();
        QCOMPARE(panels.at(0).type(), QStringLiteral("stat"));
        const QJsonObject stat = panels.at(0).json();
        const QJsonObject defaults = stat.value(u"fieldConfig").toObject().value(u"defaults").toObject();
        QCOMPARE(defaults.value(u"unit").toString(), QStringLiteral("percent"));
        const QJsonArray steps = defaults.value(u"thresholds").toObject().value(u"steps").toArray();
        QCOMPARE(steps.size(), 3);
        QVERIFY(steps.at(0).toObject().value(u"value").isNull());
        QCOMPARE(steps.at(1).toObject().value(u"value").toDouble(), 50.0);
        QCOMPARE(steps.at(2).toObject().value(u"color").toString(), QStringLiteral("red"));
        QCOMPARE(defaults.value(u"mappings").toArray().size(), 1);
        const QJsonObject options = stat.value(u"options").toObject();
        QCOMPARE(options.value(u"colorMode").toString(), QStringLiteral("background"));
        QCOMPARE(options.value(u"graphMode").toString(), QStringLiteral("area"));
        QCOMPARE(options.value(u"reduceOptions").toObject().value(u"calcs").toArray(), QJsonArray{QStringLiteral("lastNotNull")});
        QCOMPARE(panels.at(1).type(), QStringLiteral("gauge"));
        QCOMPARE(panels.at(1).json().value(u"fieldConfig").toObject().value(u"defaults").toObject().value(u"max").toDouble(), 200.0);
        QCOMPARE(panels.at(2).type(), QStringLiteral("table"));
        QCOMPARE(panels.at(3).type(), QStringLiteral("piechart"));
        QCOMPARE(panels.at(3).json().value(u"options").toObject().value(u"pieType").toString(), QStringLiteral("donut"));
        QCOMPARE(d->migrations().size(), 4);
    }

    void migratesLegacyRows()
    {
        const QByteArray json = R"J({"schemaVersion": 14, "rows": [
          {"title": "A", "height": "300px", "panels": [{"id": 1, "type": "graph", "span": 6}, {"id": 2, "type": "text", "span": 6}]},
          {"title": "B", "collapse": true, "height": 150, "panels": [{"id": 3, "type": "singlestat", "span": 12}]}]})J";
        auto d = Dashboard::parse(json);
        QVERIFY2(d, qPrintable(d ? QString() : d.error().toString()));
        const QList<Panel> &top = d->panels();
        QCOMPARE(top.size(), 4); // row A, graph, text, row B (collapsed)
        QVERIFY(top.at(0).isRow());
        QCOMPARE(top.at(1).type(), QStringLiteral("timeseries"));
        QCOMPARE(top.at(1).gridPos(), (GridPos{0, 1, 12, 10}));
        QCOMPARE(top.at(2).gridPos(), (GridPos{12, 1, 12, 10}));
        QVERIFY(top.at(3).isRow() && top.at(3).isCollapsed());
        QCOMPARE(top.at(3).children().size(), 1);
        QCOMPARE(top.at(3).children().at(0).type(), QStringLiteral("stat"));
        QVERIFY(!d->toJson().contains(u"rows"));
        QVERIFY(top.at(0).id() > 0 && top.at(3).id() > 0 && top.at(0).id() != top.at(3).id());
    }

    void editsPanels()
    {
        auto d = Dashboard::load(corpusDir() + QStringLiteral("/mlt.json"));
        QVERIFY(d);
        const int before = int(d->allPanels().size());
        const int firstId = d->allPanels().front().id();
        const int copy = d->duplicatePanel(firstId);
        QVERIFY(copy > 0);
        QCOMPARE(d->allPanels().size(), before + 1);
        QCOMPARE(d->findPanel(copy)->title(), d->findPanel(firstId)->title());
        QVERIFY(d->removePanel(copy));
        QVERIFY(!d->findPanel(copy));
        Panel edited = *d->findPanel(firstId);
        QJsonObject j = edited.json();
        j[u"title"] = QStringLiteral("Renamed");
        edited.setJson(j);
        QVERIFY(d->replacePanel(firstId, edited));
        QCOMPARE(d->findPanel(firstId)->title(), QStringLiteral("Renamed"));

        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("saved.json"));
        QVERIFY(d->save(path));
        auto again = Dashboard::load(path);
        QVERIFY(again);
        QCOMPARE(again->findPanel(firstId)->title(), QStringLiteral("Renamed"));
        QCOMPARE(again->toJson(), d->toJson());
    }

    void reportsErrors()
    {
        auto bad = Dashboard::parse("{\n  \"panels\": [,]\n}", QStringLiteral("x.json"));
        QVERIFY(!bad);
        QCOMPARE(bad.error().source, QStringLiteral("x.json"));
        QCOMPARE(bad.error().line, 2);
        QVERIFY(bad.error().message.contains(QStringLiteral("not valid JSON")));
        auto notDash = Dashboard::parse(R"J({"hello": 1})J");
        QVERIFY(!notDash);
        QVERIFY(notDash.error().message.contains(QStringLiteral("neither")));
        auto missing = Dashboard::load(QStringLiteral("/nonexistent/dash.json"));
        QVERIFY(!missing);
        QCOMPARE(missing.error().kind, Error::Kind::Io);
    }

    void checkFlagsUnsupportedPanels()
    {
        auto d = Dashboard::parse(R"J({"panels": [{"id": 1, "type": "grafana-worldmap-panel", "title": "Map"},
                                                 {"id": 2, "type": "graph", "title": "G"}]})J");
        QVERIFY(d);
        const QList<PanelCheck> checks = checkDashboard(*d);
        QCOMPARE(checks.size(), 2);
        QVERIFY(!checks.at(0).supported);
        QVERIFY(checks.at(0).reason.contains(QStringLiteral("unsupported panel type \"grafana-worldmap-panel\"")));
        QVERIFY(checks.at(1).supported);
        QVERIFY(checks.at(1).reason.contains(QStringLiteral("graph -> timeseries")));
    }
};

QTEST_GUILESS_MAIN(TestDashboard)
#include "tst_dashboard.moc"
