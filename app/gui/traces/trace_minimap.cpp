#include "app/gui/traces/trace_minimap.h"

#include <QMouseEvent>
#include <QPainter>
#include <algorithm>
#include <cmath>
#include <vector>

namespace spyglass::gui::traces {

namespace {
constexpr int kMargin = 2;
}

TraceMinimap::TraceMinimap(QWidget *parent)
    : QWidget(parent)
{
    setMinimumHeight(40);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    setCursor(Qt::CrossCursor);
    setToolTip(tr("Drag to zoom into part of the trace; double-click to show all of it"));
}

void TraceMinimap::setModel(std::shared_ptr<const TraceRowModel> model)
{
    m_model = std::move(model);
    m_from = 0;
    m_to = 1;
    renderOverview();
    update();
}

void TraceMinimap::setWindow(double from, double to)
{
    m_from = from;
    m_to = to;
    update();
}

void TraceMinimap::resizeEvent(QResizeEvent *)
{
    renderOverview();
}

void TraceMinimap::renderOverview()
{
    const int w = std::max(1, width() - 2 * kMargin);
    const int h = std::max(1, height() - 2 * kMargin);
    m_overview = QImage(w, h, QImage::Format_ARGB32_Premultiplied);
    m_overview.fill(Qt::transparent);
    if (!m_model || m_model->isEmpty() || m_model->duration() <= 0)
        return;
    // Rows in tree order (all spans, collapsed or not) mapped to pixel rows;
    // a difference array per pixel row counts covering spans per column.
    const int n = m_model->nodeCount();
    std::vector<int> diff(std::size_t(w + 1) * std::size_t(h), 0);
    std::vector<int> rowSpans(std::size_t(h), 0);
    const double d = double(m_model->duration());
    for (int i = 0; i < n; ++i) {
        const int y = std::min(h - 1, int(std::int64_t(i) * h / n));
        const model::Span &s = m_model->span(i);
        const int x0 = std::clamp(int(double(s.start - m_model->start()) / d * w), 0, w - 1);
        const int x1 = std::clamp(int(std::ceil(double(s.end - m_model->start()) / d * w)), x0 + 1, w);
        diff[std::size_t(y) * std::size_t(w + 1) + std::size_t(x0)] += 1;
        diff[std::size_t(y) * std::size_t(w + 1) + std::size_t(x1)] -= 1;
        ++rowSpans[std::size_t(y)];
    }
    const QColor base(0x5794F2); // Grafana's blue
    for (int y = 0; y < h; ++y) {
        auto *line = reinterpret_cast<QRgb *>(m_overview.scanLine(y));
        const int total = std::max(1, rowSpans[std::size_t(y)]);
        int acc = 0;
        for (int x = 0; x < w; ++x) {
            acc += diff[std::size_t(y) * std::size_t(w + 1) + std::size_t(x)];
            if (acc <= 0)
                continue;
            // Opacity grows with the share of this pixel row's spans covering the column.
            const int alpha = std::clamp(110 + 145 * acc / total, 0, 255);
            line[x] = qPremultiply(qRgba(base.red(), base.green(), base.blue(), alpha));
        }
    }
}

double TraceMinimap::fractionAt(double x) const
{
    const int w = std::max(1, width() - 2 * kMargin);
    return std::clamp((x - kMargin) / w, 0.0, 1.0);
}

void TraceMinimap::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    const QPalette pal = palette();
    p.fillRect(rect(), pal.color(QPalette::Base));
    p.drawImage(kMargin, kMargin, m_overview);
    const int w = std::max(1, width() - 2 * kMargin);
    const auto xOf = [&](double f) { return kMargin + f * w; };
    double a = m_from, b = m_to;
    if (m_dragging) {
        a = std::min(m_dragStart, m_dragEnd);
        b = std::max(m_dragStart, m_dragEnd);
    }
    // Shade what is outside the window.
    const QColor shade(0, 0, 0, 120);
    p.fillRect(QRectF(0, 0, xOf(a), height()), shade);
    p.fillRect(QRectF(xOf(b), 0, width() - xOf(b), height()), shade);
    p.setPen(QColor(0xF2, 0xCC, 0x0C));
    p.drawRect(QRectF(xOf(a), 0, std::max(1.0, xOf(b) - xOf(a)) - 1, height() - 1));
    p.setPen(pal.color(QPalette::Mid));
    p.drawLine(0, height() - 1, width(), height() - 1);
}

void TraceMinimap::mousePressEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton)
        return;
    m_dragging = true;
    m_dragStart = m_dragEnd = fractionAt(event->position().x());
    update();
}

void TraceMinimap::mouseMoveEvent(QMouseEvent *event)
{
    if (!m_dragging)
        return;
    m_dragEnd = fractionAt(event->position().x());
    update();
}

void TraceMinimap::mouseReleaseEvent(QMouseEvent *event)
{
    if (!m_dragging)
        return;
    m_dragging = false;
    m_dragEnd = fractionAt(event->position().x());
    const double a = std::min(m_dragStart, m_dragEnd);
    const double b = std::max(m_dragStart, m_dragEnd);
    const int w = std::max(1, width() - 2 * kMargin);
    if ((b - a) * w >= 3) {
        m_from = a;
        m_to = b;
        emit windowSelected(a, b);
    } else {
        // A click centres the current window on the point.
        const double half = (m_to - m_from) / 2;
        const double c = std::clamp(a, half, 1 - half);
        m_from = c - half;
        m_to = c + half;
        emit windowSelected(m_from, m_to);
    }
    update();
}

void TraceMinimap::mouseDoubleClickEvent(QMouseEvent *)
{
    m_dragging = false;
    m_from = 0;
    m_to = 1;
    emit windowSelected(0, 1);
    update();
}

} // namespace spyglass::gui::traces
