#pragma once

#include <QHash>
#include <QList>
#include <QString>
#include <initializer_list>
#include <memory>
#include <utility>

namespace spyglass::model {

struct Label
{
    QString name;
    QString value;
    friend bool operator==(const Label &, const Label &) = default;
};

// An immutable, sorted set of name=value pairs identifying a series or stream.
// Copies share one block; equality checks the precomputed hash first, so
// comparing and hashing is cheap even with many labels.
class Labels
{
public:
    Labels();
    Labels(std::initializer_list<std::pair<QString, QString>> pairs);
    explicit Labels(QList<Label> pairs); // any order; later duplicates win

    qsizetype size() const { return m_d->pairs.size(); }
    bool isEmpty() const { return m_d->pairs.isEmpty(); }
    const QList<Label> &pairs() const { return m_d->pairs; }
    auto begin() const { return m_d->pairs.cbegin(); }
    auto end() const { return m_d->pairs.cend(); }

    bool has(QStringView name) const;
    QString value(QStringView name) const; // empty when absent (Prometheus semantics)
    QString metricName() const { return value(u"__name__"); }

    Labels with(const QString &name, const QString &value) const; // empty value removes
    Labels without(QStringView name) const;
    Labels withoutMetricName() const { return without(u"__name__"); }
    Labels keepOnly(const QStringList &names) const;
    Labels dropping(const QStringList &names) const;

    size_t hash() const { return m_d->hash; }

    // `{__name__="x", a="b"}` rendered like Prometheus: `x{a="b"}`.
    QString toString() const;

    friend bool operator==(const Labels &a, const Labels &b);
    friend bool operator!=(const Labels &a, const Labels &b) { return !(a == b); }
    friend bool operator<(const Labels &a, const Labels &b); // lexicographic by pairs

private:
    struct Data
    {
        QList<Label> pairs;
        size_t hash = 0;
    };
    explicit Labels(std::shared_ptr<const Data> d) : m_d(std::move(d)) {}
    static std::shared_ptr<const Data> make(QList<Label> pairs);
    static const std::shared_ptr<const Data> &emptyData();
    std::shared_ptr<const Data> m_d;
};

inline size_t qHash(const Labels &l, size_t seed = 0) { return l.hash() ^ seed; }

// Escapes a label value the way Prometheus prints it inside double quotes.
QString escapeLabelValue(const QString &v);

} // namespace spyglass::model

template <>
struct std::hash<spyglass::model::Labels>
{
    size_t operator()(const spyglass::model::Labels &l) const noexcept { return l.hash(); }
};
