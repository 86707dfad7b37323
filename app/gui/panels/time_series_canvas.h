#pragma once

#include "app/gui/widgets/decimation.h"
#include "core/model/frame.h"
#include "core/viz/field_config.h"

#include <QWidget>
#include <optional>

namespace spyglass::gui::panels {

// One series of a timeseries panel with its resolved field config.
struct TimeSeriesData
{
    QString name;
    QColor color;
    QList<std::int64_t> times;
    QList<double> values;
    viz::FieldConfig config;
    enum class Style { Line, Bars, Points };
    Style style = Style::Line;
    double fillOpacity = 0;  // 0..1
    double lineWidth = 1;
    bool showPoints = false;
    QString stackGroup;      // empty = not stacked
    bool percentStack = false;
    bool hidden = false;     // legend toggled off
    std::int64_t maxGapMs = 0;
};

// The plot of the timeseries panel: axes with units, decimated lines, bars,
// points, fills and stacks, threshold lines/areas, hover tooltip (single or
// all series), crosshair shared across panels and drag-to-zoom. Drawing cost
// follows pixels: every series is min/max-decimated to the plot's columns
// once per data or size change; lines are 1 px unless configured wider.
class TimeSeriesCanvas : public QWidget
{
    Q_OBJECT
public:
    enum class TooltipMode { Single, Multi, None };
    enum class ThresholdStyle { Off, Line, Area, LineAndArea, Dashed, DashedAndArea };

    explicit TimeSeriesCanvas(QWidget *parent = nullptr);

    void setSeries(QList<TimeSeriesData> series);
    const QList<TimeSeriesData> &series() const { return m_series; }
    void setSeriesHidden(int index, bool hidden);
    void setTimeRange(model::TimestampMs from, model::TimestampMs to);
    void setAxis(const QString &unit, std::optional<int> decimals, std::optional<double> min, std::optional<double> max,
                 const QString &label = {});
    void setThresholds(const viz::Thresholds &t, ThresholdStyle style);
    void setTooltipMode(TooltipMode mode) { m_tooltipMode = mode; }
    void setSharedCrosshair(std::optional<model::TimestampMs> t);

    // Decimates every visible series for the current size (what a paint
    // needs); public for the benchmark.
    void prepare() const;
    QRect plotArea() const;
    double timeToX(model::TimestampMs t) const;
    double valueToY(double v) const;
    std::pair<double, double> valueRange() const;
    QStringList yTickLabels() const;
    // Tooltip text lines at a widget position ("name: value"), per mode.
    QStringList tooltipLines(QPoint pos) const;
    qsizetype drawnPointCount() const;

    QSize sizeHint() const override { return {600, 240}; }
    QSize minimumSizeHint() const override { return {120, 60}; }

signals:
    void timeRangeSelected(model::TimestampMs from, model::TimestampMs to);
    void hoverTimeChanged(std::optional<model::TimestampMs> t);

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void leaveEvent(QEvent *event) override;

private:
    void computeStacks();
    void computeRange() const;
    model::TimestampMs xToTime(double x) const;
    QString formatAxis(double v) const;
    const QList<double> &drawnValues(int i) const;

    QList<TimeSeriesData> m_series;
    QList<QList<double>> m_stackTop;  // per series when stacked
    QList<QList<double>> m_stackBase;
    model::TimestampMs m_from = 0, m_to = 0;
    QString m_unit, m_axisLabel;
    std::optional<int> m_decimals;
    std::optional<double> m_min, m_max;
    viz::Thresholds m_thresholds;
    ThresholdStyle m_thresholdStyle = ThresholdStyle::Off;
    TooltipMode m_tooltipMode = TooltipMode::Single;
    std::optional<model::TimestampMs> m_shared;

    mutable bool m_dirty = true;
    mutable int m_columns = -1;
    mutable QList<QList<widgets::PlotSegment>> m_decimated;
    mutable bool m_rangeDirty = true;
    mutable double m_lo = 0, m_hi = 1, m_step = 0.2;
    mutable QList<double> m_ticks;
    mutable int m_axisWidth = 40;

    bool m_hovering = false;
    QPoint m_hover;
    bool m_dragging = false;
    int m_dragStart = 0, m_dragNow = 0;
};

} // namespace spyglass::gui::panels
