#pragma once

#include "app/gui/traces/trace_row_model.h"

#include <QWidget>
#include <memory>

class QCheckBox;
class QLabel;
class QLineEdit;
class QSplitter;
class QToolButton;

namespace spyglass::gui::traces {

class SpanDetailPanel;
class TraceMinimap;
class TraceWaterfallView;

// One trace: a header (root service and name, start, duration, span count,
// services), a search box with next/previous, the minimap, the waterfall
// and the selected span's details. setSpans() lays the trace out on the
// thread pool; a newer call drops the result of an older one.
class TraceViewer : public QWidget
{
    Q_OBJECT
public:
    explicit TraceViewer(QWidget *parent = nullptr);

    void setSpans(QList<model::Span> spans);
    // Synchronous, for a model built elsewhere (tests, benchmarks).
    void setModel(std::shared_ptr<TraceRowModel> model);
    std::shared_ptr<TraceRowModel> model() const { return m_model; }

    TraceWaterfallView *waterfall() const { return m_waterfall; }
    SpanDetailPanel *detailPanel() const { return m_details; }
    TraceMinimap *minimap() const { return m_minimap; }
    QLineEdit *searchBox() const { return m_search; }
    QString headerText() const;
    QString matchText() const;

    void search(const QString &text);

signals:
    void modelReady();
    void linkActivated(const QByteArray &traceId, const QByteArray &spanId);

private:
    void updateHeader();
    void updateMatchLabel();

    std::shared_ptr<TraceRowModel> m_model;
    int m_jobId = 0;
    QLabel *m_header;
    QLineEdit *m_search;
    QToolButton *m_prev;
    QToolButton *m_next;
    QLabel *m_matchLabel;
    QCheckBox *m_critical;
    TraceMinimap *m_minimap;
    TraceWaterfallView *m_waterfall;
    SpanDetailPanel *m_details;
    QSplitter *m_splitter;
};

} // namespace spyglass::gui::traces
