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
class LabHost;
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

    // Starts the built-in demo system (core/lab): the core's receivers on
    // loopback (4318/4317, or free ports when taken) and the lab sending
    // through them. The first start backfills the last 15 minutes on a worker
    // thread, then it runs live until stopLab() or the workbench closes.
    void startLab();
    // Stops the lab's traffic on a worker thread (the receivers stay up for SDKs).
    void stopLab();
    // The lab and its receivers; null before the first startLab().
    spyglass::lab::Lab *lab();
    spyglass::lab::LabHost *labHost() { return m_labHost.get(); }
    // Whether the first start's backfill is still running.
    bool labBackfilling() const { return m_labStart.isRunning(); }

private:
    Workbench() = default;
    std::unique_ptr<store::Storage> m_storage;
    std::unique_ptr<datasource::PluginRegistry> m_plugins;
    std::unique_ptr<datasource::DatasourceRegistry> m_datasources;
    std::unique_ptr<spyglass::lab::LabHost> m_labHost; // spyglass:: because gui::lab is the Lab page
    QFuture<void> m_labStart; // the first start: backfill, then live
    QFuture<void> m_labStop;  // later stops and starts, in order
};

} // namespace spyglass::gui
