#include "app/gui/panels/frame_panel.h"

#include "core/viz/transformations.h"

#include <QFontMetricsF>
#include <QPainter>
#include <QRegularExpression>
#include <cmath>

namespace spyglass::gui::panels {

void FramePanel::setPanelJson(const QJsonObject &panel)
{
    m_panel = panel;
    m_options = panel.value(QLatin1String("options")).toObject();
    m_fieldConfig = viz::FieldConfigSource(panel.value(QLatin1String("fieldConfig")).toObject());
    applyTransformations();
    rebuild();
    update();
}

void FramePanel::setFrames(const model::Frames &frames, model::TimestampMs from, model::TimestampMs to)
{
    m_raw = frames;
    m_from = from;
    m_to = to;
    applyTransformations();
    rebuild();
    update();
}

void FramePanel::applyTransformations()
{
    m_error.clear();
    const QJsonArray t = m_panel.value(QLatin1String("transformations")).toArray();
    if (t.isEmpty()) {
        m_frames = m_raw;
        return;
    }
    auto r = viz::applyTransformations(m_raw, t);
    if (r) {
        m_frames = std::move(*r);
    } else {
        m_frames.clear();
        m_error = r.error().message;
    }
}

QList<ReducedValue> FramePanel::reducedValues() const
{
    const QJsonObject ro = m_options.value(QLatin1String("reduceOptions")).toObject();
    viz::Reducer reducer = viz::Reducer::LastNotNull;
    const QJsonArray calcs = ro.value(QLatin1String("calcs")).toArray();
    if (!calcs.isEmpty())
        if (auto r = viz::reducerFromId(calcs.first().toString()))
            reducer = *r;
    const bool allValues = ro.value(QLatin1String("values")).toBool();
    const int limit = ro.value(QLatin1String("limit")).toInt(allValues ? 5000 : 0);
    const QString fieldsFilter = ro.value(QLatin1String("fields")).toString();
    QRegularExpression fieldRe;
    if (fieldsFilter.startsWith(u'/') && fieldsFilter.size() > 2)
        fieldRe = QRegularExpression(fieldsFilter.mid(1, fieldsFilter.lastIndexOf(u'/') - 1));

    QList<ReducedValue> out;
    int index = 0;
    for (const model::Frame &frame : m_frames) {
        const model::Field *time = frame.firstOfType(model::FieldType::Time);
        const model::Field *text = frame.firstOfType(model::FieldType::String);
        for (const model::Field &field : frame.fields()) {
            if (!viz::isNumeric(field))
                continue;
            viz::FieldConfig cfg = m_fieldConfig.resolve(frame, field);
            const QString name = viz::fieldDisplayName(frame, field, cfg.displayName);
            if (!fieldsFilter.isEmpty()) {
                const bool hit = fieldRe.pattern().isEmpty() ? (fieldsFilter == name || fieldsFilter == field.name())
                                                             : fieldRe.match(name).hasMatch();
                if (!hit)
                    continue;
            }
            const QList<double> values = viz::numericValues(field);
            if (allValues) {
                for (qsizetype r = 0; r < values.size() && (limit <= 0 || out.size() < limit); ++r) {
                    ReducedValue v;
                    v.name = text ? text->displayValue(r) : (time ? time->displayValue(r) : name);
                    v.config = cfg;
                    v.display = viz::displayValue(cfg, values.at(r), index++);
                    out.push_back(std::move(v));
                }
                continue;
            }
            ReducedValue v;
            v.name = name;
            v.config = cfg;
            v.display = viz::displayValue(cfg, viz::reduce(reducer, values), index++);
            v.sparkline = values;
            if (time)
                v.times = time->int64s();
            out.push_back(std::move(v));
            if (limit > 0 && out.size() >= limit)
                return out;
        }
    }
    return out;
}

bool FramePanel::paintEmptyState(QPainter &p, const QRect &r) const
{
    if (!m_error.isEmpty()) {
        p.setPen(QColor(0xF2, 0x49, 0x5C));
        p.drawText(r.adjusted(8, 8, -8, -8), Qt::AlignCenter | Qt::TextWordWrap, m_error);
        return true;
    }
    bool any = false;
    for (const auto &f : m_frames)
        any = any || f.rowCount() > 0;
    if (any)
        return false;
    p.setPen(palette().color(QPalette::PlaceholderText));
    p.drawText(r, Qt::AlignCenter, tr("No data"));
    return true;
}

QFont FramePanel::fittedFont(const QFont &base, const QString &text, const QSizeF &box, double maxPointSize)
{
    QFont f = base;
    double lo = 4, hi = maxPointSize;
    for (int i = 0; i < 12; ++i) {
        const double mid = (lo + hi) / 2;
        f.setPointSizeF(mid);
        const QFontMetricsF fm(f);
        if (fm.horizontalAdvance(text) <= box.width() && fm.height() <= box.height())
            lo = mid;
        else
            hi = mid;
    }
    f.setPointSizeF(lo);
    return f;
}

} // namespace spyglass::gui::panels
