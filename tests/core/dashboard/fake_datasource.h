#pragma once

#include "core/dashboard/variable_set.h"
#include "core/datasource/datasource.h"

#include <QHash>
#include <QMutex>
#include <functional>

// A datasource answering from tables the test fills in, recording requests.
class FakeDatasource : public spyglass::datasource::Datasource
{
public:
    explicit FakeDatasource(QString uid = QStringLiteral("fake"), QString type = QStringLiteral("prometheus"))
    {
        m_settings.uid = uid;
        m_settings.name = uid;
        m_settings.type = type;
    }
    const spyglass::datasource::DatasourceSettings &settings() const override { return m_settings; }
    spyglass::datasource::Capabilities capabilities() const override { return spyglass::datasource::Capability::Metrics; }
    spyglass::Result<spyglass::model::Frames> query(const spyglass::datasource::QueryRequest &request,
                                                    const spyglass::CancelToken &) override
    {
        QMutexLocker lock(&m_mutex);
        requests.append(request);
        if (onQuery)
            return onQuery(request);
        return spyglass::model::Frames{};
    }
    spyglass::Result<QStringList> labelNames(const spyglass::CancelToken &) override { return labels.keys(); }
    spyglass::Result<QStringList> labelValues(const QString &label, const spyglass::CancelToken &) override
    {
        QMutexLocker lock(&m_mutex);
        lookups.append(label);
        if (failLookups)
            return std::unexpected(spyglass::Error::io(QStringLiteral("connection refused")));
        return labels.value(label);
    }
    spyglass::Result<QString> checkHealth(const spyglass::CancelToken &) override { return QStringLiteral("ok"); }

    QHash<QString, QStringList> labels;
    QList<spyglass::datasource::QueryRequest> requests;
    QStringList lookups;
    bool failLookups = false;
    std::function<spyglass::Result<spyglass::model::Frames>(const spyglass::datasource::QueryRequest &)> onQuery;

private:
    spyglass::datasource::DatasourceSettings m_settings;
    QMutex m_mutex;
};

// Every reference resolves to the one fake datasource.
class FakeEnvironment : public spyglass::dashboard::VariableEnvironment
{
public:
    explicit FakeEnvironment(std::shared_ptr<FakeDatasource> ds) : m_ds(std::move(ds)) {}
    Resolved resolveDatasource(const QJsonValue &ref) override
    {
        refs.append(ref);
        Resolved r;
        r.datasource = m_ds;
        r.grafanaType = ref.toObject().value(QLatin1String("type")).toString(QStringLiteral("prometheus"));
        return r;
    }
    QList<spyglass::datasource::DatasourceSettings> datasourcesOfType(const QString &type) override
    {
        QList<spyglass::datasource::DatasourceSettings> out;
        for (const auto &s : configured)
            if (s.type == type)
                out.append(s);
        return out;
    }
    QList<spyglass::datasource::DatasourceSettings> configured;
    QList<QJsonValue> refs;

private:
    std::shared_ptr<FakeDatasource> m_ds;
};
