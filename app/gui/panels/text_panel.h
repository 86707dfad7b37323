#pragma once

#include "app/gui/panels/panel_view.h"

class QTextBrowser;

namespace spyglass::gui::panels {

// Grafana's text panel: options.content as markdown (default), html or code.
// Links are not followed inside the panel but reported by linkActivated.
class TextPanel : public PanelView
{
    Q_OBJECT
public:
    explicit TextPanel(QWidget *parent = nullptr);
    void setPanelJson(const QJsonObject &panel) override;
    void setFrames(const model::Frames &, model::TimestampMs, model::TimestampMs) override {}
    QTextBrowser *browser() const { return m_browser; }

private:
    QTextBrowser *m_browser;
};

} // namespace spyglass::gui::panels
