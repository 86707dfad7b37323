#pragma once

#include "app/gui/widgets/axis_ticks.h"
#include "app/gui/widgets/decimation.h"
#include "core/model/frame.h"

#include <QColor>
#include <QList>
#include <QTimeZone>
#include <QWidget>
#include <optional>

class QListWidget;
class QListWidgetItem;

namespace spyglass::gui::widgets {

// One drawable series taken from a frame's value field.
struct PlotSeries
{
    model::Labels labels;
    QString name;
    QColor color;
    bool visible = true;
    QList<std::int64_t> times; // shares the frame's storage
    QList<double> values;
    std::int64_t maxGapMs = 0; // lines do not bridge wider gaps
};

// How series are drawn: 1 px lines, a dot per (decimated) sample, or filled
// areas stacked on each other (each series drawn on top of the sum of the
// visible ones before it, at the same timestamps).
enum class DrawStyle { Lines, Points, StackedArea };

// The painting half of TimeSeriesPlot: axes, grid, decimated lines,
// crosshair, hover tooltip and drag selection.
class PlotCanvas : public QWidget
{
    Q_OBJECT
public:
    explicit PlotCanvas(QWidget *parent = nullptr);

    void setSeries(QList<PlotSeries> series);
    const QList<PlotSeries> &series() const { return m_series; }
    void setSeriesVisible(int index, bool visible);

    void setTimeRange(model::TimestampMs from, model::TimestampMs to);
    model::TimestampMs rangeFrom() const { return m_from; }
    model::TimestampMs rangeTo() const { return m_to; }
    void setTimeZone(const QTimeZone &zone);
    void setEmptyText(const QString &text);
    void setDrawStyle(DrawStyle style);
    DrawStyle drawStyle() const { return m_style; }

    // A vertical line at `t` drawn for another plot's hover (synchronised
    // crosshair); nullopt removes it.
    void setSharedCrosshair(std::optional<model::TimestampMs> t);
    std::optional<model::TimestampMs> sharedCrosshair() const { return m_sharedCrosshair; }

    // StackedArea: the cumulative top and the base of series `index` at its
    // own sample times (NaN where it has no value); empty in other styles or
    // for hidden series.
    QList<double> stackedTop(int index) const;
    QList<double> stackedBase(int index) const;
    // The value range of the axis (after nice rounding).
    double axisMin() const;
    double axisMax() const;
    double valueToPixelY(double v) const;

    // Where the data is drawn, in widget coordinates (axes outside it).
    QRect plotArea() const;
    double timeToX(model::TimestampMs t) const;
    model::TimestampMs xToTime(double x) const;

    // What the hover tooltip shows for the cursor at `pos` (plain text:
    // time, then "name: value" per visible series); empty outside the plot.
    QString tooltipTextAt(QPoint pos) const;
    QString hoverText() const { return m_hoverText; }

    // Points actually drawn at the current size (after decimation), for
    // tests and diagnostics.
    qsizetype drawnPointCount() const;

    QSize sizeHint() const override { return {640, 300}; }
    QSize minimumSizeHint() const override { return {200, 120}; }

signals:
    void timeRangeSelected(model::TimestampMs from, model::TimestampMs to);
    void zoomOutRequested();
    // The time under the mouse while it hovers the plot area; nullopt when
    // it leaves (for synchronised crosshairs).
    void hoverTimeChanged(std::optional<model::TimestampMs> t);

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void leaveEvent(QEvent *event) override;

private:
    struct Layout
    {
        QRect plot;
        ValueTicks yTicks;
    };
    void ensureDecimated() const;
    void ensureStacked() const;
    void ensureLayout() const;
    void paintStacked(QPainter &p) const;
    void setHover(bool hovering, QPoint pos);
    QString tooltipHtmlAt(QPoint pos, QString *plain) const;
    double valueToY(double v) const;
    double axisScale() const;

    QList<PlotSeries> m_series;
    model::TimestampMs m_from = 0;
    model::TimestampMs m_to = 0;
    QTimeZone m_zone = QTimeZone::systemTimeZone();
    QString m_emptyText;

    mutable QList<QList<PlotSegment>> m_decimated;
    mutable bool m_decimationDirty = true;
    mutable int m_decimatedColumns = -1;
    mutable bool m_layoutDirty = true;
    mutable Layout m_layout;

    DrawStyle m_style = DrawStyle::Lines;
    std::optional<model::TimestampMs> m_sharedCrosshair;
    struct Stacked
    {
        QList<double> top;
        QList<double> base;
    };
    mutable QList<Stacked> m_stacked; // per series (empty when hidden)
    mutable bool m_stackDirty = true;

    bool m_hovering = false;
    QPoint m_hoverPos;
    QString m_hoverText;
    bool m_dragging = false;
    int m_dragStartX = 0;
    int m_dragCurrentX = 0;
};

// A time-series graph with a legend below it. Takes TimeSeries frames (a Time
// field in ms and Float64 fields whose seriesLabels() name the series).
// Legend: click isolates a series (click again shows all), Ctrl+click toggles
// one. Dragging selects a time range (timeRangeSelected, used for zoom);
// double click asks to zoom out.
class TimeSeriesPlot : public QWidget
{
    Q_OBJECT
public:
    explicit TimeSeriesPlot(QWidget *parent = nullptr);

    void setFrames(const model::Frames &frames);
    void clear();
    void setTimeRange(model::TimestampMs from, model::TimestampMs to);
    void setTimeZone(const QTimeZone &zone);
    void setEmptyText(const QString &text);
    void setDrawStyle(DrawStyle style) { m_canvas->setDrawStyle(style); }
    DrawStyle drawStyle() const { return m_canvas->drawStyle(); }
    void setSharedCrosshair(std::optional<model::TimestampMs> t) { m_canvas->setSharedCrosshair(t); }

    int seriesCount() const { return int(m_canvas->series().size()); }
    const PlotSeries &series(int index) const { return m_canvas->series().at(index); }
    bool isSeriesVisible(int index) const;
    void setSeriesVisible(int index, bool visible);
    // Shows only this series; on an already isolated series shows all again.
    void isolateSeries(int index);

    PlotCanvas *canvas() const { return m_canvas; }
    QListWidget *legend() const { return m_legend; }

    // Turns frames into plot series (exposed for tests and other panels).
    static QList<PlotSeries> seriesFromFrames(const model::Frames &frames);

signals:
    void timeRangeSelected(model::TimestampMs from, model::TimestampMs to);
    void zoomOutRequested();
    void hoverTimeChanged(std::optional<model::TimestampMs> t);

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    void rebuildLegend();
    void refreshLegendItem(int index);
    void updateLegendHeight();
    void onLegendClicked(QListWidgetItem *item);

    PlotCanvas *m_canvas;
    QListWidget *m_legend;
};

} // namespace spyglass::gui::widgets
