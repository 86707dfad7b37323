#pragma once

#include "core/model/cancel_token.h"
#include "core/model/result.h"
#include "core/model/sample.h"

#include <QFuture>
#include <QList>
#include <QObject>
#include <QStringList>
#include <functional>

namespace spyglass::gui {

// What importing one file did.
struct ImportSummary
{
    QString text;                 // "1,000 series, 1,000,000 samples"
    std::int64_t series = 0;
    std::int64_t samples = 0;
    model::TimestampMs minTime = 0; // 0/0: no samples
    model::TimestampMs maxTime = 0;
};

struct ImportFileResult
{
    QString file;
    bool ok = false;
    ImportSummary summary; // when ok
    Error error;           // when not
};

// Runs file imports on the thread pool, one file after the other, reporting
// progress back on the GUI thread and stopping early when cancelled. The
// import itself is a function (file -> summary), so the controller does not
// care which formats exist.
class ImportController : public QObject
{
    Q_OBJECT
public:
    using ProgressFunction = std::function<void(qint64 done, qint64 total)>;
    // Called on a worker thread; must honour `cancel`.
    using ImportFunction = std::function<Result<ImportSummary>(
        const QString &file, const ProgressFunction &progress, const CancelToken &cancel)>;

    explicit ImportController(ImportFunction importFile, QObject *parent = nullptr);
    ~ImportController() override;

    bool isRunning() const { return m_running; }
    const QList<ImportFileResult> &lastResults() const { return m_lastResults; }

public slots:
    // Returns false (and does nothing) while another import runs.
    bool start(const QStringList &files);
    void cancel();

signals:
    void started(const QStringList &files);
    // Overall progress in per mille across all files, and the file at hand.
    void progress(int perMille, const QString &file, int fileIndex, int fileCount);
    void finished(const QList<spyglass::gui::ImportFileResult> &results, bool cancelled);

private:
    ImportFunction m_importFile;
    bool m_running = false;
    CancelToken m_cancel;
    QFuture<void> m_future;
    QList<ImportFileResult> m_lastResults;
};

} // namespace spyglass::gui
