#include "app/gui/panels/placeholder_panel.h"

#include <QPainter>

namespace spyglass::gui::panels {

PlaceholderPanel::PlaceholderPanel(QString type, QWidget *parent) : PanelView(parent), m_type(std::move(type)) {}

void PlaceholderPanel::setPanelJson(const QJsonObject &) { update(); }

void PlaceholderPanel::setFrames(const model::Frames &frames, model::TimestampMs, model::TimestampMs)
{
    qsizetype rows = 0;
    for (const auto &f : frames)
        rows += f.rowCount();
    m_summary = tr("%1 frames, %2 rows").arg(frames.size()).arg(rows);
    update();
}

void PlaceholderPanel::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setPen(palette().color(QPalette::PlaceholderText));
    p.drawText(rect(), Qt::AlignCenter, m_type + u'\n' + m_summary);
}

} // namespace spyglass::gui::panels
