// A minimal datasource plugin with a valid manifest: loads, creates
// datasources that answer with one constant series.
#include "core/datasource/datasource.h"

#include <QObject>

using namespace spyglass;
using namespace spyglass::datasource;

namespace {

class ConstantDatasource final : public Datasource
{
public:
    explicit ConstantDatasource(DatasourceSettings s) : m_settings(std::move(s)) {}
    const DatasourceSettings &settings() const override { return m_settings; }
    Capabilities capabilities() const override { return Capability::Metrics | Capability::Logs; }

    Result<model::Frames> query(const QueryRequest &request, const CancelToken &cancel) override
    {
        if (cancel.isCancelled())
            return fail(Error::cancelled());
        const model::Labels labels{{QStringLiteral("__name__"), request.expr}};
        auto frame = model::Frame::timeSeries(labels, {{request.from, 42.0}, {request.to, 43.0}});
        frame.meta().executedQuery = request.expr;
        return model::Frames{frame};
    }
    Result<QStringList> labelNames(const CancelToken &) override { return QStringList{QStringLiteral("__name__")}; }
    Result<QStringList> labelValues(const QString &, const CancelToken &) override { return QStringList{}; }
    Result<QString> checkHealth(const CancelToken &) override
    {
        return QStringLiteral("constant at %1").arg(m_settings.jsonData.value(QStringLiteral("value")).toString());
    }

private:
    DatasourceSettings m_settings;
};

} // namespace

class GoodFactory : public QObject, public DatasourceFactory
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID SPYGLASS_DATASOURCE_FACTORY_IID FILE "testplugin_good.json")
    Q_INTERFACES(spyglass::datasource::DatasourceFactory)
public:
    Result<std::unique_ptr<Datasource>> create(const DatasourceSettings &settings,
                                               const DatasourceContext &) override
    {
        if (settings.jsonData.value(QStringLiteral("fail")).toBool())
            return fail(Error::invalid(QStringLiteral("asked to fail")));
        return std::make_unique<ConstantDatasource>(settings);
    }
};

#include "testplugin_good.moc"
