#include "app/gui/dashboards/dashboard_browser.h"
#include "app/gui/dashboards/dashboard_settings_dialog.h"
#include "app/gui/dashboards/dashboard_view.h"
#include "app/gui/dashboards/panel_editor_dialog.h"
#include "app/gui/dashboards/panel_frame.h"
#include "app/gui/dashboards/variable_bar.h"
#include "app/gui/workbench.h"
#include "core/datasource/datasource_registry.h"
#include "core/store/storage.h"

#include <QComboBox>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLineEdit>
#include <QListWidget>
#include <QTreeWidget>
#include <QPlainTextEdit>
#include <QScrollArea>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace spyglass;
using namespace spyglass::gui::dashboards;

namespace {

const model::TimestampMs kEnd = 1'700'003'600'000;
const model::TimestampMs kStart = kEnd - 3'600'000;

// A dashboard exercising the view: a chained variable, a panel on screen,
// one far below (lazy), a collapsed row, a panel whose datasource is
// missing, and a text panel.
QByteArray dashboardJson()
{
    return QByteArrayLiteral(R"J({
  "title": "Test board", "uid": "tb", "schemaVersion": 39,
  "time": {"from": "now-1h", "to": "now"}, "refresh": "",
  "templating": {"list": [
    {"name": "job", "type": "query", "refresh": 1, "multi": true, "includeAll": true,
     "datasource": {"type": "prometheus", "uid": "local"},
     "query": {"query": "label_values(http_requests_total, job)", "refId": "A"},
     "current": {"text": ["All"], "value": ["$__all"]}}]},
  "panels": [
    {"id": 1, "type": "timeseries", "title": "Requests $job", "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8},
     "datasource": {"type": "prometheus", "uid": "local"},
     "targets": [{"refId": "A", "expr": "http_requests_total{job=~\u0022$job\u0022}", "legendFormat": "{{job}}"}]},
    {"id": 2, "type": "stat", "title": "Missing datasource", "gridPos": {"x": 12, "y": 0, "w": 12, "h": 8},
     "datasource": {"type": "prometheus", "uid": "thanos"},
     "targets": [{"refId": "A", "expr": "http_requests_total"}]},
    {"id": 3, "type": "text", "title": "Notes", "gridPos": {"x": 0, "y": 8, "w": 24, "h": 40},
     "options": {"mode": "markdown", "content": "Dashboard $__dashboard"}},
    {"id": 4, "type": "row", "title": "More", "collapsed": true, "gridPos": {"x": 0, "y": 48, "w": 24, "h": 1},
     "panels": [{"id": 5, "type": "timeseries", "title": "Inside", "gridPos": {"x": 0, "y": 12, "w": 24, "h": 8},
                 "datasource": {"type": "prometheus", "uid": "local"},
                 "targets": [{"refId": "A", "expr": "up"}]}]},
    {"id": 6, "type": "timeseries", "title": "Far below", "gridPos": {"x": 0, "y": 80, "w": 24, "h": 8},
     "datasource": {"type": "prometheus", "uid": "local"},
     "targets": [{"refId": "A", "expr": "up"}]}
  ]})J");
}

class Fixture
{
public:
    Fixture()
    {
        gui::Workbench::Options options;
        options.dataDir = m_dir.filePath(QStringLiteral("data"));
        options.extraPluginDirs = {QStringLiteral(SPYGLASS_PLUGIN_DIR)};
        auto wb = gui::Workbench::open(options);
        if (!wb)
            qFatal("workbench: %s", qPrintable(wb.error().toString()));
        m_wb = std::move(*wb);
        store::SampleBatch batch;
        for (int s = 0; s < 3; ++s) {
            model::Series series;
            series.labels = model::Labels{{QStringLiteral("__name__"), QStringLiteral("http_requests_total")},
                                          {QStringLiteral("job"), QStringLiteral("job%1").arg(s)}};
            for (int i = 0; i < 240; ++i)
                series.samples.push_back({kStart + i * 15'000LL, double(s * 1000 + i)});
            batch.series.push_back(series);
        }
        model::Series up;
        up.labels = model::Labels{{QStringLiteral("__name__"), QStringLiteral("up")}};
        for (int i = 0; i < 240; ++i)
            up.samples.push_back({kStart + i * 15'000LL, 1});
        batch.series.push_back(up);
        if (auto r = m_wb->storage().metrics().append(batch); !r)
            qFatal("append: %s", qPrintable(r.error().toString()));
    }
    datasource::DatasourceRegistry &registry() { return m_wb->datasources(); }

private:
    QTemporaryDir m_dir;
    std::unique_ptr<gui::Workbench> m_wb;
};

dashboard::Dashboard parse()
{
    auto d = dashboard::Dashboard::parse(dashboardJson());
    if (!d)
        qFatal("dashboard: %s", qPrintable(d.error().toString()));
    return *d;
}

} // namespace

class TestDashboardView : public QObject
{
    Q_OBJECT
private slots:
    void rendersQueriesAndPrompts()
    {
        Fixture fx;
        DashboardView view(fx.registry());
        view.resize(1200, 700);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QSignalSpy settled(&view, &DashboardView::settled);
        view.setDashboard(parse());
        view.setTimeRange(model::TimeRange::absolute(kStart, kEnd));
        QTRY_VERIFY_WITH_TIMEOUT(settled.count() >= 1 && view.isSettled(), 20000);

        // The query variable was filled from the store, All selected.
        const dashboard::Variable *job = view.variables().find(QStringLiteral("job"));
        QVERIFY(job);
        QCOMPARE(job->allOptionValues(), (QStringList{QStringLiteral("job0"), QStringLiteral("job1"), QStringLiteral("job2")}));
        QVERIFY(job->isAllSelected());

        // Panel 1 ran with the variable interpolated (Prometheus regex style) and got 3 series.
        PanelFrame *requests = view.panelFrame(1);
        QVERIFY(requests);
        const auto executed = view.executedQueries(1);
        QCOMPARE(executed.size(), 1);
        QCOMPARE(executed.front().expr, QStringLiteral("http_requests_total{job=~\"(job0|job1|job2)\"}"));
        QCOMPARE(executed.front().options.value(QStringLiteral("language")).toString(), QStringLiteral("promql"));
        QCOMPARE(requests->frames().size(), 3);
        QVERIFY2(requests->errorText().isEmpty(), qPrintable(requests->errorText()));
        QCOMPARE(requests->title(), QStringLiteral("Requests All")); // title interpolated (text format of All)

        // Panel 2's datasource is missing: the prompt, no query.
        PanelFrame *missing = view.panelFrame(2);
        QVERIFY(missing->isPrompting());
        QVERIFY(view.executedQueries(2).isEmpty());

        // Far below and inside the collapsed row: not queried yet (lazy).
        QVERIFY(view.executedQueries(6).isEmpty());
        QVERIFY(!view.panelFrame(5)); // collapsed rows hide their panels

        // Choosing a datasource for "thanos" runs panel 2.
        view.chooseDatasource(QStringLiteral("thanos"), QStringLiteral("local"));
        QTRY_VERIFY_WITH_TIMEOUT(view.isSettled() && !view.executedQueries(2).isEmpty(), 20000);
        QVERIFY(!view.panelFrame(2)->isPrompting());
        QCOMPARE(view.panelFrame(2)->frames().size(), 3);

        // Scrolling down queries the far panel.
        view.scrollArea()->verticalScrollBar()->setValue(view.scrollArea()->verticalScrollBar()->maximum());
        QTRY_VERIFY_WITH_TIMEOUT(!view.executedQueries(6).isEmpty() && view.isSettled(), 20000);
        QCOMPARE(view.panelFrame(6)->frames().size(), 1);

        // Picking one job re-runs panel 1 with it.
        auto *bar = view.variableBar();
        QVERIFY(bar->control(QStringLiteral("job")));
        emit bar->valueChanged(QStringLiteral("job"), {QStringLiteral("job1")});
        view.scrollArea()->verticalScrollBar()->setValue(0);
        QTRY_VERIFY_WITH_TIMEOUT(view.isSettled() && view.executedQueries(1).value(0).expr.contains(QStringLiteral("job1\"}")), 20000);
        QCOMPARE(view.executedQueries(1).front().expr, QStringLiteral("http_requests_total{job=~\"job1\"}"));
        QCOMPARE(view.panelFrame(1)->frames().size(), 1);
        QCOMPARE(view.panelFrame(1)->title(), QStringLiteral("Requests job1"));
    }

    void rowsAndEditing()
    {
        Fixture fx;
        DashboardView view(fx.registry());
        view.resize(1200, 700);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.setDashboard(parse());
        view.setTimeRange(model::TimeRange::absolute(kStart, kEnd));
        QTRY_VERIFY_WITH_TIMEOUT(view.isSettled(), 20000);

        // Expanding the row shows and queries its panel; saving keeps it expanded.
        view.toggleRow(3);
        QVERIFY(view.panelFrame(5));
        QCoreApplication::processEvents();
        view.scrollArea()->ensureWidgetVisible(view.panelFrame(5));
        QTRY_VERIFY_WITH_TIMEOUT(view.isSettled() && !view.executedQueries(5).isEmpty(), 20000);
        dashboard::Dashboard saved = view.currentDashboard();
        QCOMPARE(saved.panels().at(3).isCollapsed(), false);
        QCOMPARE(saved.panels().at(4).id(), 5);
        view.toggleRow(3);
        QVERIFY(!view.panelFrame(5));
        // As in Grafana, a collapsing row takes every panel up to the next row ("Far below" too).
        QCOMPARE(view.currentDashboard().panels().at(3).children().size(), 2);

        // Duplicate and remove.
        const int copy = view.duplicatePanel(1);
        QVERIFY(copy > 6);
        QVERIFY(view.panelFrame(copy));
        view.removePanel(copy);
        QVERIFY(!view.panelFrame(copy));

        // The editor: change the title and the unit, apply.
        view.editPanel(1);
        auto *editor = view.findChild<PanelEditorDialog *>();
        QVERIFY(editor);
        QTRY_VERIFY_WITH_TIMEOUT(editor->previewRuns() >= 1, 20000);
        QCOMPARE(editor->queryEdits().size(), 1);
        QCOMPARE(editor->queryEdits().front()->toPlainText(), QStringLiteral("http_requests_total{job=~\"$job\"}"));
        editor->titleEdit()->setText(QStringLiteral("Edited"));
        editor->unitCombo()->setCurrentText(QStringLiteral("reqps"));
        editor->queryEdits().front()->setPlainText(QStringLiteral("up"));
        const QJsonObject edited = editor->panelJson();
        QCOMPARE(edited.value(u"targets").toArray().at(0).toObject().value(u"expr").toString(), QStringLiteral("up"));
        editor->accept();
        view.scrollArea()->verticalScrollBar()->setValue(0);
        QTRY_COMPARE(view.panelFrame(1)->title(), QStringLiteral("Edited"));
        const dashboard::Panel *p = view.currentDashboard().findPanel(1);
        QCOMPARE(p->json().value(u"fieldConfig").toObject().value(u"defaults").toObject().value(u"unit").toString(),
                 QStringLiteral("reqps"));
        QTRY_VERIFY_WITH_TIMEOUT(view.isSettled() && view.executedQueries(1).value(0).expr == u"up", 20000);

        // Save, reload: what was saved is what the view had.
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("saved.json"));
        QVERIFY(view.saveAs(path));
        auto reloaded = dashboard::Dashboard::load(path);
        QVERIFY(reloaded);
        QCOMPARE(reloaded->toJson(), view.currentDashboard().toJson());
        QCOMPARE(reloaded->findPanel(1)->title(), QStringLiteral("Edited"));
        auto savedRange = model::TimeRange::parse(reloaded->timeFrom(), reloaded->timeTo()); // the absolute range chosen
        QVERIFY(savedRange);
        QCOMPARE(savedRange->fromMs(0), kStart);
        QCOMPARE(savedRange->toMs(0), kEnd);
    }

    void untouchedDashboardSavesUnchanged()
    {
        Fixture fx;
        DashboardView view(fx.registry());
        view.resize(1000, 600);
        view.show();
        const QString corpus = QStringLiteral(SPYGLASS_CORPUS_DIR "/intro-to-mltp/grafana/definitions/mlt.json");
        QVERIFY(view.openFile(corpus));
        QTRY_VERIFY_WITH_TIMEOUT(view.isSettled(), 20000);
        // Unmatched datasources (mimir, loki, tempo) prompt.
        int prompting = 0;
        for (PanelFrame *f : view.panelFrames())
            prompting += f->isPrompting() ? 1 : 0;
        QVERIFY(prompting >= 1);
        QFile f(corpus);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QJsonObject original = QJsonDocument::fromJson(f.readAll()).object();
        QJsonObject current = view.currentDashboard().toJson();
        // Variables refreshed against a store without Tempo tags keep "All"; nothing else moves.
        QCOMPARE(current.value(u"panels"), original.value(u"panels"));
        QCOMPARE(current.value(u"time"), original.value(u"time"));
    }

    void settingsAndBrowser()
    {
        auto d = parse();
        DashboardSettingsDialog dialog(d);
        QCOMPARE(dialog.variablesList()->count(), 1);
        QVERIFY(dialog.variablesList()->item(0)->text().contains(QStringLiteral("$job")));
        dialog.jsonModel()->setPlainText(dialog.jsonModel()->toPlainText().replace(QStringLiteral("Test board"),
                                                                                   QStringLiteral("Renamed board")));
        dialog.accept();
        QCOMPARE(dialog.dashboard().title(), QStringLiteral("Renamed board"));

        const auto bundled = DashboardBrowser::bundledDashboards();
        QVERIFY(!bundled.isEmpty());
        QStringList titles;
        for (const auto &e : bundled)
            titles.append(e.title);
        QVERIFY2(titles.contains(QStringLiteral("Spyglass overview: metrics, logs, traces, profiles")), qPrintable(titles.join(QLatin1Char(','))));
        QTemporaryDir dir;
        DashboardBrowser browser(dir.filePath(QStringLiteral("browser.ini")));
        browser.setStarred(bundled.front().path, true);
        browser.addRecent(bundled.back().path);
        DashboardBrowser again(dir.filePath(QStringLiteral("browser.ini")));
        QVERIFY(again.isStarred(bundled.front().path));
        QCOMPARE(again.recent(), QStringList{bundled.back().path});
        again.setFilter(QStringLiteral("overview"));
        int visible = 0;
        for (int i = 0; i < again.tree()->topLevelItemCount(); ++i)
            for (int j = 0; j < again.tree()->topLevelItem(i)->childCount(); ++j)
                visible += again.tree()->topLevelItem(i)->isHidden() ? 0 : 1;
        QCOMPARE(visible, 3); // the overview under starred, recent and bundled

        QCOMPARE(VariableBar::parseAdhocFilters(QStringLiteral("job=api, code!~\"5..\", bad")).size(), 2);
        QCOMPARE(VariableBar::formatAdhocFilters({{QStringLiteral("a"), QStringLiteral("="), QStringLiteral("b")}}),
                 QStringLiteral("a=b"));
    }
};

QTEST_MAIN(TestDashboardView)
#include "tst_dashboard_view.moc"
