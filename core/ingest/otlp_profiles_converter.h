#pragma once

#include "core/model/profile.h"
#include "core/model/result.h"
#include "core/ingest/ingest_types.h"

#include <QByteArrayView>

namespace opentelemetry::proto::collector::profiles::v1development {
class ExportProfilesServiceRequest;
}

namespace spyglass::ingest {

struct ProfilesConversion
{
    QList<model::Profile> profiles;
    std::int64_t rejectedProfiles = 0;
    QStringList problems;
};

// OTLP profiles (development, v1.11.0 layout: one request-wide
// ProfilesDictionary) -> model::Profile the way Pyroscope's OTLP ingest
// names them:
//   labels: service_name from the resource's service.name
//     ("unknown_service" when absent), other string resource attributes with
//     dots turned into underscores;
//   type id: name:sample_type:sample_unit:period_type:period_unit where name
//     is process_cpu (cpu/samples), memory (alloc_*/inuse_*), wall, block,
//     mutex or else the sample type;
//   stacks: locations leaf first, each location's inlined lines expanded
//     (pprof order: innermost first), unnamed frames as their address;
//     sample attributes and the linked span id (span_id) become stack labels.
// Indices outside the dictionary reject the profile (counted, with a reason).
class OtlpProfilesConverter
{
public:
    static ProfilesConversion convert(
        const opentelemetry::proto::collector::profiles::v1development::ExportProfilesServiceRequest &request);
    static Result<ProfilesConversion> decode(QByteArrayView body, PayloadEncoding encoding);
    // Pyroscope's profile name for a sample type (see above).
    static QString profileName(const QString &sampleType, const QString &sampleUnit);
};

} // namespace spyglass::ingest
