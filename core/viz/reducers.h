#pragma once

#include <QList>
#include <QString>
#include <QStringList>
#include <optional>

namespace spyglass::viz {

// Grafana's field reducers ("calcs"). NaN stands for null.
enum class Reducer {
    Last, LastNotNull, First, FirstNotNull, Min, Max, Mean, Median, Sum, Count, Range, Delta, Diff,
    DiffPercent, Step, ChangeCount, DistinctCount, AllIsNull, AllIsZero, Variance, StdDev, LogMin
};

std::optional<Reducer> reducerFromId(const QString &id);
QString reducerId(Reducer r);
// The column title Grafana uses ("Last *", "Mean", "Max").
QString reducerDisplayName(Reducer r);
QStringList reducerIds();

// Null handling follows Grafana: count counts every row, the others skip
// nulls; min/max/mean of no values are NaN; sum of none is 0. delta adds the
// positive increases (a decrease is a counter reset: the new value counts).
double reduce(Reducer r, const QList<double> &values);

} // namespace spyglass::viz
