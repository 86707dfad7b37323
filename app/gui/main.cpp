// `spyglass`: the desktop GUI. With --screenshot it loads, imports and
// queries as asked, writes a PNG of the window and exits: how tests and the
// docs capture the UI without a display (QT_QPA_PLATFORM=offscreen).

#include "app/gui/explore/explore_view.h"
#include "app/gui/explore/explore_workspace.h"
#include "app/gui/explore/query_history.h"
#include "app/gui/widgets/promql_editor.h"
#include "app/gui/widgets/time_series_plot.h"
#include "app/gui/logs/logs_view.h"
#include "app/gui/main_window.h"
#include "app/gui/dashboards/dashboard_view.h"
#include "app/gui/dashboards/dashboards_page.h"
#include "app/gui/dashboards/panel_editor_dialog.h"
#include "core/dashboard/datasource_mapper.h"
#include "core/datasource/datasource_registry.h"
#include "app/gui/theme.h"
#include "app/gui/widgets/time_range_picker.h"
#include "app/gui/workbench.h"
#include "core/store/storage.h"

#include <QAbstractItemView>
#include <QApplication>
#include <QCompleter>
#include <QPainter>
#include <QCommandLineParser>
#include <QDir>
#include <QMessageBox>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QThreadPool>
#include <QTimer>
#include <cstdio>
#include <functional>
#include <memory>

using namespace spyglass;

namespace {

void printError(const QString &text)
{
    std::fprintf(stderr, "spyglass: %s\n", qPrintable(text));
}

} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("spyglass"));
    QApplication::setOrganizationName(QStringLiteral("spyglass"));
    QApplication::setApplicationDisplayName(QStringLiteral("Spyglass"));
    QApplication::setApplicationVersion(QStringLiteral(SPYGLASS_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Spyglass: a desktop observability workbench."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption dataOpt(QStringLiteral("data"), QStringLiteral("Data directory (default: %1).")
                                                                .arg(store::Storage::defaultDataDir()),
                                     QStringLiteral("dir"));
    const QCommandLineOption labOpt(QStringLiteral("lab"),
                                    QStringLiteral("Run the built-in demo system (15 minutes backfilled, "
                                                   "then live) writing into the data directory."));
    const QCommandLineOption shotOpt(QStringLiteral("screenshot"),
                                     QStringLiteral("Render the window after loading, write a PNG and exit."),
                                     QStringLiteral("path"));
    const QCommandLineOption importOpt(QStringLiteral("import"),
                                       QStringLiteral("Import a Prometheus text / OpenMetrics file at start "
                                                      "(repeatable)."),
                                       QStringLiteral("file"));
    const QCommandLineOption queryOpt(QStringLiteral("query"), QStringLiteral("Put this query in Explore and run it."),
                                      QStringLiteral("expr"));
    const QCommandLineOption instantOpt(QStringLiteral("instant"), QStringLiteral("Run --query as an instant query."));
    const QCommandLineOption fromOpt(QStringLiteral("from"),
                                     QStringLiteral("Start of the time range: now-1h, RFC 3339 or Unix seconds."),
                                     QStringLiteral("time"));
    const QCommandLineOption toOpt(QStringLiteral("to"), QStringLiteral("End of the time range (default now)."),
                                   QStringLiteral("time"));
    const QCommandLineOption sizeOpt(QStringLiteral("size"), QStringLiteral("Window size, e.g. 1600x1000."),
                                     QStringLiteral("WxH"));
    const QCommandLineOption pageOpt(QStringLiteral("page"),
                                     QStringLiteral("View to show: dashboards, explore, traces, profiles, lab, "
                                                    "datasources."),
                                     QStringLiteral("name"));
    const QCommandLineOption legendOpt(QStringLiteral("legend"),
                                       QStringLiteral("Legend format of the Explore query, e.g. {{job}}."),
                                       QStringLiteral("format"));
    const QCommandLineOption styleOpt(QStringLiteral("graph-style"),
                                      QStringLiteral("Graph style in Explore: lines, points or stacked."),
                                      QStringLiteral("style"));
    const QCommandLineOption splitOpt(QStringLiteral("split"), QStringLiteral("Open a second Explore pane."));
    const QCommandLineOption splitQueryOpt(QStringLiteral("split-query"),
                                           QStringLiteral("Query of the second Explore pane (implies --split)."),
                                           QStringLiteral("expr"));
    const QCommandLineOption splitStyleOpt(QStringLiteral("split-graph-style"),
                                           QStringLiteral("Graph style of the second pane."), QStringLiteral("style"));
    const QCommandLineOption completeAtOpt(QStringLiteral("complete-at"),
                                           QStringLiteral("After the queries ran, open the completion popup at this "
                                                          "offset of the query (for screenshots)."),
                                           QStringLiteral("offset"));
    const QCommandLineOption languageOpt(QStringLiteral("language"),
                                         QStringLiteral("Query language of --query in Explore: promql or logql."),
                                         QStringLiteral("language"));
    const QCommandLineOption expandLineOpt(QStringLiteral("expand-log-line"),
                                           QStringLiteral("Open the details of this row of the logs view (for screenshots)."),
                                           QStringLiteral("row"));
    parser.addOptions({dataOpt, labOpt, shotOpt, importOpt, queryOpt, instantOpt, fromOpt, toOpt, sizeOpt, pageOpt, legendOpt,
                       styleOpt, splitOpt, splitQueryOpt, splitStyleOpt, completeAtOpt});
    parser.addOptions({languageOpt, expandLineOpt});
    const QCommandLineOption dashboardOpt(QStringLiteral("dashboard"),
                                          QStringLiteral("Open this Grafana dashboard JSON file on the Dashboards page "
                                                         "(with --screenshot: after every visible panel finished)."),
                                          QStringLiteral("file"));
    const QCommandLineOption datasourcesOpt(QStringLiteral("datasources"),
                                            QStringLiteral("Add the datasources of this Grafana provisioning YAML file "
                                                           "(same uids) for this run."),
                                            QStringLiteral("file"));
    const QCommandLineOption editPanelOpt(QStringLiteral("edit-panel"),
                                          QStringLiteral("With --dashboard and --screenshot: open the editor of this "
                                                         "panel id and capture the editor instead."),
                                          QStringLiteral("id"));
    parser.addOptions({dashboardOpt, datasourcesOpt, editPanelOpt});
    parser.process(app);

    const QString screenshot = parser.value(shotOpt);
    const bool screenshotMode = parser.isSet(shotOpt);
    if (screenshotMode && screenshot.isEmpty()) {
        printError(QStringLiteral("--screenshot needs a file path"));
        return 2;
    }

    QSize size(1440, 900);
    if (parser.isSet(sizeOpt)) {
        static const QRegularExpression re(QStringLiteral("^(\\d+)x(\\d+)$"));
        const auto m = re.match(parser.value(sizeOpt));
        if (!m.hasMatch() || m.captured(1).toInt() < 200 || m.captured(2).toInt() < 150 ||
            m.captured(1).toInt() > 10000 || m.captured(2).toInt() > 10000) {
            printError(QStringLiteral("--size must look like 1600x1000 (200x150 to 10000x10000), got \"%1\"")
                           .arg(parser.value(sizeOpt)));
            return 2;
        }
        size = QSize(m.captured(1).toInt(), m.captured(2).toInt());
    }

    std::optional<model::TimeRange> range;
    if (parser.isSet(fromOpt) || parser.isSet(toOpt)) {
        const QString from = parser.isSet(fromOpt) ? parser.value(fromOpt) : QStringLiteral("now-1h");
        const QString to = parser.isSet(toOpt) ? parser.value(toOpt) : QStringLiteral("now");
        auto parsed = model::TimeRange::parse(from, to);
        if (!parsed) {
            printError(QStringLiteral("bad time range: %1").arg(parsed.error().message));
            return 2;
        }
        range = *parsed;
    }

    static const QStringList pageNames{QStringLiteral("dashboards"), QStringLiteral("explore"),
                                       QStringLiteral("traces"),     QStringLiteral("profiles"),
                                       QStringLiteral("lab"),        QStringLiteral("datasources")};
    int page = int(gui::MainWindow::Page::Explore);
    if (parser.isSet(pageOpt)) {
        page = int(pageNames.indexOf(parser.value(pageOpt).toLower()));
        if (page < 0) {
            printError(QStringLiteral("unknown --page \"%1\" (one of: %2)")
                           .arg(parser.value(pageOpt), pageNames.join(QStringLiteral(", "))));
            return 2;
        }
    }

    auto parseStyle = [](const QString &name) -> std::optional<gui::widgets::DrawStyle> {
        if (name == u"lines")
            return gui::widgets::DrawStyle::Lines;
        if (name == u"points")
            return gui::widgets::DrawStyle::Points;
        if (name == u"stacked")
            return gui::widgets::DrawStyle::StackedArea;
        return std::nullopt;
    };
    std::optional<gui::widgets::DrawStyle> style;
    std::optional<gui::widgets::DrawStyle> splitStyle;
    for (auto [opt, out] : {std::pair{&styleOpt, &style}, std::pair{&splitStyleOpt, &splitStyle}}) {
        if (!parser.isSet(*opt))
            continue;
        *out = parseStyle(parser.value(*opt).toLower());
        if (!*out) {
            printError(QStringLiteral("--%1 must be lines, points or stacked, got \"%2\"")
                           .arg(opt->names().first(), parser.value(*opt)));
            return 2;
        }
    }
    int completeAt = -1;
    if (parser.isSet(completeAtOpt)) {
        bool ok = false;
        completeAt = parser.value(completeAtOpt).toInt(&ok);
        if (!ok || completeAt < 0 || completeAt > parser.value(queryOpt).size()) {
            printError(QStringLiteral("--complete-at must be an offset within the --query text (0 to %1)")
                           .arg(parser.value(queryOpt).size()));
            return 2;
        }
    }

    gui::applyDarkTheme(app);

    gui::Workbench::Options options;
    options.dataDir = parser.isSet(dataOpt) ? parser.value(dataOpt) : store::Storage::defaultDataDir();
    // Screenshots must not depend on (or touch) the user's configuration.
    if (!screenshotMode)
        options.datasourcesFile = QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation) +
                                  QStringLiteral("/datasources.json");
    auto workbench = gui::Workbench::open(options);
    if (!workbench) {
        const QString msg = QStringLiteral("cannot open the data directory %1: %2")
                                .arg(options.dataDir, workbench.error().toString());
        printError(msg);
        if (!screenshotMode)
            QMessageBox::critical(nullptr, QStringLiteral("Spyglass"), msg);
        return 1;
    }

    if (parser.isSet(datasourcesOpt)) {
        auto provisioned = dashboard::loadProvisioningFile(parser.value(datasourcesOpt));
        if (!provisioned) {
            printError(provisioned.error().toString());
            return 2;
        }
        for (const datasource::DatasourceSettings &s : *provisioned)
            if (auto added = (*workbench)->datasources().add(s); !added)
                printError(QStringLiteral("datasource %1 (%2) not available: %3")
                               .arg(s.uid, s.type, added.error().message));
    }
    const QString dashboardFile = parser.value(dashboardOpt);
    if (!dashboardFile.isEmpty() && !parser.isSet(pageOpt))
        page = int(gui::MainWindow::Page::Dashboards);

    if (parser.isSet(labOpt))
        (*workbench)->startLab();

    int exitCode = 0;
    {
        gui::MainWindow window(**workbench);
        window.setInteractive(!screenshotMode);
        window.resize(size);
        if (range)
            window.timePicker()->setRange(*range);
        window.showPage(gui::MainWindow::Page(page));
        if (parser.value(languageOpt).toLower() == u"logql")
            window.explore()->setQueryLanguage(gui::explore::ExploreView::QueryLanguage::LogQL);
        const QString query = parser.value(queryOpt);
        if (!query.isEmpty())
            window.explore()->setQuery(query);
        if (parser.isSet(instantOpt))
            window.explore()->setQueryType(gui::explore::ExploreView::QueryType::Instant);
        if (parser.isSet(legendOpt))
            window.explore()->setLegendFormat(parser.value(legendOpt));
        if (style)
            window.explore()->setDrawStyle(*style);
        gui::explore::ExploreWorkspace *workspace = gui::explore::ExploreWorkspace::of(window.explore());
        // The history lives in the user's data directory; screenshots leave it alone.
        std::unique_ptr<gui::explore::QueryHistory> history;
        if (!screenshotMode && workspace) {
            history = std::make_unique<gui::explore::QueryHistory>(gui::explore::QueryHistory::defaultPath());
            history->load();
            workspace->setHistory(history.get());
        }
        gui::explore::ExploreView *second = nullptr;
        if (workspace && (parser.isSet(splitOpt) || parser.isSet(splitQueryOpt))) {
            second = workspace->split();
            if (parser.isSet(splitQueryOpt))
                second->setQuery(parser.value(splitQueryOpt));
            if (splitStyle)
                second->setDrawStyle(*splitStyle);
        }
        window.show();

        bool failed = false;
        auto capture = [&] {
            QCoreApplication::processEvents();
            QImage image = window.grab().toImage();
            // Popups are windows of their own that grab() does not see: paint
            // the completion popup where it is on screen.
            QAbstractItemView *popup = window.explore()->queryEdit()->completer()->popup();
            if (popup->isVisible() && !image.isNull()) {
                QPainter p(&image);
                const QPoint at = popup->mapToGlobal(QPoint(0, 0)) - window.mapToGlobal(QPoint(0, 0));
                const QPixmap shot = popup->grab();
                p.setPen(QColor(0x34, 0x38, 0x40));
                p.drawPixmap(at, shot);
                p.drawRect(QRect(at, popup->size()).adjusted(0, 0, -1, -1));
            }
            return image;
        };
        auto finish = [&] {
            if (!screenshotMode)
                return;
            const QImage image = capture();
            if (image.isNull() || !image.save(screenshot, "PNG")) {
                printError(QStringLiteral("cannot write the screenshot to %1").arg(screenshot));
                app.exit(1);
                return;
            }
            app.exit(failed ? 3 : 0);
        };
        // Opens the completion popup at --complete-at once the datasource's
        // names have arrived (they are fetched in the background).
        int completionTries = 0;
        std::function<void()> openCompletion = [&] {
            auto *editor = window.explore()->queryEdit();
            QTextCursor c = editor->textCursor();
            c.setPosition(completeAt);
            editor->setTextCursor(c);
            editor->setFocus();
            editor->showCompletions();
            if (editor->isCompletionVisible() || ++completionTries > 100) {
                finish();
                return;
            }
            QTimer::singleShot(50, &window, openCompletion);
        };
        int pending = 0;
        bool dashboardDone = dashboardFile.isEmpty();
        std::function<void()> openDashboard;
        auto afterQueries = [&] {
            if (!dashboardDone) {
                openDashboard();
                return;
            }
            if (parser.isSet(expandLineOpt))
                window.explore()->logsView()->expandRow(parser.value(expandLineOpt).toInt());
            if (completeAt >= 0)
                openCompletion();
            else
                finish();
        };
        // --dashboard: once the lab's backfill is in, open it and wait until
        // every visible panel has settled.
        openDashboard = [&] {
            if ((*workbench)->labBackfilling()) {
                QTimer::singleShot(200, &window, openDashboard);
                return;
            }
            gui::dashboards::DashboardView *view = window.dashboardsPage()->view();
            QObject::connect(view, &gui::dashboards::DashboardView::settled, &window, [&, view] {
                if (dashboardDone)
                    return;
                dashboardDone = true;
                for (gui::dashboards::PanelFrame *f : view->panelFrames())
                    if (!f->errorText().isEmpty())
                        printError(QStringLiteral("panel \"%1\": %2").arg(f->title(), f->errorText()));
                if (screenshotMode && parser.isSet(editPanelOpt)) {
                    // The editor is a window of its own: capture it once its preview ran.
                    view->editPanel(parser.value(editPanelOpt).toInt());
                    auto *editor = view->findChild<gui::dashboards::PanelEditorDialog *>();
                    if (!editor) {
                        printError(QStringLiteral("no panel with id %1").arg(parser.value(editPanelOpt)));
                        app.exit(2);
                        return;
                    }
                    editor->resize(size);
                    QObject::connect(editor, &gui::dashboards::PanelEditorDialog::previewFinished, &window, [&, editor] {
                        QTimer::singleShot(300, &window, [&, editor] {
                            const QImage image = editor->grab().toImage();
                            app.exit(image.save(screenshot, "PNG") ? (failed ? 3 : 0) : 1);
                        });
                    });
                    return;
                }
                // One more turn of the event loop so the last results are painted.
                QTimer::singleShot(300, &window, afterQueries);
            });
            if (auto opened = window.dashboardsPage()->openDashboard(dashboardFile); !opened) {
                printError(opened.error().toString());
                failed = true;
                dashboardDone = true;
                afterQueries();
                return;
            }
            if (range)
                view->setTimeRange(*range);
        };
        auto runQuery = [&] {
            QList<gui::explore::ExploreView *> panes;
            if (!query.isEmpty())
                panes.push_back(window.explore());
            if (second && !second->query().trimmed().isEmpty())
                panes.push_back(second);
            if (panes.isEmpty()) {
                afterQueries();
                return;
            }
            pending = int(panes.size());
            for (gui::explore::ExploreView *pane : panes) {
                QObject::connect(pane, &gui::explore::ExploreView::queryFinished, &window, [&, pane](int, bool ok) {
                    if (!ok) {
                        failed = true;
                        printError(QStringLiteral("query failed: %1").arg(pane->statusText()));
                    }
                    // Only the first run of each pane counts; later ones are the user's.
                    if (pending > 0 && --pending == 0)
                        afterQueries();
                });
                pane->runQuery();
            }
        };

        const QStringList imports = parser.values(importOpt);
        if (!imports.isEmpty()) {
            QObject::connect(&window, &gui::MainWindow::importFinished, &window, [&](bool ok) {
                if (!ok) {
                    failed = true;
                    printError(QStringLiteral("import failed: %1").arg(window.lastImportErrors()));
                }
                runQuery();
            });
            QTimer::singleShot(0, &window, [&] { window.importFiles(imports); });
        } else {
            QTimer::singleShot(0, &window, runQuery);
        }

        if (screenshotMode) {
            // A hung datasource must not hang a CI job.
            QTimer::singleShot(300'000, &window, [&] {
                printError(QStringLiteral("timed out waiting for the import/query; writing what is shown"));
                failed = true;
                finish();
            });
        }

        exitCode = app.exec();
        window.explore()->cancelQuery();
        if (second && workspace && workspace->secondary() == second)
            second->cancelQuery();
        if (history)
            history->waitForIo();
        window.importer()->cancel();
        // Workers may still hold datasources that use the store.
        QThreadPool::globalInstance()->waitForDone();
    }
    return exitCode;
}
