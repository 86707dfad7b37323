#include "app/gui/panels/state_timeline_panel.h"

#include "app/gui/widgets/axis_ticks.h"
#include "app/gui/widgets/decimation.h"
#include "core/viz/colors.h"

#include <QPainter>
#include <QTimeZone>
#include <cmath>

namespace spyglass::gui::panels {

StateTimelinePanel::StateTimelinePanel(Mode mode, QWidget *parent) : FramePanel(parent), m_mode(mode) {}

void StateTimelinePanel::rebuild()
{
    m_rows.clear();
    const bool merge = m_mode == Mode::StateTimeline && options().value(QLatin1String("mergeValues")).toBool(true);
    for (const model::Frame &frame : frames()) {
        const model::Field *time = frame.firstOfType(model::FieldType::Time);
        if (!time || time->int64s().isEmpty())
            continue;
        const QList<std::int64_t> &t = time->int64s();
        const std::int64_t step = std::max<std::int64_t>(1, widgets::typicalStepMs(std::span<const std::int64_t>(t.constData(), std::size_t(t.size()))));
        for (const model::Field &f : frame.fields()) {
            if (f.type() == model::FieldType::Time || f.type() == model::FieldType::Labels)
                continue;
            viz::FieldConfig cfg = fieldConfig().resolve(frame, f);
            if (cfg.colorMode == u"palette-classic")
                cfg.colorMode = QStringLiteral("thresholds");
            Row row{viz::fieldDisplayName(frame, f, cfg.displayName), {}};
            for (qsizetype i = 0; i < f.size(); ++i) {
                viz::DisplayValue d;
                if (viz::isNumeric(f)) {
                    const double v = viz::numericValues(f).at(i);
                    if (std::isnan(v))
                        continue;
                    d = viz::displayValue(cfg, v);
                } else {
                    d = viz::displayText(cfg, f.displayValue(i));
                    if (!d.color.isValid())
                        d.color = viz::classicPaletteColor(int(qHash(d.toString()) % 32));
                }
                const std::int64_t from = t.at(i);
                const std::int64_t to = i + 1 < t.size() ? t.at(i + 1) : from + step;
                if (merge && !row.spans.isEmpty() && row.spans.back().text == d.toString() && row.spans.back().to >= from - step) {
                    row.spans.back().to = to;
                    continue;
                }
                row.spans.push_back({from, m_mode == Mode::StatusHistory ? std::min(to, from + step) : to, d.toString(), d.color});
            }
            m_rows << row;
        }
    }
}

void StateTimelinePanel::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    if (paintEmptyState(p, rect()) || m_rows.isEmpty())
        return;
    const QFontMetrics fm(font());
    std::int64_t t0 = rangeFrom(), t1 = rangeTo();
    if (t1 <= t0) {
        t0 = std::numeric_limits<std::int64_t>::max();
        t1 = std::numeric_limits<std::int64_t>::min();
        for (const Row &r : m_rows)
            if (!r.spans.isEmpty()) {
                t0 = std::min(t0, r.spans.front().from);
                t1 = std::max(t1, r.spans.back().to);
            }
        if (t1 <= t0)
            return;
    }
    int nameW = 0;
    for (const Row &r : m_rows)
        nameW = std::max(nameW, fm.horizontalAdvance(r.name));
    nameW = std::min(nameW, width() / 3);
    const QRect plot = rect().adjusted(nameW + 10, 4, -8, -fm.height() - 6);
    const double rowH = plot.height() / double(m_rows.size());
    const double fill = options().value(QLatin1String("rowHeight")).toDouble(0.9);
    const QString showValue = options().value(QLatin1String("showValue")).toString(QStringLiteral("auto"));
    auto toX = [&](std::int64_t t) { return plot.left() + double(t - t0) / double(t1 - t0) * plot.width(); };
    for (int r = 0; r < m_rows.size(); ++r) {
        const Row &row = m_rows.at(r);
        const double y = plot.top() + r * rowH + rowH * (1 - fill) / 2;
        p.setPen(palette().color(QPalette::Text));
        p.drawText(QRectF(2, plot.top() + r * rowH, nameW + 4, rowH), Qt::AlignRight | Qt::AlignVCenter, fm.elidedText(row.name, Qt::ElideRight, nameW + 2));
        for (const Span &s : row.spans) {
            const double x0 = std::max(toX(s.from), double(plot.left())), x1 = std::min(toX(s.to), double(plot.right()));
            if (x1 <= x0)
                continue;
            const QRectF box(x0, y, std::max(1.0, x1 - x0 - (m_mode == Mode::StatusHistory ? 1 : 0)), rowH * fill);
            QColor c = s.color.isValid() ? s.color : palette().color(QPalette::Mid);
            p.fillRect(box, c);
            if (showValue != u"never" && fm.horizontalAdvance(s.text) + 6 < box.width() && fm.height() < box.height()) {
                p.setPen(c.lightnessF() > 0.55 ? QColor(0x20, 0x20, 0x20) : QColor(Qt::white));
                p.drawText(box, Qt::AlignCenter, s.text);
            }
        }
    }
    p.setPen(palette().color(QPalette::Text).darker(130));
    const auto ticks = widgets::niceTimeTicks(t0, t1, std::max(2, plot.width() / 90), QTimeZone::systemTimeZone());
    for (const auto &tick : ticks.ticks)
        p.drawText(QRectF(toX(tick.t) - 40, plot.bottom() + 3, 80, fm.height()), Qt::AlignHCenter, tick.label);
}

} // namespace spyglass::gui::panels
