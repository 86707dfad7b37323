#include "panel_fixtures.h"

#include "app/gui/flamegraph/call_tree.h"
#include "app/gui/flamegraph/flame_graph_view.h"
#include "app/gui/panels/bar_chart_panel.h"
#include "app/gui/panels/bar_gauge_panel.h"
#include "app/gui/panels/flame_graph_panel.h"
#include "app/gui/panels/gauge_panel.h"
#include "app/gui/panels/heatmap_panel.h"
#include "app/gui/panels/histogram_panel.h"
#include "app/gui/panels/logs_panel.h"
#include "app/gui/panels/node_graph_panel.h"
#include "app/gui/panels/pie_chart_panel.h"
#include "app/gui/panels/stat_panel.h"
#include "app/gui/panels/state_timeline_panel.h"
#include "app/gui/panels/table_panel.h"
#include "app/gui/panels/table_panel_model.h"
#include "app/gui/panels/text_panel.h"
#include "app/gui/panels/time_series_panel.h"
#include "app/gui/panels/trace_panel.h"
#include "app/gui/theme.h"
#include "app/gui/traces/trace_viewer.h"
#include "core/viz/colors.h"
#include "core/viz/panel_types.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QImage>
#include <QPainter>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTableWidget>
#include <QTest>
#include <QTextBrowser>
#include <memory>

using namespace spyglass;
using namespace spyglass::gui::panels;
using namespace spyglass::test;

namespace {

// A panel with its JSON and frames, shown at a size and painted once.
template <typename P, typename... Args>
std::unique_ptr<P> make(const char *panelJson, const model::Frames &frames, QSize size = {480, 260}, Args &&...args)
{
    auto p = std::make_unique<P>(std::forward<Args>(args)...);
    p->resize(size);
    p->setPanelJson(json(panelJson));
    p->setFrames(frames, kFrom, kTo);
    return p;
}

// The grab has pixels of the given colour (the panel really drew it).
int pixelsNear(const QImage &img, const QColor &c, int tolerance = 24)
{
    int n = 0;
    for (int y = 0; y < img.height(); y += 2)
        for (int x = 0; x < img.width(); x += 2) {
            const QColor p = img.pixelColor(x, y);
            if (std::abs(p.red() - c.red()) + std::abs(p.green() - c.green()) + std::abs(p.blue() - c.blue()) < tolerance)
                ++n;
        }
    return n;
}

struct GalleryEntry
{
    QString title;
    std::function<PanelView *()> make;
};

} // namespace

class TestPanels : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { gui::applyDarkTheme(*qApp); }

    void factoryCoversEverySupportedType()
    {
        for (const QString &type : viz::supportedPanelTypes()) {
            std::unique_ptr<PanelView> v(createPanelView(type));
            if (type == u"row")
                QVERIFY(!v);
            else
                QVERIFY2(v, qPrintable(type));
        }
        QVERIFY(!createPanelView(QStringLiteral("grafana-worldmap-panel")));
        QVERIFY(dynamic_cast<TimeSeriesPanel *>(std::unique_ptr<PanelView>(createPanelView(QStringLiteral("graph"))).get()));
    }

    void statShowsReducedValueWithUnit()
    {
        model::Frame f = seriesFrame(QStringLiteral("p99"), {}, 4, 0, 0, 0);
        f.fields()[1].doubles() = {0.2, 0.9, 1.5, std::nan("")};
        auto p = make<StatPanel>(R"({"type":"stat","options":{"reduceOptions":{"calcs":["lastNotNull"]},"colorMode":"background","graphMode":"area"},
            "fieldConfig":{"defaults":{"unit":"s","color":{"mode":"thresholds"},
            "thresholds":{"mode":"absolute","steps":[{"color":"green","value":null},{"color":"red","value":1}]}}}})", {f});
        QCOMPARE(p->valueTexts(), QStringList{QStringLiteral("1.50 s")});
        QCOMPARE(p->values().front().display.color, viz::resolveColor(QStringLiteral("red")));
        const QImage img = p->grab().toImage();
        QVERIFY(pixelsNear(img, viz::resolveColor(QStringLiteral("red")), 60) > 200); // background mode fills the cell

        auto max = make<StatPanel>(R"({"options":{"reduceOptions":{"calcs":["max"]}},"fieldConfig":{"defaults":{"unit":"s","decimals":1}}})", {f});
        QCOMPARE(max->valueTexts(), QStringList{QStringLiteral("1.5 s")});
    }

    void statGridAndFieldFilter()
    {
        auto p = make<StatPanel>(R"({"options":{"reduceOptions":{"calcs":["mean"],"fields":"/check|cart/"},"textMode":"value_and_name"},
            "fieldConfig":{"defaults":{"unit":"reqps","decimals":0}}})", requestRates());
        QCOMPARE(p->values().size(), 2);
        QCOMPARE(p->values().at(0).name, QStringLiteral("checkout"));
        QVERIFY(p->valueTexts().at(0).endsWith(QStringLiteral("req/s")));
        QVERIFY(!p->grab().toImage().isNull());
    }

    void gaugeAndBarGaugeFill()
    {
        model::Frame f = seriesFrame(QStringLiteral("cpu"), {}, 2, 0, 0, 0);
        f.fields()[1].doubles() = {50, 73};
        auto g = make<GaugePanel>(R"({"options":{"reduceOptions":{"calcs":["lastNotNull"]}},"fieldConfig":{"defaults":{"unit":"percent","min":0,"max":200,
            "color":{"mode":"thresholds"},"thresholds":{"mode":"absolute","steps":[{"color":"green","value":null},{"color":"orange","value":60}]}}}})", {f});
        QCOMPARE(g->values().front().display.toString(), QStringLiteral("73%"));
        QCOMPARE(g->fillFraction(0), 73.0 / 200);
        QCOMPARE(g->values().front().display.color, viz::resolveColor(QStringLiteral("orange")));
        QVERIFY(pixelsNear(g->grab().toImage(), viz::resolveColor(QStringLiteral("orange"))) > 50);
        auto b = make<BarGaugePanel>(R"({"options":{"displayMode":"lcd","reduceOptions":{"calcs":["lastNotNull"]}},"fieldConfig":{"defaults":{"max":100}}})", {f});
        QCOMPARE(b->fillFraction(0), 0.73);
        QVERIFY(!b->grab().toImage().isNull());
    }

    void tableModelSortingAndCellModes()
    {
        auto p = make<TablePanel>(R"({"type":"table","options":{"sortBy":[{"displayName":"p99","desc":true}],"footer":{"show":true,"reducer":["sum"]}},
            "fieldConfig":{"defaults":{"thresholds":{"mode":"absolute","steps":[{"color":"green","value":null},{"color":"red","value":500}]}},
            "overrides":[{"matcher":{"id":"byName","options":"p99"},"properties":[{"id":"unit","value":"ms"},{"id":"custom.cellOptions","value":{"type":"color-background"}}]},
                         {"matcher":{"id":"byName","options":"method"},"properties":[{"id":"custom.hidden","value":true}]},
                         {"matcher":{"id":"byName","options":"status"},"properties":[{"id":"mappings","value":[{"type":"value","options":{"500":{"text":"Server error","color":"red"}}}]}]}]}})",
                                  {latencyTable()}, QSize(560, 240));
        TablePanelModel *m = p->tableModel();
        QAbstractItemModelTester tester(m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester proxyTester(p->sortModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(m->rowCount(), 5);
        QCOMPARE(m->columnCount(), 4); // method hidden
        QCOMPARE(m->headerData(2, Qt::Horizontal).toString(), QStringLiteral("p99"));
        // Sorted by p99 descending: checkout first, /health last.
        QAbstractItemModel *proxy = p->sortModel();
        QCOMPARE(proxy->index(0, 0).data().toString(), QStringLiteral("/api/checkout"));
        QCOMPARE(proxy->index(4, 0).data().toString(), QStringLiteral("/health"));
        QCOMPARE(proxy->index(0, 2).data().toString(), QStringLiteral("1.84 s"));
        QCOMPARE(proxy->index(0, 2).data(Qt::BackgroundRole).value<QColor>(), viz::resolveColor(QStringLiteral("red")));
        QCOMPARE(proxy->index(4, 2).data(Qt::BackgroundRole).value<QColor>(), viz::resolveColor(QStringLiteral("green")));
        QCOMPARE(proxy->index(0, 1).data().toString(), QStringLiteral("Server error"));
        p->view()->sortByColumn(0, Qt::AscendingOrder);
        QCOMPARE(proxy->index(0, 0).data().toString(), QStringLiteral("/api/cart"));
        QVERIFY(p->footerText().contains(QStringLiteral("errors: 15.1")));
    }

    void tableAppliesTransformationsAndReportsErrors()
    {
        auto p = make<TablePanel>(R"({"transformations":[{"id":"filterByValue","options":{"type":"include","match":"any",
            "filters":[{"fieldName":"errors","config":{"id":"greater","options":{"value":1}}}]}}]})", {latencyTable()});
        QCOMPARE(p->tableModel()->rowCount(), 2);
        auto bad = make<TablePanel>(R"({"transformations":[{"id":"reduce","options":{"reducers":["nope"]}}]})", {latencyTable()});
        QVERIFY(bad->errorText().contains(QStringLiteral("nope")));
        QCOMPARE(bad->tableModel()->rowCount(), 0);
    }

    void timeseriesLegendCalcsAxisAndZoom()
    {
        auto p = make<TimeSeriesPanel>(R"({"options":{"legend":{"displayMode":"table","placement":"bottom","calcs":["max","lastNotNull"]},"tooltip":{"mode":"multi"}},
            "fieldConfig":{"defaults":{"unit":"reqps","decimals":1,"custom":{"fillOpacity":10,"thresholdsStyle":{"mode":"line"}}},
            "overrides":[{"matcher":{"id":"byRegexp","options":"pay.*"},"properties":[{"id":"custom.drawStyle","value":"bars"},{"id":"color","value":{"mode":"fixed","fixedColor":"purple"}}]}]}})",
                                       requestRates(), QSize(640, 320));
        const auto rows = p->legendRows();
        QCOMPARE(rows.size(), 3);
        QCOMPARE(rows.at(0).at(0), QStringLiteral("checkout"));
        QVERIFY(rows.at(0).at(1).endsWith(QStringLiteral("req/s")));
        QCOMPARE(p->legendTable()->rowCount(), 3);
        QCOMPARE(p->legendTable()->columnCount(), 3);
        TimeSeriesCanvas *c = p->canvas();
        QCOMPARE(c->series().at(2).style, TimeSeriesData::Style::Bars);
        QCOMPARE(c->series().at(2).color, viz::resolveColor(QStringLiteral("purple")));
        p->show();
        QVERIFY(QTest::qWaitForWindowExposed(p.get()));
        QVERIFY(c->yTickLabels().last().endsWith(QStringLiteral("req/s")));
        QVERIFY(c->drawnPointCount() > 0);
        QVERIFY(c->drawnPointCount() <= 3 * 2 * (c->plotArea().width() + 2));
        const QImage img = p->grab().toImage();
        QVERIFY(pixelsNear(img, viz::classicPaletteColor(0)) > 20);
        // Tooltip in multi mode lists every series.
        const QPoint mid = c->plotArea().center();
        QCOMPARE(c->tooltipLines(mid).size(), 4);
        // Drag to zoom emits the selected range.
        QSignalSpy zoom(p.get(), &PanelView::timeRangeSelected);
        const QRect a = c->plotArea();
        QTest::mousePress(c, Qt::LeftButton, {}, QPoint(a.left() + a.width() / 4, a.center().y()));
        QTest::mouseMove(c, QPoint(a.left() + a.width() / 2, a.center().y()));
        QTest::mouseRelease(c, Qt::LeftButton, {}, QPoint(a.left() + a.width() / 2, a.center().y()));
        QCOMPARE(zoom.size(), 1);
        const auto from = zoom.at(0).at(0).value<model::TimestampMs>(), to = zoom.at(0).at(1).value<model::TimestampMs>();
        QVERIFY(std::abs(double(from - (kFrom + 900'000))) < 30'000);
        QVERIFY(std::abs(double(to - (kFrom + 1'800'000))) < 30'000);
        // Legend click isolates a series, a second click shows all again.
        p->isolateSeries(1);
        QVERIFY(c->series().at(0).hidden && !c->series().at(1).hidden);
        p->isolateSeries(1);
        QVERIFY(!c->series().at(0).hidden);
    }

    void timeseriesStacking()
    {
        auto p = make<TimeSeriesPanel>(R"({"fieldConfig":{"defaults":{"custom":{"stacking":{"mode":"normal","group":"A"},"fillOpacity":30}}}})",
                                       requestRates());
        const auto [lo, hi] = p->canvas()->valueRange();
        double peak = 0;
        const auto frames = requestRates();
        for (int i = 0; i < 240; ++i) {
            double sum = 0;
            for (const auto &f : frames)
                sum += f.fields()[1].doubles()[i];
            peak = std::max(peak, sum);
        }
        QCOMPARE(lo, 0.0);
        QVERIFY(hi >= peak);
    }

    void pieSlicesAddUp()
    {
        auto p = make<PieChartPanel>(R"({"options":{"pieType":"donut","reduceOptions":{"calcs":["sum"]},"legend":{"values":["value","percent"]}}})",
                                     requestRates());
        PieSliceModel *m = p->sliceModel();
        QAbstractItemModelTester tester(m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(m->rowCount(), 3);
        double total = 0, share = 0;
        for (int r = 0; r < 3; ++r) {
            total += m->index(r, PieSliceModel::Value).data(PieSliceModel::RawValueRole).toDouble();
            share += m->index(r, PieSliceModel::Percent).data(PieSliceModel::RawValueRole).toDouble();
        }
        QVERIFY(std::abs(total - m->total()) < 1e-6);
        QVERIFY(std::abs(share - 1.0) < 1e-9);
        QVERIFY(m->index(0, PieSliceModel::Percent).data().toString().endsWith(u'%'));
        QVERIFY(pixelsNear(p->grab().toImage(), viz::classicPaletteColor(0)) > 100);
    }

    void barChartGroups()
    {
        auto p = make<BarChartPanel>(R"({"options":{"xField":"endpoint"}})", {latencyTable()});
        QCOMPARE(p->groups().size(), 5);
        QCOMPARE(p->groups().at(1).category, QStringLiteral("/api/checkout"));
        QCOMPARE(p->seriesNames(), (QStringList{QStringLiteral("status"), QStringLiteral("p99"), QStringLiteral("errors")}));
        QCOMPARE(p->groups().at(1).values.at(1), 1840.0);
        QVERIFY(!p->grab().toImage().isNull());
    }

    void histogramCountsEveryValue()
    {
        auto p = make<HistogramPanel>(R"({"options":{"bucketSize":10}})", {latencySamples()});
        QCOMPARE(p->bucketSize(), 10.0);
        double n = 0;
        for (double c : p->series().front().counts)
            n += c;
        QCOMPARE(n, 500.0);
        QVERIFY(std::fmod(p->bucketStart(), 10.0) == 0);
    }

    void heatmapDeaccumulatesBuckets()
    {
        auto p = make<HeatmapPanel>(R"({"options":{"color":{"scheme":"Oranges","exponent":0.5}}})", bucketSeries());
        QCOMPARE(p->rowLabels().size(), 6);
        QCOMPARE(p->rowLabels().front(), QStringLiteral("0.05"));
        QCOMPARE(p->rowLabels().back(), QStringLiteral("+Inf"));
        QCOMPARE(p->columnTimes().size(), 60);
        const auto frames = bucketSeries();
        const double cum1 = frames[1].fields()[1].doubles()[0], cum0 = frames[0].fields()[1].doubles()[0];
        QVERIFY(std::abs(p->cells()[1][0] - (cum1 - cum0)) < 1e-9);
    }

    void stateTimelineMergesAndMaps()
    {
        const char *cfg = R"({"fieldConfig":{"defaults":{"mappings":[{"type":"value","options":{"0":{"text":"DOWN","color":"red"},"1":{"text":"UP","color":"green"}}}]}}})";
        auto p = make<StateTimelinePanel>(cfg, {upDownSeries(QStringLiteral("api"), 0)}, QSize(480, 200), StateTimelinePanel::Mode::StateTimeline);
        QCOMPARE(p->rows().size(), 1);
        const auto &spans = p->rows().front().spans;
        // 60 minutes cycling 21 UP / 7 DOWN: UP DOWN UP DOWN UP.
        QCOMPARE(spans.size(), 5);
        QCOMPARE(spans.at(0).text, QStringLiteral("UP"));
        QCOMPARE(spans.at(1).text, QStringLiteral("DOWN"));
        QCOMPARE(spans.at(1).color, viz::resolveColor(QStringLiteral("red")));
        QCOMPARE(spans.at(1).to - spans.at(1).from, 7 * 60'000);
        auto h = make<StateTimelinePanel>(cfg, {upDownSeries(QStringLiteral("api"), 0)}, QSize(480, 200), StateTimelinePanel::Mode::StatusHistory);
        QCOMPARE(h->rows().front().spans.size(), 60);
    }

    void nodeGraphLayers()
    {
        auto p = make<NodeGraphPanel>("{}", serviceGraph(), QSize(600, 320));
        QCOMPARE(p->nodes().size(), 5);
        QCOMPARE(p->edges().size(), 5);
        auto layerOf = [&](const QString &id) {
            for (const auto &n : p->nodes())
                if (n.id == id)
                    return n.layer;
            return -1;
        };
        QCOMPARE(layerOf(QStringLiteral("frontend")), 0);
        QCOMPARE(layerOf(QStringLiteral("checkout")), 1);
        QCOMPARE(layerOf(QStringLiteral("postgres")), 2);
        QCOMPARE(p->edges().front().mainStat, QStringLiteral("12.5 req/s"));
        for (const auto &n : p->nodes())
            if (n.id == u"payments")
                QCOMPARE(n.color, viz::resolveColor(QStringLiteral("red")));
    }

    void nodeGraphFromServiceGraphMetrics()
    {
        model::Frame ok = seriesFrame(QString(), model::Labels{{QStringLiteral("__name__"), QStringLiteral("traces_service_graph_request_total")},
                                                               {QStringLiteral("client"), QStringLiteral("a")}, {QStringLiteral("server"), QStringLiteral("b")}}, 3, 5, 0, 0);
        auto p = make<NodeGraphPanel>("{}", {ok});
        QCOMPARE(p->nodes().size(), 2);
        QCOMPARE(p->edges().size(), 1);
        QVERIFY(p->edges().front().mainStat.endsWith(QStringLiteral("req/s")));
    }

    void flameGraphFromProfileFrame()
    {
        const auto set = stacksFromProfileFrame(profileFrame());
        QCOMPARE(set.total(), 100);
        auto p = make<FlameGraphPanel>("{}", {profileFrame()});
        const auto *tree = p->view()->tree();
        QVERIFY(tree);
        QCOMPARE(tree->total(), 100);
        const int handle = tree->findPath({QStringLiteral("main"), QStringLiteral("handle")});
        QVERIFY(handle > 0);
        QCOMPARE(tree->node(handle).total, 70);
        QCOMPARE(tree->node(handle).self, 15);
    }

    void traceFromSpansFrame()
    {
        const auto spans = spansFromFrame(spansFrame());
        QCOMPARE(spans.size(), 4);
        QCOMPARE(spans.at(1).status, model::Span::Status::Error);
        QCOMPARE(spans.at(1).parentSpanId.toHex(), QByteArray("00f067aa0ba902b7"));
        QCOMPARE(spans.at(0).duration(), model::TimestampNs(120'000'000));
        QCOMPARE(spans.at(0).attributes.size(), 1);
        auto p = std::make_unique<TracePanel>();
        QSignalSpy ready(p->viewer(), &gui::traces::TraceViewer::modelReady);
        p->setPanelJson(json("{}"));
        p->setFrames({spansFrame()}, kFrom, kTo);
        // Layout runs on the thread pool; the header fills in when it lands.
        QTRY_VERIFY_WITH_TIMEOUT(p->viewer()->headerText().contains(QStringLiteral("checkout")), 20000);
    }

    void textRendersMarkdown()
    {
        TextPanel p;
        p.setPanelJson(json(R"({"options":{"mode":"markdown","content":"Runbook\n=======\n\nSee **checkout** errors"}})"));
        QVERIFY(p.browser()->toPlainText().contains(QStringLiteral("Runbook")));
        QVERIFY(p.browser()->toHtml().contains(QStringLiteral("font-weight")));
        p.setPanelJson(json(R"({"options":{"mode":"html","content":"<b>bold</b> text"}})"));
        QCOMPARE(p.browser()->toPlainText(), QStringLiteral("bold text"));
    }

    void logsPanelShowsLines()
    {
        auto p = make<LogsPanel>(R"({"options":{"wrapLogMessage":true,"sortOrder":"Descending"}})", {logsFrame()});
        QVERIFY(!p->grab().toImage().isNull());
    }

    // Renders every panel type with realistic data into one contact sheet.
    // SPYGLASS_GALLERY_OUT=path writes it there (docs/panels-gallery.png).
    void gallery()
    {
        const QList<GalleryEntry> entries = {
            {QStringLiteral("timeseries"), [] { return make<TimeSeriesPanel>(R"({"options":{"legend":{"displayMode":"table","calcs":["mean","max","lastNotNull"]}},
                "fieldConfig":{"defaults":{"unit":"reqps","custom":{"fillOpacity":12,"thresholdsStyle":{"mode":"dashed"}},
                "thresholds":{"mode":"absolute","steps":[{"color":"green","value":null},{"color":"red","value":55}]}}}})", requestRates()).release(); }},
            {QStringLiteral("stat"), [] { return make<StatPanel>(R"({"options":{"colorMode":"background","graphMode":"area","reduceOptions":{"calcs":["lastNotNull"]}},
                "fieldConfig":{"defaults":{"unit":"reqps","color":{"mode":"thresholds"},"thresholds":{"mode":"absolute","steps":[{"color":"green","value":null},{"color":"orange","value":30},{"color":"red","value":45}]}}}})", requestRates()).release(); }},
            {QStringLiteral("gauge"), [] { return make<GaugePanel>(R"({"options":{"reduceOptions":{"calcs":["lastNotNull"]}},"fieldConfig":{"defaults":{"unit":"percent","min":0,"max":60,
                "color":{"mode":"thresholds"},"thresholds":{"mode":"absolute","steps":[{"color":"green","value":null},{"color":"orange","value":30},{"color":"red","value":45}]}}}})", requestRates()).release(); }},
            {QStringLiteral("bargauge"), [] { return make<BarGaugePanel>(R"({"options":{"displayMode":"gradient","reduceOptions":{"calcs":["mean"]}},"fieldConfig":{"defaults":{"unit":"reqps","min":0,"max":60,
                "thresholds":{"mode":"absolute","steps":[{"color":"green","value":null},{"color":"orange","value":30},{"color":"red","value":45}]}}}})", requestRates()).release(); }},
            {QStringLiteral("table"), [] { return make<TablePanel>(R"({"fieldConfig":{"defaults":{"thresholds":{"mode":"absolute","steps":[{"color":"green","value":null},{"color":"red","value":500}]}},
                "overrides":[{"matcher":{"id":"byName","options":"p99"},"properties":[{"id":"unit","value":"ms"},{"id":"custom.cellOptions","value":{"type":"color-background"}}]},
                {"matcher":{"id":"byName","options":"errors"},"properties":[{"id":"unit","value":"percent"},{"id":"max","value":15},{"id":"custom.cellOptions","value":{"type":"gauge"}}]}]}})", {latencyTable()}).release(); }},
            {QStringLiteral("logs"), [] { return make<LogsPanel>(R"({"options":{}})", {logsFrame()}).release(); }},
            {QStringLiteral("text"), [] { return make<TextPanel>(R"({"options":{"mode":"markdown","content":"Checkout runbook\n----------------\n\n* p99 above **500 ms**: scale `checkout`\n* errors: see [traces](/explore)\n\n> Paged on-call owns this dashboard."}})", model::Frames{}).release(); }},
            {QStringLiteral("heatmap"), [] { return make<HeatmapPanel>(R"({"options":{"color":{"scheme":"Oranges","exponent":0.5}}})", bucketSeries()).release(); }},
            {QStringLiteral("barchart"), [] { return make<BarChartPanel>(R"({"options":{"xField":"endpoint"},"transformations":[{"id":"filterFieldsByName","options":{"include":{"names":["endpoint","errors"]}}}],
                "fieldConfig":{"defaults":{"unit":"percent"}}})", {latencyTable()}).release(); }},
            {QStringLiteral("piechart"), [] { return make<PieChartPanel>(R"({"options":{"pieType":"donut","reduceOptions":{"calcs":["sum"]},"legend":{"values":["percent"],"placement":"right"}},
                "fieldConfig":{"defaults":{"unit":"short"}}})", requestRates()).release(); }},
            {QStringLiteral("state-timeline"), [] { return make<StateTimelinePanel>(R"({"fieldConfig":{"defaults":{"mappings":[{"type":"value","options":{"0":{"text":"DOWN","color":"red"},"1":{"text":"UP","color":"green"}}}]}}})",
                {upDownSeries(QStringLiteral("api"), 0), upDownSeries(QStringLiteral("db"), 9), upDownSeries(QStringLiteral("cache"), 17)}, QSize(480, 260), StateTimelinePanel::Mode::StateTimeline).release(); }},
            {QStringLiteral("status-history"), [] { return make<StateTimelinePanel>(R"({"fieldConfig":{"defaults":{"mappings":[{"type":"value","options":{"0":{"text":"DOWN","color":"red"},"1":{"text":"UP","color":"green"}}}]}}})",
                {upDownSeries(QStringLiteral("api"), 0), upDownSeries(QStringLiteral("db"), 9)}, QSize(480, 260), StateTimelinePanel::Mode::StatusHistory).release(); }},
            {QStringLiteral("histogram"), [] { return make<HistogramPanel>(R"({"options":{"bucketSize":5}})", {latencySamples()}).release(); }},
            {QStringLiteral("traces"), [] { return make<TracePanel>("{}", {spansFrame()}).release(); }},
            {QStringLiteral("flamegraph"), [] { return make<FlameGraphPanel>("{}", {profileFrame()}).release(); }},
            {QStringLiteral("nodeGraph"), [] { return make<NodeGraphPanel>("{}", serviceGraph()).release(); }},
        };
        const QSize cell(480, 260);
        const int cols = 4, titleH = 22;
        QImage sheet(cols * (cell.width() + 8) + 8, int((entries.size() + cols - 1) / cols) * (cell.height() + titleH + 8) + 8, QImage::Format_RGB32);
        sheet.fill(qApp->palette().color(QPalette::Window));
        QPainter p(&sheet);
        for (int i = 0; i < entries.size(); ++i) {
            std::unique_ptr<PanelView> v(entries.at(i).make());
            v->resize(cell);
            v->show();
            QVERIFY(QTest::qWaitForWindowExposed(v.get()));
            if (auto *t = dynamic_cast<TracePanel *>(v.get()); t && !t->viewer()->model())
                QSignalSpy(t->viewer(), &gui::traces::TraceViewer::modelReady).wait();
            QCoreApplication::processEvents();
            const QImage img = v->grab().toImage();
            QVERIFY2(!img.isNull(), qPrintable(entries.at(i).title));
            const QPoint at(8 + (i % cols) * (cell.width() + 8), 8 + (i / cols) * (cell.height() + titleH + 8));
            p.fillRect(QRect(at, QSize(cell.width(), titleH + cell.height())), qApp->palette().color(QPalette::Base));
            p.setPen(qApp->palette().color(QPalette::Text));
            p.drawText(QRect(at + QPoint(8, 0), QSize(cell.width() - 8, titleH)), Qt::AlignVCenter | Qt::AlignLeft, entries.at(i).title);
            p.drawImage(at + QPoint(0, titleH), img);
        }
        p.end();
        const QString out = qEnvironmentVariable("SPYGLASS_GALLERY_OUT");
        if (!out.isEmpty())
            QVERIFY(sheet.save(out));
    }
};

QTEST_MAIN(TestPanels)
#include "tst_panels.moc"
