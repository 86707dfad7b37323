#include "app/gui/panels/node_graph_panel.h"

#include "core/viz/colors.h"
#include "core/viz/units.h"

#include <QHash>
#include <QPainter>
#include <QPainterPath>
#include <cmath>

namespace spyglass::gui::panels {

namespace {

QString text(const model::Frame &f, QStringView name, qsizetype r)
{
    const model::Field *x = f.field(name);
    if (!x)
        return {};
    if (viz::isNumeric(*x)) {
        const double v = viz::numericValues(*x).at(r);
        QString unit = x->unit();
        return viz::formatValue(v, unit.isEmpty() ? QStringLiteral("short") : unit).toString();
    }
    return x->displayValue(r);
}

const model::Field *statField(const model::Frame &f, QStringView prefix)
{
    for (const model::Field &x : f.fields())
        if (x.name().startsWith(prefix, Qt::CaseInsensitive))
            return &x;
    return nullptr;
}

} // namespace

int NodeGraphPanel::nodeIndex(const QString &id)
{
    for (int i = 0; i < m_nodes.size(); ++i)
        if (m_nodes.at(i).id == id)
            return i;
    Node n;
    n.id = n.title = id;
    n.color = viz::resolveColor(QStringLiteral("green"));
    m_nodes << n;
    return int(m_nodes.size()) - 1;
}

void NodeGraphPanel::rebuild()
{
    m_nodes.clear();
    m_edges.clear();
    for (const model::Frame &f : frames()) {
        if (f.field(u"source") || f.field(u"target"))
            continue;
        if (!f.field(u"id"))
            continue;
        const model::Field *main = statField(f, u"mainstat"), *second = statField(f, u"secondarystat");
        for (qsizetype r = 0; r < f.rowCount(); ++r) {
            const int i = nodeIndex(text(f, u"id", r));
            Node &n = m_nodes[i];
            if (f.field(u"title"))
                n.title = text(f, u"title", r);
            n.subtitle = text(f, u"subtitle", r);
            if (main)
                n.mainStat = text(f, main->name(), r);
            if (second)
                n.secondaryStat = text(f, second->name(), r);
            if (f.field(u"color")) {
                const QColor c = viz::resolveColor(text(f, u"color", r));
                if (c.isValid())
                    n.color = c;
            }
            // arc__failed > 0 colours the node red, as Tempo's service graph does.
            if (const model::Field *failed = f.field(u"arc__failed"); failed && viz::isNumeric(*failed) && viz::numericValues(*failed).at(r) > 0.05)
                n.color = viz::resolveColor(QStringLiteral("red"));
        }
    }
    for (const model::Frame &f : frames()) {
        if (!f.field(u"source") || !f.field(u"target"))
            continue;
        const model::Field *main = statField(f, u"mainstat"), *second = statField(f, u"secondarystat");
        for (qsizetype r = 0; r < f.rowCount(); ++r) {
            Edge e;
            e.from = nodeIndex(text(f, u"source", r));
            e.to = nodeIndex(text(f, u"target", r));
            if (main)
                e.mainStat = text(f, main->name(), r);
            if (second)
                e.secondaryStat = text(f, second->name(), r);
            m_edges << e;
        }
    }
    if (m_edges.isEmpty()) {
        // Service graph metrics: series labelled client/server.
        QHash<QPair<int, int>, int> edgeOf;
        for (const model::Frame &f : frames())
            for (const model::Field &x : f.fields()) {
                if (!viz::isNumeric(x) || !x.seriesLabels().has(u"client") || !x.seriesLabels().has(u"server"))
                    continue;
                const int a = nodeIndex(x.seriesLabels().value(u"client")), b = nodeIndex(x.seriesLabels().value(u"server"));
                const bool failed = x.seriesLabels().metricName().contains(QLatin1String("failed")) || f.name().contains(QLatin1String("failed"));
                const double v = viz::reduce(viz::Reducer::LastNotNull, viz::numericValues(x));
                int &idx = edgeOf[{a, b}];
                if (idx == 0) {
                    m_edges << Edge{a, b, {}, {}, false};
                    idx = int(m_edges.size());
                }
                Edge &e = m_edges[idx - 1];
                const QString formatted = viz::formatValue(v, QStringLiteral("reqps")).toString();
                if (failed) {
                    e.secondaryStat = viz::formatValue(v, QStringLiteral("reqps")).text + QStringLiteral(" err/s");
                    e.error = v > 0;
                } else {
                    e.mainStat = formatted;
                }
            }
    }
    layout();
}

void NodeGraphPanel::layout()
{
    const int n = int(m_nodes.size());
    // Longest path layering with a bound on relaxations, so cycles end.
    QList<int> layer(n, 0);
    for (int pass = 0; pass < n; ++pass) {
        bool changed = false;
        for (const Edge &e : m_edges)
            if (e.from != e.to && layer[e.to] < layer[e.from] + 1 && layer[e.from] + 1 < n) {
                layer[e.to] = layer[e.from] + 1;
                changed = true;
            }
        if (!changed)
            break;
    }
    int layers = 0;
    for (int l : layer)
        layers = std::max(layers, l + 1);
    QList<int> count(layers, 0), seen(layers, 0);
    for (int l : layer)
        count[l]++;
    for (int i = 0; i < n; ++i) {
        m_nodes[i].layer = layer[i];
        const int l = layer[i];
        m_nodes[i].pos = QPointF(layers > 1 ? (l + 0.5) / layers : 0.5, (seen[l]++ + 0.5) / count[l]);
    }
}

void NodeGraphPanel::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    if (paintEmptyState(p, rect()) || m_nodes.isEmpty())
        return;
    const QFontMetrics fm(font());
    const QRectF area = QRectF(rect()).adjusted(10, 10, -10, -10);
    int maxPerLayer = 1, layers = 1;
    QHash<int, int> perLayer;
    for (const Node &nd : m_nodes) {
        maxPerLayer = std::max(maxPerLayer, ++perLayer[nd.layer]);
        layers = std::max(layers, nd.layer + 1);
    }
    const double radius = std::clamp(std::min(area.height() / maxPerLayer, area.width() / layers) * 0.28, 12.0, 38.0);
    auto centre = [&](const Node &nd) { return QPointF(area.left() + nd.pos.x() * area.width(), area.top() + nd.pos.y() * area.height()); };
    const QColor text = palette().color(QPalette::Text);
    for (const Edge &e : m_edges) {
        if (e.from == e.to)
            continue;
        const QPointF a = centre(m_nodes.at(e.from)), b = centre(m_nodes.at(e.to));
        const QLineF line(a, b);
        if (line.length() < 2 * radius + 4)
            continue;
        const QPointF u = (b - a) / line.length();
        const QPointF s = a + u * (radius + 2), t = b - u * (radius + 4);
        const QColor c = e.error ? viz::resolveColor(QStringLiteral("red")) : palette().color(QPalette::Mid).lighter(220);
        p.setPen(QPen(c, 1.2));
        p.drawLine(s, t);
        const QPointF n(-u.y(), u.x());
        QPolygonF head;
        head << t + u * 4 << t - u * 6 + n * 4 << t - u * 6 - n * 4;
        p.setBrush(c);
        p.setPen(Qt::NoPen);
        p.drawPolygon(head);
        const QString label = e.secondaryStat.isEmpty() ? e.mainStat : e.mainStat + QStringLiteral(" | ") + e.secondaryStat;
        if (!label.isEmpty()) {
            const QPointF mid = (s + t) / 2;
            const QRectF box(mid.x() - fm.horizontalAdvance(label) / 2.0 - 3, mid.y() - fm.height() / 2.0, fm.horizontalAdvance(label) + 6, fm.height());
            p.fillRect(box, palette().color(QPalette::Base));
            p.setPen(e.error ? c : text.darker(120));
            p.drawText(box, Qt::AlignCenter, label);
        }
    }
    for (const Node &nd : m_nodes) {
        const QPointF c = centre(nd);
        p.setBrush(palette().color(QPalette::Base));
        p.setPen(QPen(nd.color, 3));
        p.drawEllipse(c, radius, radius);
        p.setPen(text);
        const QString stat = nd.mainStat;
        if (!stat.isEmpty())
            p.drawText(QRectF(c.x() - radius, c.y() - fm.height() / 2.0, 2 * radius, fm.height()), Qt::AlignCenter,
                       fm.elidedText(stat, Qt::ElideRight, int(2 * radius - 4)));
        const QString title = fm.elidedText(nd.title, Qt::ElideMiddle, int(area.width() / layers - 8));
        p.drawText(QRectF(c.x() - 100, c.y() + radius + 2, 200, fm.height()), Qt::AlignHCenter | Qt::AlignTop, title);
        if (!nd.subtitle.isEmpty()) {
            p.setPen(palette().color(QPalette::PlaceholderText));
            p.drawText(QRectF(c.x() - 100, c.y() + radius + 2 + fm.height(), 200, fm.height()), Qt::AlignHCenter | Qt::AlignTop, nd.subtitle);
        }
    }
}

} // namespace spyglass::gui::panels
