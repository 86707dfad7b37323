#include "app/gui/main_window.h"

#include "app/gui/dashboards/dashboard_view.h"
#include "app/gui/dashboards/dashboards_page.h"

#include "app/gui/lab/lab_view.h"

#include "app/gui/datasources_view.h"
#include "app/gui/explore/explore_view.h"
#include "app/gui/explore/explore_workspace.h"
#include "app/gui/flamegraph/flame_graph_page.h"
#include "app/gui/traces/traces_page.h"
#include "app/gui/placeholder_view.h"
#include "app/gui/widgets/time_range_picker.h"
#include "app/gui/workbench.h"

#include <QApplication>
#include <QCloseEvent>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QLocale>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTimeZone>
#include <QToolBar>
#include <QToolButton>
#include <QUrl>
#include <cstdio>

namespace spyglass::gui {

MainWindow::MainWindow(Workbench &workbench, QWidget *parent)
    : QMainWindow(parent),
      m_workbench(workbench),
      m_sidebar(new QListWidget(this)),
      m_pages(new QStackedWidget(this)),
      m_timePicker(new widgets::TimeRangePicker(this)),
      m_explore(new explore::ExploreView(this)),
      m_profiles(new flamegraph::FlameGraphPage(this)),
      m_datasourcesView(new DatasourcesView(workbench, this)),
      m_importer(new ImportController(workbench.metricsImportFunction(), this)),
      m_statusLabel(new QLabel(this)),
      m_progress(new QProgressBar(this)),
      m_cancelImport(new QToolButton(this))
{
    setWindowTitle(tr("Spyglass"));
    setAcceptDrops(true);
    resize(1280, 800);

    // Toolbar: product name on the left, the global time range on the right.
    auto *toolbar = addToolBar(tr("Time range"));
    toolbar->setObjectName(QStringLiteral("mainToolbar"));
    toolbar->setMovable(false);
    auto *brand = new QLabel(tr("<b>Spyglass</b>"), toolbar);
    brand->setContentsMargins(8, 0, 8, 0);
    toolbar->addWidget(brand);
    auto *spacer = new QWidget(toolbar);
    spacer->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    toolbar->addWidget(spacer);
    toolbar->addWidget(m_timePicker);

    // Sidebar + pages.
    struct PageDef
    {
        Page page;
        QString name;
        QWidget *widget;
    };
    auto *labView = new lab::LabView(workbench, this);
    connect(labView, &lab::LabView::openInExplore, this, [this](const QString &promql) {
        m_explore->setQuery(promql);
        showPage(Page::Explore);
        m_explore->runQuery();
    });
    m_dashboards = new dashboards::DashboardsPage(workbench.datasources(), {}, this);
    connect(m_dashboards->view(), &dashboards::DashboardView::exploreRequested, this,
            [this](const QString &uid, const QString &expr) {
                m_explore->setCurrentDatasource(uid);
                m_explore->setQuery(expr);
                showPage(Page::Explore);
                m_explore->runQuery();
            });
    const QList<PageDef> pages{
        {Page::Dashboards, tr("Dashboards"), m_dashboards},
        {Page::Explore, tr("Explore"), new explore::ExploreWorkspace(m_explore, this)},
        {Page::Traces, tr("Traces"), new traces::TracesPage(&workbench.storage(), this)},
        {Page::Profiles, tr("Profiles"), m_profiles},
        {Page::Lab, tr("Lab"), labView},
        {Page::Datasources, tr("Datasources"), m_datasourcesView},
    };
    m_sidebar->setObjectName(QStringLiteral("sidebar"));
    m_sidebar->setFixedWidth(168);
    m_sidebar->setFocusPolicy(Qt::NoFocus);
    m_sidebar->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    for (const PageDef &p : pages) {
        auto *item = new QListWidgetItem(p.name, m_sidebar);
        item->setSizeHint(QSize(0, QFontMetrics(font()).height() + 18));
        m_pages->addWidget(p.widget);
    }
    connect(m_sidebar, &QListWidget::currentRowChanged, m_pages, &QStackedWidget::setCurrentIndex);

    auto *central = new QWidget(this);
    auto *row = new QHBoxLayout(central);
    row->setContentsMargins(0, 0, 0, 0);
    row->setSpacing(0);
    row->addWidget(m_sidebar);
    row->addWidget(m_pages, 1);
    setCentralWidget(central);

    // Status bar: messages, and import progress with a Cancel button.
    m_statusLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    statusBar()->addWidget(m_statusLabel, 1);
    m_progress->setRange(0, 1000);
    m_progress->setMaximumWidth(240);
    m_progress->setTextVisible(true);
    m_progress->hide();
    statusBar()->addPermanentWidget(m_progress);
    m_cancelImport->setText(tr("Cancel"));
    m_cancelImport->setToolTip(tr("Stop the import (files already imported stay)"));
    m_cancelImport->hide();
    statusBar()->addPermanentWidget(m_cancelImport);
    setStatus(tr("Ready. Import metrics with File > Import... or by dropping files on the window."));

    buildMenus();

    // Wiring.
    m_explore->setDatasources(workbench.datasourceEntries(), workbench.defaultDatasourceUid());
    m_explore->setTimeRange(m_timePicker->range());
    connect(m_timePicker, &widgets::TimeRangePicker::rangeChanged, this, &MainWindow::onTimeRangeChanged);
    connect(m_timePicker, &widgets::TimeRangePicker::refreshRequested, this, [this] {
        m_explore->setTimeRange(m_timePicker->range());
        if (!m_explore->query().trimmed().isEmpty())
            m_explore->runQuery();
    });
    connect(m_explore, &explore::ExploreView::timeRangeSelected, this,
            [this](model::TimestampMs from, model::TimestampMs to) {
                m_timePicker->setRange(model::TimeRange::absolute(from, to));
            });
    connect(m_explore, &explore::ExploreView::zoomOutRequested, m_timePicker,
            &widgets::TimeRangePicker::zoomOut);
    // A trace id in a log line opens that trace on the Traces page.
    connect(m_explore, &explore::ExploreView::traceLinkActivated, this, [this](const QString &traceId) {
        if (auto *traces = findChild<traces::TracesPage *>()) {
            showPage(Page::Traces);
            traces->openTrace(QByteArray::fromHex(traceId.toLatin1()));
        }
    });
    connect(m_profiles, &flamegraph::FlameGraphPage::loadFinished, this, [this](bool ok, const QString &message) {
        setStatus(ok ? tr("Opened %1").arg(message) : tr("Could not open the profile: %1").arg(message));
    });
    // Traces: "Metrics for this service" runs the span-metrics query in Explore.
    if (auto *tracesPage = findChild<traces::TracesPage *>()) {
        // "Metrics for this service" and "Logs for this span" open Explore in the
        // query's language over the window the trace viewer chose.
        const auto openInExplore = [this](explore::ExploreView::QueryLanguage language, const QString &query,
                                          qint64 fromNs, qint64 toNs) {
            m_explore->setQueryLanguage(language);
            m_explore->setTimeRange(model::TimeRange::absolute(fromNs / 1'000'000, toNs / 1'000'000));
            m_explore->setQuery(query);
            showPage(Page::Explore);
            m_explore->runQuery();
        };
        connect(tracesPage, &traces::TracesPage::metricsRequested, this,
                [openInExplore](const QString &promql, qint64 fromNs, qint64 toNs) {
                    openInExplore(explore::ExploreView::QueryLanguage::PromQL, promql, fromNs, toNs);
                });
        connect(tracesPage, &traces::TracesPage::logsRequested, this,
                [openInExplore](const QString &logql, qint64 fromNs, qint64 toNs) {
                    openInExplore(explore::ExploreView::QueryLanguage::LogQL, logql, fromNs, toNs);
                });
    }
    // The Diff tab can compare two time ranges of a stored profile series.
    m_profiles->setStorage(&workbench.storage());
    connect(m_importer, &ImportController::progress, this, &MainWindow::onImportProgress);
    connect(m_importer, &ImportController::finished, this, &MainWindow::onImportFinished);
    connect(m_cancelImport, &QToolButton::clicked, m_importer, &ImportController::cancel);

    showPage(Page::Explore);
}

MainWindow::~MainWindow() = default;

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *import = file->addAction(tr("&Import..."), this, &MainWindow::openImportDialog);
    import->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_I));
    import->setStatusTip(tr("Import Prometheus text or OpenMetrics files into the embedded store"));
    QAction *profile = file->addAction(tr("Open &profile..."), this, &MainWindow::openProfileDialog);
    profile->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_P));
    profile->setStatusTip(tr("Open a pprof, perf script, .cpuprofile or folded stacks file as a flame graph"));
    QAction *dashboard = file->addAction(tr("Open &dashboard..."), this, [this] {
        showPage(Page::Dashboards);
        m_dashboards->openDashboardDialog();
    });
    dashboard->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_D));
    dashboard->setStatusTip(tr("Open a Grafana dashboard JSON file"));
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    for (int i = 0; i < m_sidebar->count(); ++i) {
        QAction *a = view->addAction(m_sidebar->item(i)->text(), this, [this, i] { m_sidebar->setCurrentRow(i); });
        a->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)));
    }

    view->addSeparator();
    QAction *utc = view->addAction(tr("Show times in &UTC"));
    utc->setCheckable(true);
    connect(utc, &QAction::toggled, this, [this](bool on) {
        m_explore->setTimeZone(on ? QTimeZone::utc() : QTimeZone::systemTimeZone());
    });

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Spyglass"), this, [this] {
        QMessageBox::about(this, tr("About Spyglass"),
                           tr("<b>Spyglass</b> %1<br>A desktop observability workbench: metrics, logs, "
                              "traces and profiles from real backends and its own embedded store.")
                               .arg(QApplication::applicationVersion()));
    });
}

void MainWindow::showPage(Page page)
{
    m_sidebar->setCurrentRow(int(page));
}

MainWindow::Page MainWindow::currentPage() const
{
    return Page(m_pages->currentIndex());
}

QString MainWindow::statusMessage() const
{
    return m_statusLabel->text();
}

void MainWindow::setStatus(const QString &text)
{
    m_statusLabel->setText(text);
}

void MainWindow::openImportDialog()
{
    const QStringList files = QFileDialog::getOpenFileNames(
        this, tr("Import metrics"), QString(),
        tr("Prometheus / OpenMetrics text (*.txt *.prom *.om *.metrics *.gz);;All files (*)"));
    if (!files.isEmpty())
        importFiles(files);
}

void MainWindow::openProfileDialog()
{
    const QString file = QFileDialog::getOpenFileName(
        this, tr("Open profile"), QString(),
        tr("Profiles (*.pb *.pb.gz *.pprof *.prof *.folded *.collapsed *.txt *.cpuprofile *.perf);;All files (*)"));
    if (!file.isEmpty())
        openProfile(file);
}

void MainWindow::openProfile(const QString &path)
{
    showPage(Page::Profiles);
    setStatus(tr("Opening %1...").arg(path));
    m_profiles->openFile(path);
}

void MainWindow::importFiles(const QStringList &files)
{
    if (files.isEmpty())
        return;
    if (!m_importer->start(files)) {
        setStatus(tr("An import is already running; wait for it or cancel it first."));
        return;
    }
    m_lastImportErrors.clear();
    m_progress->setValue(0);
    m_progress->show();
    m_cancelImport->show();
    setStatus(tr("Importing %n file(s)...", nullptr, int(files.size())));
}

void MainWindow::onImportProgress(int perMille, const QString &file, int index, int count)
{
    m_progress->setValue(perMille);
    m_progress->setFormat(QStringLiteral("%1%").arg(perMille / 10));
    setStatus(count > 1 ? tr("Importing %1 (%2 of %3)...").arg(file).arg(index + 1).arg(count)
                        : tr("Importing %1...").arg(file));
}

void MainWindow::onImportFinished(const QList<ImportFileResult> &results, bool cancelled)
{
    m_progress->hide();
    m_cancelImport->hide();

    std::int64_t series = 0, samples = 0;
    model::TimestampMs minT = 0, maxT = 0;
    int okCount = 0;
    QStringList errors;
    for (const ImportFileResult &r : results) {
        if (r.ok) {
            ++okCount;
            series += r.summary.series;
            samples += r.summary.samples;
            if (r.summary.samples > 0) {
                minT = minT == 0 ? r.summary.minTime : std::min(minT, r.summary.minTime);
                maxT = std::max(maxT, r.summary.maxTime);
            }
        } else if (r.error.kind != Error::Kind::Cancelled) {
            errors.push_back(r.error.toString());
        }
    }
    m_lastImportErrors = errors.join(QLatin1Char('\n'));

    const QLocale locale;
    QString text = tr("Imported %n file(s): ", nullptr, okCount) +
                   tr("%1 series, %2 samples").arg(locale.toString(qlonglong(series)), locale.toString(qlonglong(samples)));
    if (cancelled)
        text = tr("Import cancelled. ") + text;
    if (!errors.isEmpty())
        text += tr("; %n file(s) refused", nullptr, int(errors.size()));

    // Imported files often hold data from another day: show it rather than
    // an empty "last hour".
    if (samples > 0) {
        const model::TimestampMs now = model::nowMs();
        const model::TimeRange current = m_timePicker->range();
        if (minT < current.fromMs(now) || maxT > current.toMs(now)) {
            const std::int64_t pad = std::max<std::int64_t>((maxT - minT) / 50, 60'000);
            m_timePicker->setRange(model::TimeRange::absolute(minT - pad, maxT + pad));
            text += tr(" (time range set to the imported data)");
        }
    }
    setStatus(text);
    m_datasourcesView->refresh();

    if (!errors.isEmpty()) {
        const QString message = tr("These files were not imported:\n\n%1")
                                    .arg(m_lastImportErrors);
        if (m_interactive)
            QMessageBox::warning(this, tr("Import failed"), message);
        else
            std::fprintf(stderr, "%s\n", qPrintable(message));
    }
    emit importFinished(errors.isEmpty() && !cancelled);
}

void MainWindow::onTimeRangeChanged(const model::TimeRange &range)
{
    m_explore->setTimeRange(range);
    // Like Grafana: a new range re-runs the query on screen.
    if (m_explore->lastJobId() > 0 && !m_explore->query().trimmed().isEmpty())
        m_explore->runQuery();
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    if (event->mimeData()->hasUrls()) {
        for (const QUrl &url : event->mimeData()->urls()) {
            if (url.isLocalFile()) {
                event->acceptProposedAction();
                return;
            }
        }
    }
}

void MainWindow::dropEvent(QDropEvent *event)
{
    QStringList files;
    for (const QUrl &url : event->mimeData()->urls())
        if (url.isLocalFile())
            files.push_back(url.toLocalFile());
    if (files.isEmpty())
        return;
    event->acceptProposedAction();
    importFiles(files);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    m_importer->cancel();
    QMainWindow::closeEvent(event);
}

} // namespace spyglass::gui
