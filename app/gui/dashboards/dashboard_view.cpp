#include "app/gui/dashboards/dashboard_view.h"

#include "app/gui/dashboards/dashboard_settings_dialog.h"
#include "app/gui/dashboards/panel_editor_dialog.h"
#include "app/gui/dashboards/registry_environment.h"
#include "app/gui/dashboards/variable_bar.h"
#include "app/gui/explore/frames_table_model.h"
#include "app/gui/panels/panel_view.h"
#include "app/gui/widgets/time_range_picker.h"
#include "core/dashboard/panel_query_builder.h"
#include "core/datasource/datasource_registry.h"

#include <QComboBox>
#include <QDateTime>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QKeyEvent>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>
#include <QtConcurrent>
#include <algorithm>
#include <numeric>

namespace spyglass::gui::dashboards {

namespace {

constexpr int kCellHeight = 30; // Grafana's GRID_CELL_HEIGHT
constexpr int kMargin = 8;      // Grafana's GRID_CELL_VMARGIN

QString str(const char *s) { return QString::fromLatin1(s); }

} // namespace

// The grid: places panel frames and row headers from gridPos on 24 columns,
// floating items up like Grafana's layout does (so collapsed rows close the
// gap they leave).
class DashboardCanvas : public QWidget
{
public:
    struct Item
    {
        QWidget *widget = nullptr;
        dashboard::GridPos pos;
        bool isRow = false;
    };

    explicit DashboardCanvas(DashboardView *view) : QWidget(view), m_view(view) {}

    void setItems(QList<Item> items)
    {
        m_items = std::move(items);
        relayout();
    }
    const QList<Item> &items() const { return m_items; }
    void setSoloWidget(QWidget *w, int height)
    {
        m_solo = w;
        m_soloHeight = height;
        relayout();
    }

    void relayout()
    {
        const int width = std::max(this->width(), 200);
        if (m_solo) {
            for (const Item &it : m_items)
                it.widget->setVisible(it.widget == m_solo);
            m_solo->setGeometry(kMargin / 2, kMargin / 2, width - kMargin, std::max(m_soloHeight - kMargin, 100));
            setMinimumHeight(m_soloHeight);
            return;
        }
        // Vertical compaction in (y, x) order.
        QList<int> order(m_items.size());
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
            const auto &pa = m_items[a].pos;
            const auto &pb = m_items[b].pos;
            return pa.y != pb.y ? pa.y < pb.y : pa.x < pb.x;
        });
        struct Placed
        {
            int x, w, y, h;
        };
        QList<Placed> placed;
        int bottom = 0;
        for (int i : order) {
            const Item &it = m_items[i];
            const int x = std::clamp(it.pos.x, 0, 23);
            const int w = std::clamp(it.pos.w, 1, 24 - x);
            const int h = std::max(it.pos.h, 1);
            int y = 0;
            for (const Placed &p : placed)
                if (x < p.x + p.w && p.x < x + w)
                    y = std::max(y, p.y + p.h);
            placed.append({x, w, y, h});
            bottom = std::max(bottom, y + h);
            const int left = int(std::lround(double(x) * width / 24.0));
            const int right = int(std::lround(double(x + w) * width / 24.0));
            const QRect r(left + kMargin / 2, y * (kCellHeight + kMargin) + kMargin / 2, right - left - kMargin,
                          h * kCellHeight + (h - 1) * kMargin);
            it.widget->setGeometry(r);
            it.widget->setVisible(true);
        }
        setMinimumHeight(bottom * (kCellHeight + kMargin) + kMargin);
    }

protected:
    void resizeEvent(QResizeEvent *event) override
    {
        QWidget::resizeEvent(event);
        relayout();
        QTimer::singleShot(0, m_view, [v = QPointer<DashboardView>(m_view)] {
            if (v)
                v->queryVisiblePanels();
        });
    }

private:
    DashboardView *m_view;
    QList<Item> m_items;
    QWidget *m_solo = nullptr;
    int m_soloHeight = 0;
};

DashboardView::DashboardView(datasource::DatasourceRegistry &registry, QWidget *parent)
    : QWidget(parent),
      m_registry(registry),
      m_title(new QLabel(this)),
      m_timePicker(new widgets::TimeRangePicker(this)),
      m_refreshPicker(new QComboBox(this)),
      m_saveButton(new QToolButton(this)),
      m_variableBar(new VariableBar(this)),
      m_variableErrors(new QLabel(this)),
      m_scroll(new QScrollArea(this)),
      m_canvas(new DashboardCanvas(this)),
      m_autoTimer(new QTimer(this))
{
    setObjectName(QStringLiteral("dashboardView"));
    // Remote datasources block on the network: more threads than cores.
    m_pool.setMaxThreadCount(std::max(4, QThread::idealThreadCount()));

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);

    auto *toolbar = new QHBoxLayout;
    toolbar->setContentsMargins(8, 4, 8, 4);
    QFont tf = m_title->font();
    tf.setPointSizeF(tf.pointSizeF() * 1.2);
    tf.setBold(true);
    m_title->setFont(tf);
    m_title->setTextFormat(Qt::PlainText);
    toolbar->addWidget(m_title);
    toolbar->addStretch();
    m_saveButton->setText(tr("Save"));
    m_saveButton->setToolTip(tr("Save the dashboard (Ctrl+S)"));
    m_saveButton->setShortcut(QKeySequence::Save);
    connect(m_saveButton, &QToolButton::clicked, this, [this] {
        if (auto r = save(); !r)
            QMessageBox::warning(this, tr("Save dashboard"), r.error().toString());
    });
    auto *exportButton = new QToolButton(this);
    exportButton->setText(tr("Export\u2026"));
    exportButton->setToolTip(tr("Save the dashboard's JSON to a file Grafana can import"));
    connect(exportButton, &QToolButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export dashboard JSON"),
                                                          m_dashboard.title() + QStringLiteral(".json"),
                                                          tr("Grafana dashboard (*.json)"));
        if (path.isEmpty())
            return;
        if (auto r = currentDashboard().save(path); !r)
            QMessageBox::warning(this, tr("Export dashboard"), r.error().toString());
    });
    auto *settingsButton = new QToolButton(this);
    settingsButton->setText(tr("Settings"));
    connect(settingsButton, &QToolButton::clicked, this, &DashboardView::openSettings);
    toolbar->addWidget(m_saveButton);
    toolbar->addWidget(exportButton);
    toolbar->addWidget(settingsButton);
    toolbar->addSpacing(12);
    toolbar->addWidget(m_timePicker);
    m_refreshPicker->setToolTip(tr("Auto refresh"));
    for (const char *r : {"", "5s", "10s", "30s", "1m", "5m", "15m", "30m", "1h"})
        m_refreshPicker->addItem(*r ? QString::fromLatin1(r) : tr("Off"), QString::fromLatin1(r));
    toolbar->addWidget(m_refreshPicker);
    layout->addLayout(toolbar);
    layout->addWidget(m_variableBar);
    m_variableErrors->setStyleSheet(QStringLiteral("color: #ff7383; padding: 2px 8px;"));
    m_variableErrors->setWordWrap(true);
    m_variableErrors->hide();
    layout->addWidget(m_variableErrors);

    m_scroll->setWidgetResizable(true);
    m_scroll->setFrameShape(QFrame::NoFrame);
    m_scroll->setWidget(m_canvas);
    layout->addWidget(m_scroll, 1);

    connect(m_scroll->verticalScrollBar(), &QScrollBar::valueChanged, this, [this] { queryVisiblePanels(); });
    connect(m_timePicker, &widgets::TimeRangePicker::rangeChanged, this, [this](const model::TimeRange &r) {
        m_range = r;
        setModified(true);
        refresh();
    });
    connect(m_timePicker, &widgets::TimeRangePicker::refreshRequested, this, &DashboardView::refresh);
    connect(m_refreshPicker, &QComboBox::activated, this,
            [this](int i) { setAutoRefresh(m_refreshPicker->itemData(i).toString()); });
    connect(m_autoTimer, &QTimer::timeout, this, [this] {
        // Skip a beat rather than pile up runs behind a slow datasource.
        if (isSettled())
            refresh();
    });
    connect(m_variableBar, &VariableBar::valueChanged, this, &DashboardView::onVariableChanged);
    connect(m_variableBar, &VariableBar::adhocFiltersChanged, this,
            [this](const QString &name, const QList<dashboard::AdhocFilter> &filters) {
                if (dashboard::Variable *v = m_variables.find(name)) {
                    v->setFilters(filters);
                    setModified(true);
                    invalidatePanels();
                    queryVisiblePanels();
                }
            });
}

DashboardView::~DashboardView()
{
    for (const CancelToken &t : std::as_const(m_cancel))
        t.cancel();
    m_pool.waitForDone();
}

Result<void> DashboardView::openFile(const QString &path)
{
    auto d = dashboard::Dashboard::load(path);
    if (!d)
        return fail(d.error());
    setDashboard(std::move(*d), path);
    return {};
}

void DashboardView::setDashboard(dashboard::Dashboard d, const QString &path)
{
    for (const CancelToken &t : std::as_const(m_cancel))
        t.cancel();
    m_cancel.clear();
    m_jobs.clear();
    m_executed.clear();
    m_dashboard = std::move(d);
    m_path = path;
    m_loaded = true;
    m_viewPanelId = -1;
    auto vars = dashboard::VariableSet::fromJson(m_dashboard.variablesJson());
    m_variables = vars ? std::move(*vars) : dashboard::VariableSet();
    m_variableErrors->setText(vars ? QString() : tr("Variables: %1").arg(vars.error().message));
    m_variableErrors->setVisible(!vars);
    m_title->setText(m_dashboard.title());
    emit titleChanged(m_dashboard.title());
    auto range = model::TimeRange::parse(m_dashboard.timeFrom(), m_dashboard.timeTo());
    m_range = range ? *range : model::TimeRange();
    {
        QSignalBlocker block(m_timePicker);
        m_timePicker->setRange(m_range);
    }
    const QString refresh = m_dashboard.refresh();
    m_autoRefresh.clear();
    setAutoRefresh(refresh);
    updateMapper();
    rebuildPanels();
    m_variableBar->setVariables(m_variables);
    setModified(false);
    m_wasSettled = false;
    m_loadPending = true;
    refreshVariables(dashboard::VariableSet::Trigger::Load);
}

void DashboardView::updateMapper()
{
    const QList<datasource::DatasourceSettings> configured = m_registry.settingsList();
    m_mapper.setConfigured(configured, m_registry.defaultUid());
    m_mapper.setInputs(m_dashboard.inputs());
    m_mapper.clearChoices();
    for (auto it = m_choices.constBegin(); it != m_choices.constEnd(); ++it)
        m_mapper.setChoice(it.key(), it.value());
}

dashboard::Dashboard DashboardView::currentDashboard() const
{
    dashboard::Dashboard d = m_dashboard;
    d.setVariablesJson(m_variables.toJson());
    if (m_range.fromText() != m_dashboard.timeFrom() || m_range.toText() != m_dashboard.timeTo())
        d.setTime(m_range.fromText(), m_range.toText());
    if (m_autoRefresh != m_dashboard.refresh() && !(m_autoRefresh.isEmpty() && m_dashboard.toJson().value(u"refresh").isBool()))
        d.setRefresh(m_autoRefresh);
    return d;
}

void DashboardView::setTimeRange(const model::TimeRange &range)
{
    m_range = range;
    QSignalBlocker block(m_timePicker);
    m_timePicker->setRange(range);
    if (m_loaded)
        refresh();
}

void DashboardView::setAutoRefresh(const QString &interval)
{
    m_autoRefresh = interval;
    const int idx = m_refreshPicker->findData(interval);
    if (idx >= 0) {
        m_refreshPicker->setCurrentIndex(idx);
    } else if (!interval.isEmpty()) {
        m_refreshPicker->addItem(interval, interval);
        m_refreshPicker->setCurrentIndex(m_refreshPicker->count() - 1);
    }
    auto ms = model::parseDuration(interval);
    if (interval.isEmpty() || !ms || *ms <= 0) {
        m_autoTimer->stop();
        return;
    }
    m_autoTimer->start(int(std::max<std::int64_t>(*ms, 1000)));
}

void DashboardView::chooseDatasource(const QString &refKey, const QString &uid)
{
    m_choices.insert(refKey, uid);
    updateMapper();
    refreshVariables(dashboard::VariableSet::Trigger::Load);
}

dashboard::InterpolationScope DashboardView::scope() const
{
    dashboard::InterpolationScope s;
    s.from = m_resolvedFrom;
    s.to = m_resolvedTo;
    s.dashboardTitle = m_dashboard.title();
    s.dashboardUid = m_dashboard.uid();
    return s;
}

QJsonObject DashboardView::interpolatedPanelJson(const dashboard::Panel &panel) const
{
    QJsonObject j = panel.json();
    const dashboard::InterpolationScope s = scope();
    for (const char *key : {"title", "description"})
        if (j.contains(QLatin1String(key)))
            j[QLatin1String(key)] = m_variables.interpolate(j.value(QLatin1String(key)).toString(), s,
                                                            dashboard::DefaultFormat::Text);
    // Text panels show variables too.
    QJsonObject options = j.value(u"options").toObject();
    if (options.contains(u"content")) {
        options[str("content")] = m_variables.interpolate(options.value(u"content").toString(), s);
        j[str("options")] = options;
    }
    return j;
}

void DashboardView::rebuildPanels()
{
    QList<DashboardCanvas::Item> items;
    for (PanelFrame *f : std::as_const(m_frames))
        f->deleteLater();
    m_frames.clear();
    for (const auto &it : m_canvas->items())
        if (it.isRow)
            it.widget->deleteLater();
    m_canvas->setSoloWidget(nullptr, 0);

    const QList<dashboard::Panel> &top = m_dashboard.panels();
    auto addPanel = [&](const dashboard::Panel &p) {
        auto *frame = new PanelFrame(p, m_canvas);
        frame->setPanelJson(interpolatedPanelJson(p));
        connect(frame, &PanelFrame::actionTriggered, this, &DashboardView::onPanelAction);
        connect(frame, &PanelFrame::datasourceChosen, this, &DashboardView::chooseDatasource);
        if (panels::PanelView *v = frame->view()) {
            connect(v, &panels::PanelView::timeRangeSelected, this, [this](model::TimestampMs from, model::TimestampMs to) {
                if (to > from) {
                    m_range = model::TimeRange::absolute(from, to);
                    {
                        QSignalBlocker block(m_timePicker);
                        m_timePicker->setRange(m_range);
                    }
                    setModified(true);
                    refresh();
                }
            });
            connect(v, &panels::PanelView::crosshairMoved, this, [this, v](std::optional<model::TimestampMs> t) {
                for (PanelFrame *other : std::as_const(m_frames))
                    if (other->view() && other->view() != v)
                        other->view()->setCrosshairTime(t);
            });
            connect(v, &panels::PanelView::linkActivated, this, &DashboardView::linkActivated);
        }
        m_frames.append(frame);
        items.append({frame, p.gridPos(), false});
    };
    for (int i = 0; i < top.size(); ++i) {
        const dashboard::Panel &p = top[i];
        if (!p.isRow()) {
            addPanel(p);
            continue;
        }
        auto *header = new QToolButton(m_canvas);
        header->setAutoRaise(true);
        header->setToolButtonStyle(Qt::ToolButtonTextOnly);
        header->setStyleSheet(QStringLiteral("QToolButton { text-align: left; font-weight: bold; font-size: 11pt; padding-left: 4px; }"));
        const QString title = m_variables.interpolate(p.title(), scope(), dashboard::DefaultFormat::Text);
        const bool collapsed = p.isCollapsed();
        header->setText((collapsed ? QStringLiteral("\u25b8 ") : QStringLiteral("\u25be ")) + title +
                        (collapsed ? tr("  (%n panels)", nullptr, int(p.children().size())) : QString()));
        header->setToolTip(collapsed ? tr("Expand row") : tr("Collapse row"));
        connect(header, &QToolButton::clicked, this, [this, i] { toggleRow(i); });
        dashboard::GridPos pos = p.gridPos();
        pos.x = 0;
        pos.w = 24;
        pos.h = 1;
        items.append({header, pos, true});
        // Children of a collapsed row stay hidden and never query.
    }
    m_canvas->setItems(items);
    m_needsQuery.clear();
    for (PanelFrame *f : std::as_const(m_frames))
        m_needsQuery.insert(f->panelId());
}

void DashboardView::toggleRow(int rowIndex)
{
    QList<dashboard::Panel> &top = m_dashboard.panels();
    if (rowIndex < 0 || rowIndex >= top.size() || !top[rowIndex].isRow())
        return;
    dashboard::Panel &row = top[rowIndex];
    QJsonObject j = row.json();
    if (row.isCollapsed()) {
        const QList<dashboard::Panel> kids = row.children();
        row.children().clear();
        j[str("collapsed")] = false;
        row.setJson(j);
        for (int k = 0; k < kids.size(); ++k)
            top.insert(rowIndex + 1 + k, kids[k]);
    } else {
        QList<dashboard::Panel> kids;
        while (rowIndex + 1 < top.size() && !top[rowIndex + 1].isRow())
            kids.append(top.takeAt(rowIndex + 1));
        j[str("collapsed")] = true;
        top[rowIndex].setJson(j);
        top[rowIndex].children() = kids;
    }
    setModified(true);
    rebuildPanels();
    queryVisiblePanels();
}

void DashboardView::refresh()
{
    if (!m_loaded)
        return;
    // A range set before the on-load refresh finished (command line, URL)
    // still counts as the load.
    refreshVariables(m_loadPending ? dashboard::VariableSet::Trigger::Load
                                   : dashboard::VariableSet::Trigger::TimeRangeChanged);
}

void DashboardView::refreshVariables(dashboard::VariableSet::Trigger trigger, const QString &changed)
{
    const model::TimestampMs now = model::nowMs();
    m_resolvedFrom = m_range.fromMs(now);
    m_resolvedTo = m_range.toMs(now);
    updateMapper();
    m_variablesBusy = true;
    m_wasSettled = false;
    const quint64 job = ++m_variablesJob;
    auto env = std::make_shared<RegistryEnvironment>(m_registry, m_mapper);
    const dashboard::InterpolationScope s = scope();
    QtConcurrent::run(&m_pool,
                      [vars = m_variables, env, s, trigger, changed]() mutable {
                          QStringList errors = changed.isEmpty() ? vars.refresh(*env, s, trigger)
                                                                 : vars.refreshDependents(changed, *env, s);
                          return std::pair<dashboard::VariableSet, QStringList>(std::move(vars), std::move(errors));
                      })
        .then(this, [this, job](std::pair<dashboard::VariableSet, QStringList> r) {
            onVariablesRefreshed(job, std::move(r.first), std::move(r.second));
        });
}

void DashboardView::onVariablesRefreshed(quint64 job, dashboard::VariableSet vars, QStringList errors)
{
    if (job != m_variablesJob)
        return;
    m_variablesBusy = false;
    m_loadPending = false;
    m_variables = std::move(vars);
    m_variableBar->setVariables(m_variables);
    m_variableErrors->setText(errors.isEmpty() ? QString() : tr("Variables: %1").arg(errors.join(QStringLiteral("; "))));
    m_variableErrors->setVisible(!errors.isEmpty());
    // Titles may refer to variables.
    for (PanelFrame *f : std::as_const(m_frames))
        if (const dashboard::Panel *p = findPanel(f->panelId()))
            f->setPanelJson(interpolatedPanelJson(*p));
    invalidatePanels();
    queryVisiblePanels();
    checkSettled();
}

void DashboardView::onVariableChanged(const QString &name, const QStringList &values)
{
    dashboard::Variable *v = m_variables.find(name);
    if (!v || !v->setCurrent(values))
        return;
    setModified(true);
    if (m_variables.refreshOrder() && !m_variables.dependencies(name).isEmpty()) {
        // fallthrough: dependents are handled below either way
    }
    bool hasDependents = false;
    for (const dashboard::Variable &other : m_variables.variables())
        if (m_variables.dependencies(other.name()).contains(name))
            hasDependents = true;
    if (hasDependents) {
        refreshVariables(dashboard::VariableSet::Trigger::Load, name);
        return;
    }
    m_variableBar->setVariables(m_variables);
    for (PanelFrame *f : std::as_const(m_frames))
        if (const dashboard::Panel *p = findPanel(f->panelId()))
            f->setPanelJson(interpolatedPanelJson(*p));
    invalidatePanels();
    queryVisiblePanels();
}

void DashboardView::invalidatePanels()
{
    for (PanelFrame *f : std::as_const(m_frames))
        m_needsQuery.insert(f->panelId());
}

void DashboardView::queryVisiblePanels()
{
    if (!m_loaded || m_variablesBusy)
        return;
    const int top = m_scroll->verticalScrollBar()->value();
    const QRect visible(0, top, m_scroll->viewport()->width(), m_scroll->viewport()->height());
    for (PanelFrame *f : std::as_const(m_frames)) {
        if (!m_needsQuery.contains(f->panelId()) || !f->isVisible())
            continue;
        if (!f->geometry().intersects(visible))
            continue;
        m_needsQuery.remove(f->panelId());
        runPanel(f);
    }
    checkSettled();
}

void DashboardView::runPanel(PanelFrame *frame)
{
    const dashboard::Panel *panel = findPanel(frame->panelId());
    if (!panel)
        return;
    const int id = frame->panelId();
    if (auto it = m_cancel.find(id); it != m_cancel.end())
        it->cancel();
    if (frame->type() == u"text" || panel->targets().isEmpty()) {
        // Nothing to query (text panels, panels without targets).
        frame->setLoading(false);
        frame->setError({});
        frame->setFrames({}, m_resolvedFrom, m_resolvedTo);
        m_cancel.remove(id);
        return;
    }
    const dashboard::PanelQueryPlan plan =
        dashboard::buildPanelQueries(*panel, m_variables, m_mapper, scope(), std::max(frame->width(), 100));
    if (plan.dashboardSourcePanelId >= 0) {
        // "-- Dashboard --": the source panel's frames.
        const PanelFrame *source = panelFrame(plan.dashboardSourcePanelId);
        frame->setLoading(false);
        if (source)
            frame->setFrames(source->frames(), plan.from, plan.to);
        else
            frame->setError(tr("the source panel %1 does not exist").arg(plan.dashboardSourcePanelId));
        return;
    }
    if (plan.queries.isEmpty() && !plan.unmatched.isEmpty()) {
        frame->setLoading(false);
        frame->setDatasourcePrompt(plan.unmatched, m_mapper.candidatesFor(plan.unmatched.front().grafanaType));
        if (m_mapper.candidatesFor(plan.unmatched.front().grafanaType).isEmpty())
            frame->setDatasourcePrompt(plan.unmatched, m_mapper.configured());
        m_cancel.remove(id);
        return;
    }
    frame->setLoading(true);
    const quint64 job = m_nextJob++;
    m_jobs.insert(id, job);
    CancelToken token;
    m_cancel.insert(id, token);
    datasource::DatasourceRegistry *registry = &m_registry;
    QtConcurrent::run(&m_pool,
                      [plan, registry, token]() {
                          PanelQueryResult r;
                          r.from = plan.from;
                          r.to = plan.to;
                          r.unmatched = plan.unmatched;
                          for (const dashboard::PanelQuery &q : plan.queries) {
                              if (token.isCancelled())
                                  break;
                              r.executed.append(q.request);
                              auto ds = registry->datasource(q.datasource.settings.uid);
                              if (!ds) {
                                  r.errors.append(QStringLiteral("%1: datasource %2 is not available: %3")
                                                      .arg(q.refId, q.datasource.settings.name,
                                                           registry->errorString(q.datasource.settings.uid)));
                                  continue;
                              }
                              auto frames = ds->query(q.request, token);
                              if (!frames) {
                                  if (frames.error().kind != Error::Kind::Cancelled)
                                      r.errors.append(q.refId + QStringLiteral(": ") + frames.error().message);
                                  continue;
                              }
                              for (model::Frame &f : *frames) {
                                  if (!f.meta().custom.contains(QStringLiteral("refId")))
                                      f.meta().custom.insert(QStringLiteral("refId"), q.refId);
                                  if (f.meta().datasourceUid.isEmpty())
                                      f.meta().datasourceUid = q.datasource.settings.uid;
                                  r.frames.append(std::move(f));
                              }
                          }
                          return r;
                      })
        .then(this, [this, id, job](const PanelQueryResult &r) { onPanelResult(id, job, r); });
}

void DashboardView::onPanelResult(int panelId, quint64 job, const PanelQueryResult &result)
{
    if (m_jobs.value(panelId) != job)
        return; // superseded
    m_jobs.remove(panelId);
    m_cancel.remove(panelId);
    m_executed.insert(panelId, result.executed);
    PanelFrame *frame = panelFrame(panelId);
    if (frame) {
        frame->setLoading(false);
        QStringList errors = result.errors;
        for (const auto &u : result.unmatched)
            errors.append(u.message);
        frame->setError(errors.join(QLatin1Char('\n')));
        frame->setFrames(result.frames, result.from, result.to);
        // Panels showing this one's results ("-- Dashboard --").
        for (PanelFrame *other : std::as_const(m_frames)) {
            const dashboard::Panel *p = findPanel(other->panelId());
            if (!p || other == frame)
                continue;
            const QJsonArray targets = p->targets();
            if (dashboard::DatasourceRef::fromJson(p->datasource()).isDashboard() && !targets.isEmpty() &&
                targets.at(0).toObject().value(u"panelId").toInt(-1) == panelId)
                other->setFrames(result.frames, result.from, result.to);
        }
    }
    checkSettled();
}

bool DashboardView::isSettled() const
{
    if (!m_loaded)
        return true;
    if (m_variablesBusy || !m_jobs.isEmpty())
        return false;
    const int top = m_scroll->verticalScrollBar()->value();
    const QRect visible(0, top, m_scroll->viewport()->width(), m_scroll->viewport()->height());
    for (PanelFrame *f : m_frames)
        if (m_needsQuery.contains(f->panelId()) && f->isVisible() && f->geometry().intersects(visible))
            return false;
    return true;
}

void DashboardView::checkSettled()
{
    const bool now = isSettled();
    if (now && !m_wasSettled) {
        m_wasSettled = true;
        emit settled();
    } else if (!now) {
        m_wasSettled = false;
    }
}

QList<PanelFrame *> DashboardView::panelFrames() const { return m_frames; }

PanelFrame *DashboardView::panelFrame(int panelId) const
{
    for (PanelFrame *f : m_frames)
        if (f->panelId() == panelId)
            return f;
    return nullptr;
}

void DashboardView::setModified(bool modified)
{
    if (m_modified == modified)
        return;
    m_modified = modified;
    m_saveButton->setText(modified ? tr("Save*") : tr("Save"));
    emit modifiedChanged(modified);
}

Result<void> DashboardView::save()
{
    if (m_path.isEmpty() || m_path.startsWith(QLatin1Char(':'))) {
        const QString path = QFileDialog::getSaveFileName(this, tr("Save dashboard"), m_dashboard.title() + QStringLiteral(".json"),
                                                          tr("Grafana dashboard (*.json)"));
        if (path.isEmpty())
            return {};
        return saveAs(path);
    }
    return saveAs(m_path);
}

Result<void> DashboardView::saveAs(const QString &path)
{
    const dashboard::Dashboard d = currentDashboard();
    if (auto r = d.save(path); !r)
        return r;
    m_dashboard = d;
    m_path = path;
    setModified(false);
    emit saved(path);
    return {};
}

void DashboardView::onPanelAction(int panelId, PanelFrame::Action action)
{
    switch (action) {
    case PanelFrame::Action::View:
        viewPanel(panelId);
        break;
    case PanelFrame::Action::Edit:
        editPanel(panelId);
        break;
    case PanelFrame::Action::InspectData:
    case PanelFrame::Action::InspectQuery:
    case PanelFrame::Action::InspectJson:
        inspectPanel(panelId, action);
        break;
    case PanelFrame::Action::Explore: {
        const dashboard::Panel *p = findPanel(panelId);
        if (!p)
            break;
        const dashboard::PanelQueryPlan plan = dashboard::buildPanelQueries(*p, m_variables, m_mapper, scope(), 800);
        if (!plan.queries.isEmpty())
            emit exploreRequested(plan.queries.front().datasource.settings.uid, plan.queries.front().request.expr);
        break;
    }
    case PanelFrame::Action::Duplicate:
        duplicatePanel(panelId);
        break;
    case PanelFrame::Action::Remove:
        removePanel(panelId);
        break;
    }
}

void DashboardView::viewPanel(int panelId)
{
    if (m_viewPanelId == panelId || panelId < 0) {
        m_viewPanelId = -1;
        m_canvas->setSoloWidget(nullptr, 0);
    } else if (PanelFrame *f = panelFrame(panelId)) {
        m_viewPanelId = panelId;
        m_canvas->setSoloWidget(f, m_scroll->viewport()->height());
    }
    queryVisiblePanels();
}

void DashboardView::keyPressEvent(QKeyEvent *event)
{
    if (event->key() == Qt::Key_Escape && m_viewPanelId >= 0) {
        viewPanel(-1);
        return;
    }
    QWidget::keyPressEvent(event);
}

int DashboardView::duplicatePanel(int panelId)
{
    const int id = m_dashboard.duplicatePanel(panelId);
    if (id < 0)
        return id;
    setModified(true);
    rebuildPanels();
    queryVisiblePanels();
    return id;
}

void DashboardView::removePanel(int panelId)
{
    if (!m_dashboard.removePanel(panelId))
        return;
    if (m_viewPanelId == panelId)
        m_viewPanelId = -1;
    if (auto it = m_cancel.find(panelId); it != m_cancel.end())
        it->cancel();
    m_cancel.remove(panelId);
    m_jobs.remove(panelId);
    setModified(true);
    rebuildPanels();
    queryVisiblePanels();
}

void DashboardView::replacePanel(int panelId, const QJsonObject &json)
{
    const dashboard::Panel *old = findPanel(panelId);
    if (!old)
        return;
    dashboard::Panel p(json);
    if (!m_dashboard.replacePanel(panelId, p))
        return;
    setModified(true);
    const int solo = m_viewPanelId;
    rebuildPanels();
    if (solo >= 0)
        viewPanel(solo);
    queryVisiblePanels();
}

void DashboardView::editPanel(int panelId)
{
    const dashboard::Panel *p = findPanel(panelId);
    if (!p)
        return;
    auto *dialog = new PanelEditorDialog(this, p->json(), m_mapper.configured(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog, panelId] { replacePanel(panelId, dialog->panelJson()); });
    dialog->show();
    dialog->refreshPreview();
}

void DashboardView::runPreview(const QJsonObject &panelJson, int widthPx, QObject *context,
                               std::function<void(const PanelQueryResult &)> done)
{
    const dashboard::Panel panel(panelJson);
    const dashboard::PanelQueryPlan plan = dashboard::buildPanelQueries(panel, m_variables, m_mapper, scope(), widthPx);
    datasource::DatasourceRegistry *registry = &m_registry;
    QtConcurrent::run(&m_pool,
                      [plan, registry]() {
                          PanelQueryResult r;
                          r.from = plan.from;
                          r.to = plan.to;
                          r.unmatched = plan.unmatched;
                          for (const dashboard::PanelQuery &q : plan.queries) {
                              r.executed.append(q.request);
                              auto ds = registry->datasource(q.datasource.settings.uid);
                              if (!ds) {
                                  r.errors.append(QStringLiteral("%1: datasource %2 is not available").arg(q.refId, q.datasource.settings.uid));
                                  continue;
                              }
                              auto frames = ds->query(q.request, CancelToken());
                              if (!frames)
                                  r.errors.append(q.refId + QStringLiteral(": ") + frames.error().message);
                              else
                                  r.frames += *frames;
                          }
                          for (const auto &u : r.unmatched)
                              r.errors.append(u.message);
                          return r;
                      })
        .then(context, [done](const PanelQueryResult &r) { done(r); });
}

void DashboardView::inspectPanel(int panelId, PanelFrame::Action what)
{
    PanelFrame *frame = panelFrame(panelId);
    const dashboard::Panel *panel = findPanel(panelId);
    if (!frame || !panel)
        return;
    auto *dialog = new QDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Inspect: %1").arg(frame->title()));
    dialog->resize(900, 600);
    auto *layout = new QVBoxLayout(dialog);
    auto *tabs = new QTabWidget(dialog);

    auto *table = new QTableView(tabs);
    auto *model = new explore::FramesTableModel(table);
    model->setFrames(frame->frames());
    table->setModel(model);
    table->setSortingEnabled(true);
    table->horizontalHeader()->setStretchLastSection(true);
    tabs->addTab(table, tr("Data (%n frames)", nullptr, int(frame->frames().size())));

    QString queryText;
    for (const datasource::QueryRequest &r : m_executed.value(panelId)) {
        queryText += QStringLiteral("refId %1\n  expr: %2\n  from: %3  to: %4  step: %5 ms  instant: %6\n")
                         .arg(r.refId, r.expr, QDateTime::fromMSecsSinceEpoch(r.from).toString(Qt::ISODate),
                              QDateTime::fromMSecsSinceEpoch(r.to).toString(Qt::ISODate))
                         .arg(r.stepMs)
                         .arg(r.instant ? tr("yes") : tr("no"));
        for (auto it = r.options.constBegin(); it != r.options.constEnd(); ++it)
            queryText += QStringLiteral("  %1: %2\n").arg(it.key(), it.value().toString());
        queryText += QLatin1Char('\n');
    }
    for (const model::Frame &f : frame->frames())
        for (const QString &n : f.meta().notices)
            queryText += tr("notice: %1\n").arg(n);
    if (!frame->errorText().isEmpty())
        queryText += tr("errors:\n%1\n").arg(frame->errorText());
    auto *queries = new QPlainTextEdit(queryText.isEmpty() ? tr("The panel has not run any query yet.") : queryText, tabs);
    queries->setReadOnly(true);
    tabs->addTab(queries, tr("Query"));

    auto *jsonPage = new QWidget(tabs);
    auto *jsonLayout = new QVBoxLayout(jsonPage);
    auto *json = new QPlainTextEdit(QString::fromUtf8(QJsonDocument(panel->toJson()).toJson(QJsonDocument::Indented)), jsonPage);
    json->setObjectName(QStringLiteral("panelJson"));
    auto *jsonError = new QLabel(jsonPage);
    jsonError->setStyleSheet(QStringLiteral("color: #ff7383;"));
    auto *apply = new QPushButton(tr("Apply"), jsonPage);
    jsonLayout->addWidget(json, 1);
    jsonLayout->addWidget(jsonError);
    jsonLayout->addWidget(apply, 0, Qt::AlignRight);
    connect(apply, &QPushButton::clicked, dialog, [this, json, jsonError, panelId, dialog] {
        QJsonParseError err;
        const QJsonDocument doc = QJsonDocument::fromJson(json->toPlainText().toUtf8(), &err);
        if (err.error != QJsonParseError::NoError || !doc.isObject()) {
            jsonError->setText(tr("Not valid JSON at offset %1: %2").arg(err.offset).arg(err.errorString()));
            return;
        }
        QJsonObject o = doc.object();
        o[str("id")] = panelId;
        replacePanel(panelId, o);
        dialog->accept();
    });
    tabs->addTab(jsonPage, tr("Panel JSON"));
    tabs->setCurrentIndex(what == PanelFrame::Action::InspectData ? 0 : what == PanelFrame::Action::InspectQuery ? 1 : 2);
    layout->addWidget(tabs);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, dialog);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    layout->addWidget(buttons);
    dialog->show();
}

void DashboardView::openSettings()
{
    auto *dialog = new DashboardSettingsDialog(currentDashboard(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        const QString path = m_path;
        setDashboard(dialog->dashboard(), path);
        setModified(true);
    });
    dialog->show();
}

} // namespace spyglass::gui::dashboards
