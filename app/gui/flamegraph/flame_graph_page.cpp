#include "app/gui/flamegraph/flame_graph_page.h"
#include "app/gui/flamegraph/profile_range_diff_panel.h"
#include "core/formats/pprof_writer.h"

#include "app/gui/flamegraph/top_table_model.h"
#include "core/formats/folded_reader.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QElapsedTimer>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QPainter>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollArea>
#include <QScrollBar>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QSvgGenerator>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace spyglass::gui::flamegraph {

namespace {

QScrollArea *scrollFor(FlameGraphView *view, QWidget *parent)
{
    auto *scroll = new QScrollArea(parent);
    scroll->setWidget(view);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    return scroll;
}

// Flame orientation puts the root at the bottom: show it first.
void scrollToRoot(FlameGraphView *view)
{
    auto *scroll = qobject_cast<QScrollArea *>(view->parentWidget() ? view->parentWidget()->parentWidget() : nullptr);
    if (!scroll)
        return;
    QTimer::singleShot(0, scroll, [scroll, view] {
        QScrollBar *bar = scroll->verticalScrollBar();
        bar->setValue(view->orientation() == FlameGraphView::Orientation::Flame ? bar->maximum() : 0);
    });
}

QTableView *makeTable(QAbstractItemModel *model, QWidget *parent)
{
    auto *table = new QTableView(parent);
    table->setModel(model);
    table->setSortingEnabled(true);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setSelectionMode(QAbstractItemView::SingleSelection);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->verticalHeader()->hide();
    table->verticalHeader()->setDefaultSectionSize(table->fontMetrics().height() + 6);
    table->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    table->horizontalHeader()->setStretchLastSection(false);
    table->setWordWrap(false);
    table->setTextElideMode(Qt::ElideMiddle);
    return table;
}

} // namespace

FlameGraphPage::FlameGraphPage(QWidget *parent)
    : QWidget(parent),
      m_titleLabel(new QLabel(this)),
      m_profileType(new QComboBox(this)),
      m_search(new QLineEdit(this)),
      m_searchStatus(new QLabel(this)),
      m_orientation(new QComboBox(this)),
      m_colorMode(new QComboBox(this)),
      m_diffPalette(new QComboBox(this)),
      m_collapse(new QCheckBox(tr("Collapse recursion"), this)),
      m_breadcrumbBar(new QWidget(this)),
      m_breadcrumbLayout(new QHBoxLayout(m_breadcrumbBar)),
      m_tabs(new QTabWidget(this)),
      m_flame(new FlameGraphView),
      m_flameScroll(scrollFor(m_flame, this)),
      m_topModel(new TopTableModel(this)),
      m_topProxy(new QSortFilterProxyModel(this)),
      m_topFilter(new QLineEdit(this)),
      m_sandwichLabel(new QLabel(this)),
      m_callers(new FlameGraphView),
      m_callees(new FlameGraphView),
      m_diff(new FlameGraphView),
      m_diffLegend(new QLabel(this)),
      m_regressionsModel(new TopTableModel(this)),
      m_regressionsProxy(new QSortFilterProxyModel(this)),
      m_status(new QLabel(this))
{
    // Toolbar: what is shown, search, how it is drawn.
    m_titleLabel->setTextFormat(Qt::PlainText);
    m_profileType->setToolTip(tr("Sample type of the profile"));
    m_profileType->hide();
    m_search->setPlaceholderText(tr("Search functions (regular expression)"));
    m_search->setClearButtonEnabled(true);
    m_search->setMinimumWidth(260);
    m_orientation->addItem(tr("Flame graph"), int(FlameGraphView::Orientation::Flame));
    m_orientation->addItem(tr("Icicle"), int(FlameGraphView::Orientation::Icicle));
    m_orientation->setToolTip(tr("Root at the bottom (flame graph) or at the top (icicle)"));
    m_colorMode->addItem(tr("Colour by package"), int(FlameGraphView::ColorMode::Package));
    m_colorMode->addItem(tr("Colour by self share"), int(FlameGraphView::ColorMode::SelfShare));
    m_diffPalette->addItem(tr("Red / blue"), int(DiffPalette::RedBlue));
    m_diffPalette->addItem(tr("Orange / blue (colour-blind safe)"), int(DiffPalette::BlueOrange));
    m_diffPalette->setToolTip(tr("Colours of the diff: grew / shrank"));
    m_collapse->setToolTip(tr("Merge direct recursion (a;b;b;b;c becomes a;b;c)"));
    auto *exportButton = new QToolButton(this);
    exportButton->setText(tr("Export"));
    exportButton->setToolTip(tr("Save the flame graph as PNG or SVG, or the profile as folded stacks"));
    connect(exportButton, &QToolButton::clicked, this, &FlameGraphPage::showExportMenu);

    auto *toolbar = new QHBoxLayout;
    toolbar->setContentsMargins(8, 6, 8, 2);
    toolbar->addWidget(m_titleLabel);
    toolbar->addWidget(m_profileType);
    toolbar->addSpacing(8);
    toolbar->addWidget(m_search, 2);
    toolbar->addWidget(m_searchStatus, 1);
    toolbar->addWidget(m_collapse);
    toolbar->addWidget(m_orientation);
    toolbar->addWidget(m_colorMode);
    toolbar->addWidget(m_diffPalette);
    toolbar->addWidget(exportButton);

    m_breadcrumbLayout->setContentsMargins(8, 0, 8, 0);
    m_breadcrumbLayout->setSpacing(2);
    m_breadcrumbBar->setObjectName(QStringLiteral("flameBreadcrumb"));

    // Flame graph tab: top table | graph.
    m_topProxy->setSourceModel(m_topModel);
    m_topProxy->setSortRole(TopTableModel::SortRole);
    m_topProxy->setFilterKeyColumn(TopTableModel::Function);
    m_topProxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_topTable = makeTable(m_topProxy, this);
    m_topTable->sortByColumn(TopTableModel::Self, Qt::DescendingOrder);
    m_topFilter->setPlaceholderText(tr("Filter functions"));
    m_topFilter->setClearButtonEnabled(true);
    auto *tablePane = new QWidget(this);
    auto *tableLayout = new QVBoxLayout(tablePane);
    tableLayout->setContentsMargins(0, 0, 0, 0);
    tableLayout->setSpacing(4);
    tableLayout->addWidget(m_topFilter);
    tableLayout->addWidget(m_topTable, 1);
    auto *flameSplit = new QSplitter(Qt::Horizontal, this);
    flameSplit->addWidget(tablePane);
    flameSplit->addWidget(m_flameScroll);
    flameSplit->setStretchFactor(0, 0);
    flameSplit->setStretchFactor(1, 1);
    flameSplit->setSizes({440, 900});
    m_tabs->addTab(flameSplit, tr("Flame graph"));

    // Sandwich tab: callers grow up from the function, callees down.
    m_sandwichLabel->setText(tr("Pick a function: right-click a frame and choose \"Sandwich view\"."));
    m_sandwichLabel->setContentsMargins(8, 4, 8, 4);
    m_callers->setOrientation(FlameGraphView::Orientation::Flame);
    m_callees->setOrientation(FlameGraphView::Orientation::Icicle);
    auto *sandwich = new QWidget(this);
    auto *sandwichLayout = new QVBoxLayout(sandwich);
    sandwichLayout->setContentsMargins(0, 0, 0, 0);
    sandwichLayout->addWidget(m_sandwichLabel);
    auto *sandwichSplit = new QSplitter(Qt::Vertical, sandwich);
    sandwichSplit->addWidget(scrollFor(m_callers, sandwichSplit));
    sandwichSplit->addWidget(scrollFor(m_callees, sandwichSplit));
    sandwichLayout->addWidget(sandwichSplit, 1);
    m_tabs->addTab(sandwich, tr("Sandwich"));

    // Diff tab: graph above, the biggest regressions below.
    m_regressionsProxy->setSourceModel(m_regressionsModel);
    m_regressionsProxy->setSortRole(TopTableModel::SortRole);
    m_regressionsTable = makeTable(m_regressionsProxy, this);
    m_regressionsTable->sortByColumn(TopTableModel::SelfChange, Qt::DescendingOrder);
    m_diffLegend->setContentsMargins(8, 4, 8, 4);
    m_diffLegend->setTextFormat(Qt::RichText);
    auto *diffPane = new QWidget(this);
    m_diffPane = diffPane;
    auto *diffLayout = new QVBoxLayout(diffPane);
    diffLayout->setContentsMargins(0, 0, 0, 0);
    diffLayout->addWidget(m_diffLegend);
    auto *diffSplit = new QSplitter(Qt::Vertical, diffPane);
    diffSplit->addWidget(scrollFor(m_diff, diffSplit));
    diffSplit->addWidget(m_regressionsTable);
    diffSplit->setSizes({500, 220});
    diffLayout->addWidget(diffSplit, 1);
    m_tabs->addTab(diffPane, tr("Diff"));
    m_tabs->setTabEnabled(DiffTab, false);
    m_tabs->setDocumentMode(true);

    m_status->setContentsMargins(8, 2, 8, 4);
    m_status->setTextFormat(Qt::PlainText);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addLayout(toolbar);
    layout->addWidget(m_breadcrumbBar);
    layout->addWidget(m_tabs, 1);
    layout->addWidget(m_status);

    // Wiring.
    connect(m_search, &QLineEdit::textChanged, this, &FlameGraphPage::setSearchText);
    connect(m_topFilter, &QLineEdit::textChanged, m_topProxy, &QSortFilterProxyModel::setFilterFixedString);
    connect(m_collapse, &QCheckBox::toggled, this, &FlameGraphPage::setCollapseRecursion);
    connect(m_profileType, &QComboBox::activated, this, &FlameGraphPage::selectProfileType);
    connect(m_orientation, &QComboBox::currentIndexChanged, this, [this] {
        const auto o = FlameGraphView::Orientation(m_orientation->currentData().toInt());
        m_flame->setOrientation(o);
        m_diff->setOrientation(o);
        scrollToRoot(m_flame);
        scrollToRoot(m_diff);
    });
    connect(m_colorMode, &QComboBox::currentIndexChanged, this, [this] {
        const auto mode = FlameGraphView::ColorMode(m_colorMode->currentData().toInt());
        for (FlameGraphView *v : {m_flame, m_callers, m_callees})
            v->setColorMode(mode);
    });
    connect(m_diffPalette, &QComboBox::currentIndexChanged, this, [this] {
        m_diff->setDiffPalette(DiffPalette(m_diffPalette->currentData().toInt()));
        updateSearchStatus(); // the legend names the colours
    });
    connect(m_topTable->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &FlameGraphPage::onTopRowChanged);
    connect(m_regressionsTable->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                const QModelIndex src = m_regressionsProxy->mapToSource(current);
                m_diff->setHighlightedFunction(
                    src.isValid() ? int(m_regressionsModel->functionAt(src.row())) : -1);
            });
    connect(m_flame, &FlameGraphView::frameClicked, this, &FlameGraphPage::onFrameClicked);
    connect(m_flame, &FlameGraphView::zoomChanged, this, &FlameGraphPage::updateBreadcrumb);
    for (FlameGraphView *v : {m_flame, m_callers, m_callees, m_diff})
        connect(v, &FlameGraphView::frameContextMenuRequested, this,
                [this, v](int node, const QPoint &pos) { showFrameMenu(v, node, pos); });

    m_diffPalette->hide();
    updateBreadcrumb();
    setStatusText(tr("No profile. Open a pprof, perf script or folded stacks file with File > Open profile..."));
}

FlameGraphPage::~FlameGraphPage() = default;

void FlameGraphPage::setProfile(const model::Profile &profile, const QString &title)
{
    setProfiles({profile}, title);
}

void FlameGraphPage::setProfiles(const QList<model::Profile> &profiles, const QString &title)
{
    m_profiles = profiles;
    m_title = title;
    m_titleLabel->setText(title);
    m_profileType->clear();
    for (const auto &p : profiles)
        m_profileType->addItem(p.typeId.isEmpty() ? tr("samples") : p.typeId);
    m_profileType->setVisible(profiles.size() > 1);
    m_request.baseline.reset();
    m_request.focusFunction.clear();
    m_request.hiddenFunctions.clear();
    m_request.sandwichFunction.clear();
    // With a store the Diff tab stays: it also picks time ranges to compare.
    m_tabs->setTabEnabled(DiffTab, m_rangeDiff != nullptr);
    m_diffPalette->hide();
    const int index = preferredProfileIndex(profiles);
    m_profileType->setCurrentIndex(index);
    selectProfileType(index);
}

void FlameGraphPage::selectProfileType(int index)
{
    if (index < 0 || index >= m_profiles.size()) {
        m_request.profile.reset();
    } else {
        m_request.profile = std::make_shared<const model::Profile>(m_profiles[index]);
    }
    rebuild();
}

void FlameGraphPage::setDiffProfiles(const model::Profile &baseline, const model::Profile &comparison,
                                     const QString &title)
{
    m_profiles = {comparison};
    m_title = title;
    m_titleLabel->setText(title);
    m_profileType->clear();
    m_profileType->hide();
    m_request.profile = std::make_shared<const model::Profile>(comparison);
    m_request.baseline = std::make_shared<const model::Profile>(baseline);
    m_request.focusFunction.clear();
    m_request.hiddenFunctions.clear();
    m_request.sandwichFunction.clear();
    m_tabs->setTabEnabled(DiffTab, true);
    m_tabs->setCurrentIndex(DiffTab);
    m_diffPalette->show();
    rebuild();
}

void FlameGraphPage::openFile(const QString &path)
{
    const int id = ++m_loadId;
    setStatusText(tr("Reading %1...").arg(path));
    QtConcurrent::run([path] { return loadProfileFile(path); })
        .then(this, [this, id, path](const Result<QList<model::Profile>> &result) {
            if (id != m_loadId)
                return;
            if (!result) {
                setStatusText(result.error().toString());
                emit loadFinished(false, result.error().toString());
                return;
            }
            if (result->isEmpty()) {
                const QString msg = tr("%1 holds no samples").arg(path);
                setStatusText(msg);
                emit loadFinished(false, msg);
                return;
            }
            setProfiles(*result, QFileInfo(path).fileName());
            emit loadFinished(true, path);
        });
}

void FlameGraphPage::openDiffFiles(const QString &baselinePath, const QString &comparisonPath)
{
    const int id = ++m_loadId;
    setStatusText(tr("Reading %1 and %2...").arg(baselinePath, comparisonPath));
    using Pair = std::pair<model::Profile, model::Profile>;
    QtConcurrent::run([baselinePath, comparisonPath]() -> Result<Pair> {
        auto a = loadProfileFile(baselinePath);
        if (!a)
            return fail(a.error());
        auto b = loadProfileFile(comparisonPath);
        if (!b)
            return fail(b.error());
        if (a->isEmpty() || b->isEmpty())
            return fail(Error::badData(QObject::tr("one of the files holds no samples")));
        // Compare like with like: the same sample type when both have it.
        const model::Profile &pa = (*a)[preferredProfileIndex(*a)];
        for (const auto &pb : *b)
            if (pb.typeId == pa.typeId)
                return Pair{pa, pb};
        return Pair{pa, (*b)[preferredProfileIndex(*b)]};
    }).then(this, [this, id, baselinePath, comparisonPath](const Result<Pair> &result) {
        if (id != m_loadId)
            return;
        if (!result) {
            setStatusText(result.error().toString());
            emit loadFinished(false, result.error().toString());
            return;
        }
        setDiffProfiles(result->first, result->second,
                        tr("%1 vs %2").arg(QFileInfo(baselinePath).fileName(), QFileInfo(comparisonPath).fileName()));
        emit loadFinished(true, comparisonPath);
    });
}

void FlameGraphPage::setCollapseRecursion(bool on)
{
    if (m_collapse->isChecked() != on)
        m_collapse->setChecked(on); // comes back here through toggled
    if (m_request.collapseRecursion == on)
        return;
    m_request.collapseRecursion = on;
    rebuild();
}

void FlameGraphPage::setFocusFunction(const QString &function)
{
    if (m_request.focusFunction == function)
        return;
    m_request.focusFunction = function;
    rebuild();
}

void FlameGraphPage::hideFunction(const QString &function)
{
    if (function.isEmpty() || m_request.hiddenFunctions.contains(function))
        return;
    m_request.hiddenFunctions.push_back(function);
    if (m_request.focusFunction == function)
        m_request.focusFunction.clear();
    rebuild();
}

void FlameGraphPage::clearHiddenFunctions()
{
    if (m_request.hiddenFunctions.isEmpty())
        return;
    m_request.hiddenFunctions.clear();
    rebuild();
}

void FlameGraphPage::showSandwich(const QString &function)
{
    m_tabs->setCurrentIndex(SandwichTab);
    if (m_request.sandwichFunction == function)
        return;
    m_request.sandwichFunction = function;
    m_sandwichLabel->setText(tr("Callers of %1 above, its callees below").arg(function));
    rebuild();
}

void FlameGraphPage::setSearchText(const QString &pattern)
{
    if (m_search->text() != pattern)
        m_search->setText(pattern); // comes back here through textChanged
    for (FlameGraphView *v : {m_flame, m_callers, m_callees, m_diff})
        v->setSearchPattern(pattern);
    updateSearchStatus();
}

void FlameGraphPage::rebuild()
{
    const int id = ++m_jobId;
    m_busy = true;
    const FlameGraphRequest request = m_request;
    QElapsedTimer timer;
    timer.start();
    QtConcurrent::run([request] { return buildFlameGraphs(request); })
        .then(this, [this, id, timer](const FlameGraphResult &result) {
            if (id != m_jobId)
                return; // superseded
            m_busy = false;
            applyResult(result);
            const auto *tree = result.tree.get();
            if (tree && m_request.profile) {
                const QLocale locale;
                const ValueUnit unit = unitFromTypeId(m_request.profile->typeId);
                setStatusText(tr("%1 total · %2 stacks · %3 functions · %4 frames · laid out in %5 ms")
                                  .arg(formatValue(tree->total(), unit),
                                       locale.toString(qlonglong(m_request.profile->stacks.size())),
                                       locale.toString(qlonglong(m_request.profile->functionNames.size())),
                                       locale.toString(qlonglong(tree->size() - 1)),
                                       locale.toString(timer.elapsed())));
            }
            emit layoutReady(id);
        });
}

void FlameGraphPage::applyResult(const FlameGraphResult &result)
{
    const ValueUnit unit = m_request.profile ? unitFromTypeId(m_request.profile->typeId) : ValueUnit::Count;
    m_flame->setTree(result.tree, unit);
    if (result.tree)
        m_topModel->setTree(*result.tree, unit);
    else
        m_topModel->clear();
    // Fixed widths from the font: ResizeToContents would measure every row.
    const int valueWidth = m_topTable->fontMetrics().horizontalAdvance(QStringLiteral("000.0 ms  00.00 %")) + 18;
    m_topTable->horizontalHeader()->setSectionResizeMode(TopTableModel::Function, QHeaderView::Stretch);
    m_topTable->setColumnWidth(TopTableModel::Self, valueWidth);
    m_topTable->setColumnWidth(TopTableModel::Total, valueWidth);
    m_callers->setTree(result.callers, unit);
    m_callees->setTree(result.callees, unit);
    m_diff->setTree(result.diff, unit);
    if (result.diff)
        m_regressionsModel->setTree(*result.diff, unit);
    else
        m_regressionsModel->clear();
    m_regressionsTable->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    for (FlameGraphView *v : {m_flame, m_callers, m_callees, m_diff})
        v->setSearchPattern(m_search->text());
    scrollToRoot(m_flame);
    scrollToRoot(m_callers);
    scrollToRoot(m_diff);
    updateBreadcrumb();
    updateSearchStatus();
}

QStringList FlameGraphPage::breadcrumbLabels() const
{
    QStringList out;
    for (auto *b : m_breadcrumbBar->findChildren<QToolButton *>(QString(), Qt::FindDirectChildrenOnly))
        out.push_back(b->text());
    return out;
}

void FlameGraphPage::updateBreadcrumb()
{
    while (QLayoutItem *item = m_breadcrumbLayout->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    const CallTree *tree = m_flame->tree();
    if (tree && !tree->isEmpty()) {
        const QList<int> path = m_flame->breadcrumb();
        for (int i = 0; i < path.size(); ++i) {
            const int node = path[i];
            if (i > 0) {
                auto *sep = new QLabel(QStringLiteral("›"), m_breadcrumbBar);
                sep->setObjectName(QStringLiteral("separator"));
                m_breadcrumbLayout->addWidget(sep);
            }
            auto *button = new QToolButton(m_breadcrumbBar);
            QString name = tree->name(node);
            if (name.size() > 40)
                name = name.left(18) + QStringLiteral("…") + name.right(18);
            button->setText(name);
            button->setToolTip(tree->name(node));
            button->setAutoRaise(true);
            button->setEnabled(i + 1 < path.size()); // the current one is where we are
            connect(button, &QToolButton::clicked, m_flame, [this, node] { m_flame->zoomTo(node); });
            m_breadcrumbLayout->addWidget(button);
        }
    }
    m_breadcrumbLayout->addStretch(1);
    if (!m_request.focusFunction.isEmpty()) {
        auto *chip = new QPushButton(tr("Focus: %1  ✕").arg(m_request.focusFunction), m_breadcrumbBar);
        chip->setObjectName(QStringLiteral("focusChip"));
        chip->setFlat(true);
        chip->setToolTip(tr("Show the whole profile again"));
        connect(chip, &QPushButton::clicked, this, [this] { setFocusFunction({}); });
        m_breadcrumbLayout->addWidget(chip);
    }
    if (!m_request.hiddenFunctions.isEmpty()) {
        auto *chip = new QPushButton(tr("Hidden: %1  ✕").arg(m_request.hiddenFunctions.join(QStringLiteral(", "))),
                                     m_breadcrumbBar);
        chip->setObjectName(QStringLiteral("hiddenChip"));
        chip->setFlat(true);
        chip->setToolTip(tr("Show hidden functions again"));
        connect(chip, &QPushButton::clicked, this, &FlameGraphPage::clearHiddenFunctions);
        m_breadcrumbLayout->addWidget(chip);
    }
}

void FlameGraphPage::updateSearchStatus()
{
    const CallTree *tree = m_flame->tree();
    const QString pattern = m_search->text();
    if (pattern.isEmpty() || !tree) {
        m_searchStatus->clear();
    } else if (!QRegularExpression(pattern).isValid()) {
        m_searchStatus->setText(tr("<span style='color:#f2495c'>invalid regular expression</span>"));
    } else {
        const SearchResult &r = m_flame->searchResult();
        m_searchStatus->setText(tr("%n frame(s) match · %1 of total (%2)", nullptr, r.matchedNodes)
                                    .arg(formatShare(r.share), formatValue(r.matchedTotal, m_flame->unit())));
    }
    const bool cbSafe = m_diffPalette->currentData().toInt() == int(DiffPalette::BlueOrange);
    const QString grew = cbSafe ? QStringLiteral("#f58c1b") : QStringLiteral("#e02f44");
    m_diffLegend->setText(tr("Width: both profiles, each normalised to its total. "
                             "<span style='color:%1'>■ grew in B</span> · "
                             "<span style='color:#3274d9'>■ shrank in B</span> · "
                             "hatched ╱ only in A, ╲ only in B")
                              .arg(grew));
}

void FlameGraphPage::onTopRowChanged(const QModelIndex &current)
{
    const QModelIndex src = m_topProxy->mapToSource(current);
    m_flame->setHighlightedFunction(src.isValid() ? int(m_topModel->functionAt(src.row())) : -1);
}

void FlameGraphPage::onFrameClicked(int node)
{
    const CallTree *tree = m_flame->tree();
    if (!tree || node <= 0) {
        m_topTable->selectionModel()->clearCurrentIndex();
        m_topTable->clearSelection();
        return;
    }
    const int row = m_topModel->rowOfFunction(tree->node(node).name);
    if (row < 0)
        return;
    QModelIndex index = m_topProxy->mapFromSource(m_topModel->index(row, 0));
    if (!index.isValid()) {
        m_topFilter->clear(); // the row is filtered out: show it
        index = m_topProxy->mapFromSource(m_topModel->index(row, 0));
    }
    m_topTable->selectionModel()->setCurrentIndex(
        index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_topTable->scrollTo(index);
}

void FlameGraphPage::showFrameMenu(FlameGraphView *view, int node, const QPoint &globalPos)
{
    const CallTree *tree = view->tree();
    if (!tree || node <= 0)
        return;
    const QString name = tree->name(node);
    QMenu menu(this);
    if (view == m_flame)
        menu.addAction(tr("Zoom"), this, [view, node] { view->zoomTo(node); });
    menu.addAction(tr("Focus on function"), this, [this, name] {
        m_tabs->setCurrentIndex(FlameTab);
        setFocusFunction(name);
    });
    menu.addAction(tr("Hide function"), this, [this, name] { hideFunction(name); });
    menu.addAction(tr("Sandwich view"), this, [this, name] { showSandwich(name); });
    menu.addSeparator();
    menu.addAction(tr("Copy function name"), this, [name] { QApplication::clipboard()->setText(name); });
    menu.exec(globalPos);
}

void FlameGraphPage::showExportMenu()
{
    QMenu menu(this);
    menu.addAction(tr("Flame graph as PNG..."), this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export PNG"), QString(), tr("PNG (*.png)"));
        if (!path.isEmpty() && !exportPng(path))
            setStatusText(tr("Could not write %1").arg(path));
    });
    menu.addAction(tr("Flame graph as SVG..."), this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export SVG"), QString(), tr("SVG (*.svg)"));
        if (!path.isEmpty() && !exportSvg(path))
            setStatusText(tr("Could not write %1").arg(path));
    });
    menu.addAction(tr("Profile as folded stacks..."), this, [this] {
        const QString path =
            QFileDialog::getSaveFileName(this, tr("Export folded stacks"), QString(), tr("Folded stacks (*.folded *.txt)"));
        if (!path.isEmpty() && !exportFolded(path))
            setStatusText(tr("Could not write %1").arg(path));
    });
    menu.addAction(tr("Profile as pprof..."), this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export pprof"), QString(),
                                                          tr("pprof (*.pb.gz *.pprof)"));
        if (!path.isEmpty() && !exportPprof(path))
            setStatusText(tr("Could not write %1").arg(path));
    });
    menu.exec(QCursor::pos());
}

bool FlameGraphPage::exportPprof(const QString &path)
{
    if (!m_request.profile)
        return false;
    const Result<void> written = formats::PprofWriter::writeFile(*m_request.profile, path);
    if (!written)
        setStatusText(written.error().toString());
    return written.has_value();
}

void FlameGraphPage::setStorage(store::Storage *storage)
{
    if (m_rangeDiff || !storage)
        return;
    m_rangeDiff = new ProfileRangeDiffPanel(storage, m_diffPane);
    static_cast<QVBoxLayout *>(m_diffPane->layout())->insertWidget(0, m_rangeDiff);
    m_tabs->setTabEnabled(DiffTab, true);
    connect(m_rangeDiff, &ProfileRangeDiffPanel::diffReady, this,
            [this](const model::Profile &a, const model::Profile &b, const QString &title) {
                setDiffProfiles(a, b, title);
            });
    connect(m_tabs, &QTabWidget::currentChanged, m_rangeDiff, [this](int tab) {
        if (tab == DiffTab && m_rangeDiff->seriesCombo()->count() == 0)
            m_rangeDiff->reloadSeries();
    });
}

bool FlameGraphPage::exportPng(const QString &path)
{
    return m_flame->grab().save(path, "PNG");
}

bool FlameGraphPage::exportSvg(const QString &path)
{
    QSvgGenerator svg;
    svg.setFileName(path);
    svg.setSize(m_flame->size());
    svg.setViewBox(QRect(QPoint(0, 0), m_flame->size()));
    svg.setTitle(m_title);
    QPainter painter;
    if (!painter.begin(&svg))
        return false;
    m_flame->render(&painter);
    return painter.end() && QFileInfo(path).size() > 0;
}

bool FlameGraphPage::exportFolded(const QString &path)
{
    if (!m_request.profile)
        return false;
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    const QByteArray text = formats::FoldedReader::write(*m_request.profile);
    return f.write(text) == text.size();
}

void FlameGraphPage::setStatusText(const QString &text)
{
    m_status->setText(text);
}

} // namespace spyglass::gui::flamegraph
