#pragma once

#include "core/model/log_record.h"

#include <QList>
#include <QString>
#include <cstdint>

namespace spyglass::model {

// A profile reduced to what flame graphs and Pyroscope queries need: a
// deduplicated function table and stacks of indices into it, leaf first
// (pprof's order), each with one value of the chosen sample type.
struct Profile
{
    struct Stack
    {
        QList<std::uint32_t> functions; // indices into functionNames, leaf first
        std::int64_t value = 0;
        Labels labels; // pprof sample labels (e.g. span_id), may be empty
    };

    // Pyroscope profile type id: name:sample_type:sample_unit:period_type:period_unit
    QString typeId;
    Labels labels; // series labels, e.g. service_name
    TimestampNs time = 0;
    std::int64_t durationNs = 0;
    std::int64_t period = 0;
    QList<QString> functionNames;
    QList<Stack> stacks;

    std::int64_t total() const
    {
        std::int64_t t = 0;
        for (const auto &s : stacks)
            t += s.value;
        return t;
    }
};

} // namespace spyglass::model
