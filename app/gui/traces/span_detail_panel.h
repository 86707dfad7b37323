#pragma once

#include "app/gui/traces/trace_row_model.h"

#include <QTreeWidget>

namespace spyglass::gui::traces {

// Everything about one span as a two-column tree: the span's facts (kind,
// status, ids, timing relative to the trace and the parent, scope), then
// its attributes, resource attributes, events (with their attributes and
// offsets) and links. Values can be copied; activating a link emits it.
class SpanDetailPanel : public QTreeWidget
{
    Q_OBJECT
public:
    explicit SpanDetailPanel(QWidget *parent = nullptr);

    // `model` must outlive the panel's use of it (the viewer holds both).
    void showSpan(const TraceRowModel *model, int node);
    int node() const { return m_node; }
    // The value shown for a key under a section ("Span", "Attributes",
    // "Resource", "Events", "Links"); empty when absent. For tests and copy.
    QString valueOf(const QString &section, const QString &key) const;
    QTreeWidgetItem *section(const QString &name) const;

signals:
    void linkActivated(const QByteArray &traceId, const QByteArray &spanId);

private:
    void copyCurrent();

    int m_node = -1;
};

QString spanKindName(model::Span::Kind kind);
QString spanStatusName(model::Span::Status status);

} // namespace spyglass::gui::traces
