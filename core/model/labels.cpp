#include "core/model/labels.h"

#include <algorithm>

namespace spyglass::model {

std::shared_ptr<const Labels::Data> Labels::make(QList<Label> pairs)
{
    // Stable sort + keep last of equal names: "later duplicates win".
    std::stable_sort(pairs.begin(), pairs.end(),
                     [](const Label &a, const Label &b) { return a.name < b.name; });
    QList<Label> unique;
    unique.reserve(pairs.size());
    for (auto &p : pairs) {
        if (!unique.isEmpty() && unique.back().name == p.name)
            unique.back() = std::move(p);
        else
            unique.push_back(std::move(p));
    }
    // Prometheus treats an empty value as an absent label.
    unique.removeIf([](const Label &l) { return l.value.isEmpty(); });
    auto d = std::make_shared<Data>();
    size_t h = 0x9e3779b97f4a7c15ULL;
    for (const auto &p : unique) {
        h = ::qHash(p.name, h) * 31 + 0x1f;
        h = ::qHash(p.value, h) * 31 + 0x2f;
    }
    d->pairs = std::move(unique);
    d->hash = h;
    return d;
}

Labels::Labels() : m_d(emptyData()) {}

Labels::Labels(std::initializer_list<std::pair<QString, QString>> pairs)
{
    QList<Label> list;
    list.reserve(qsizetype(pairs.size()));
    for (const auto &[n, v] : pairs)
        list.push_back({n, v});
    m_d = make(std::move(list));
}

Labels::Labels(QList<Label> pairs) : m_d(make(std::move(pairs))) {}

bool Labels::has(QStringView name) const
{
    for (const auto &p : m_d->pairs)
        if (p.name == name)
            return true;
    return false;
}

QString Labels::value(QStringView name) const
{
    for (const auto &p : m_d->pairs)
        if (p.name == name)
            return p.value;
    return {};
}

Labels Labels::with(const QString &name, const QString &value) const
{
    QList<Label> pairs = m_d->pairs;
    pairs.push_back({name, value});
    return Labels(make(std::move(pairs)));
}

Labels Labels::without(QStringView name) const
{
    if (!has(name))
        return *this;
    QList<Label> pairs = m_d->pairs;
    pairs.removeIf([&](const Label &l) { return l.name == name; });
    return Labels(make(std::move(pairs)));
}

Labels Labels::keepOnly(const QStringList &names) const
{
    QList<Label> pairs;
    for (const auto &p : m_d->pairs)
        if (names.contains(p.name))
            pairs.push_back(p);
    return Labels(make(std::move(pairs)));
}

Labels Labels::dropping(const QStringList &names) const
{
    QList<Label> pairs;
    for (const auto &p : m_d->pairs)
        if (!names.contains(p.name))
            pairs.push_back(p);
    return Labels(make(std::move(pairs)));
}

QString escapeLabelValue(const QString &v)
{
    QString out;
    out.reserve(v.size());
    for (QChar c : v) {
        if (c == u'\\')
            out += QStringLiteral("\\\\");
        else if (c == u'"')
            out += QStringLiteral("\\\"");
        else if (c == u'\n')
            out += QStringLiteral("\\n");
        else
            out += c;
    }
    return out;
}

QString Labels::toString() const
{
    QString out = metricName();
    QStringList parts;
    for (const auto &p : m_d->pairs) {
        if (p.name == u"__name__")
            continue;
        parts << p.name + QStringLiteral("=\"") + escapeLabelValue(p.value) + QLatin1Char('"');
    }
    if (!parts.isEmpty() || out.isEmpty())
        out += QLatin1Char('{') + parts.join(QStringLiteral(", ")) + QLatin1Char('}');
    return out;
}

bool operator==(const Labels &a, const Labels &b)
{
    return a.m_d == b.m_d || (a.m_d->hash == b.m_d->hash && a.m_d->pairs == b.m_d->pairs);
}

bool operator<(const Labels &a, const Labels &b)
{
    const auto &x = a.m_d->pairs;
    const auto &y = b.m_d->pairs;
    const qsizetype n = std::min(x.size(), y.size());
    for (qsizetype i = 0; i < n; ++i) {
        if (x[i].name != y[i].name)
            return x[i].name < y[i].name;
        if (x[i].value != y[i].value)
            return x[i].value < y[i].value;
    }
    return x.size() < y.size();
}

const std::shared_ptr<const Labels::Data> &Labels::emptyData()
{
    static const std::shared_ptr<const Data> d = make({});
    return d;
}

} // namespace spyglass::model
