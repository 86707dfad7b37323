#pragma once

#include "core/model/frame.h"
#include "core/model/time_range.h"

#include <QJsonObject>
#include <QWidget>
#include <optional>

namespace spyglass::gui::panels {

// One panel's visualisation: renders frames according to the panel's Grafana
// JSON. The dashboard owns the chrome (title bar, menu, loading/error state);
// a PanelView only draws.
class PanelView : public QWidget
{
    Q_OBJECT
public:
    using QWidget::QWidget;

    // The panel's Grafana JSON after interpolation of variables (type, title,
    // options, fieldConfig {defaults, overrides}, transformations, ...). Called
    // before setFrames and again when the user edits options.
    virtual void setPanelJson(const QJsonObject &panel) = 0;
    // Query results of all the panel's targets (refId in Frame meta/name), raw:
    // the view applies panel.transformations itself (via core/viz). from/to =
    // the dashboard time range in Unix ms.
    virtual void setFrames(const model::Frames &frames, model::TimestampMs from, model::TimestampMs to) = 0;
    // Shared crosshair across panels (nullopt hides it).
    virtual void setCrosshairTime(std::optional<model::TimestampMs>) {}

signals:
    void timeRangeSelected(model::TimestampMs from, model::TimestampMs to); // drag-to-zoom
    void crosshairMoved(std::optional<model::TimestampMs> time);
    void linkActivated(const QString &url); // data links, trace ids, "explore" links
};

// nullptr when the type is not supported.
PanelView *createPanelView(const QString &type, QWidget *parent = nullptr);

} // namespace spyglass::gui::panels
