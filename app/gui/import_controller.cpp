#include "app/gui/import_controller.h"

#include <QFileInfo>
#include <QtConcurrent/QtConcurrentRun>
#include <atomic>
#include <memory>

namespace spyglass::gui {

ImportController::ImportController(ImportFunction importFile, QObject *parent)
    : QObject(parent), m_importFile(std::move(importFile))
{
}

ImportController::~ImportController()
{
    // The worker posts to this object: it must be done before we go away.
    m_cancel.cancel();
    m_future.waitForFinished();
}

bool ImportController::start(const QStringList &files)
{
    if (m_running || files.isEmpty())
        return false;
    m_running = true;
    m_cancel = CancelToken();
    m_lastResults.clear();
    emit started(files);

    const CancelToken cancel = m_cancel;
    const ImportFunction importFile = m_importFile;
    auto results = std::make_shared<QList<ImportFileResult>>();
    m_future = QtConcurrent::run([this, files, cancel, importFile, results] {
        const int count = int(files.size());
        // Post at most one update per per-mille step: a fast parser calls
        // back far more often than a progress bar can show.
        auto lastPosted = std::make_shared<std::atomic<int>>(-1);
        for (int i = 0; i < count && !cancel.isCancelled(); ++i) {
            const QString file = files[i];
            const QString name = QFileInfo(file).fileName();
            auto post = [this, lastPosted, name, i, count](qint64 done, qint64 total) {
                const double fileFraction = total > 0 ? double(done) / double(total) : 0.0;
                const int perMille = int((double(i) + std::clamp(fileFraction, 0.0, 1.0)) * 1000.0 / count);
                if (lastPosted->exchange(perMille) == perMille)
                    return;
                QMetaObject::invokeMethod(
                    this, [this, perMille, name, i, count] { emit progress(perMille, name, i, count); },
                    Qt::QueuedConnection);
            };
            post(0, 1);
            ImportFileResult r;
            r.file = file;
            auto outcome = importFile(file, post, cancel);
            if (outcome) {
                r.ok = true;
                r.summary = *outcome;
            } else {
                r.error = outcome.error();
                if (r.error.source.isEmpty())
                    r.error.source = file;
            }
            results->push_back(r);
            if (!outcome && outcome.error().kind == Error::Kind::Cancelled)
                break;
        }
        QMetaObject::invokeMethod(
            this,
            [this, results, cancel] {
                m_running = false;
                m_lastResults = *results;
                emit finished(m_lastResults, cancel.isCancelled());
            },
            Qt::QueuedConnection);
    });
    return true;
}

void ImportController::cancel()
{
    if (m_running)
        m_cancel.cancel();
}

} // namespace spyglass::gui
