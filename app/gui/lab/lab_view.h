#pragma once

#include "core/lab/lab.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTimer;

namespace spyglass::gui {

class Workbench;

namespace lab {

// The Lab page: drives the built-in demo system (core/lab) that sends
// traces, metrics, logs and profiles through the core's receivers.
//  - Start/Stop, requests per second, virtual users, duration (stops by itself);
//  - fault toggles: added latency on one endpoint, error rate, memory leak,
//    CPU hot loop;
//  - live counters of what was delivered per signal (polled twice a second:
//    reading LabStats is a mutex-guarded copy, never blocking);
//  - the receiver addresses to point an SDK at, with copy buttons;
//  - shortcuts that open a query about the lab's data in Explore.
class LabView : public QWidget
{
    Q_OBJECT
public:
    explicit LabView(Workbench &workbench, QWidget *parent = nullptr);
    ~LabView() override;

    // Counter texts by signal ("requests", "spans", "samples", "exemplars",
    // "logs", "profiles"), for tests.
    QString counterText(const QString &signal) const;
    QString httpEndpoint() const;
    QString grpcEndpoint() const;
    bool isRunning() const;

    // The queries of the "Open in Explore" buttons.
    static QList<std::pair<QString, QString>> exploreShortcuts(); // title, PromQL

public slots:
    void start();
    void stop();
    // Re-reads the lab's state (the timer calls it).
    void refresh();

signals:
    // A PromQL expression to open in Explore.
    void openInExplore(const QString &promql);

private:
    void applyControls();
    spyglass::lab::LabFaults faultsFromControls() const;
    QWidget *buildControls();
    QWidget *buildCounters();
    QWidget *buildEndpoints();
    QWidget *buildShortcuts();

    Workbench &m_workbench;
    QTimer *m_poll;
    QPushButton *m_startStop;
    QLabel *m_state;
    QDoubleSpinBox *m_rps;
    QSpinBox *m_users;
    QComboBox *m_duration;
    QComboBox *m_slowEndpoint;
    QDoubleSpinBox *m_latency;
    QDoubleSpinBox *m_errorRate;
    QCheckBox *m_memoryLeak;
    QCheckBox *m_cpuHotLoop;
    QHash<QString, QLabel *> m_counters;
    QLineEdit *m_http;
    QLineEdit *m_grpc;
    QLabel *m_lastError;
    qint64 m_stopAtMs = 0; // wall clock; 0 = run until stopped
    bool m_wantRunning = false;
    bool m_stopping = false; // stop() asked; the lab ends on a worker thread
};

} // namespace lab
} // namespace spyglass::gui
