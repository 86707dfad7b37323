// `spyglass`: the desktop GUI. With --screenshot it loads, imports and
// queries as asked, writes a PNG of the window and exits: how tests and the
// docs capture the UI without a display (QT_QPA_PLATFORM=offscreen).

#include "app/gui/explore/explore_view.h"
#include "app/gui/main_window.h"
#include "app/gui/theme.h"
#include "app/gui/widgets/time_range_picker.h"
#include "app/gui/workbench.h"
#include "core/store/storage.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QMessageBox>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QThreadPool>
#include <QTimer>
#include <cstdio>

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
    parser.addOptions({dataOpt, shotOpt, importOpt, queryOpt, instantOpt, fromOpt, toOpt, sizeOpt, pageOpt});
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

    int exitCode = 0;
    {
        gui::MainWindow window(**workbench);
        window.setInteractive(!screenshotMode);
        window.resize(size);
        if (range)
            window.timePicker()->setRange(*range);
        window.showPage(gui::MainWindow::Page(page));
        const QString query = parser.value(queryOpt);
        if (!query.isEmpty())
            window.explore()->setQuery(query);
        if (parser.isSet(instantOpt))
            window.explore()->setQueryType(gui::explore::ExploreView::QueryType::Instant);
        window.show();

        bool failed = false;
        auto finish = [&] {
            if (!screenshotMode)
                return;
            QCoreApplication::processEvents();
            const QImage image = window.grab().toImage();
            if (image.isNull() || !image.save(screenshot, "PNG")) {
                printError(QStringLiteral("cannot write the screenshot to %1").arg(screenshot));
                app.exit(1);
                return;
            }
            app.exit(failed ? 3 : 0);
        };
        auto runQuery = [&] {
            if (query.isEmpty()) {
                finish();
                return;
            }
            QObject::connect(window.explore(), &gui::explore::ExploreView::queryFinished, &window,
                             [&](int, bool ok) {
                                 if (!ok) {
                                     failed = true;
                                     printError(QStringLiteral("query failed: %1").arg(window.explore()->statusText()));
                                 }
                                 finish();
                             });
            window.explore()->runQuery();
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
        window.importer()->cancel();
        // Workers may still hold datasources that use the store.
        QThreadPool::globalInstance()->waitForDone();
    }
    return exitCode;
}
