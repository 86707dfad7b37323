#pragma once

#include "app/gui/panels/frame_panel.h"

namespace spyglass::gui::panels {

// Grafana's state timeline (consecutive equal values merged into one span)
// and status history (one cell per sample): a row per series over time,
// coloured and labelled by value mappings, else thresholds.
class StateTimelinePanel : public FramePanel
{
    Q_OBJECT
public:
    enum class Mode { StateTimeline, StatusHistory };
    explicit StateTimelinePanel(Mode mode, QWidget *parent = nullptr);

    struct Span
    {
        std::int64_t from = 0, to = 0;
        QString text;
        QColor color;
    };
    struct Row
    {
        QString name;
        QList<Span> spans;
    };
    const QList<Row> &rows() const { return m_rows; }

protected:
    void rebuild() override;
    void paintEvent(QPaintEvent *event) override;

private:
    Mode m_mode;
    QList<Row> m_rows;
};

} // namespace spyglass::gui::panels
