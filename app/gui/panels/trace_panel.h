#pragma once

#include "app/gui/panels/frame_panel.h"
#include "core/model/span.h"

namespace spyglass::gui::traces {
class TraceViewer;
}

namespace spyglass::gui::panels {

// Grafana's traces panel: the trace viewer of app/gui/traces on the first
// Spans frame (TraceQL/Tempo trace-by-id results).
class TracePanel : public FramePanel
{
    Q_OBJECT
public:
    explicit TracePanel(QWidget *parent = nullptr);
    traces::TraceViewer *viewer() const { return m_viewer; }

protected:
    void rebuild() override;

private:
    traces::TraceViewer *m_viewer;
};

// Spans of a Spans frame (fields traceID, spanID, parentSpanID,
// operationName, serviceName, kind, statusCode, statusMessage, startTime
// [ms], duration [ms], startTimeNs, tags/serviceTags as JSON [{key,value}]).
QList<model::Span> spansFromFrame(const model::Frame &frame);

} // namespace spyglass::gui::panels
