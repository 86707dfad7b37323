#pragma once

#include "app/gui/traces/trace_row_model.h"

#include <QImage>
#include <QWidget>
#include <memory>

namespace spyglass::gui::traces {

// An overview of the whole trace (every span, all rows squeezed into the
// widget's height) with the waterfall's time window shaded around. Dragging
// selects a new window; a double click shows the whole trace again. The
// overview is rendered once per model and size into an image: each pixel
// row accumulates span coverage, so the cost is O(spans + pixels).
class TraceMinimap : public QWidget
{
    Q_OBJECT
public:
    explicit TraceMinimap(QWidget *parent = nullptr);

    void setModel(std::shared_ptr<const TraceRowModel> model);
    void setWindow(double from, double to);
    double windowFrom() const { return m_from; }
    double windowTo() const { return m_to; }
    QSize sizeHint() const override { return {400, 56}; }

signals:
    void windowSelected(double from, double to);

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;

private:
    void renderOverview();
    double fractionAt(double x) const;

    std::shared_ptr<const TraceRowModel> m_model;
    QImage m_overview;
    double m_from = 0;
    double m_to = 1;
    bool m_dragging = false;
    double m_dragStart = 0;
    double m_dragEnd = 0;
};

} // namespace spyglass::gui::traces
