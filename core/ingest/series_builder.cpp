#include "core/ingest/series_builder.h"

#include <algorithm>

namespace spyglass::ingest {

void SeriesBuilder::add(const model::Labels &labels, model::TimestampMs t, double v)
{
    auto it = m_index.constFind(labels);
    qsizetype i;
    if (it == m_index.cend()) {
        i = m_series.size();
        m_index.insert(labels, i);
        m_series.append(model::Series{labels, {}});
    } else {
        i = *it;
    }
    m_series[i].samples.append(model::Sample{t, v});
}

QList<model::Series> SeriesBuilder::take()
{
    for (auto &s : m_series) {
        auto &v = s.samples;
        // Stable: among equal timestamps the order of arrival is kept, so
        // keeping the last of each run keeps the latest write.
        std::stable_sort(v.begin(), v.end(),
                         [](const model::Sample &a, const model::Sample &b) { return a.t < b.t; });
        qsizetype out = 0;
        for (qsizetype i = 0; i < v.size(); ++i) {
            if (out > 0 && v[out - 1].t == v[i].t)
                v[out - 1] = v[i];
            else
                v[out++] = v[i];
        }
        v.resize(out);
    }
    m_index.clear();
    return std::exchange(m_series, {});
}

} // namespace spyglass::ingest
