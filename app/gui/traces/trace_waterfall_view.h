#pragma once

#include "app/gui/traces/trace_row_model.h"

#include <QAbstractScrollArea>
#include <QList>
#include <memory>
#include <vector>

namespace spyglass::gui::traces {

// The waterfall: one row per visible span (tree column with indentation,
// expander and service colour; then the span's bar on the trace's time
// axis with a tick ruler on top). Paints only the rows on screen, so the
// cost follows the window height and not the span count. The time axis
// shows a window [from, to] of the trace (fractions 0..1) for zooming.
class TraceWaterfallView : public QAbstractScrollArea
{
    Q_OBJECT
public:
    static constexpr int kRowHeight = 22;
    static constexpr int kHeaderHeight = 26;

    explicit TraceWaterfallView(QWidget *parent = nullptr);

    void setModel(std::shared_ptr<TraceRowModel> model);
    TraceRowModel *model() const { return m_model.get(); }

    int selectedNode() const { return m_selected; }
    void setSelectedNode(int node); // reveals and scrolls to it; -1 clears

    // Zoom window as fractions of the trace duration.
    double windowFrom() const { return m_from; }
    double windowTo() const { return m_to; }
    void setWindow(double from, double to);
    void zoomToNode(int node);
    void resetZoom() { setWindow(0, 1); }

    // Search results to highlight; the current one is selected.
    void setMatches(const QList<int> &nodes);
    const QList<int> &matches() const { return m_matches; }
    int currentMatch() const { return m_currentMatch; }
    void nextMatch();
    void previousMatch();

    void setCriticalPathVisible(bool on);
    bool criticalPathVisible() const { return m_showCritical; }
    void toggleNode(int node);
    void collapseBelow(int depth);
    void expandAll();

    // Geometry for tests and the minimap.
    int nameColumnWidth() const { return m_nameWidth; }
    void setNameColumnWidth(int w);
    int firstVisibleRow() const;
    int rowAt(int y) const;                // viewport y -> row, -1 outside
    QRect rowRect(int row) const;          // viewport coordinates
    QRectF barRect(int node) const;        // bar of a visible node, viewport coordinates
    double xOfTime(model::TimestampNs t) const;
    QColor serviceColor(int serviceIndex) const;
    static QColor errorColor();
    int lastPaintedRowCount() const { return m_lastPaintedRows; }

signals:
    void selectionChanged(int node);
    void windowChanged(double from, double to);
    void rowsChanged(); // collapse/expand changed the visible rows

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    bool viewportEvent(QEvent *event) override;

private:
    void updateScrollBars();
    void ensureRowVisible(int row);
    void paintHeader(QPainter &p, const QRect &area);
    void paintRow(QPainter &p, int row, const QRect &r);
    QRect expanderRect(int row) const;
    int indentOf(int depth) const;

    std::shared_ptr<TraceRowModel> m_model;
    int m_selected = -1;
    double m_from = 0;
    double m_to = 1;
    QList<int> m_matches;
    std::vector<char> m_isMatch;
    int m_currentMatch = -1;
    bool m_showCritical = true;
    int m_nameWidth = 320;
    int m_lastPaintedRows = 0;
};

} // namespace spyglass::gui::traces
