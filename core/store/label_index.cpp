#include "core/store/label_index.h"

#include <algorithm>
#include <iterator>

namespace spyglass::store {

namespace {

using Postings = LabelIndex::Postings;

Postings unionOf(std::vector<const Postings *> lists)
{
    if (lists.empty())
        return {};
    if (lists.size() == 1)
        return *lists.front();
    size_t total = 0;
    for (const auto *l : lists)
        total += l->size();
    Postings out;
    out.reserve(total);
    for (const auto *l : lists)
        out.insert(out.end(), l->begin(), l->end());
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

Postings intersect(const Postings &a, const Postings &b)
{
    Postings out;
    out.reserve(std::min(a.size(), b.size()));
    std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
    return out;
}

Postings subtract(const Postings &a, const Postings &b)
{
    Postings out;
    out.reserve(a.size());
    std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
    return out;
}

} // namespace

void LabelIndex::add(SeriesId id, const model::Labels &labels)
{
    if (id <= maxId())
        return;
    m_all.push_back(id);
    m_labels.insert(id, labels);
    m_byLabels.insert(labels, id);
    for (const auto &l : labels)
        m_postings[l.name][l.value].push_back(id);
}

std::optional<SeriesId> LabelIndex::find(const model::Labels &labels) const
{
    auto it = m_byLabels.constFind(labels);
    if (it == m_byLabels.cend())
        return std::nullopt;
    return *it;
}

const model::Labels *LabelIndex::labels(SeriesId id) const
{
    auto it = m_labels.constFind(id);
    return it == m_labels.cend() ? nullptr : &*it;
}

Postings LabelIndex::postingsForValues(const model::LabelMatcher &m, bool invert) const
{
    auto byName = m_postings.constFind(m.name());
    if (byName == m_postings.cend())
        return {};
    // Plain equality needs no scan of the values.
    if (m.op() == model::LabelMatcher::Op::Equal && !invert) {
        auto it = byName->constFind(m.value());
        return it == byName->cend() ? Postings{} : *it;
    }
    if (m.op() == model::LabelMatcher::Op::NotEqual && invert) {
        auto it = byName->constFind(m.value());
        return it == byName->cend() ? Postings{} : *it;
    }
    std::vector<const Postings *> lists;
    for (auto it = byName->cbegin(); it != byName->cend(); ++it)
        if (m.matches(it.key()) != invert)
            lists.push_back(&it.value());
    return unionOf(std::move(lists));
}

Postings LabelIndex::select(const model::LabelMatchers &matchers) const
{
    // Matchers that reject the empty value select from postings; those that
    // accept it can only remove series (the ones whose present value fails),
    // as in Prometheus's PostingsForMatchers.
    std::vector<Postings> positive;
    std::vector<Postings> negative;
    for (const auto &m : matchers) {
        if (m.matchesEmpty())
            negative.push_back(postingsForValues(m, true));
        else
            positive.push_back(postingsForValues(m, false));
    }
    Postings result;
    if (positive.empty()) {
        result = m_all;
    } else {
        std::sort(positive.begin(), positive.end(),
                  [](const Postings &a, const Postings &b) { return a.size() < b.size(); });
        result = std::move(positive.front());
        for (size_t i = 1; i < positive.size() && !result.empty(); ++i)
            result = intersect(result, positive[i]);
    }
    for (const auto &n : negative) {
        if (result.empty())
            break;
        result = subtract(result, n);
    }
    return result;
}

QStringList LabelIndex::labelNames() const
{
    QStringList names = m_postings.keys();
    std::sort(names.begin(), names.end());
    return names;
}

QStringList LabelIndex::labelValues(const QString &name) const
{
    auto it = m_postings.constFind(name);
    if (it == m_postings.cend())
        return {};
    QStringList values = it->keys();
    std::sort(values.begin(), values.end());
    return values;
}

} // namespace spyglass::store
