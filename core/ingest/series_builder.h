#pragma once

#include "core/model/sample.h"

#include <QHash>
#include <QList>

namespace spyglass::ingest {

// Collects samples in any order and hands them out as one series per label
// set with increasing timestamps, which is what MetricStore::append wants.
// Of two samples with the same timestamp the later added one wins.
class SeriesBuilder
{
public:
    void add(const model::Labels &labels, model::TimestampMs t, double v);
    QList<model::Series> take();
    bool isEmpty() const { return m_series.isEmpty(); }

private:
    QHash<model::Labels, qsizetype> m_index;
    QList<model::Series> m_series;
};

} // namespace spyglass::ingest
