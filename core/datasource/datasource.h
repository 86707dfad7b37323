#pragma once

#include "core/model/cancel_token.h"
#include "core/model/frame.h"
#include "core/model/result.h"
#include "core/model/time_range.h"

#include <QFlags>
#include <QString>
#include <QStringList>
#include <QVariantMap>
#include <QtPlugin>
#include <array>
#include <memory>
#include <optional>

namespace spyglass::store {
class Storage;
}

namespace spyglass::datasource {

class LiveTail;

enum class Capability {
    Metrics = 0x1,
    Logs = 0x2,
    Traces = 0x4,
    Profiles = 0x8,
};
Q_DECLARE_FLAGS(Capabilities, Capability)

constexpr std::array<Capability, 4> allCapabilities()
{
    return {Capability::Metrics, Capability::Logs, Capability::Traces, Capability::Profiles};
}
// The names plugin manifests use in "kinds": "metrics", "logs", "traces", "profiles".
QString capabilityName(Capability c);
std::optional<Capability> capabilityFromName(QStringView name);
QStringList capabilityNames(Capabilities caps);

// How a datasource instance is configured: the fields of a Grafana
// datasource provisioning entry, so those files map one to one.
struct DatasourceSettings
{
    QString uid;
    QString name;
    QString type; // plugin id: "local", "prometheus", "loki", ...
    QString url;
    bool isDefault = false;
    QVariantMap jsonData;
    QVariantMap secureJsonData;
};

// One query of one panel or Explore row.
struct QueryRequest
{
    QString refId = QStringLiteral("A");
    QString expr;                   // query text in the datasource's language
    model::TimestampMs from = 0;    // resolved range, Unix ms
    model::TimestampMs to = 0;
    std::int64_t stepMs = 0;        // 0 = let the datasource choose from maxDataPoints
    int maxDataPoints = 1000;
    bool instant = false;           // one evaluation at `to` instead of a range
    QVariantMap options;            // language-specific (legendFormat, limit, direction, ...)

    // The step Grafana would pick: range / maxDataPoints, at least 1 s.
    std::int64_t effectiveStepMs() const;
};

// Context of a label look-up. Empty fields mean "whatever the datasource
// does by default".
struct LabelLookup
{
    QString language;               // "promql", "logql", "traceql", "profile"
    model::TimestampMs from = 0;    // 0 = no bound
    model::TimestampMs to = 0;
    QString selector;               // e.g. {job="x"}: only values of matching series/streams
};

// What plugins receive from the host when creating a datasource. The local
// plugin uses the embedded storage; remote plugins ignore it.
struct DatasourceContext
{
    store::Storage *storage = nullptr;
};

// A configured datasource. query() and the look-ups are called from worker
// threads (never the GUI thread) and must be safe to call concurrently; they
// block until done and return early with Error::Kind::Cancelled when the
// token is cancelled.
class Datasource
{
public:
    virtual ~Datasource() = default;

    virtual const DatasourceSettings &settings() const = 0;
    virtual Capabilities capabilities() const = 0;

    virtual Result<model::Frames> query(const QueryRequest &request,
                                        const CancelToken &cancel) = 0;

    // For completion in query editors.
    virtual Result<QStringList> labelNames(const CancelToken &cancel) = 0;
    virtual Result<QStringList> labelValues(const QString &label, const CancelToken &cancel) = 0;

    // A one-line description of what was reached ("12 series, 3 label names"),
    // or an error saying why the datasource cannot be used.
    virtual Result<QString> checkHealth(const CancelToken &cancel) = 0;

    // Look-ups with context, for datasources that answer for several
    // languages (the local one: promql, logql, traceql, profile) or can
    // narrow by time range / selector. The defaults ignore the context.
    virtual Result<QStringList> lookupLabelNames(const LabelLookup &lookup, const CancelToken &cancel)
    {
        Q_UNUSED(lookup);
        return labelNames(cancel);
    }
    virtual Result<QStringList> lookupLabelValues(const QString &label, const LabelLookup &lookup,
                                                  const CancelToken &cancel)
    {
        Q_UNUSED(lookup);
        return labelValues(label, cancel);
    }

    // Live tail of log lines (live_tail.h), or nullptr when not supported.
    virtual LiveTail *liveTail() { return nullptr; }
};

// The interface every datasource plugin's root object implements.
class DatasourceFactory
{
public:
    virtual ~DatasourceFactory() = default;
    virtual Result<std::unique_ptr<Datasource>> create(const DatasourceSettings &settings,
                                                       const DatasourceContext &context) = 0;
};

} // namespace spyglass::datasource

Q_DECLARE_OPERATORS_FOR_FLAGS(spyglass::datasource::Capabilities)

// Bump the major version when DatasourceFactory or Datasource change
// incompatibly: the registry refuses plugins built against another one.
#define SPYGLASS_DATASOURCE_FACTORY_IID "org.spyglass.DatasourceFactory/1.0"
Q_DECLARE_INTERFACE(spyglass::datasource::DatasourceFactory, SPYGLASS_DATASOURCE_FACTORY_IID)
