#include "app/gui/traces/traces_page.h"

#include "app/gui/traces/service_graph_view.h"
#include "app/gui/traces/trace_compare_view.h"
#include "app/gui/traces/trace_search_table.h"
#include "app/gui/traces/trace_viewer.h"
#include "app/gui/traces/traceql_editor.h"
#include "core/model/time_range.h"
#include "core/query/traceql/engine.h"
#include "core/store/storage.h"

#include <QComboBox>
#include <QDateTime>
#include <QScrollArea>
#include <QTabWidget>

#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace spyglass::gui::traces {

TracesPage::TracesPage(store::Storage *storage, QWidget *parent)
    : QWidget(parent),
      m_storage(storage),
      m_open(new QPushButton(tr("Open trace file..."), this)),
      m_service(new QLineEdit(this)),
      m_name(new QLineEdit(this)),
      m_minDuration(new QLineEdit(this)),
      m_maxDuration(new QLineEdit(this)),
      m_limit(new QSpinBox(this)),
      m_search(new QPushButton(tr("Search"), this)),
      m_status(new QLabel(this)),
      m_results(new TraceSearchTable(this)),
      m_viewer(new TraceViewer(this)),
      m_splitter(new QSplitter(Qt::Vertical, this)),
      m_traceql(new TraceqlEditor(this)),
      m_traceqlError(new QLabel(this)),
      m_compareButton(new QPushButton(tr("Compare"), this)),
      m_tabs(new QTabWidget(this)),
      m_compare(new TraceCompareView(this)),
      m_serviceMap(new ServiceGraphView(this)),
      m_mapRange(new QComboBox(this)),
      m_mapBuild(new QPushButton(tr("Build service graph"), this)),
      m_mapStatus(new QLabel(this))
{
    m_open->setToolTip(tr("Open an OTLP traces file (JSON or protobuf ExportTraceServiceRequest)"));
    m_service->setPlaceholderText(tr("service"));
    m_name->setPlaceholderText(tr("span name"));
    m_minDuration->setPlaceholderText(tr("min duration (100ms)"));
    m_maxDuration->setPlaceholderText(tr("max duration"));
    m_limit->setRange(1, 10000);
    m_limit->setValue(100);
    m_limit->setPrefix(tr("limit "));
    m_search->setEnabled(m_storage != nullptr);
    m_search->setToolTip(m_storage ? tr("Search the embedded store's traces")
                                   : tr("No embedded store is open"));
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_open);
    bar->addSpacing(16);
    bar->addWidget(m_service, 2);
    bar->addWidget(m_name, 2);
    bar->addWidget(m_minDuration, 1);
    bar->addWidget(m_maxDuration, 1);
    bar->addWidget(m_limit);
    bar->addWidget(m_search);

    bar->addWidget(m_compareButton);
    m_compareButton->setToolTip(tr("Compare the two traces selected in the results (Ctrl+click to select two)"));

    m_traceql->setToolTip(tr("TraceQL query (Enter searches; Ctrl+Space completes). "
                             "When set, it is used instead of the service and span name fields."));
    m_traceql->setFixedHeight(m_traceql->sizeHint().height());
    m_traceqlError->setStyleSheet(QStringLiteral("color: #E02F44"));
    m_traceqlError->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_traceqlError->hide();
    auto *traceqlRow = new QHBoxLayout;
    auto *traceqlLabel = new QLabel(tr("TraceQL"), this);
    traceqlRow->addWidget(traceqlLabel);
    traceqlRow->addWidget(m_traceql, 1);

    m_mapRange->addItem(tr("Last 15 minutes"), qlonglong(15) * 60);
    m_mapRange->addItem(tr("Last hour"), qlonglong(3600));
    m_mapRange->addItem(tr("Last 6 hours"), qlonglong(6) * 3600);
    m_mapRange->addItem(tr("Last 24 hours"), qlonglong(24) * 3600);
    m_mapRange->addItem(tr("Last 7 days"), qlonglong(7) * 86400);
    m_mapRange->addItem(tr("All stored traces"), qlonglong(0));
    m_mapRange->setCurrentIndex(1);
    m_serviceMap->setEmptyText(tr("Press \"Build service graph\" to draw the calls between services."));
    auto *mapTab = new QWidget(this);
    auto *mapLayout = new QVBoxLayout(mapTab);
    auto *mapBar = new QHBoxLayout;
    mapBar->addWidget(m_mapRange);
    mapBar->addWidget(m_mapBuild);
    mapBar->addWidget(m_mapStatus, 1);
    mapLayout->addLayout(mapBar);
    auto *mapScroll = new QScrollArea(this);
    mapScroll->setWidget(m_serviceMap);
    mapScroll->setWidgetResizable(true);
    mapLayout->addWidget(mapScroll, 1);

    m_tabs->addTab(m_viewer, tr("Trace"));
    m_tabs->addTab(m_compare, tr("Compare"));
    m_tabs->addTab(mapTab, tr("Service graph"));

    m_splitter->addWidget(m_results);
    m_splitter->addWidget(m_tabs);
    m_splitter->setStretchFactor(0, 1);
    m_splitter->setStretchFactor(1, 4);
    m_splitter->setSizes({140, 600});

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    layout->addLayout(bar);
    layout->addLayout(traceqlRow);
    layout->addWidget(m_traceqlError);
    layout->addWidget(m_status);
    layout->addWidget(m_splitter, 1);

    connect(m_traceql, &TraceqlEditor::submitted, this, &TracesPage::searchStore);
    connect(m_traceql, &TraceqlEditor::parseErrorChanged, this, [this](const QString &message, int column) {
        m_traceqlError->setVisible(!message.isEmpty());
        m_traceqlError->setText(message.isEmpty() ? QString() : tr("column %1: %2").arg(column).arg(message));
    });
    connect(m_traceql, &TraceqlEditor::attributeNamesWanted, this, &TracesPage::loadCompletionNames);
    connect(m_traceql, &TraceqlEditor::attributeValuesWanted, this, &TracesPage::loadCompletionValues);
    connect(m_compareButton, &QPushButton::clicked, this, &TracesPage::compareSelected);
    connect(m_mapBuild, &QPushButton::clicked, this, &TracesPage::buildServiceMap);
    connect(m_viewer, &TraceViewer::logsRequested, this, &TracesPage::logsRequested);
    connect(m_viewer, &TraceViewer::metricsRequested, this, &TracesPage::metricsRequested);

    connect(m_open, &QPushButton::clicked, this, &TracesPage::openFileDialog);
    connect(m_search, &QPushButton::clicked, this, &TracesPage::searchStore);
    for (QLineEdit *e : {m_service, m_name, m_minDuration, m_maxDuration})
        connect(e, &QLineEdit::returnPressed, this, &TracesPage::searchStore);
    connect(m_results, &TraceSearchTable::traceActivated, this, &TracesPage::openTrace);
    connect(m_viewer, &TraceViewer::linkActivated, this,
            [this](const QByteArray &traceId, const QByteArray &) { openTrace(traceId); });
    setStatus(tr("Open an OTLP trace file, or search the traces received by the embedded store."));
}

QString TracesPage::statusText() const
{
    return m_status->text();
}

void TracesPage::setStatus(const QString &text)
{
    m_status->setText(text);
}

void TracesPage::openFileDialog()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open trace file"), QString(),
                                                      tr("OTLP traces (*.json *.pb *.bin);;All files (*)"));
    if (!path.isEmpty())
        openFile(path);
}

void TracesPage::openFile(const QString &path)
{
    const int id = ++m_loadJob;
    setStatus(tr("Reading %1...").arg(path));
    QtConcurrent::run([path] { return loadTraceFile(path); })
        .then(this, [this, id, path](const Result<TraceFileContents> &result) {
            if (id != m_loadJob)
                return;
            if (!result) {
                setStatus(tr("Could not open the trace file: %1").arg(result.error().toString()));
                emit loadFinished(false, result.error().toString());
                return;
            }
            m_fileTraces = result->traces;
            m_results->setSummaries(result->summaries);
            const QLocale locale;
            QString text = tr("%1: %n trace(s), ", nullptr, int(result->summaries.size()))
                               .arg(QFileInfo(path).fileName()) +
                           tr("%1 spans").arg(locale.toString(qlonglong(result->spanCount)));
            if (result->rejectedSpans > 0)
                text += tr("; %1 spans refused (%2)")
                            .arg(result->rejectedSpans)
                            .arg(result->problems.join(QStringLiteral("; ")));
            setStatus(text);
            if (!result->summaries.isEmpty())
                openTrace(result->summaries.first().traceId);
            emit loadFinished(true, text);
        });
}

void TracesPage::searchStore()
{
    if (!m_storage)
        return;
    const QString traceql = m_traceql->query().trimmed();
    if (!traceql.isEmpty()) {
        query::traceql::SearchRequest request;
        request.query = traceql;
        request.limit = m_limit->value();
        for (auto [edit, target] : {std::pair{m_minDuration, &request.minDurationNs},
                                    std::pair{m_maxDuration, &request.maxDurationNs}}) {
            const QString text = edit->text().trimmed();
            if (text.isEmpty())
                continue;
            const Result<std::int64_t> ms = model::parseDuration(text);
            if (!ms) {
                setStatus(tr("Bad duration \"%1\": %2").arg(text, ms.error().message));
                emit searchFinished(false, 0);
                return;
            }
            *target = *ms * 1'000'000;
        }
        const int id = ++m_searchJob;
        setStatus(tr("Running TraceQL..."));
        const store::SpanStore *spans = &m_storage->traces();
        QtConcurrent::run([spans, request] { return query::traceql::TraceqlEngine(*spans).search(request); })
            .then(this, [this, id](const Result<query::traceql::SearchResponse> &result) {
                if (id != m_searchJob)
                    return;
                if (!result) {
                    const Error &e = result.error();
                    if (e.column > 0) {
                        m_traceqlError->setText(tr("column %1: %2").arg(e.column).arg(e.message));
                        m_traceqlError->show();
                    }
                    setStatus(tr("TraceQL failed: %1").arg(e.message));
                    emit searchFinished(false, 0);
                    return;
                }
                QList<store::TraceSummary> summaries;
                for (const query::traceql::TraceResult &t : result->traces)
                    summaries.push_back(t.summary);
                m_fileTraces.clear();
                m_results->setSummaries(summaries);
                setStatus(tr("%n trace(s) match", nullptr, int(summaries.size()))
                          + tr(" (%1 traces, %2 spans inspected)")
                                .arg(result->inspectedTraces)
                                .arg(result->inspectedSpans));
                emit searchFinished(true, int(summaries.size()));
            });
        return;
    }
    store::TraceQuery query;
    if (!m_service->text().trimmed().isEmpty())
        query.predicates.push_back(store::SpanPredicate::service(m_service->text().trimmed()));
    if (!m_name->text().trimmed().isEmpty())
        query.predicates.push_back(store::SpanPredicate::name(m_name->text().trimmed()));
    for (auto [edit, target] : {std::pair{m_minDuration, &query.minTraceDurationNs},
                                std::pair{m_maxDuration, &query.maxTraceDurationNs}}) {
        const QString text = edit->text().trimmed();
        if (text.isEmpty())
            continue;
        const Result<std::int64_t> ms = model::parseDuration(text);
        if (!ms) {
            setStatus(tr("Bad duration \"%1\": %2").arg(text, ms.error().message));
            emit searchFinished(false, 0);
            return;
        }
        *target = *ms * 1'000'000;
    }
    query.limit = m_limit->value();
    const int id = ++m_searchJob;
    setStatus(tr("Searching..."));
    store::SpanStore *spans = &m_storage->traces();
    QtConcurrent::run([spans, query] { return spans->findTraces(query); })
        .then(this, [this, id](const Result<QList<store::TraceSummary>> &result) {
            if (id != m_searchJob)
                return;
            if (!result) {
                setStatus(tr("Search failed: %1").arg(result.error().toString()));
                emit searchFinished(false, 0);
                return;
            }
            m_fileTraces.clear(); // results now come from the store
            m_results->setSummaries(*result);
            setStatus(tr("%n trace(s) found in the store", nullptr, int(result->size())));
            emit searchFinished(true, int(result->size()));
        });
}

void TracesPage::openTrace(const QByteArray &traceId)
{
    const auto it = m_fileTraces.constFind(traceId);
    if (it != m_fileTraces.constEnd()) {
        ++m_traceJob;
        m_viewer->setSpans(it.value());
        m_results->selectTrace(traceId);
        m_tabs->setCurrentIndex(TraceTab);
        emit traceOpened(traceId);
        return;
    }
    if (!m_storage) {
        setStatus(tr("Trace %1 is not in the open file").arg(hexId(traceId)));
        return;
    }
    const int id = ++m_traceJob;
    store::SpanStore *spans = &m_storage->traces();
    QtConcurrent::run([spans, traceId] { return spans->trace(traceId); })
        .then(this, [this, id, traceId](const Result<QList<model::Span>> &result) {
            if (id != m_traceJob)
                return;
            if (!result || result->isEmpty()) {
                setStatus(result ? tr("Trace %1 was not found").arg(hexId(traceId))
                                 : tr("Could not read trace %1: %2").arg(hexId(traceId), result.error().toString()));
                return;
            }
            m_viewer->setSpans(*result);
            m_results->selectTrace(traceId);
            m_tabs->setCurrentIndex(TraceTab);
            emit traceOpened(traceId);
        });
}

void TracesPage::compareSelected()
{
    const QList<QByteArray> ids = m_results->selectedTraceIds();
    if (ids.size() != 2) {
        setStatus(tr("Select exactly two traces in the results to compare them (Ctrl+click)."));
        emit comparisonShown(false);
        return;
    }
    compareTraces(ids[0], ids[1]);
}

void TracesPage::compareTraces(const QByteArray &a, const QByteArray &b)
{
    const int id = ++m_compareJob;
    // File traces are copied here, on the GUI thread; the store is read on the pool.
    const std::optional<QList<model::Span>> fileA = m_fileTraces.contains(a)
        ? std::optional(m_fileTraces.value(a)) : std::nullopt;
    const std::optional<QList<model::Span>> fileB = m_fileTraces.contains(b)
        ? std::optional(m_fileTraces.value(b)) : std::nullopt;
    store::SpanStore *spans = m_storage ? &m_storage->traces() : nullptr;
    setStatus(tr("Comparing %1 with %2...").arg(hexId(a).left(16), hexId(b).left(16)));
    using Pair = std::pair<Result<QList<model::Span>>, Result<QList<model::Span>>>;
    QtConcurrent::run([spans, a, b, fileA, fileB]() -> Pair {
        const auto get = [spans](const QByteArray &id, const std::optional<QList<model::Span>> &file)
            -> Result<QList<model::Span>> {
            if (file)
                return *file;
            if (!spans)
                return fail(Error::invalid(QStringLiteral("trace %1 is not in the open file").arg(hexId(id))));
            return spans->trace(id);
        };
        return {get(a, fileA), get(b, fileB)};
    }).then(this, [this, id, a, b](const Pair &result) {
        if (id != m_compareJob)
            return;
        for (const auto *r : {&result.first, &result.second}) {
            if (!*r || (*r)->isEmpty()) {
                setStatus(*r ? tr("Trace %1 was not found").arg(hexId(r == &result.first ? a : b))
                             : tr("Could not read a trace: %1").arg(r->error().toString()));
                emit comparisonShown(false);
                return;
            }
        }
        m_compare->setTraces(*result.first, *result.second);
        m_tabs->setCurrentIndex(CompareTab);
        setStatus(tr("Comparing trace A %1 with trace B %2").arg(hexId(a), hexId(b)));
        emit comparisonShown(true);
    });
}

void TracesPage::buildServiceMap()
{
    const int id = ++m_mapJob;
    const qlonglong rangeSeconds = m_mapRange->currentData().toLongLong();
    QList<QList<model::Span>> fileTraces;
    if (!m_fileTraces.isEmpty())
        fileTraces = m_fileTraces.values();
    if (fileTraces.isEmpty() && !m_storage) {
        m_mapStatus->setText(tr("Open a trace file or start the embedded store."));
        emit serviceMapReady(false);
        return;
    }
    store::SpanStore *spans = m_storage ? &m_storage->traces() : nullptr;
    const model::TimestampNs now = QDateTime::currentMSecsSinceEpoch() * 1'000'000;
    m_mapStatus->setText(tr("Reading traces..."));
    // Big stores: the newest traces of the range, enough for rates that hold.
    constexpr int kMaxTraces = 5000;
    struct Out
    {
        Result<ServiceGraph> graph;
        bool fromFile = false;
        bool capped = false;
    };
    QtConcurrent::run([spans, fileTraces, rangeSeconds, now]() -> Out {
        ServiceGraphBuilder builder;
        model::TimestampNs first = std::numeric_limits<model::TimestampNs>::max(), last = 0;
        const auto account = [&](const QList<model::Span> &trace) {
            for (const model::Span &s : trace) {
                first = std::min(first, s.start);
                last = std::max(last, s.end);
            }
            builder.addTrace(trace);
        };
        if (!fileTraces.isEmpty()) {
            for (const QList<model::Span> &t : fileTraces)
                account(t);
            return {builder.finish(last > first ? double(last - first) / 1e9 : 0), true, false};
        }
        store::TraceQuery query;
        if (rangeSeconds > 0) {
            query.start = now - rangeSeconds * 1'000'000'000LL;
            query.end = now;
        }
        query.limit = kMaxTraces;
        const auto found = spans->findTraces(query);
        if (!found)
            return {fail(found.error()), false, false};
        for (const store::TraceSummary &summary : *found) {
            const auto trace = spans->trace(summary.traceId);
            if (!trace)
                return {fail(trace.error()), false, false};
            account(*trace);
        }
        double window = rangeSeconds > 0 ? double(rangeSeconds) : (last > first ? double(last - first) / 1e9 : 0);
        const bool capped = found->size() >= kMaxTraces;
        if (capped && last > first) // rates over the time the sampled traces cover
            window = double(last - first) / 1e9;
        return {builder.finish(window), false, capped};
    }).then(this, [this, id](const Out &out) {
        if (id != m_mapJob)
            return;
        if (!out.graph) {
            m_mapStatus->setText(tr("Could not read the traces: %1").arg(out.graph.error().toString()));
            emit serviceMapReady(false);
            return;
        }
        m_serviceMap->setEmptyText(tr("No traces in this range."));
        m_serviceMap->setGraph(*out.graph);
        QString text = tr("%n trace(s)", nullptr, int(out.graph->traces))
            + tr(", %n service(s)", nullptr, int(out.graph->services.size()))
            + tr(", %n edge(s)", nullptr, int(out.graph->edges.size()))
            + tr("; rates per second over %1").arg(formatDurationNs(std::int64_t(out.graph->windowSeconds * 1e9)));
        if (out.fromFile)
            text += tr(" (the open file's traces)");
        if (out.capped)
            text += tr(" (newest traces only)");
        m_mapStatus->setText(text);
        emit serviceMapReady(true);
    });
}

void TracesPage::loadCompletionNames()
{
    if (!m_storage)
        return;
    const store::SpanStore *spans = &m_storage->traces();
    QtConcurrent::run([spans] {
        QStringList names;
        for (auto [scope, prefix] : {std::pair{store::AttributeScope::Resource, QStringLiteral("resource.")},
                                     std::pair{store::AttributeScope::Span, QStringLiteral("span.")}}) {
            const auto keys = spans->attributeKeys(scope);
            if (keys)
                for (const QString &k : *keys)
                    names.push_back(prefix + k);
        }
        return names;
    }).then(this, [this](const QStringList &names) { m_traceql->setAttributeNames(names); });
}

void TracesPage::loadCompletionValues(const QString &attribute)
{
    if (!m_storage)
        return;
    const store::SpanStore *spans = &m_storage->traces();
    QtConcurrent::run([spans, attribute] {
        QStringList values;
        const auto addValues = [&](store::AttributeScope scope, const QString &key) {
            const auto v = spans->attributeValues(scope, key, 200);
            if (v)
                for (const store::AttributeValue &a : *v)
                    values.push_back(a.value);
        };
        if (attribute == QLatin1String("name") || attribute == QLatin1String("rootName")) {
            const auto n = spans->spanNames(200);
            if (n)
                values = *n;
        } else if (attribute == QLatin1String("rootServiceName")) {
            addValues(store::AttributeScope::Resource, QStringLiteral("service.name"));
        } else if (attribute.startsWith(QLatin1String("resource."))) {
            addValues(store::AttributeScope::Resource, attribute.mid(9));
        } else if (attribute.startsWith(QLatin1String("span."))) {
            addValues(store::AttributeScope::Span, attribute.mid(5));
        } else if (attribute.startsWith(QLatin1Char('.'))) {
            addValues(store::AttributeScope::Span, attribute.mid(1));
            addValues(store::AttributeScope::Resource, attribute.mid(1));
        }
        values.removeDuplicates();
        return values;
    }).then(this, [this, attribute](const QStringList &values) { m_traceql->setAttributeValues(attribute, values); });
}

} // namespace spyglass::gui::traces
