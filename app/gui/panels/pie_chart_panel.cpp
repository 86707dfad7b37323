#include "app/gui/panels/pie_chart_panel.h"

#include "core/viz/colors.h"
#include "core/viz/units.h"

#include <QPainter>
#include <QPainterPath>
#include <cmath>

namespace spyglass::gui::panels {

void PieSliceModel::setSlices(QList<ReducedValue> slices)
{
    beginResetModel();
    m_slices = std::move(slices);
    m_total = 0;
    for (const auto &s : m_slices)
        if (std::isfinite(s.display.numeric) && s.display.numeric > 0)
            m_total += s.display.numeric;
    endResetModel();
}

int PieSliceModel::rowCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : int(m_slices.size()); }
int PieSliceModel::columnCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant PieSliceModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_slices.size())
        return {};
    const ReducedValue &s = m_slices.at(index.row());
    const double v = std::isfinite(s.display.numeric) && s.display.numeric > 0 ? s.display.numeric : 0;
    const double share = m_total > 0 ? v / m_total : 0;
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case Name: return s.name;
        case Value: return s.display.toString();
        case Percent: return viz::formatValue(share, QStringLiteral("percentunit"), 0).toString();
        }
    }
    if (role == RawValueRole)
        return index.column() == Percent ? share : v;
    if (role == Qt::DecorationRole && index.column() == Name)
        return s.display.color;
    return {};
}

QVariant PieSliceModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Name: return tr("Name");
    case Value: return tr("Value");
    case Percent: return tr("Percent");
    }
    return {};
}

PieChartPanel::PieChartPanel(QWidget *parent) : FramePanel(parent), m_model(new PieSliceModel(this)) {}

void PieChartPanel::rebuild()
{
    QList<ReducedValue> v = reducedValues();
    // Pie slices use the classic palette unless a colour is configured.
    for (int i = 0; i < v.size(); ++i)
        if (v[i].config.colorMode == u"palette-classic")
            v[i].display.color = viz::classicPaletteColor(i);
    m_model->setSlices(std::move(v));
}

void PieChartPanel::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    if (paintEmptyState(p, rect()))
        return;
    const QJsonObject legend = options().value(QLatin1String("legend")).toObject();
    const bool showLegend = legend.value(QLatin1String("showLegend")).toBool(true)
                         && legend.value(QLatin1String("displayMode")).toString() != u"hidden";
    QStringList legendValues;
    for (const QJsonValue &v : legend.value(QLatin1String("values")).toArray())
        legendValues << v.toString();
    const bool donut = options().value(QLatin1String("pieType")).toString() == u"donut";
    const QFontMetrics fm(font());
    QRectF area = QRectF(rect()).adjusted(6, 6, -6, -6);
    const bool right = legend.value(QLatin1String("placement")).toString(QStringLiteral("right")) == u"right" && width() > height();
    QStringList labels;
    int labelW = 0;
    for (int r = 0; r < m_model->rowCount(); ++r) {
        QString l = m_model->index(r, PieSliceModel::Name).data().toString();
        if (legendValues.contains(QStringLiteral("value")))
            l += QStringLiteral("  ") + m_model->index(r, PieSliceModel::Value).data().toString();
        if (legendValues.contains(QStringLiteral("percent")))
            l += QStringLiteral("  ") + m_model->index(r, PieSliceModel::Percent).data().toString();
        labels << l;
        labelW = std::max(labelW, fm.horizontalAdvance(l) + 22);
    }
    QRectF legendBox;
    if (showLegend && !labels.isEmpty()) {
        if (right) {
            const double w = std::min(double(labelW), area.width() * 0.45);
            legendBox = QRectF(area.right() - w, area.top(), w, area.height());
            area.setRight(legendBox.left() - 8);
        } else {
            const double h = std::min(double(labels.size() * (fm.height() + 2)), area.height() * 0.35);
            legendBox = QRectF(area.left(), area.bottom() - h, area.width(), h);
            area.setBottom(legendBox.top() - 6);
        }
    }
    const double side = std::min(area.width(), area.height());
    QRectF pie(0, 0, side, side);
    pie.moveCenter(area.center());
    const double total = m_model->total();
    double angle = 90; // start at 12 o'clock, clockwise
    const QColor bg = palette().color(QPalette::Base);
    for (int r = 0; r < m_model->rowCount(); ++r) {
        const double v = m_model->index(r, PieSliceModel::Value).data(PieSliceModel::RawValueRole).toDouble();
        if (total <= 0 || v <= 0)
            continue;
        const double span = v / total * 360.0;
        QPainterPath path;
        path.moveTo(pie.center());
        path.arcTo(pie, angle, -span);
        path.closeSubpath();
        p.setPen(QPen(bg, 1));
        p.setBrush(m_model->slices().at(r).display.color);
        p.drawPath(path);
        // Percent label on slices big enough to hold it.
        if (span > 18 && side > 120) {
            const double mid = (angle - span / 2) * M_PI / 180.0;
            const double rad = side / 2 * (donut ? 0.78 : 0.62);
            const QPointF c(pie.center().x() + std::cos(mid) * rad, pie.center().y() - std::sin(mid) * rad);
            const QString t = m_model->index(r, PieSliceModel::Percent).data().toString();
            p.setPen(Qt::black);
            p.drawText(QRectF(c.x() - 30, c.y() - 10, 60, 20), Qt::AlignCenter, t);
        }
        angle -= span;
    }
    if (donut) {
        QRectF hole(0, 0, side * 0.55, side * 0.55);
        hole.moveCenter(pie.center());
        p.setPen(Qt::NoPen);
        p.setBrush(bg);
        p.drawEllipse(hole);
    }
    if (!legendBox.isNull()) {
        double y = legendBox.top();
        for (int r = 0; r < labels.size() && y + fm.height() <= legendBox.bottom() + 1; ++r) {
            p.fillRect(QRectF(legendBox.left(), y + fm.height() / 2.0 - 5, 10, 10), m_model->slices().at(r).display.color);
            p.setPen(palette().color(QPalette::Text));
            p.drawText(QRectF(legendBox.left() + 16, y, legendBox.width() - 16, fm.height()), Qt::AlignLeft | Qt::AlignVCenter,
                       fm.elidedText(labels.at(r), Qt::ElideRight, int(legendBox.width() - 16)));
            y += fm.height() + 2;
        }
    }
}

} // namespace spyglass::gui::panels
