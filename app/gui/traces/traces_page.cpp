#include "app/gui/traces/traces_page.h"

#include "app/gui/traces/trace_search_table.h"
#include "app/gui/traces/trace_viewer.h"
#include "core/model/time_range.h"
#include "core/store/storage.h"

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
      m_splitter(new QSplitter(Qt::Vertical, this))
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

    m_splitter->addWidget(m_results);
    m_splitter->addWidget(m_viewer);
    m_splitter->setStretchFactor(0, 1);
    m_splitter->setStretchFactor(1, 4);
    m_splitter->setSizes({140, 600});

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    layout->addLayout(bar);
    layout->addWidget(m_status);
    layout->addWidget(m_splitter, 1);

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
            emit traceOpened(traceId);
        });
}

} // namespace spyglass::gui::traces
