#pragma once

#include "app/gui/panels/frame_panel.h"
#include "app/gui/panels/time_series_canvas.h"

class QTableWidget;

namespace spyglass::gui::panels {

class LegendList;

// Grafana's timeseries panel (and migrated "graph" panels): the canvas plus a
// legend as a list (wrapping names) or a table with calcs, placed at the
// bottom or on the right. fieldConfig.custom drives drawStyle (line, bars,
// points), fillOpacity, lineWidth, showPoints, stacking {mode, group},
// thresholdsStyle and axisLabel; overrides apply per series. Clicking a
// legend entry isolates the series, clicking again shows all.
class TimeSeriesPanel : public FramePanel
{
    Q_OBJECT
public:
    explicit TimeSeriesPanel(QWidget *parent = nullptr);

    void setCrosshairTime(std::optional<model::TimestampMs> t) override { m_canvas->setSharedCrosshair(t); }

    TimeSeriesCanvas *canvas() const { return m_canvas; }
    QTableWidget *legendTable() const { return m_table; }
    // Legend rows as shown: name, then one text per calc.
    QList<QStringList> legendRows() const;
    void isolateSeries(int index);

protected:
    void rebuild() override;

private:
    void relayout();

    TimeSeriesCanvas *m_canvas;
    QTableWidget *m_table;
    LegendList *m_list;
    QStringList m_calcs;
    QList<QStringList> m_rows;
    QString m_placement;
    QString m_legendMode;
};

} // namespace spyglass::gui::panels
