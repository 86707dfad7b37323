#include "app/gui/explore/explore_view.h"

#include "app/gui/explore/frames_table_model.h"
#include "app/gui/explore/query_history_panel.h"
#include "app/gui/logs/logql_editor.h"
#include "app/gui/logs/logql_query_rewriter.h"
#include "app/gui/logs/logs_view.h"
#include "app/gui/widgets/promql_editor.h"
#include "app/gui/widgets/time_series_plot.h"

#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QTimer>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QPushButton>
#include <QToolButton>
#include <QSplitter>
#include <QTableView>
#include <QTextBlock>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>
#include <algorithm>

namespace spyglass::gui::explore {

ExploreView::ExploreView(QWidget *parent)
    : QWidget(parent),
      m_datasourceCombo(new QComboBox(this)),
      m_queryTypeCombo(new QComboBox(this)),
      m_queryEdit(new widgets::PromqlEditor(this)),
      m_runButton(new QPushButton(tr("Run query"), this)),
      m_cancelButton(new QPushButton(tr("Cancel"), this)),
      m_historyButton(new QToolButton(this)),
      m_splitButton(new QPushButton(tr("Split"), this)),
      m_parseError(new QLabel(this)),
      m_minStepEdit(new QLineEdit(this)),
      m_resolutionCombo(new QComboBox(this)),
      m_legendEdit(new QLineEdit(this)),
      m_styleCombo(new QComboBox(this)),
      m_status(new QLabel(this)),
      m_historyPanel(new QueryHistoryPanel(this)),
      m_bodySplitter(new QSplitter(Qt::Horizontal, this)),
      m_splitter(new QSplitter(Qt::Vertical, m_bodySplitter)),
      m_plot(new widgets::TimeSeriesPlot(m_splitter)),
      m_table(new QTableView(m_splitter)),
      m_model(new FramesTableModel(this))
{
    setObjectName(QStringLiteral("exploreView"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(12, 10, 12, 8);
    layout->setSpacing(6);

    auto *bar = new QHBoxLayout;
    auto *title = new QLabel(tr("<b>Explore</b>"), this);
    bar->addWidget(title);
    bar->addSpacing(12);
    bar->addWidget(new QLabel(tr("Datasource"), this));
    m_datasourceCombo->setMinimumWidth(180);
    m_datasourceCombo->setObjectName(QStringLiteral("datasourceCombo"));
    bar->addWidget(m_datasourceCombo);
    bar->addSpacing(8);
    m_queryTypeCombo->addItem(tr("Range"));
    m_queryTypeCombo->addItem(tr("Instant"));
    m_queryTypeCombo->setToolTip(tr("Range: values over the time range; Instant: one value per series at its end"));
    bar->addWidget(m_queryTypeCombo);
    bar->addStretch(1);
    m_historyButton->setText(tr("History"));
    m_historyButton->setCheckable(true);
    m_historyButton->setObjectName(QStringLiteral("historyButton"));
    m_historyButton->setToolTip(tr("Show the query history (searchable; starred queries first)"));
    bar->addWidget(m_historyButton);
    m_splitButton->setObjectName(QStringLiteral("splitButton"));
    m_splitButton->setToolTip(tr("Open a second Explore pane side by side"));
    bar->addWidget(m_splitButton);
    m_cancelButton->hide();
    bar->addWidget(m_cancelButton);
    m_runButton->setObjectName(QStringLiteral("runQueryButton"));
    m_runButton->setToolTip(tr("Run the query (Shift+Enter)"));
    m_runButton->setDefault(true);
    bar->addWidget(m_runButton);
    layout->addLayout(bar);

    QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    m_queryEdit->setFont(mono);
    m_queryEdit->setObjectName(QStringLiteral("queryEdit"));
    m_queryEdit->setPlaceholderText(tr("Enter a PromQL query, e.g. rate(http_requests_total{job=\"api\"}[5m]) "
                                       "- Shift+Enter runs it"));
    m_queryEdit->setTabChangesFocus(true);
    m_queryEdit->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    const int lineHeight = QFontMetrics(mono).lineSpacing();
    m_queryEdit->setFixedHeight(lineHeight * 3 + 14);
    m_queryEdit->installEventFilter(this);
    layout->addWidget(m_queryEdit);

    m_parseError->setObjectName(QStringLiteral("parseError"));
    m_parseError->setStyleSheet(QStringLiteral("color: #f2495c;"));
    m_parseError->setWordWrap(true);
    m_parseError->hide();
    layout->addWidget(m_parseError);

    // Options row, as Grafana's "Options" of a Prometheus query.
    auto *options = new QHBoxLayout;
    options->setSpacing(6);
    auto addLabel = [&](const QString &text, const QString &tip) {
        auto *l = new QLabel(text, this);
        l->setToolTip(tip);
        l->setStyleSheet(QStringLiteral("color: #8e8e9e;"));
        options->addWidget(l);
    };
    addLabel(tr("Min step"), tr("Lower limit of the step between points, e.g. 15s"));
    m_minStepEdit->setObjectName(QStringLiteral("minStepEdit"));
    m_minStepEdit->setPlaceholderText(tr("auto"));
    m_minStepEdit->setFixedWidth(70);
    options->addWidget(m_minStepEdit);
    options->addSpacing(8);
    addLabel(tr("Resolution"), tr("Points per pixel: 1/2 asks for half as many points as the graph is wide"));
    for (int d : {1, 2, 3, 4, 5, 10})
        m_resolutionCombo->addItem(QStringLiteral("1/%1").arg(d), d);
    m_resolutionCombo->setObjectName(QStringLiteral("resolutionCombo"));
    options->addWidget(m_resolutionCombo);
    options->addSpacing(8);
    addLabel(tr("Legend"), tr("Series names from labels, e.g. {{job}} - {{instance}}; empty: all labels"));
    m_legendEdit->setObjectName(QStringLiteral("legendEdit"));
    m_legendEdit->setPlaceholderText(QStringLiteral("{{label}}"));
    m_legendEdit->setFixedWidth(180);
    options->addWidget(m_legendEdit);
    options->addSpacing(8);
    addLabel(tr("Style"), tr("How the graph draws series"));
    m_styleCombo->addItem(tr("Lines"), int(widgets::DrawStyle::Lines));
    m_styleCombo->addItem(tr("Points"), int(widgets::DrawStyle::Points));
    m_styleCombo->addItem(tr("Stacked"), int(widgets::DrawStyle::StackedArea));
    m_styleCombo->setObjectName(QStringLiteral("styleCombo"));
    options->addWidget(m_styleCombo);
    options->addStretch(1);
    layout->addLayout(options);

    m_status->setObjectName(QStringLiteral("queryStatus"));
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status->setWordWrap(true);
    layout->addWidget(m_status);

    m_plot->setEmptyText(tr("Run a query to see a graph of its result here."));
    m_table->setModel(m_model);
    m_table->setSortingEnabled(false); // rows are computed on demand; sorting would copy them
    m_table->setAlternatingRowColors(true);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->verticalHeader()->setDefaultSectionSize(QFontMetrics(font()).height() + 6);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(false);
    m_table->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    m_table->setWordWrap(false);
    m_splitter->addWidget(m_plot);
    m_splitter->addWidget(m_table);
    m_splitter->setStretchFactor(0, 3);
    m_splitter->setStretchFactor(1, 2);
    m_splitter->setChildrenCollapsible(false);
    m_bodySplitter->addWidget(m_splitter);
    m_bodySplitter->addWidget(m_historyPanel);
    m_bodySplitter->setStretchFactor(0, 4);
    m_bodySplitter->setStretchFactor(1, 1);
    m_bodySplitter->setChildrenCollapsible(false);
    m_historyPanel->setMinimumWidth(220);
    m_historyPanel->hide();
    layout->addWidget(m_bodySplitter, 1);

    connect(m_runButton, &QPushButton::clicked, this, &ExploreView::runQuery);
    connect(m_cancelButton, &QPushButton::clicked, this, &ExploreView::cancelQuery);
    connect(m_queryTypeCombo, &QComboBox::currentIndexChanged, this,
            [this](int i) { m_queryType = i == 1 ? QueryType::Instant : QueryType::Range; });
    connect(m_datasourceCombo, &QComboBox::currentIndexChanged, this, &ExploreView::onDatasourceChanged);
    connect(m_styleCombo, &QComboBox::currentIndexChanged, this,
            [this] { m_plot->setDrawStyle(widgets::DrawStyle(m_styleCombo->currentData().toInt())); });
    connect(m_historyButton, &QToolButton::toggled, this, &ExploreView::setHistoryVisible);
    connect(m_splitButton, &QPushButton::clicked, this, [this] {
        if (m_splitMode == SplitButton::Split)
            emit splitRequested();
        else
            emit closeRequested();
    });
    connect(m_historyPanel, &QueryHistoryPanel::querySelected, this, [this](const QString &q) {
        setQuery(q);
        m_queryEdit->setFocus();
    });
    connect(m_historyPanel, &QueryHistoryPanel::queryRunRequested, this, [this](const QString &q) {
        setQuery(q);
        runQuery();
    });
    connect(m_queryEdit, &widgets::PromqlEditor::completionDataWanted, this, &ExploreView::fetchCompletionData);
    connect(m_queryEdit, &widgets::PromqlEditor::labelValuesWanted, this, &ExploreView::fetchLabelValues);
    connect(m_queryEdit, &widgets::PromqlEditor::parseErrorChanged, this, &ExploreView::onParseError);
    connect(m_queryEdit, &QPlainTextEdit::textChanged, this, [this] {
        if (m_queryEdit->toPlainText().trimmed().isEmpty())
            m_parseError->hide();
    });
    setMetadataCache(nullptr);
    connect(m_plot, &widgets::TimeSeriesPlot::timeRangeSelected, this, &ExploreView::timeRangeSelected);
    connect(m_plot, &widgets::TimeSeriesPlot::zoomOutRequested, this, &ExploreView::zoomOutRequested);

    setupLogs();
    setStatus(tr("Type a query, then press Run or Shift+Enter."), false);
}

ExploreView::~ExploreView()
{
    // The worker may still run; let it stop early. Its continuation is tied
    // to this object and is dropped with it.
    m_cancel.cancel();
}

void ExploreView::setDatasources(const QList<DatasourceEntry> &datasources, const QString &defaultUid)
{
    const QString previous = currentDatasourceUid();
    m_datasources = datasources;
    m_datasourceCombo->clear();
    int select = -1;
    for (int i = 0; i < datasources.size(); ++i) {
        const DatasourceEntry &e = datasources[i];
        m_datasourceCombo->addItem(e.datasource ? e.name : tr("%1 (unavailable)").arg(e.name), e.uid);
        if (!e.error.isEmpty())
            m_datasourceCombo->setItemData(i, e.error, Qt::ToolTipRole);
        if (e.uid == previous || (select < 0 && e.uid == defaultUid))
            select = i;
    }
    if (select >= 0)
        m_datasourceCombo->setCurrentIndex(select);
}

QString ExploreView::currentDatasourceUid() const
{
    return m_datasourceCombo->currentData().toString();
}

void ExploreView::setCurrentDatasource(const QString &uid)
{
    const int i = m_datasourceCombo->findData(uid);
    if (i >= 0)
        m_datasourceCombo->setCurrentIndex(i);
}

const DatasourceEntry *ExploreView::currentEntry() const
{
    const int index = m_datasourceCombo->currentIndex();
    if (index < 0 || index >= m_datasources.size())
        return nullptr;
    return &m_datasources[index];
}

void ExploreView::onDatasourceChanged()
{
    // Names of another datasource would complete wrongly.
    m_queryEdit->clearCompletionData();
    // Fetched ahead (in the background), so names are there when typing starts.
    if (isVisible())
        fetchCompletionData();
}

void ExploreView::setMetadataCache(DatasourceMetadataCache *cache)
{
    if (m_metadata)
        disconnect(m_metadata, nullptr, this, nullptr);
    if (!cache) {
        if (!m_ownMetadata)
            m_ownMetadata = new DatasourceMetadataCache(this);
        cache = m_ownMetadata;
    }
    m_metadata = cache;
    connect(cache, &DatasourceMetadataCache::labelNamesReady, this,
            [this](const QString &uid, const QStringList &names) {
                if (uid != currentDatasourceUid())
                    return;
                m_queryEdit->setLabelNames(names);
                if (m_logqlEdit)
                    m_logqlEdit->setLabelNames(names);
            });
    connect(cache, &DatasourceMetadataCache::labelValuesReady, this,
            [this](const QString &uid, const QString &label, const QStringList &values) {
                if (uid != currentDatasourceUid())
                    return;
                if (label == QLatin1String("__name__"))
                    m_queryEdit->setMetricNames(values);
                m_queryEdit->setLabelValues(label, values);
                if (m_logqlEdit)
                    m_logqlEdit->setLabelValues(label, values);
            });
}

void ExploreView::fetchCompletionData()
{
    const DatasourceEntry *entry = currentEntry();
    if (!entry || !entry->datasource || !m_metadata)
        return;
    if (auto names = m_metadata->labelNames(entry->uid, entry->datasource)) {
        m_queryEdit->setLabelNames(*names);
        if (m_logqlEdit)
            m_logqlEdit->setLabelNames(*names);
    }
    if (auto metrics = m_metadata->labelValues(entry->uid, entry->datasource, QStringLiteral("__name__"))) {
        m_queryEdit->setMetricNames(*metrics);
        m_queryEdit->setLabelValues(QStringLiteral("__name__"), *metrics);
    }
}

void ExploreView::fetchLabelValues(const QString &label)
{
    const DatasourceEntry *entry = currentEntry();
    if (!entry || !entry->datasource || !m_metadata)
        return;
    if (auto values = m_metadata->labelValues(entry->uid, entry->datasource, label)) {
        m_queryEdit->setLabelValues(label, *values);
        if (m_logqlEdit)
            m_logqlEdit->setLabelValues(label, *values);
    }
}

void ExploreView::onParseError(const QString &message, int position)
{
    if (message.isEmpty()) {
        m_parseError->hide();
        m_parseError->clear();
        return;
    }
    const QString text = query();
    int line = 1;
    int column = 1;
    for (int i = 0; i < position && i < text.size(); ++i) {
        if (text[i] == u'\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    m_parseError->setText(line > 1 ? tr("Parse error at line %1, column %2: %3").arg(line).arg(column).arg(message)
                                   : tr("Parse error at column %1: %2").arg(column).arg(message));
    m_parseError->show();
}

void ExploreView::setHistory(QueryHistory *history)
{
    m_history = history;
    m_historyPanel->setHistory(history);
}

void ExploreView::setHistoryVisible(bool visible)
{
    m_historyPanel->setVisible(visible);
    if (m_historyButton->isChecked() != visible)
        m_historyButton->setChecked(visible);
    if (visible)
        m_historyPanel->searchEdit()->setFocus();
}

bool ExploreView::isHistoryVisible() const
{
    return !m_historyPanel->isHidden();
}

void ExploreView::setSplitButton(SplitButton mode)
{
    m_splitMode = mode;
    m_splitButton->setText(mode == SplitButton::Split ? tr("Split") : tr("Close"));
    m_splitButton->setToolTip(mode == SplitButton::Split ? tr("Open a second Explore pane side by side")
                                                         : tr("Close this pane"));
}

void ExploreView::setMinStep(const QString &duration)
{
    m_minStepEdit->setText(duration);
}

void ExploreView::setResolution(int divisor)
{
    const int i = m_resolutionCombo->findData(divisor);
    if (i >= 0)
        m_resolutionCombo->setCurrentIndex(i);
}

void ExploreView::setLegendFormat(const QString &format)
{
    m_legendEdit->setText(format);
}

QString ExploreView::legendFormat() const
{
    return m_legendEdit->text();
}

void ExploreView::setDrawStyle(widgets::DrawStyle style)
{
    const int i = m_styleCombo->findData(int(style));
    if (i >= 0)
        m_styleCombo->setCurrentIndex(i);
}

Result<datasource::QueryRequest> ExploreView::buildRequest() const
{
    const model::TimestampMs now = model::nowMs();
    datasource::QueryRequest request;
    request.expr = query().trimmed();
    request.from = m_range.fromMs(now);
    request.to = m_range.toMs(now);
    request.instant = m_queryType == QueryType::Instant;
    // Instant results as series too, so the graph can show them as points;
    // the table lays them out one row per series either way.
    if (request.instant)
        request.options.insert(QStringLiteral("format"), QStringLiteral("time_series"));
    // About one point per pixel column (as Grafana asks), divided by the
    // chosen resolution.
    const int resolution = std::max(1, m_resolutionCombo->currentData().toInt());
    request.maxDataPoints = std::max(10, std::clamp(m_plot->canvas()->plotArea().width(), 100, 11'000) / resolution);
    const QString minStep = m_minStepEdit->text().trimmed();
    if (!minStep.isEmpty()) {
        auto ms = model::parseDuration(minStep);
        if (!ms || *ms <= 0)
            return fail(Error::invalid(tr("Min step \"%1\" is not a duration like 15s or 1m").arg(minStep)));
        request.stepMs = std::max<std::int64_t>(*ms, request.effectiveStepMs());
    }
    const QString legend = m_legendEdit->text().trimmed();
    if (!legend.isEmpty())
        request.options.insert(QStringLiteral("legendFormat"), legend);
    if (m_language == QueryLanguage::LogQL) {
        request.options.insert(QStringLiteral("language"), QStringLiteral("logql"));
        request.options.insert(QStringLiteral("limit"), m_logLimit);
        const bool forward = m_logsView->model()->order() == logs::LogsModel::Order::OldestFirst;
        request.options.insert(QStringLiteral("direction"), forward ? QStringLiteral("forward") : QStringLiteral("backward"));
    }
    return request;
}

void ExploreView::setTimeRange(const model::TimeRange &range)
{
    m_range = range;
    emit timeRangeApplied(range);
}

void ExploreView::setQuery(const QString &expr)
{
    if (m_language == QueryLanguage::LogQL && m_logqlEdit)
        m_logqlEdit->setPlainText(expr);
    else
        m_queryEdit->setPlainText(expr);
}

QString ExploreView::query() const
{
    if (m_language == QueryLanguage::LogQL && m_logqlEdit)
        return m_logqlEdit->toPlainText();
    return m_queryEdit->toPlainText();
}

void ExploreView::setQueryType(QueryType type)
{
    m_queryTypeCombo->setCurrentIndex(type == QueryType::Instant ? 1 : 0);
}

void ExploreView::setTimeZone(const QTimeZone &zone)
{
    m_zone = zone;
    m_plot->setTimeZone(zone);
    m_model->setTimeZone(zone);
    emit timeZoneApplied(zone);
}

QString ExploreView::statusText() const
{
    return m_status->text();
}

void ExploreView::setStatus(const QString &text, bool error)
{
    m_status->setText(text);
    m_status->setStyleSheet(error ? QStringLiteral("color: #f2495c;") : QString());
}

bool ExploreView::eventFilter(QObject *watched, QEvent *event)
{
    if ((watched == m_queryEdit || (m_logqlEdit && watched == m_logqlEdit)) && event->type() == QEvent::KeyPress) {
        auto *key = static_cast<QKeyEvent *>(event);
        const bool enter = key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter;
        if (enter && (key->modifiers() & (Qt::ShiftModifier | Qt::ControlModifier))) {
            runQuery();
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

void ExploreView::runQuery()
{
    const QString expr = query().trimmed();
    if (expr.isEmpty()) {
        setStatus(tr("Type a query, then press Run or Shift+Enter."), false);
        return;
    }
    const int index = m_datasourceCombo->currentIndex();
    if (index < 0 || index >= m_datasources.size()) {
        setStatus(tr("No datasource is configured: see the Datasources view."), true);
        return;
    }
    const DatasourceEntry &entry = m_datasources[index];
    if (!entry.datasource) {
        setStatus(tr("Datasource \"%1\" cannot be used: %2").arg(entry.name, entry.error), true);
        return;
    }

    auto built = buildRequest();
    if (!built) {
        setStatus(built.error().message, true);
        return;
    }
    const datasource::QueryRequest request = *built;

    // A newer query supersedes the running one.
    m_cancel.cancel();
    m_cancel = CancelToken();
    const int id = ++m_jobId;
    if (m_history)
        m_history->add(expr, entry.uid);

    m_running = true;
    m_cancelButton->show();
    setStatus(tr("Running query..."), false);
    emit queryStarted(id);

    QElapsedTimer timer;
    timer.start();
    auto ds = entry.datasource;
    const CancelToken token = m_cancel;
    QtConcurrent::run([ds, request, token]() { return ds->query(request, token); })
        .then(this, [this, id, request, timer](const Result<model::Frames> &result) {
            if (id != m_jobId)
                return; // superseded: a newer query owns the view
            showResult(id, result, request.from, request.to, timer.elapsed());
        });
}

void ExploreView::fitTableColumns()
{
    // Sized from the rows in view (QTableView samples only those), capped so
    // one long label set cannot push the values out of sight.
    QHeaderView *header = m_table->horizontalHeader();
    const int cap = std::max(200, m_table->viewport()->width() / 2);
    for (int c = 0; c < m_model->columnCount(); ++c) {
        m_table->resizeColumnToContents(c);
        header->resizeSection(c, std::min(header->sectionSize(c) + 16, cap));
    }
}

void ExploreView::cancelQuery()
{
    if (!m_running)
        return;
    m_cancel.cancel();
    // Forget the job now; whatever it returns later is stale.
    const int id = m_jobId++;
    m_running = false;
    m_cancelButton->hide();
    setStatus(tr("Query cancelled."), false);
    emit queryFinished(id, false);
}

void ExploreView::showResult(int jobId, const Result<model::Frames> &result, model::TimestampMs from,
                             model::TimestampMs to, qint64 elapsedMs)
{
    m_running = false;
    m_cancelButton->hide();
    if (!result) {
        const Error &e = result.error();
        m_plot->setTimeRange(from, to);
        m_plot->setEmptyText(e.kind == Error::Kind::Cancelled ? tr("Query cancelled.")
                                                              : tr("The query failed: see the error above."));
        m_plot->clear();
        m_model->clear();
        m_lastSeriesCount = 0;
        if (e.kind == Error::Kind::Cancelled) {
            setStatus(tr("Query cancelled."), false);
        } else {
            QString where;
            if (e.line > 0 && e.column > 0)
                where = tr("line %1, column %2: ").arg(e.line).arg(e.column);
            else if (e.column > 0)
                where = tr("column %1: ").arg(e.column);
            setStatus(tr("Error: %1%2").arg(where, e.message), true);
            // Point at the spot in the editor when the error has a position.
            if (e.column > 0) {
                QPlainTextEdit *edit = m_language == QueryLanguage::LogQL ? static_cast<QPlainTextEdit *>(m_logqlEdit)
                                                                          : m_queryEdit;
                const QTextBlock block = edit->document()->findBlockByNumber(std::max(0, e.line - 1));
                const int pos = block.position() + std::min(e.column - 1, std::max(0, block.length() - 2));
                if (m_language == QueryLanguage::LogQL)
                    m_logqlEdit->setErrorAt(pos, e.message);
                else
                    m_queryEdit->setErrorAt(pos, e.message);
            }
        }
        emit queryFinished(jobId, false);
        return;
    }

    const model::Frames &frames = *result;
    const bool logsResult = std::any_of(frames.begin(), frames.end(),
                                        [](const model::Frame &f) { return f.kind() == model::FrameKind::Logs; });
    if (m_language == QueryLanguage::LogQL && (logsResult || frames.isEmpty())) {
        showLogsResult(frames, from, to);
        qsizetype lines = m_logsView->model()->totalLines();
        setStatus(tr("%n log line(s)", nullptr, int(lines)) + tr(" in %1 ms").arg(elapsedMs)
                      + (lines >= m_logLimit ? tr(" (limit reached: \"Load more\" fetches the next page)") : QString()),
                  false);
        emit queryFinished(jobId, true);
        return;
    }
    m_splitter->show();
    m_logsView->hide();
    // Instant results sit at the range's end: leave room so they are not clipped.
    const bool instant = m_queryType == QueryType::Instant;
    m_plot->setTimeRange(from, instant ? to + std::max<model::TimestampMs>((to - from) / 40, 1000) : to);
    m_plot->setEmptyText(tr("No data in this time range."));
    m_plot->setFrames(frames);
    m_model->setFrames(frames);
    fitTableColumns();
    m_lastSeriesCount = m_plot->seriesCount();
    qsizetype points = 0;
    QStringList notices;
    for (const model::Frame &f : frames) {
        points += f.rowCount();
        for (const QString &n : f.meta().notices)
            if (!notices.contains(n))
                notices.push_back(n);
    }
    QString text;
    if (frames.isEmpty())
        text = tr("No data: the query matched no series in this time range (%1 ms).").arg(elapsedMs);
    else if (m_model->layout() == FramesTableModel::Layout::Table)
        text = tr("%n rows", nullptr, m_model->rowCount()) + tr(" in %1 ms").arg(elapsedMs);
    else
        text = tr("%n series", nullptr, m_lastSeriesCount) + tr(", %n points", nullptr, int(points)) +
               tr(" in %1 ms").arg(elapsedMs);
    if (!notices.isEmpty())
        text += QStringLiteral("  -  ") + notices.join(QStringLiteral("; "));
    setStatus(text, false);
    emit queryFinished(jobId, true);
}

// ------------------------------------------------------------- logs (LogQL)

void ExploreView::setupLogs()
{
    auto *top = qobject_cast<QVBoxLayout *>(layout());
    m_languageCombo = new QComboBox(this);
    m_languageCombo->setObjectName(QStringLiteral("languageCombo"));
    m_languageCombo->addItem(QStringLiteral("PromQL"));
    m_languageCombo->addItem(QStringLiteral("LogQL"));
    m_languageCombo->setToolTip(tr("Query language of this row: PromQL for metrics, LogQL for logs"));
    if (auto *bar = top ? qobject_cast<QHBoxLayout *>(top->itemAt(0)->layout()) : nullptr)
        bar->insertWidget(bar->indexOf(m_queryTypeCombo) + 1, m_languageCombo);

    m_logqlEdit = new logs::LogqlEditor(this);
    m_logqlEdit->setObjectName(QStringLiteral("logqlEdit"));
    m_logqlEdit->setFont(m_queryEdit->font());
    m_logqlEdit->setFixedHeight(m_queryEdit->maximumHeight());
    m_logqlEdit->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    m_logqlEdit->installEventFilter(this);
    m_logqlEdit->hide();
    if (top)
        top->insertWidget(top->indexOf(m_queryEdit) + 1, m_logqlEdit);

    m_logsView = new logs::LogsView(m_bodySplitter);
    m_logsView->setObjectName(QStringLiteral("logsView"));
    m_bodySplitter->insertWidget(1, m_logsView);
    m_bodySplitter->setStretchFactor(1, 4);
    m_logsView->hide();

    m_tailTimer = new QTimer(this);
    m_tailTimer->setInterval(1000);
    connect(m_tailTimer, &QTimer::timeout, this, &ExploreView::pollTail);

    connect(m_languageCombo, &QComboBox::currentIndexChanged, this, [this](int i) {
        setQueryLanguage(i == 1 ? QueryLanguage::LogQL : QueryLanguage::PromQL);
    });
    connect(m_logqlEdit, &logs::LogqlEditor::completionDataWanted, this, &ExploreView::fetchCompletionData);
    connect(m_logqlEdit, &logs::LogqlEditor::labelValuesWanted, this, &ExploreView::fetchLabelValues);
    connect(m_logqlEdit, &logs::LogqlEditor::parseErrorChanged, this, &ExploreView::onParseError);
    connect(m_logsView, &logs::LogsView::traceLinkActivated, this, &ExploreView::traceLinkActivated);
    connect(m_logsView, &logs::LogsView::timeRangeSelected, this, &ExploreView::timeRangeSelected);
    connect(m_logsView, &logs::LogsView::scopedFilterRequested, this,
            [this](const QString &label, const QString &value, bool include, logs::FilterScope scope) {
                setQuery(logs::LogqlQueryRewriter::addLabelFilter(query(), label, value, include,
                                                                   scope == logs::FilterScope::Stream));
                runQuery();
            });
    connect(m_logsView, &logs::LogsView::loadMoreRequested, this, &ExploreView::loadMoreLogs);
    connect(m_logsView, &logs::LogsView::contextRequested, this, &ExploreView::showLogContext);
    connect(m_logsView, &logs::LogsView::liveTailToggled, this, [this](bool live) {
        if (!live) {
            m_tailTimer->stop();
            return;
        }
        // Follow from the newest line shown (or from now), oldest first
        // would scroll away from new lines, so the tail shows newest on top.
        const std::int64_t newest = m_logsView->model()->newestNs();
        m_tailFromMs = newest > 0 ? newest / 1'000'000 + 1 : model::nowMs() - 10'000;
        m_tailRate = 0;
        m_tailClock.start();
        m_logsView->model()->setMaxLines(100'000);
        m_tailTimer->start();
        pollTail();
    });
}

void ExploreView::setQueryLanguage(QueryLanguage language)
{
    if (language == m_language)
        return;
    // Each language keeps its own text, so switching back restores it.
    m_language = language;
    const bool logql = language == QueryLanguage::LogQL;
    m_queryEdit->setVisible(!logql);
    m_logqlEdit->setVisible(logql);
    if (m_languageCombo->currentIndex() != (logql ? 1 : 0))
        m_languageCombo->setCurrentIndex(logql ? 1 : 0);
    m_parseError->hide();
    if (!logql) {
        m_logsView->setLive(false);
        m_tailTimer->stop();
        m_logsView->hide();
        m_splitter->show();
    }
}

bool ExploreView::isShowingLogs() const
{
    return m_logsView && !m_logsView->isHidden();
}

void ExploreView::showLogsResult(const model::Frames &frames, model::TimestampMs from, model::TimestampMs to)
{
    m_splitter->hide();
    m_logsView->show();
    m_logsView->setTimeRange(from, to);
    m_logsView->setTimeZone(m_zone);
    m_logsView->setQuery(query());
    m_logsView->setFrames(frames);
    m_logsView->setCanLoadMore(m_logsView->model()->totalLines() >= m_logLimit);
    m_logsView->setMessage(frames.isEmpty() || m_logsView->model()->totalLines() == 0
                               ? tr("No logs: the query matched no lines in this time range.")
                               : QString());
    m_model->clear();
    m_plot->clear();
    m_lastSeriesCount = 0;
    if (m_logsView->model()->totalLines() > 0)
        runVolumeQuery(query().trimmed(), from, to);
}

void ExploreView::runVolumeQuery(const QString &expr, model::TimestampMs from, model::TimestampMs to)
{
    const DatasourceEntry *entry = currentEntry();
    if (!entry || !entry->datasource)
        return;
    // The volume of every matching line, not only the page loaded, in about
    // a hundred bars (Grafana's "logs volume" query).
    const std::int64_t stepMs = std::max<std::int64_t>(1000, (to - from) / 100 / 1000 * 1000);
    datasource::QueryRequest request;
    request.expr = QStringLiteral("sum by (level) (count_over_time(%1 [%2s]))").arg(expr).arg(stepMs / 1000);
    request.from = from;
    request.to = to;
    request.stepMs = stepMs;
    request.options.insert(QStringLiteral("language"), QStringLiteral("logql"));
    const int job = ++m_volumeJob;
    auto ds = entry->datasource;
    const CancelToken token = m_cancel;
    QtConcurrent::run([ds, request, token] { return ds->query(request, token); })
        .then(this, [this, job](const Result<model::Frames> &result) {
            if (job != m_volumeJob || !result || result->isEmpty())
                return; // the lines' own counts stay
            const bool series = std::all_of(result->begin(), result->end(), [](const model::Frame &f) {
                return f.kind() == model::FrameKind::TimeSeries;
            });
            if (series)
                m_logsView->setVolumeFrames(*result);
        });
}

datasource::QueryRequest ExploreView::logsRequest(model::TimestampMs from, model::TimestampMs to, bool forward) const
{
    datasource::QueryRequest request;
    request.expr = query().trimmed();
    request.from = from;
    request.to = to;
    request.options.insert(QStringLiteral("language"), QStringLiteral("logql"));
    request.options.insert(QStringLiteral("limit"), m_logLimit);
    request.options.insert(QStringLiteral("direction"), forward ? QStringLiteral("forward") : QStringLiteral("backward"));
    return request;
}

void ExploreView::loadMoreLogs(std::int64_t beforeNs, std::int64_t afterNs)
{
    const DatasourceEntry *entry = currentEntry();
    if (!entry || !entry->datasource)
        return;
    const model::TimestampMs now = model::nowMs();
    const model::TimestampMs from = m_range.fromMs(now), to = m_range.toMs(now);
    // The next page in the direction of travel; the range end is exclusive,
    // so the boundary millisecond is not fetched twice.
    const bool forward = beforeNs == 0;
    const auto request = forward ? logsRequest(afterNs / 1'000'000 + 1, to, true)
                                 : logsRequest(from, beforeNs / 1'000'000, false);
    const int job = ++m_moreJob;
    auto ds = entry->datasource;
    const CancelToken token = m_cancel;
    setStatus(tr("Loading more lines..."), false);
    QtConcurrent::run([ds, request, token] { return ds->query(request, token); })
        .then(this, [this, job](const Result<model::Frames> &result) {
            if (job != m_moreJob)
                return;
            if (!result) {
                setStatus(tr("Error: %1").arg(result.error().message), true);
                return;
            }
            const qsizetype added = m_logsView->appendFrames(*result);
            m_logsView->setCanLoadMore(added >= m_logLimit);
            setStatus(tr("%n more line(s) loaded", nullptr, int(added))
                          + tr("; %n in total", nullptr, int(m_logsView->model()->totalLines())),
                      false);
            emit logsAppended(added);
        });
}

void ExploreView::showLogContext(const logs::LogLine &line)
{
    const DatasourceEntry *entry = currentEntry();
    if (!entry || !entry->datasource)
        return;
    // The stream alone: parsed fields and metadata are not stream labels.
    QList<model::Label> stream;
    for (const auto &l : line.labels)
        if (!line.parsed.has(l.name) && !line.metadata.has(l.name))
            stream.append(l);
    const QString selector = logs::LogqlQueryRewriter::selectorFor(model::Labels(stream));
    const model::TimestampMs at = line.timeNs / 1'000'000;
    datasource::QueryRequest before, after;
    before.expr = after.expr = selector;
    before.from = at - 24LL * 3600 * 1000;
    before.to = at + 1;
    after.from = at + 1;
    after.to = at + 24LL * 3600 * 1000;
    for (auto *r : {&before, &after}) {
        r->options.insert(QStringLiteral("language"), QStringLiteral("logql"));
        r->options.insert(QStringLiteral("limit"), 20);
    }
    before.options.insert(QStringLiteral("direction"), QStringLiteral("backward"));
    after.options.insert(QStringLiteral("direction"), QStringLiteral("forward"));
    auto ds = entry->datasource;
    const CancelToken token = m_cancel;
    const std::int64_t targetNs = line.timeNs;
    const QString targetLine = line.line;
    QtConcurrent::run([ds, before, after, token]() -> Result<model::Frames> {
        auto a = ds->query(before, token);
        if (!a)
            return a;
        auto b = ds->query(after, token);
        if (!b)
            return b;
        model::Frames all = *a;
        all.append(*b);
        return all;
    }).then(this, [this, selector, targetNs, targetLine](const Result<model::Frames> &result) {
        if (!result) {
            setStatus(tr("Context: %1").arg(result.error().message), true);
            return;
        }
        auto *dialog = new QDialog(this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->setWindowTitle(tr("Context of the line in %1").arg(selector));
        auto *lay = new QVBoxLayout(dialog);
        auto *view = new logs::LogsView(dialog);
        view->setObjectName(QStringLiteral("logContextView"));
        view->setOrder(logs::LogsModel::Order::OldestFirst);
        view->setTimeZone(m_zone);
        view->setFrames(*result);
        view->loadMoreButton()->hide();
        connect(view, &logs::LogsView::traceLinkActivated, this, &ExploreView::traceLinkActivated);
        lay->addWidget(view);
        auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, dialog);
        connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::close);
        lay->addWidget(buttons);
        dialog->resize(1000, 600);
        dialog->show();
        // Put the line itself in the middle, selected.
        for (int r = 0; r < view->model()->rowCount(); ++r) {
            if (view->model()->timeNsAt(r) == targetNs && view->model()->lineAt(r) == targetLine) {
                const QModelIndex idx = view->model()->index(r);
                view->listView()->setCurrentIndex(idx);
                view->listView()->scrollTo(idx, QAbstractItemView::PositionAtCenter);
                break;
            }
        }
    });
}

void ExploreView::pollTail()
{
    if (m_tailBusy || !m_logsView->isLive() || m_logsView->isPaused())
        return;
    const DatasourceEntry *entry = currentEntry();
    if (!entry || !entry->datasource)
        return;
    // Datasources without a tail are polled with a moving start: each poll
    // asks for the lines after the newest one seen.
    const model::TimestampMs now = model::nowMs();
    const auto request = logsRequest(m_tailFromMs, now + 1, true);
    m_tailBusy = true;
    auto ds = entry->datasource;
    const CancelToken token = m_cancel;
    QtConcurrent::run([ds, request, token] { return ds->query(request, token); })
        .then(this, [this](const Result<model::Frames> &result) {
            m_tailBusy = false;
            if (!m_logsView->isLive())
                return;
            const double secs = std::max(0.001, double(m_tailClock.restart()) / 1000.0);
            if (!result) {
                setStatus(tr("Live tail: %1").arg(result.error().message), true);
                return;
            }
            const qsizetype added = m_logsView->appendFrames(*result);
            const std::int64_t newest = m_logsView->model()->newestNs();
            if (newest > 0)
                m_tailFromMs = std::max(m_tailFromMs, newest / 1'000'000 + 1);
            // Smoothed over a few polls so the figure does not jump.
            m_tailRate = m_tailRate == 0 ? double(added) / secs : 0.7 * m_tailRate + 0.3 * double(added) / secs;
            m_logsView->setTailRate(m_tailRate);
            setStatus(tr("Live: %n line(s) shown", nullptr, int(m_logsView->model()->totalLines())), false);
            emit logsAppended(added);
        });
}

} // namespace spyglass::gui::explore
