#pragma once

#include "app/gui/panels/panel_view.h"
#include "core/viz/field_config.h"
#include "core/viz/reducers.h"

#include <QJsonArray>

namespace spyglass::gui::panels {

// One value a panel shows after reducing a field (stat, gauge, bar gauge,
// pie chart), with what it needs to draw and link it.
struct ReducedValue
{
    QString name;
    viz::DisplayValue display;
    viz::FieldConfig config;
    QList<double> sparkline; // the field's values (stat sparkline)
    QList<std::int64_t> times;
};

// Base of the panel views: keeps the panel JSON, the raw frames and the
// frames after the panel's transformations, and calls rebuild() whenever
// either changes. A failing transformation leaves the frames empty and sets
// errorText(), which the view paints instead of data.
class FramePanel : public PanelView
{
    Q_OBJECT
public:
    using PanelView::PanelView;

    void setPanelJson(const QJsonObject &panel) override;
    void setFrames(const model::Frames &frames, model::TimestampMs from, model::TimestampMs to) override;

    const QJsonObject &panelJson() const { return m_panel; }
    const QJsonObject &options() const { return m_options; }
    const viz::FieldConfigSource &fieldConfig() const { return m_fieldConfig; }
    const model::Frames &frames() const { return m_frames; }
    model::TimestampMs rangeFrom() const { return m_from; }
    model::TimestampMs rangeTo() const { return m_to; }
    const QString &errorText() const { return m_error; }

    // reduceOptions {calcs, values, limit, fields}: one value per numeric
    // field (calcs[0] of its values), or every row when values is true.
    QList<ReducedValue> reducedValues() const;

protected:
    virtual void rebuild() = 0;
    // "No data" / the transformation error, centred; true when painted.
    bool paintEmptyState(class QPainter &p, const QRect &r) const;
    // Bold-ish text fitted to a box: the largest point size that fits.
    static QFont fittedFont(const QFont &base, const QString &text, const QSizeF &box, double maxPointSize = 64);

private:
    void applyTransformations();

    QJsonObject m_panel;
    QJsonObject m_options;
    viz::FieldConfigSource m_fieldConfig;
    model::Frames m_raw;
    model::Frames m_frames;
    model::TimestampMs m_from = 0;
    model::TimestampMs m_to = 0;
    QString m_error;
};

} // namespace spyglass::gui::panels
