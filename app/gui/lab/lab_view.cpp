#include "app/gui/lab/lab_view.h"

#include "app/gui/workbench.h"
#include "core/lab/lab_host.h"
#include "core/lab/lab_simulator.h"

#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDateTime>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

namespace spyglass::gui::lab {

namespace {

const char *const kSignals[] = {"requests", "spans", "samples", "exemplars", "logs", "profiles"};

QString formatCount(std::int64_t n) { return QLocale().toString(qlonglong(n)); }

} // namespace

LabView::LabView(Workbench &workbench, QWidget *parent)
    : QWidget(parent), m_workbench(workbench), m_poll(new QTimer(this))
{
    setObjectName(QStringLiteral("labView"));
    auto *content = new QWidget;
    auto *col = new QVBoxLayout(content);
    col->setContentsMargins(16, 12, 16, 12);
    col->setSpacing(12);

    auto *title = new QLabel(tr("<h2>Lab: the mythical beasts shop</h2>"));
    auto *intro = new QLabel(
        tr("A simulated microservice system (requester &rarr; server 1.9.2 / 2.0.0 &rarr; postgres + rabbitmq "
           "&rarr; recorder) sends traces, metrics with exemplars, logs and profiles through Spyglass's own "
           "receivers, exactly as an OpenTelemetry SDK, Prometheus or Alloy would. Switch on an incident and "
           "find it in Explore, Traces and Profiles."));
    intro->setTextFormat(Qt::RichText);
    intro->setWordWrap(true);
    col->addWidget(title);
    col->addWidget(intro);

    auto *row = new QHBoxLayout;
    row->setSpacing(12);
    row->addWidget(buildControls(), 3);
    auto *right = new QVBoxLayout;
    right->setSpacing(12);
    right->addWidget(buildCounters());
    right->addWidget(buildEndpoints());
    row->addLayout(right, 4);
    col->addLayout(row);
    col->addWidget(buildShortcuts());
    m_lastError = new QLabel;
    m_lastError->setObjectName(QStringLiteral("labLastError"));
    m_lastError->setWordWrap(true);
    m_lastError->setStyleSheet(QStringLiteral("color: #c0392b;"));
    col->addWidget(m_lastError);
    col->addStretch(1);

    auto *scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(content);
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->addWidget(scroll);

    m_poll->setInterval(500);
    connect(m_poll, &QTimer::timeout, this, &LabView::refresh);
    m_poll->start();
    refresh();
}

LabView::~LabView() = default;

QWidget *LabView::buildControls()
{
    auto *box = new QGroupBox(tr("Traffic and incidents"));
    auto *form = new QFormLayout(box);
    m_startStop = new QPushButton(tr("Start"));
    m_startStop->setObjectName(QStringLiteral("labStartStop"));
    m_startStop->setMinimumWidth(110);
    m_state = new QLabel(tr("stopped"));
    m_state->setObjectName(QStringLiteral("labState"));
    auto *startRow = new QHBoxLayout;
    startRow->addWidget(m_startStop);
    startRow->addWidget(m_state, 1);
    form->addRow(startRow);
    connect(m_startStop, &QPushButton::clicked, this, [this] { m_wantRunning ? stop() : start(); });

    const spyglass::lab::LabOptions defaults;
    m_rps = new QDoubleSpinBox;
    m_rps->setObjectName(QStringLiteral("labRps"));
    m_rps->setRange(0, 500);
    m_rps->setDecimals(1);
    m_rps->setValue(defaults.requestsPerSecond);
    m_rps->setSuffix(tr(" req/s"));
    form->addRow(tr("Requests per second"), m_rps);
    m_users = new QSpinBox;
    m_users->setObjectName(QStringLiteral("labUsers"));
    m_users->setRange(1, 200);
    m_users->setValue(defaults.virtualUsers);
    form->addRow(tr("Virtual users"), m_users);
    m_duration = new QComboBox;
    m_duration->setObjectName(QStringLiteral("labDuration"));
    m_duration->addItem(tr("until stopped"), 0);
    m_duration->addItem(tr("5 minutes"), 5);
    m_duration->addItem(tr("15 minutes"), 15);
    m_duration->addItem(tr("1 hour"), 60);
    form->addRow(tr("Duration"), m_duration);

    m_slowEndpoint = new QComboBox;
    m_slowEndpoint->setObjectName(QStringLiteral("labSlowEndpoint"));
    m_slowEndpoint->addItem(tr("none"), QString());
    for (const QString &b : spyglass::lab::LabSimulator::beasts())
        m_slowEndpoint->addItem(u'/' + b, QString(u'/' + b));
    m_latency = new QDoubleSpinBox;
    m_latency->setObjectName(QStringLiteral("labLatency"));
    m_latency->setRange(0, 10000);
    m_latency->setDecimals(0);
    m_latency->setValue(800);
    m_latency->setSuffix(tr(" ms"));
    auto *slowRow = new QHBoxLayout;
    slowRow->addWidget(m_slowEndpoint, 1);
    slowRow->addWidget(m_latency);
    form->addRow(tr("Slow endpoint"), slowRow);
    m_errorRate = new QDoubleSpinBox;
    m_errorRate->setObjectName(QStringLiteral("labErrorRate"));
    m_errorRate->setRange(0, 100);
    m_errorRate->setDecimals(0);
    m_errorRate->setSuffix(tr(" % of requests fail (HTTP 500)"));
    form->addRow(tr("Error rate"), m_errorRate);
    m_memoryLeak = new QCheckBox(tr("Memory leak in mythical-server (cache.remember)"));
    m_memoryLeak->setObjectName(QStringLiteral("labMemoryLeak"));
    form->addRow(QString(), m_memoryLeak);
    m_cpuHotLoop = new QCheckBox(tr("CPU hot loop in beasts.validateName"));
    m_cpuHotLoop->setObjectName(QStringLiteral("labCpuHotLoop"));
    form->addRow(QString(), m_cpuHotLoop);

    for (QObject *w : {static_cast<QObject *>(m_rps), static_cast<QObject *>(m_latency),
                       static_cast<QObject *>(m_errorRate)})
        connect(static_cast<QDoubleSpinBox *>(w), &QDoubleSpinBox::valueChanged, this, &LabView::applyControls);
    connect(m_users, &QSpinBox::valueChanged, this, &LabView::applyControls);
    connect(m_slowEndpoint, &QComboBox::currentIndexChanged, this, &LabView::applyControls);
    connect(m_memoryLeak, &QCheckBox::toggled, this, &LabView::applyControls);
    connect(m_cpuHotLoop, &QCheckBox::toggled, this, &LabView::applyControls);
    connect(m_duration, &QComboBox::currentIndexChanged, this, [this] {
        const int minutes = m_duration->currentData().toInt();
        m_stopAtMs = minutes > 0 && m_wantRunning ? QDateTime::currentMSecsSinceEpoch() + minutes * 60'000LL : 0;
    });
    return box;
}

QWidget *LabView::buildCounters()
{
    auto *box = new QGroupBox(tr("Delivered through the receivers"));
    auto *grid = new QGridLayout(box);
    const QStringList titles{tr("requests"), tr("spans (OTLP/HTTP)"), tr("samples (remote_write)"),
                             tr("exemplars (remote_write)"), tr("log lines (Loki push)"),
                             tr("profiles (OTLP profiles)")};
    int i = 0;
    for (const char *s : kSignals) {
        auto *value = new QLabel(QStringLiteral("0"));
        value->setObjectName(QStringLiteral("labCount_") + QLatin1String(s));
        value->setStyleSheet(QStringLiteral("font-size: 16pt; font-weight: 600;"));
        value->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
        auto *label = new QLabel(titles[i]);
        grid->addWidget(value, i / 2, (i % 2) * 2);
        grid->addWidget(label, i / 2, (i % 2) * 2 + 1);
        m_counters.insert(QLatin1String(s), value);
        ++i;
    }
    grid->setColumnStretch(1, 1);
    grid->setColumnStretch(3, 1);
    return box;
}

QWidget *LabView::buildEndpoints()
{
    auto *box = new QGroupBox(tr("Point an SDK here"));
    auto *form = new QFormLayout(box);
    auto field = [&](QLineEdit *&edit, const QString &objectName, const QString &label) {
        edit = new QLineEdit;
        edit->setObjectName(objectName);
        edit->setReadOnly(true);
        edit->setPlaceholderText(tr("starts with the lab"));
        auto *copy = new QToolButton;
        copy->setText(tr("Copy"));
        copy->setToolTip(tr("Copy to the clipboard"));
        QLineEdit *e = edit;
        connect(copy, &QToolButton::clicked, this, [e] { QGuiApplication::clipboard()->setText(e->text()); });
        auto *row = new QHBoxLayout;
        row->addWidget(edit, 1);
        row->addWidget(copy);
        form->addRow(label, row);
    };
    field(m_http, QStringLiteral("labHttpEndpoint"), tr("OTLP/HTTP, remote_write, Loki, Pyroscope"));
    field(m_grpc, QStringLiteral("labGrpcEndpoint"), tr("OTLP/gRPC"));
    auto *hint = new QLabel(tr("e.g. OTEL_EXPORTER_OTLP_ENDPOINT=&lt;HTTP address&gt;, Prometheus remote_write "
                               "&lt;HTTP&gt;/api/v1/write, Loki &lt;HTTP&gt;/loki/api/v1/push. Loopback only."));
    hint->setTextFormat(Qt::RichText);
    hint->setWordWrap(true);
    hint->setStyleSheet(QStringLiteral("color: palette(mid);"));
    form->addRow(hint);
    return box;
}

QList<std::pair<QString, QString>> LabView::exploreShortcuts()
{
    return {
        {tr("p95 latency by beast"),
         QStringLiteral("histogram_quantile(0.95, sum(rate(mythical_request_times_bucket[1m])) by (le, beast))")},
        {tr("error ratio by endpoint"),
         QStringLiteral("sum by (http_target)(rate(traces_spanmetrics_calls_total{status_code=\"STATUS_CODE_ERROR\"}[1m])) "
                        "/ sum by (http_target)(rate(traces_spanmetrics_calls_total[1m]))")},
        {tr("requests per second"),
         QStringLiteral("sum by (service)(rate(traces_spanmetrics_calls_total{span_kind=\"SPAN_KIND_SERVER\"}[1m]))")},
        {tr("server memory"), QStringLiteral("process_resident_memory_bytes{job=\"mythical-server\"}")},
        {tr("CPU per instance"), QStringLiteral("rate(process_cpu_seconds_total[1m])")},
    };
}

QWidget *LabView::buildShortcuts()
{
    auto *box = new QGroupBox(tr("Open in Explore"));
    auto *row = new QHBoxLayout(box);
    for (const auto &[title, query] : exploreShortcuts()) {
        auto *b = new QPushButton(title);
        b->setToolTip(query);
        const QString q = query;
        connect(b, &QPushButton::clicked, this, [this, q] { emit openInExplore(q); });
        row->addWidget(b);
    }
    row->addStretch(1);
    return box;
}

spyglass::lab::LabFaults LabView::faultsFromControls() const
{
    spyglass::lab::LabFaults f;
    f.slowEndpoint = m_slowEndpoint->currentData().toString();
    f.addedLatencyMs = f.slowEndpoint.isEmpty() ? 0 : m_latency->value();
    f.errorRate = m_errorRate->value() / 100.0;
    f.memoryLeak = m_memoryLeak->isChecked();
    f.cpuHotLoop = m_cpuHotLoop->isChecked();
    return f;
}

void LabView::applyControls()
{
    spyglass::lab::Lab *lab = m_workbench.lab();
    if (!lab)
        return;
    // Each setter only takes the lab's mutex: cheap on the GUI thread.
    lab->setRequestsPerSecond(m_rps->value());
    lab->setVirtualUsers(m_users->value());
    lab->setFaults(faultsFromControls());
}

void LabView::start()
{
    m_wantRunning = true;
    m_stopping = false;
    m_workbench.startLab();
    applyControls();
    const int minutes = m_duration->currentData().toInt();
    m_stopAtMs = minutes > 0 ? QDateTime::currentMSecsSinceEpoch() + minutes * 60'000LL : 0;
    refresh();
}

void LabView::stop()
{
    m_wantRunning = false;
    m_stopping = true;
    m_stopAtMs = 0;
    m_workbench.stopLab();
    refresh();
}

bool LabView::isRunning() const
{
    const spyglass::lab::Lab *lab = const_cast<Workbench &>(m_workbench).lab();
    return lab && lab->isRunning();
}

QString LabView::counterText(const QString &signal) const
{
    const QLabel *l = m_counters.value(signal);
    return l ? l->text() : QString();
}

QString LabView::httpEndpoint() const { return m_http->text(); }

QString LabView::grpcEndpoint() const { return m_grpc->text(); }

void LabView::refresh()
{
    if (m_stopAtMs > 0 && QDateTime::currentMSecsSinceEpoch() >= m_stopAtMs)
        stop();
    spyglass::lab::Lab *lab = m_workbench.lab();
    spyglass::lab::LabHost *host = m_workbench.labHost();
    if (m_stopping && !(lab && lab->isRunning()))
        m_stopping = false; // the worker has stopped it
    if (lab && !m_wantRunning && !m_stopping && lab->isRunning())
        m_wantRunning = true; // started elsewhere (--lab)
    if (host && m_http->text().isEmpty()) {
        m_http->setText(QStringLiteral("http://%1:%2").arg(host->address()).arg(host->httpPort()));
        m_grpc->setText(QStringLiteral("%1:%2").arg(host->address()).arg(host->grpcPort()));
    }
    const spyglass::lab::LabStats st = lab ? lab->stats() : spyglass::lab::LabStats{};
    const std::int64_t values[] = {st.requests, st.spans, st.samples, st.exemplars, st.logs, st.profiles};
    int i = 0;
    for (const char *s : kSignals)
        m_counters.value(QLatin1String(s))->setText(formatCount(values[i++]));
    const bool running = lab && lab->isRunning();
    QString state;
    if (m_workbench.labBackfilling())
        state = tr("backfilling the last 15 minutes through the receivers...");
    else if (running)
        state = m_stopAtMs > 0 ? tr("running, stops at %1")
                                     .arg(QDateTime::fromMSecsSinceEpoch(m_stopAtMs).toString(QStringLiteral("HH:mm")))
                               : tr("running");
    else
        state = lab ? tr("stopped (receivers still listening)") : tr("stopped");
    if (st.simulatedUntil > 0)
        state += tr(" - data until %1")
                     .arg(QDateTime::fromMSecsSinceEpoch(st.simulatedUntil / 1'000'000).toString(QStringLiteral("HH:mm:ss")));
    m_state->setText(state);
    m_startStop->setText((running && !m_stopping) || m_wantRunning ? tr("Stop") : tr("Start"));
    m_lastError->setText(st.lastError.isEmpty() ? QString()
                                                : tr("Last delivery problem (%1 batches): %2")
                                                      .arg(st.failedBatches)
                                                      .arg(st.lastError));
}

} // namespace spyglass::gui::lab
