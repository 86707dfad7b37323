#pragma once

#include "app/gui/panels/frame_panel.h"

namespace spyglass::gui::panels {

// Grafana's bar chart: categories from a string field (options.xField, else
// the first string or time field), one bar per numeric field in each group,
// vertical or horizontal, optional stacking and value labels.
class BarChartPanel : public FramePanel
{
    Q_OBJECT
public:
    using FramePanel::FramePanel;

    struct Group
    {
        QString category;
        QList<double> values; // one per series
    };
    const QStringList &seriesNames() const { return m_names; }
    const QList<Group> &groups() const { return m_groups; }

protected:
    void rebuild() override;
    void paintEvent(QPaintEvent *event) override;

private:
    QStringList m_names;
    QList<QColor> m_colors;
    QList<viz::FieldConfig> m_configs;
    QList<Group> m_groups;
};

} // namespace spyglass::gui::panels
