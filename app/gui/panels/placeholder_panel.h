#pragma once

#include "app/gui/panels/panel_view.h"

namespace spyglass::gui::panels {

// Fallback view: names the panel type and summarises the frames. Used for a
// supported type whose native view is not built yet.
class PlaceholderPanel : public PanelView
{
    Q_OBJECT
public:
    explicit PlaceholderPanel(QString type, QWidget *parent = nullptr);
    void setPanelJson(const QJsonObject &panel) override;
    void setFrames(const model::Frames &frames, model::TimestampMs from, model::TimestampMs to) override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QString m_type;
    QString m_summary;
};

} // namespace spyglass::gui::panels
