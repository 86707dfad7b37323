#include "app/gui/workbench.h"

#include "core/datasource/datasource_registry.h"
#include "core/datasource/plugin_registry.h"
#include "core/ingest/file_importer.h"
#include "core/ingest/span_metrics_generator.h"
#include "core/ingest/storage_sink.h"
#include "core/lab/lab.h"
#include "core/lab/lab_host.h"
#include "core/store/storage.h"

#include <QLocale>
#include <QtConcurrent>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcGui, "spyglass.gui")

namespace spyglass::gui {

Result<std::unique_ptr<Workbench>> Workbench::open(const Options &options)
{
    auto storage = store::Storage::open(options.dataDir);
    if (!storage)
        return fail(storage.error());

    std::unique_ptr<Workbench> wb(new Workbench);
    wb->m_storage = std::move(*storage);
    wb->m_plugins = std::make_unique<datasource::PluginRegistry>();
    QStringList paths = options.extraPluginDirs;
    paths += datasource::PluginRegistry::defaultSearchPaths();
    wb->m_plugins->setSearchPaths(paths);
    wb->m_plugins->scan();
    for (const auto &p : wb->m_plugins->plugins())
        if (p.state == datasource::PluginInfo::State::Failed)
            qCWarning(lcGui).noquote() << "plugin" << p.filePath << "not loaded:" << p.errorString;

    datasource::DatasourceContext context;
    context.storage = wb->m_storage.get();
    wb->m_datasources = std::make_unique<datasource::DatasourceRegistry>(*wb->m_plugins, context);
    if (!options.datasourcesFile.isEmpty()) {
        // A broken settings file must not keep the program from starting:
        // the local store still works, and the Datasources view shows the rest.
        if (auto loaded = wb->m_datasources->load(options.datasourcesFile); !loaded)
            qCWarning(lcGui).noquote() << "datasources not loaded:" << loaded.error().toString();
    }
    if (auto local = wb->m_datasources->ensureLocal(); !local)
        qCWarning(lcGui).noquote() << "local datasource unavailable:" << local.error().toString();
    return wb;
}

Workbench::~Workbench()
{
    // The lab writes into the storage: stop it (and its start-up backfill) first.
    m_labStart.waitForFinished();
    m_labStop.waitForFinished();
    if (m_labHost)
        m_labHost->stop();
    m_labHost.reset();
    // Datasources refer to the storage: drop them first.
    m_datasources.reset();
    m_storage.reset();
}

lab::Lab *Workbench::lab()
{
    return m_labHost ? m_labHost->lab() : nullptr;
}

void Workbench::startLab()
{
    if (!m_labHost) {
        // Binding two loopback ports is quick; everything slow (the
        // backfill through the receivers) runs on a worker thread.
        auto host = std::make_unique<lab::LabHost>(*m_storage);
        if (auto r = host->startReceivers(); !r) {
            qCWarning(lcGui).noquote() << "lab receivers not started:" << r.error().toString();
            return;
        }
        m_labHost = std::move(host);
        lab::Lab *labPtr = m_labHost->lab();
        m_labStart = QtConcurrent::run([labPtr] {
            if (auto filled = labPtr->backfill(std::chrono::minutes(15)); !filled)
                qCWarning(lcGui).noquote() << "lab backfill failed:" << filled.error().toString();
            if (auto started = labPtr->start(); !started)
                qCWarning(lcGui).noquote() << "lab not started:" << started.error().toString();
        });
        return;
    }
    if (m_labStart.isRunning())
        return; // the first start (backfill) is still on its way
    lab::Lab *labPtr = m_labHost->lab();
    // After a stop still in progress, never racing it.
    m_labStop = m_labStop.isRunning()
        ? m_labStop.then(QtFuture::Launch::Async, [labPtr] { (void)labPtr->start(); })
        : QtConcurrent::run([labPtr] { (void)labPtr->start(); });
}

void Workbench::stopLab()
{
    if (!m_labHost)
        return;
    lab::Lab *labPtr = m_labHost->lab();
    // After the first start (a backfill takes seconds) or another stop/start.
    if (m_labStart.isRunning())
        m_labStop = m_labStart.then(QtFuture::Launch::Async, [labPtr] { labPtr->stop(); });
    else if (m_labStop.isRunning())
        m_labStop = m_labStop.then(QtFuture::Launch::Async, [labPtr] { labPtr->stop(); });
    else
        m_labStop = QtConcurrent::run([labPtr] { labPtr->stop(); });
}

QList<explore::DatasourceEntry> Workbench::datasourceEntries() const
{
    QList<explore::DatasourceEntry> out;
    for (const auto &s : m_datasources->settingsList()) {
        explore::DatasourceEntry e;
        e.uid = s.uid;
        e.name = s.name;
        e.datasource = m_datasources->datasource(s.uid);
        e.error = m_datasources->errorString(s.uid);
        if (e.datasource && !(e.datasource->capabilities() & datasource::Capability::Metrics))
            continue; // Explore here is for metrics; other kinds get their own views
        out.push_back(std::move(e));
    }
    return out;
}

QString Workbench::defaultDatasourceUid() const
{
    return m_datasources->defaultUid();
}

ImportController::ImportFunction Workbench::metricsImportFunction()
{
    store::Storage *storage = m_storage.get();
    // One importer for the session: OTLP DELTA metrics imported file after
    // file accumulate like they would on a receiver.
    auto importer = std::make_shared<ingest::FileImporter>(*storage);
    return [importer](const QString &file, const ImportController::ProgressFunction &progress,
                      const CancelToken &cancel) -> Result<ImportSummary> {
        ingest::FileImportOptions options;
        options.progress = progress;
        options.cancel = cancel;
        auto stats = importer->importFile(file, options);
        if (!stats)
            return fail(stats.error());
        ImportSummary s;
        s.series = stats->series;
        s.samples = stats->samples;
        s.minTime = stats->minTime;
        s.maxTime = stats->maxTime;
        s.text = stats->summary();
        return s;
    };
}

} // namespace spyglass::gui
