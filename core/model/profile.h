#pragma once

#include "core/model/log_record.h"

#include <QList>
#include <QString>
#include <QStringList>
#include <cstdint>
#include <optional>

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

// The five parts of a Pyroscope profile type id
// ("process_cpu:cpu:nanoseconds:cpu:nanoseconds"). The id is what series are
// keyed by; the parts are what APIs list and views use to format units.
struct ProfileType
{
    QString name;       // e.g. process_cpu, memory, wall
    QString sampleType; // e.g. cpu, alloc_space
    QString sampleUnit; // e.g. nanoseconds, bytes, count
    QString periodType;
    QString periodUnit;

    QString id() const
    {
        return name + QLatin1Char(':') + sampleType + QLatin1Char(':') + sampleUnit
            + QLatin1Char(':') + periodType + QLatin1Char(':') + periodUnit;
    }

    // Nothing when the id does not have exactly five colon-separated parts.
    static std::optional<ProfileType> parse(const QString &id)
    {
        const QStringList parts = id.split(QLatin1Char(':'));
        if (parts.size() != 5 || parts[0].isEmpty() || parts[1].isEmpty())
            return std::nullopt;
        return ProfileType{parts[0], parts[1], parts[2], parts[3], parts[4]};
    }
};

} // namespace spyglass::model
