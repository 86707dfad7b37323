#pragma once

#include "app/gui/traces/trace_row_model.h"
#include "core/model/profile.h"

#include <QList>
#include <QString>
#include <QStringList>
#include <cstdint>

namespace spyglass::gui::traces {

// One row of a trace's span statistics (Jaeger's "Trace Statistics"):
// spans grouped by service and name.
struct SpanStatRow
{
    QString service;
    QString name;
    int count = 0;
    int errors = 0;
    std::int64_t totalNs = 0; // sum of durations
    std::int64_t selfNs = 0;  // sum of durations minus time covered by children
    std::int64_t minNs = 0;
    std::int64_t maxNs = 0;
};

// Sorted by self time, largest first. Self time subtracts the union of the
// children's intervals clipped to the span, so overlapping (parallel)
// children are not subtracted twice. Linear apart from sorting children.
QList<SpanStatRow> spanStatistics(const TraceRowModel &model);

// Calls between services: an edge for every parent/child span pair whose
// services differ (a client span in A with a server child in B is one call
// A -> B), like Tempo's service graph.
struct ServiceGraph
{
    struct Edge
    {
        int from = 0; // index into services
        int to = 0;
        std::int64_t calls = 0;
        std::int64_t errors = 0;   // calls whose callee span failed
        std::int64_t totalNs = 0;  // callee span durations
        double requestRate = 0;    // calls per second over the graph's window (store graphs)
        double errorRate = 0;      // errors / calls
    };
    QStringList services;
    QList<std::int64_t> spanCounts; // per service
    QList<std::int64_t> errorCounts;
    QList<Edge> edges;
    std::int64_t traces = 0;
    double windowSeconds = 0; // rates refer to this; 0: rates not set

    int edgeIndex(const QString &from, const QString &to) const; // -1 when absent
};

ServiceGraph traceServiceGraph(const TraceRowModel &model);

// The service graph of many traces (the store over a time range): edges
// summed over all traces, request rates per second over `windowSeconds`.
class ServiceGraphBuilder
{
public:
    void addTrace(const QList<model::Span> &spans);
    ServiceGraph finish(double windowSeconds);

private:
    int serviceIndex(const QString &name);
    ServiceGraph m_graph;
};

// Services placed in layers (callers left of callees, cycles broken at
// back edges) for drawing; positions are layer and row within it.
struct ServiceGraphLayout
{
    QList<int> layer; // per service
    QList<int> row;   // per service
    int layers = 0;
    int maxRows = 0;
};
ServiceGraphLayout layoutServiceGraph(const ServiceGraph &graph);

// The trace as a profile for the flame graph: one stack per span path
// ("service: name" frames, root first), each span's self time as value, so
// a frame's width is the time spent in that call path.
model::Profile traceAsProfile(const TraceRowModel &model);

// Two traces as one tree (Jaeger's trace comparison): spans matched by
// their path of (service, name) from the root; per merged node the number
// of spans in A and in B.
struct TraceComparison
{
    enum class Presence { Both, OnlyA, OnlyB };
    struct Node
    {
        QString service;
        QString name;
        int parent = -1;
        int depth = 0;
        int countA = 0;
        int countB = 0;
        std::int64_t durationA = 0; // summed
        std::int64_t durationB = 0;
        int errorsA = 0;
        int errorsB = 0;
        Presence presence() const
        {
            return countA == 0 ? Presence::OnlyB : countB == 0 ? Presence::OnlyA : Presence::Both;
        }
    };
    QList<Node> nodes; // pre-order, children by first appearance (A, then B)
    int onlyA = 0;     // merged nodes present only in A
    int onlyB = 0;
    int countChanged = 0; // in both with a different count
};

TraceComparison compareTraces(const TraceRowModel &a, const TraceRowModel &b);

// Queries that jump from a span to its logs and its service's metrics.
struct SignalJump
{
    QString query;
    model::TimestampNs from = 0;
    model::TimestampNs to = 0;
};
// LogQL: the span's service stream, lines mentioning the trace id, over
// the span's time plus a margin on each side (logs are written a little
// before and after the span).
SignalJump logsForSpan(const model::Span &span, std::int64_t marginNs = 1'000'000'000);
// PromQL: request rate by span name and status of the service from the
// span-metrics series (Tempo's names), over the trace's time +- 15 min.
SignalJump metricsForService(const QString &service, model::TimestampNs traceStart,
                             model::TimestampNs traceEnd);

} // namespace spyglass::gui::traces
