#include "app/gui/panels/table_panel_model.h"

#include "core/viz/reducers.h"

#include <QColor>
#include <QDateTime>
#include <cmath>

namespace spyglass::gui::panels {

namespace {

// Grafana 9+ keeps the cell mode in custom.cellOptions.type; older dashboards
// in custom.displayMode.
QString cellTypeOf(const viz::FieldConfig &c)
{
    QString t = c.custom.value(QLatin1String("cellOptions")).toObject().value(QLatin1String("type")).toString();
    if (t.isEmpty())
        t = c.custom.value(QLatin1String("displayMode")).toString();
    if (t == u"gradient-gauge" || t == u"lcd-gauge" || t == u"basic")
        return QStringLiteral("gauge");
    if (t.isEmpty())
        return QStringLiteral("auto");
    return t;
}

} // namespace

TablePanelModel::TablePanelModel(QObject *parent) : QAbstractTableModel(parent) {}

void TablePanelModel::setFrame(const model::Frame &frame, const viz::FieldConfigSource &config)
{
    beginResetModel();
    m_frame = frame;
    m_columns.clear();
    m_configs.clear();
    m_headers.clear();
    m_cellTypes.clear();
    m_ranges.clear();
    for (int i = 0; i < frame.fields().size(); ++i) {
        const model::Field &f = frame.fields().at(i);
        viz::FieldConfig c = config.resolve(frame, f);
        if (c.custom.value(QLatin1String("hidden")).toBool() || c.custom.value(QLatin1String("hideFrom")).toObject().value(QLatin1String("viz")).toBool())
            continue;
        m_columns << i;
        m_headers << viz::fieldDisplayName(frame, f, c.displayName);
        m_cellTypes << cellTypeOf(c);
        double lo = c.min.value_or(NAN), hi = c.max.value_or(NAN);
        if (viz::isNumeric(f) && (std::isnan(lo) || std::isnan(hi))) {
            // Like Grafana, a gauge without min/max spans the column's values.
            const QList<double> v = viz::numericValues(f);
            if (std::isnan(lo))
                lo = std::min(0.0, viz::reduce(viz::Reducer::Min, v));
            if (std::isnan(hi))
                hi = viz::reduce(viz::Reducer::Max, v);
        }
        m_ranges.push_back({lo, hi});
        m_configs << c;
    }
    endResetModel();
}

int TablePanelModel::rowCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : int(m_frame.rowCount()); }
int TablePanelModel::columnCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : int(m_columns.size()); }

QVariant TablePanelModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount() || index.column() >= columnCount())
        return {};
    const model::Field &f = m_frame.fields().at(m_columns.at(index.column()));
    const viz::FieldConfig &c = m_configs.at(index.column());
    const int row = index.row();
    const bool numeric = viz::isNumeric(f);
    auto number = [&]() { return f.type() == model::FieldType::Float64 ? f.doubles().at(row) : double(f.int64s().at(row)); };
    switch (role) {
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
        if (f.type() == model::FieldType::Time)
            return QDateTime::fromMSecsSinceEpoch(f.int64s().at(row)).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
        if (numeric)
            return viz::displayValue(c, number()).toString();
        return viz::displayText(c, f.displayValue(row)).toString();
    case RawValueRole:
        if (f.type() == model::FieldType::Time)
            return QVariant::fromValue(qint64(f.int64s().at(row)));
        if (numeric) {
            const double v = number();
            return std::isnan(v) ? QVariant(-std::numeric_limits<double>::infinity()) : QVariant(v);
        }
        return f.displayValue(row);
    case ColorRole:
    case Qt::ForegroundRole:
    case Qt::BackgroundRole: {
        const QString type = m_cellTypes.at(index.column());
        QColor color;
        if (numeric) {
            viz::FieldConfig tc = c;
            if (tc.colorMode == u"palette-classic")
                tc.colorMode = QStringLiteral("thresholds");
            color = viz::displayValue(tc, number()).color;
        } else {
            color = viz::displayText(c, f.displayValue(row)).color;
        }
        if (role == ColorRole)
            return color.isValid() ? QVariant(color) : QVariant();
        if (role == Qt::ForegroundRole && type == u"color-text" && color.isValid())
            return color;
        if (role == Qt::ForegroundRole && type == u"color-background" && color.isValid())
            return color.lightnessF() > 0.6 ? QColor(0x20, 0x20, 0x20) : QColor(Qt::white);
        if (role == Qt::BackgroundRole && type == u"color-background" && color.isValid())
            return color;
        // Value mappings with a colour tint the text in auto mode too.
        if (role == Qt::ForegroundRole && type == u"auto" && !numeric && color.isValid())
            return color;
        return {};
    }
    case CellTypeRole: return m_cellTypes.at(index.column());
    case FractionRole: {
        if (!numeric)
            return {};
        const auto [lo, hi] = m_ranges.at(index.column());
        const double v = number();
        if (std::isnan(v) || !(hi > lo))
            return 0.0;
        return std::clamp((v - lo) / (hi - lo), 0.0, 1.0);
    }
    case Qt::TextAlignmentRole: {
        const QString align = c.custom.value(QLatin1String("align")).toString(QStringLiteral("auto"));
        if (align == u"center")
            return int(Qt::AlignCenter);
        if (align == u"right" || (align == u"auto" && numeric))
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return int(Qt::AlignLeft | Qt::AlignVCenter);
    }
    default: return {};
    }
}

QVariant TablePanelModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Horizontal && role == Qt::DisplayRole && section >= 0 && section < m_headers.size())
        return m_headers.at(section);
    return QAbstractTableModel::headerData(section, orientation, role);
}

QString TablePanelModel::footerText(int column, const QString &reducerId) const
{
    const model::Field &f = m_frame.fields().at(m_columns.at(column));
    const auto r = viz::reducerFromId(reducerId);
    if (!viz::isNumeric(f) || !r)
        return {};
    return viz::displayValue(m_configs.at(column), viz::reduce(*r, viz::numericValues(f))).toString();
}

} // namespace spyglass::gui::panels
