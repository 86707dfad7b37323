#pragma once

#include <QFuture>

#include "app/gui/explore/explore_view.h"
#include "app/gui/import_controller.h"
#include "core/model/result.h"

#include <QString>
#include <QStringList>
#include <memory>

namespace spyglass::store {
class Storage;
}
namespace spyglass::datasource {
class PluginRegistry;
class DatasourceRegistry;
}
namespace spyglass::ingest {
class StorageSink;
class SpanMetricsGenerator;
}
namespace spyglass::lab {
class Lab;
}

namespace spyglass::gui {

// Everything the GUI works with besides widgets: the opened data directory,
// the plugins found and the configured datasources (the built-in "local"
// one always among them). Built once in main() (or a test) and shared by
// the views.
class Workbench
{
public:
    struct Options
    {
        QString dataDir;              // opened (created when missing)
        QString datasourcesFile;      // JSON list of datasources; empty = not persisted
        QStringList extraPluginDirs;  // searched before the default ones
    };

    static Result<std::unique_ptr<Workbench>> open(const Options &options);
    ~Workbench();

    store::Storage &storage() { return *m_storage; }
    datasource::PluginRegistry &plugins() { return *m_plugins; }
    datasource::DatasourceRegistry &datasources() { return *m_datasources; }

    // Configured datasources for the query editors' pickers.
    QList<explore::DatasourceEntry> datasourceEntries() const;
    QString defaultDatasourceUid() const;

    // Imports a Prometheus text / OpenMetrics file into the store
    // (for ImportController; runs on a worker thread).
    ImportController::ImportFunction metricsImportFunction();

    // Starts the built-in demo system (core/lab) writing into the store:
    // it backfills the last 15 minutes on a worker thread, then runs live
    // until the workbench closes. Calling it again does nothing.
    void startLab();
    lab::Lab *lab() { return m_lab.get(); }

private:
    Workbench() = default;
    std::unique_ptr<store::Storage> m_storage;
    std::unique_ptr<datasource::PluginRegistry> m_plugins;
    std::unique_ptr<datasource::DatasourceRegistry> m_datasources;
    std::unique_ptr<ingest::StorageSink> m_labSink;
    std::unique_ptr<ingest::SpanMetricsGenerator> m_labSpanMetrics;
    std::unique_ptr<lab::Lab> m_lab;
    QFuture<void> m_labStart;
};

} // namespace spyglass::gui
