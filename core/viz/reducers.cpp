#include "core/viz/reducers.h"

#include <QSet>
#include <algorithm>
#include <cmath>
#include <limits>

namespace spyglass::viz {

namespace {

struct ReducerInfo
{
    Reducer r;
    const char *id;
    const char *name;
};

constexpr ReducerInfo kReducers[] = {
    {Reducer::Last, "last", "Last"},
    {Reducer::LastNotNull, "lastNotNull", "Last *"},
    {Reducer::First, "first", "First"},
    {Reducer::FirstNotNull, "firstNotNull", "First *"},
    {Reducer::Min, "min", "Min"},
    {Reducer::Max, "max", "Max"},
    {Reducer::Mean, "mean", "Mean"},
    {Reducer::Median, "median", "Median"},
    {Reducer::Sum, "sum", "Total"},
    {Reducer::Count, "count", "Count"},
    {Reducer::Range, "range", "Range"},
    {Reducer::Delta, "delta", "Delta"},
    {Reducer::Diff, "diff", "Difference"},
    {Reducer::DiffPercent, "diffperc", "Difference percent"},
    {Reducer::Step, "step", "Step"},
    {Reducer::ChangeCount, "changeCount", "Change count"},
    {Reducer::DistinctCount, "distinctCount", "Distinct count"},
    {Reducer::AllIsNull, "allIsNull", "All nulls"},
    {Reducer::AllIsZero, "allIsZero", "All zeros"},
    {Reducer::Variance, "variance", "Variance"},
    {Reducer::StdDev, "stdDev", "StdDev"},
    {Reducer::LogMin, "logmin", "Min (above zero)"},
};

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

} // namespace

std::optional<Reducer> reducerFromId(const QString &id)
{
    for (const auto &info : kReducers)
        if (id == QLatin1String(info.id))
            return info.r;
    // Legacy singlestat valueName ids.
    if (id == u"current")
        return Reducer::LastNotNull;
    if (id == u"avg")
        return Reducer::Mean;
    if (id == u"total")
        return Reducer::Sum;
    return std::nullopt;
}

QString reducerId(Reducer r)
{
    for (const auto &info : kReducers)
        if (info.r == r)
            return QLatin1String(info.id);
    return {};
}

QString reducerDisplayName(Reducer r)
{
    for (const auto &info : kReducers)
        if (info.r == r)
            return QLatin1String(info.name);
    return {};
}

QStringList reducerIds()
{
    QStringList out;
    for (const auto &info : kReducers)
        out << QLatin1String(info.id);
    return out;
}

double reduce(Reducer r, const QList<double> &values)
{
    QList<double> nn;
    nn.reserve(values.size());
    for (double v : values)
        if (!std::isnan(v))
            nn.push_back(v);
    switch (r) {
    case Reducer::Last: return values.isEmpty() ? kNaN : values.back();
    case Reducer::LastNotNull: return nn.isEmpty() ? kNaN : nn.back();
    case Reducer::First: return values.isEmpty() ? kNaN : values.front();
    case Reducer::FirstNotNull: return nn.isEmpty() ? kNaN : nn.front();
    case Reducer::Min: return nn.isEmpty() ? kNaN : *std::min_element(nn.begin(), nn.end());
    case Reducer::Max: return nn.isEmpty() ? kNaN : *std::max_element(nn.begin(), nn.end());
    case Reducer::LogMin: {
        double m = kNaN;
        for (double v : nn)
            if (v > 0 && (std::isnan(m) || v < m))
                m = v;
        return m;
    }
    case Reducer::Sum: {
        double s = 0;
        for (double v : nn)
            s += v;
        return s;
    }
    case Reducer::Mean: {
        if (nn.isEmpty())
            return kNaN;
        double s = 0;
        for (double v : nn)
            s += v;
        return s / double(nn.size());
    }
    case Reducer::Median: {
        if (nn.isEmpty())
            return kNaN;
        std::sort(nn.begin(), nn.end());
        const qsizetype n = nn.size();
        return n % 2 ? nn.at(n / 2) : (nn.at(n / 2 - 1) + nn.at(n / 2)) / 2;
    }
    case Reducer::Variance:
    case Reducer::StdDev: {
        if (nn.isEmpty())
            return kNaN;
        double mean = 0;
        for (double v : nn)
            mean += v;
        mean /= double(nn.size());
        double var = 0;
        for (double v : nn)
            var += (v - mean) * (v - mean);
        var /= double(nn.size());
        return r == Reducer::Variance ? var : std::sqrt(var);
    }
    case Reducer::Count: return double(values.size());
    case Reducer::Range:
        return nn.isEmpty() ? kNaN : *std::max_element(nn.begin(), nn.end()) - *std::min_element(nn.begin(), nn.end());
    case Reducer::Delta: {
        double d = 0;
        for (qsizetype i = 1; i < nn.size(); ++i) {
            const double step = nn.at(i) - nn.at(i - 1);
            d += step >= 0 ? step : nn.at(i);
        }
        return d;
    }
    case Reducer::Diff: return nn.isEmpty() ? kNaN : nn.back() - nn.front();
    case Reducer::DiffPercent:
        return nn.isEmpty() || nn.front() == 0 ? kNaN : (nn.back() - nn.front()) / nn.front();
    case Reducer::Step: {
        if (nn.size() < 2)
            return kNaN;
        double m = std::numeric_limits<double>::infinity();
        for (qsizetype i = 1; i < nn.size(); ++i)
            m = std::min(m, nn.at(i) - nn.at(i - 1));
        return m;
    }
    case Reducer::ChangeCount: {
        int c = 0;
        for (qsizetype i = 1; i < nn.size(); ++i)
            c += nn.at(i) != nn.at(i - 1) ? 1 : 0;
        return c;
    }
    case Reducer::DistinctCount: {
        QSet<double> s(nn.begin(), nn.end());
        return double(s.size());
    }
    case Reducer::AllIsNull: return nn.isEmpty() ? 1 : 0;
    case Reducer::AllIsZero:
        return !nn.isEmpty() && std::all_of(nn.begin(), nn.end(), [](double v) { return v == 0; }) ? 1 : 0;
    }
    return kNaN;
}

} // namespace spyglass::viz
