#pragma once

#include "core/query/promql/engine.h"

#include <QList>
#include <QString>
#include <QStringView>

namespace spyglass::query::promql {

// A function's signature as Prometheus declares it (promql/parser/functions.go).
struct FunctionDef
{
    QString name;
    QList<ValueType> argTypes;
    // 0: exactly argTypes; n > 0: the last n... up to n extra optional
    // arguments (Prometheus: the last argument type may be omitted or
    // repeated up to n times); -1: the last type repeats without limit.
    int variadic = 0;
    ValueType returnType = ValueType::Vector;
    bool experimental = false;
};

// nullptr when the name is not a PromQL function.
const FunctionDef *findFunction(QStringView name);
const QList<FunctionDef> &allFunctions();

} // namespace spyglass::query::promql
