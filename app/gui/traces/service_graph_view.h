#pragma once

#include "app/gui/traces/trace_analysis.h"

#include <QWidget>

namespace spyglass::gui::traces {

// Draws a service graph: services as boxes in layers (callers left of their
// callees), calls as arrows labelled with call counts, or with request rate
// and error rate when the graph has a time window. Edges with errors are
// drawn red, thicker with more calls. Graphs are small (services, not
// spans), so layout happens in setGraph.
class ServiceGraphView : public QWidget
{
    Q_OBJECT
public:
    explicit ServiceGraphView(QWidget *parent = nullptr);

    void setGraph(ServiceGraph graph);
    const ServiceGraph &graph() const { return m_graph; }
    // Text drawn on an edge ("12 calls, 1 error" / "3.2 req/s, 5.0 % errors").
    QString edgeLabel(int edge) const;
    QRectF nodeRect(int service) const; // widget coordinates
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;
    void setEmptyText(const QString &text);

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    void relayout();

    ServiceGraph m_graph;
    ServiceGraphLayout m_layout;
    QList<QRectF> m_rects;
    QString m_emptyText;
};

// Stable colour of a service name (no reds: red marks errors).
QColor serviceColorFor(const QString &service);

} // namespace spyglass::gui::traces
