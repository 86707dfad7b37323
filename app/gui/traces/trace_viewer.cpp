#include "app/gui/traces/trace_viewer.h"

#include "app/gui/flamegraph/flame_graph_page.h"
#include "app/gui/traces/service_graph_view.h"
#include "app/gui/traces/span_detail_panel.h"
#include "app/gui/traces/span_stats_model.h"
#include "app/gui/traces/trace_minimap.h"
#include "app/gui/traces/trace_waterfall_view.h"

#include <QCheckBox>
#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QScrollArea>
#include <QSortFilterProxyModel>
#include <QTabWidget>
#include <QTableView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTimeZone>
#include <QToolButton>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace spyglass::gui::traces {

TraceViewer::TraceViewer(QWidget *parent)
    : QWidget(parent),
      m_header(new QLabel(this)),
      m_search(new QLineEdit(this)),
      m_prev(new QToolButton(this)),
      m_next(new QToolButton(this)),
      m_matchLabel(new QLabel(this)),
      m_critical(new QCheckBox(tr("Critical path"), this)),
      m_minimap(new TraceMinimap(this)),
      m_waterfall(new TraceWaterfallView(this)),
      m_details(new SpanDetailPanel(this)),
      m_splitter(new QSplitter(Qt::Horizontal, this)),
      m_logsButton(new QPushButton(tr("Logs for this span"), this)),
      m_metricsButton(new QPushButton(tr("Metrics for this service"), this)),
      m_tabs(new QTabWidget(this)),
      m_statsModel(new SpanStatsModel(this)),
      m_statsTable(new QTableView(this)),
      m_serviceGraph(new ServiceGraphView(this))
{
    m_header->setTextFormat(Qt::RichText);
    m_header->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_header->setWordWrap(true);
    m_search->setPlaceholderText(tr("Find in trace: service, name, attribute, span id"));
    m_search->setClearButtonEnabled(true);
    m_prev->setText(QStringLiteral("▲"));
    m_prev->setToolTip(tr("Previous match (Shift+Enter)"));
    m_next->setText(QStringLiteral("▼"));
    m_next->setToolTip(tr("Next match (Enter)"));
    m_critical->setChecked(true);
    m_critical->setToolTip(tr("Mark the spans on the critical path with a dark stripe"));
    auto *collapse = new QPushButton(tr("Collapse"), this);
    collapse->setToolTip(tr("Show only the root and its children"));
    auto *expand = new QPushButton(tr("Expand all"), this);
    auto *resetZoom = new QPushButton(tr("Reset zoom"), this);

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_search, 1);
    bar->addWidget(m_prev);
    bar->addWidget(m_next);
    bar->addWidget(m_matchLabel);
    bar->addSpacing(12);
    bar->addWidget(m_critical);
    bar->addWidget(collapse);
    bar->addWidget(expand);
    bar->addWidget(resetZoom);

    m_logsButton->setToolTip(tr("Open the logs of the span's service around the span, filtered by the trace id"));
    m_metricsButton->setToolTip(tr("Open the request rate of the span's service (traces_spanmetrics_calls_total)"));
    m_logsButton->setEnabled(false);
    m_metricsButton->setEnabled(false);
    auto *detailBox = new QWidget(this);
    auto *detailLayout = new QVBoxLayout(detailBox);
    detailLayout->setContentsMargins(0, 0, 0, 0);
    detailLayout->setSpacing(2);
    auto *jumps = new QHBoxLayout;
    jumps->addWidget(m_logsButton);
    jumps->addWidget(m_metricsButton);
    detailLayout->addLayout(jumps);
    detailLayout->addWidget(m_details, 1);

    m_splitter->addWidget(m_waterfall);
    m_splitter->addWidget(detailBox);
    m_splitter->setStretchFactor(0, 3);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setSizes({900, 340});

    auto *waterfallTab = new QWidget(this);
    auto *wl = new QVBoxLayout(waterfallTab);
    wl->setContentsMargins(0, 4, 0, 0);
    wl->setSpacing(4);
    wl->addLayout(bar);
    wl->addWidget(m_minimap);
    wl->addWidget(m_splitter, 1);

    auto *proxy = new QSortFilterProxyModel(this);
    proxy->setSourceModel(m_statsModel);
    proxy->setSortRole(SpanStatsModel::kSortRole);
    m_statsTable->setModel(proxy);
    m_statsTable->setSortingEnabled(true);
    m_statsTable->sortByColumn(SpanStatsModel::Self, Qt::DescendingOrder);
    m_statsTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_statsTable->verticalHeader()->hide();
    m_statsTable->horizontalHeader()->setStretchLastSection(false);
    m_statsTable->setAlternatingRowColors(true);
    auto *graphScroll = new QScrollArea(this);
    graphScroll->setWidget(m_serviceGraph);
    graphScroll->setWidgetResizable(true);

    m_tabs->addTab(waterfallTab, tr("Waterfall"));
    m_tabs->addTab(m_statsTable, tr("Span statistics"));
    m_tabs->addTab(graphScroll, tr("Service graph"));
    m_tabs->addTab(new QWidget(this), tr("Flame graph"));
    m_tabs->setDocumentMode(true);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->setSpacing(4);
    layout->addWidget(m_header);
    layout->addWidget(m_tabs, 1);

    connect(m_tabs, &QTabWidget::currentChanged, this, [this](int tab) {
        if (tab == FlameGraphTab)
            showFlameTab();
    });
    connect(m_logsButton, &QPushButton::clicked, this, [this] {
        const SignalJump j = logsJump();
        if (!j.query.isEmpty())
            emit logsRequested(j.query, j.from, j.to);
    });
    connect(m_metricsButton, &QPushButton::clicked, this, [this] {
        const SignalJump j = metricsJump();
        if (!j.query.isEmpty())
            emit metricsRequested(j.query, j.from, j.to);
    });

    connect(m_search, &QLineEdit::textChanged, this, &TraceViewer::search);
    connect(m_search, &QLineEdit::returnPressed, m_waterfall, &TraceWaterfallView::nextMatch);
    connect(m_next, &QToolButton::clicked, m_waterfall, &TraceWaterfallView::nextMatch);
    connect(m_prev, &QToolButton::clicked, m_waterfall, &TraceWaterfallView::previousMatch);
    connect(m_critical, &QCheckBox::toggled, m_waterfall, &TraceWaterfallView::setCriticalPathVisible);
    connect(collapse, &QPushButton::clicked, m_waterfall, [this] { m_waterfall->collapseBelow(1); });
    connect(expand, &QPushButton::clicked, m_waterfall, &TraceWaterfallView::expandAll);
    connect(resetZoom, &QPushButton::clicked, m_waterfall, &TraceWaterfallView::resetZoom);
    connect(m_waterfall, &TraceWaterfallView::selectionChanged, this, [this](int node) {
        m_details->showSpan(m_model.get(), node);
        m_logsButton->setEnabled(node >= 0);
        m_metricsButton->setEnabled(node >= 0);
        updateMatchLabel();
    });
    connect(m_waterfall, &TraceWaterfallView::windowChanged, m_minimap, &TraceMinimap::setWindow);
    connect(m_minimap, &TraceMinimap::windowSelected, m_waterfall, &TraceWaterfallView::setWindow);
    connect(m_details, &SpanDetailPanel::linkActivated, this, [this](const QByteArray &trace, const QByteArray &span) {
        // A link into this trace selects the span; others are the page's business.
        if (m_model && trace == m_model->traceId()) {
            const int n = m_model->nodeOfSpanId(span);
            if (n >= 0) {
                m_waterfall->setSelectedNode(n);
                return;
            }
        }
        emit linkActivated(trace, span);
    });
    updateHeader();
}

void TraceViewer::setSpans(QList<model::Span> spans)
{
    const int id = ++m_jobId;
    QtConcurrent::run([spans = std::move(spans)]() mutable {
        return std::make_shared<TraceRowModel>(TraceRowModel::build(std::move(spans)));
    }).then(this, [this, id](std::shared_ptr<TraceRowModel> model) {
        if (id != m_jobId)
            return; // a newer trace was asked for meanwhile
        setModel(std::move(model));
    });
}

void TraceViewer::setModel(std::shared_ptr<TraceRowModel> model)
{
    m_model = std::move(model);
    m_details->showSpan(nullptr, -1);
    m_minimap->setModel(m_model);
    m_waterfall->setModel(m_model);
    if (m_model && !m_model->isEmpty()) {
        // Deep traces open folded to a readable depth, like Jaeger.
        if (m_model->nodeCount() > 2000)
            m_waterfall->collapseBelow(3);
        m_waterfall->setSelectedNode(m_model->rootNode());
    }
    if (!m_search->text().trimmed().isEmpty())
        search(m_search->text());
    updateHeader();
    updateMatchLabel();
    startAnalysis();
    emit modelReady();
}

void TraceViewer::startAnalysis()
{
    const int id = ++m_analysisJob;
    m_analysisReady = false;
    m_flameStale = true;
    struct Analysis
    {
        QList<SpanStatRow> stats;
        ServiceGraph graph;
        std::shared_ptr<const model::Profile> profile;
        std::int64_t duration = 0;
    };
    std::shared_ptr<const TraceRowModel> model = m_model;
    QtConcurrent::run([model] {
        auto out = std::make_shared<Analysis>();
        if (model && !model->isEmpty()) {
            out->stats = spanStatistics(*model);
            out->graph = traceServiceGraph(*model);
            out->profile = std::make_shared<const model::Profile>(traceAsProfile(*model));
            out->duration = model->duration();
        }
        return out;
    }).then(this, [this, id](std::shared_ptr<Analysis> a) {
        if (id != m_analysisJob)
            return;
        m_statsModel->setRows(std::move(a->stats), a->duration);
        m_statsTable->resizeColumnsToContents();
        m_serviceGraph->setGraph(std::move(a->graph));
        m_profile = std::move(a->profile);
        m_analysisReady = true;
        if (m_tabs->currentIndex() == FlameGraphTab)
            showFlameTab();
        emit analysisFinished();
    });
}

void TraceViewer::showFlameTab()
{
    if (!m_flame) {
        m_flame = new flamegraph::FlameGraphPage(this);
        const int current = m_tabs->currentIndex();
        QWidget *placeholder = m_tabs->widget(FlameGraphTab);
        m_tabs->blockSignals(true);
        m_tabs->removeTab(FlameGraphTab);
        m_tabs->insertTab(FlameGraphTab, m_flame, tr("Flame graph"));
        m_tabs->setCurrentIndex(current);
        m_tabs->blockSignals(false);
        placeholder->deleteLater();
    }
    if (m_flameStale && m_profile && m_model) {
        m_flameStale = false;
        const model::Span &root = m_model->span(m_model->rootNode());
        m_flame->setProfile(*m_profile, tr("Trace %1: self time per call path (%2: %3)")
                                            .arg(hexId(m_model->traceId()), root.serviceName, root.name));
    }
}

SignalJump TraceViewer::logsJump() const
{
    const int n = m_waterfall->selectedNode();
    if (!m_model || n < 0 || n >= m_model->nodeCount())
        return {};
    return logsForSpan(m_model->span(n));
}

SignalJump TraceViewer::metricsJump() const
{
    const int n = m_waterfall->selectedNode();
    if (!m_model || n < 0 || n >= m_model->nodeCount())
        return {};
    return metricsForService(m_model->span(n).serviceName, m_model->start(), m_model->end());
}

void TraceViewer::search(const QString &text)
{
    if (!m_model)
        return;
    m_waterfall->setMatches(m_model->search(text));
    updateMatchLabel();
}

QString TraceViewer::headerText() const
{
    return m_header->text();
}

QString TraceViewer::matchText() const
{
    return m_matchLabel->text();
}

void TraceViewer::updateHeader()
{
    if (!m_model || m_model->isEmpty()) {
        m_header->setText(tr("<i>No trace open.</i>"));
        return;
    }
    const model::Span &root = m_model->span(m_model->rootNode());
    const QString start = QDateTime::fromMSecsSinceEpoch(m_model->start() / 1'000'000, QTimeZone::utc())
                              .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz 'UTC'"));
    QString text = QStringLiteral("<b style='font-size:large'>%1: %2</b>&nbsp;&nbsp;<span style='color:gray'>%3</span><br>")
                       .arg(root.serviceName.toHtmlEscaped(), root.name.toHtmlEscaped(), hexId(m_model->traceId()));
    text += tr("Started %1 &middot; Duration <b>%2</b> &middot; <b>%3</b> spans &middot; depth %4 &middot; "
               "%5 service(s): %6")
                .arg(start, formatDurationNs(m_model->duration()))
                .arg(m_model->nodeCount())
                .arg(m_model->maxDepth() + 1)
                .arg(m_model->services().size())
                .arg(m_model->services().join(QStringLiteral(", ")).toHtmlEscaped());
    if (m_model->errorCount() > 0)
        text += tr(" &middot; <span style='color:#E02F44'><b>%n error(s)</b></span>", nullptr, m_model->errorCount());
    m_header->setText(text);
}

void TraceViewer::updateMatchLabel()
{
    const auto &matches = m_waterfall->matches();
    if (m_search->text().trimmed().isEmpty())
        m_matchLabel->clear();
    else if (matches.isEmpty())
        m_matchLabel->setText(tr("no match"));
    else
        m_matchLabel->setText(tr("%1 of %2").arg(m_waterfall->currentMatch() + 1).arg(matches.size()));
}

} // namespace spyglass::gui::traces
