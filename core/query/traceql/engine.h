#pragma once

#include "core/model/cancel_token.h"
#include "core/model/frame.h"
#include "core/model/result.h"
#include "core/query/traceql/ast.h"
#include "core/query/traceql/evaluator.h"
#include "core/store/span_store.h"

namespace spyglass::query::traceql {

struct SearchRequest
{
    QString query;                     // TraceQL; empty means `{ }`
    model::TimestampNs start = 0;      // 0: unbounded
    model::TimestampNs end = 0;        // 0: unbounded
    int limit = 20;                    // traces
    int spansPerSpanSet = 3;           // Tempo's spss
    std::int64_t minDurationNs = 0;    // trace duration bounds; 0: none
    std::int64_t maxDurationNs = 0;
    // Extra conditions (Tempo's legacy `tags=` search): every one must be
    // met by some span of the trace.
    QList<store::SpanPredicate> extraPredicates;
};

struct MatchedSpan
{
    model::Span span;
    NamedValues attributes; // the attributes the query mentions + select()
};

struct SpanSetResult
{
    QList<MatchedSpan> spans; // at most spansPerSpanSet, earliest first
    int matched = 0;          // spans in the set before the cut
    NamedValues attributes;   // by() values and aggregates
};

struct TraceResult
{
    store::TraceSummary summary;
    QList<SpanSetResult> spanSets;
};

struct SearchResponse
{
    QList<TraceResult> traces; // newest first
    std::int64_t inspectedTraces = 0;
    std::int64_t inspectedSpans = 0;
};

struct MetricsRequest
{
    QString query;
    model::TimestampNs start = 0;
    model::TimestampNs end = 0;
    std::int64_t stepNs = 60'000'000'000LL;
};

// TraceQL over the span store: search (spansets per trace, like Tempo's
// /api/search) and metrics queries (time series frames, like Tempo's
// /api/metrics/query_range). Conditions the store can index (service,
// span name, status, duration, attribute equality) narrow the candidate
// traces first; every candidate is then evaluated exactly.
class TraceqlEngine
{
public:
    explicit TraceqlEngine(const store::SpanStore &store) : m_store(store) {}

    Result<SearchResponse> search(const SearchRequest &request, const CancelToken &cancel = {}) const;
    Result<model::Frames> queryRange(const MetricsRequest &request, const CancelToken &cancel = {}) const;

    // The parts of a query the store can answer from its indexes: every
    // trace with a result satisfies all of them.
    static QList<store::SpanPredicate> pushdown(const Query &query);

    // Search and metrics over traces already in memory (tests, imported files).
    static SearchResponse searchTraces(const Query &query, const QList<QList<model::Span>> &traces,
                                       int limit, int spansPerSpanSet);
    static model::Frames metrics(const Query &query, const QList<TraceView> &traces,
                                 model::TimestampNs start, model::TimestampNs end, std::int64_t stepNs);

    // A table like Tempo's search result (traceID, rootServiceName,
    // rootTraceName, startTime, traceDuration, spanSets, matched).
    static model::Frame searchResultFrame(const SearchResponse &response);
    // One trace's spans as a frame of kind Spans (Grafana's trace frame fields).
    static model::Frame spansFrame(const QList<model::Span> &spans);

private:
    const store::SpanStore &m_store;
};

} // namespace spyglass::query::traceql
