#include "app/gui/traces/service_graph_view.h"

#include "app/gui/widgets/series_palette.h"

#include <QPainter>
#include <QPainterPath>
#include <QtMath>

namespace spyglass::gui::traces {

namespace {
constexpr double kNodeW = 170;
constexpr double kNodeH = 46;
constexpr double kLayerGap = 150;
constexpr double kRowGap = 46;
constexpr double kMargin = 24;
} // namespace

QColor serviceColorFor(const QString &service)
{
    static const QList<QColor> colors = [] {
        QList<QColor> out;
        for (int i = 0; i < widgets::seriesPaletteSize(); ++i) {
            const QColor c = widgets::seriesColor(i);
            const int hue = c.hsvHue();
            if (hue >= 0 && (hue < 15 || hue > 345))
                continue;
            out.push_back(c);
        }
        return out;
    }();
    return colors[int(qHash(service, 7) % std::size_t(colors.size()))];
}

ServiceGraphView::ServiceGraphView(QWidget *parent)
    : QWidget(parent),
      m_emptyText(tr("No calls between services."))
{
    setBackgroundRole(QPalette::Base);
    setAutoFillBackground(true);
}

void ServiceGraphView::setEmptyText(const QString &text)
{
    m_emptyText = text;
    update();
}

void ServiceGraphView::setGraph(ServiceGraph graph)
{
    m_graph = std::move(graph);
    m_layout = layoutServiceGraph(m_graph);
    relayout();
    updateGeometry();
    update();
}

QSize ServiceGraphView::sizeHint() const
{
    const int w = int(2 * kMargin + m_layout.layers * kNodeW + std::max(0, m_layout.layers - 1) * kLayerGap);
    const int h = int(2 * kMargin + m_layout.maxRows * kNodeH + std::max(0, m_layout.maxRows - 1) * kRowGap);
    return {std::max(w, 300), std::max(h, 160)};
}

QSize ServiceGraphView::minimumSizeHint() const
{
    return sizeHint();
}

void ServiceGraphView::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    relayout();
}

void ServiceGraphView::relayout()
{
    const int n = int(m_graph.services.size());
    m_rects = QList<QRectF>(n);
    if (n == 0)
        return;
    const QSize want = sizeHint();
    // Spread layers over the width and centre each layer's column vertically.
    const double extraX = std::max(0.0, double(width() - want.width()));
    const double layerGap = m_layout.layers > 1 ? kLayerGap + extraX / (m_layout.layers - 1) : 0;
    const double offsetX = m_layout.layers > 1 ? 0 : extraX / 2;
    QList<int> rowsInLayer(m_layout.layers, 0);
    for (int v = 0; v < n; ++v)
        rowsInLayer[m_layout.layer[v]] = std::max(rowsInLayer[m_layout.layer[v]], m_layout.row[v] + 1);
    for (int v = 0; v < n; ++v) {
        const int l = m_layout.layer[v];
        const double columnH = rowsInLayer[l] * kNodeH + (rowsInLayer[l] - 1) * kRowGap;
        const double top = std::max(kMargin, (height() - columnH) / 2);
        const double x = kMargin + offsetX + l * (kNodeW + layerGap);
        const double y = top + m_layout.row[v] * (kNodeH + kRowGap);
        m_rects[v] = QRectF(x, y, kNodeW, kNodeH);
    }
}

QRectF ServiceGraphView::nodeRect(int service) const
{
    return m_rects.value(service);
}

QString ServiceGraphView::edgeLabel(int edge) const
{
    const ServiceGraph::Edge &e = m_graph.edges[edge];
    if (m_graph.windowSeconds > 0)
        return tr("%1 req/s · %2 % err")
            .arg(e.requestRate, 0, 'g', 3)
            .arg(100.0 * e.errorRate, 0, 'f', 1);
    QString text = tr("%n call(s)", nullptr, int(e.calls));
    if (e.errors > 0)
        text += tr(", %n error(s)", nullptr, int(e.errors));
    return text;
}

void ServiceGraphView::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing, true);
    const QPalette pal = palette();
    if (m_graph.services.isEmpty()) {
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.drawText(rect(), Qt::AlignCenter, m_emptyText);
        return;
    }
    std::int64_t maxCalls = 1;
    for (const ServiceGraph::Edge &e : m_graph.edges)
        maxCalls = std::max(maxCalls, e.calls);

    QFont small = font();
    small.setPointSizeF(font().pointSizeF() * 0.9);
    for (int i = 0; i < m_graph.edges.size(); ++i) {
        const ServiceGraph::Edge &e = m_graph.edges[i];
        const QRectF a = m_rects[e.from];
        const QRectF b = m_rects[e.to];
        const bool errors = e.errors > 0;
        QColor c = errors ? QColor(0xE0, 0x2F, 0x44) : pal.color(QPalette::Text);
        if (!errors)
            c.setAlpha(150);
        const double w = 1.0 + 3.0 * double(e.calls) / double(maxCalls);
        QPainterPath path;
        QPointF from, to;
        if (b.left() > a.right()) { // forward
            from = QPointF(a.right(), a.center().y());
            to = QPointF(b.left(), b.center().y());
            const double dx = (to.x() - from.x()) / 2;
            path.moveTo(from);
            path.cubicTo(from + QPointF(dx, 0), to - QPointF(dx, 0), to);
        } else { // back edge or same layer: loop below
            from = QPointF(a.center().x(), a.bottom());
            to = QPointF(b.center().x() + 10, b.bottom());
            const double dip = 40 + std::abs(from.x() - to.x()) / 6;
            path.moveTo(from);
            path.cubicTo(from + QPointF(0, dip), to + QPointF(0, dip), to);
        }
        p.setPen(QPen(c, w));
        p.setBrush(Qt::NoBrush);
        p.drawPath(path);
        // Arrow head along the curve's last direction.
        const QPointF tip = path.pointAtPercent(1.0);
        const QPointF before = path.pointAtPercent(0.97);
        const double angle = std::atan2(tip.y() - before.y(), tip.x() - before.x());
        const double len = 9 + w;
        QPolygonF head;
        head << tip << tip - QPointF(len * std::cos(angle - 0.4), len * std::sin(angle - 0.4))
             << tip - QPointF(len * std::cos(angle + 0.4), len * std::sin(angle + 0.4));
        p.setPen(Qt::NoPen);
        p.setBrush(c);
        p.drawPolygon(head);
        // Label at the middle, on a background so crossing lines stay readable.
        const QString label = edgeLabel(i);
        p.setFont(small);
        const QFontMetricsF fm(small);
        const QPointF mid = path.pointAtPercent(0.5);
        QRectF box(0, 0, fm.horizontalAdvance(label) + 8, fm.height() + 2);
        box.moveCenter(mid - QPointF(0, fm.height() * 0.6));
        p.setBrush(pal.color(QPalette::Base));
        p.drawRoundedRect(box, 3, 3);
        p.setPen(errors ? c : pal.color(QPalette::Text));
        p.drawText(box, Qt::AlignCenter, label);
    }

    p.setFont(font());
    const QFontMetricsF fm(font());
    for (int v = 0; v < m_graph.services.size(); ++v) {
        const QRectF r = m_rects[v];
        const QColor color = serviceColorFor(m_graph.services[v]);
        p.setPen(QPen(color.darker(130), 1.5));
        p.setBrush(pal.color(QPalette::Base));
        p.drawRoundedRect(r, 6, 6);
        p.setPen(Qt::NoPen);
        p.setBrush(color);
        p.drawRoundedRect(QRectF(r.left(), r.top(), 6, r.height()), 3, 3);
        QFont bold = font();
        bold.setBold(true);
        p.setFont(bold);
        p.setPen(pal.color(QPalette::Text));
        const QRectF text = r.adjusted(12, 4, -6, -r.height() / 2);
        p.drawText(text, Qt::AlignLeft | Qt::AlignVCenter,
                   QFontMetricsF(bold).elidedText(m_graph.services[v], Qt::ElideRight, text.width()));
        p.setFont(small);
        const std::int64_t errs = m_graph.errorCounts.value(v);
        QString sub = tr("%n span(s)", nullptr, int(m_graph.spanCounts.value(v)));
        if (errs > 0)
            sub += tr(", %n error(s)", nullptr, int(errs));
        p.setPen(errs > 0 ? QColor(0xE0, 0x2F, 0x44) : pal.color(QPalette::PlaceholderText));
        p.drawText(r.adjusted(12, r.height() / 2, -6, -4), Qt::AlignLeft | Qt::AlignVCenter, sub);
    }
}

} // namespace spyglass::gui::traces
