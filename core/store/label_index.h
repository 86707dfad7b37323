#pragma once

#include "core/model/label_matcher.h"
#include "core/model/labels.h"
#include "core/store/metric_store.h"

#include <QHash>
#include <QStringList>
#include <optional>
#include <vector>

namespace spyglass::store {

// In-memory inverted index: label name -> value -> sorted series ids
// (postings), plus each series' label set. The store rebuilds it from SQLite
// at open and adds new series after each committed append. Not thread safe
// on its own; the store guards it with a reader/writer lock.
class LabelIndex
{
public:
    using Postings = std::vector<SeriesId>;

    // Series ids must be added in increasing order (SQLite rowids are), which
    // keeps every postings list sorted without re-sorting. Adding an id not
    // above maxId() is ignored, so a refresh racing an append is harmless.
    void add(SeriesId id, const model::Labels &labels);

    // Series matching all matchers, in increasing id order, with
    // Prometheus semantics for matchers that accept the empty value (an
    // absent label counts as empty). Regex matchers look at the values of
    // their own label name only, never at every series.
    Postings select(const model::LabelMatchers &matchers) const;

    std::optional<SeriesId> find(const model::Labels &labels) const;
    const model::Labels *labels(SeriesId id) const;

    QStringList labelNames() const;                     // sorted
    QStringList labelValues(const QString &name) const; // sorted, empty when unknown

    qsizetype seriesCount() const { return m_all.size(); }
    SeriesId maxId() const { return m_all.empty() ? 0 : m_all.back(); }
    const Postings &allSeries() const { return m_all; }

private:
    // Ids of series whose value of `m.name()` matches (or, with `invert`,
    // does not match) the matcher, for values present in the index.
    Postings postingsForValues(const model::LabelMatcher &m, bool invert) const;

    QHash<QString, QHash<QString, Postings>> m_postings;
    QHash<model::Labels, SeriesId> m_byLabels;
    QHash<SeriesId, model::Labels> m_labels;
    Postings m_all;
};

} // namespace spyglass::store
