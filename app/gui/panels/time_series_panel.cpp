#include "app/gui/panels/time_series_panel.h"

#include "app/gui/widgets/decimation.h"
#include "core/viz/colors.h"

#include <QBoxLayout>
#include <QHeaderView>
#include <QMouseEvent>
#include <QPainter>
#include <QTableWidget>

namespace spyglass::gui::panels {

// A wrapping row of legend entries (colour swatch + name), painted.
class LegendList : public QWidget
{
public:
    explicit LegendList(TimeSeriesPanel *panel) : QWidget(panel), m_panel(panel) {}

    void setEntries(QList<std::pair<QString, QColor>> entries, QList<bool> hidden)
    {
        m_entries = std::move(entries);
        m_hidden = std::move(hidden);
        updateGeometry();
        update();
    }
    int heightForWidth(int w) const override { return int(layoutEntries(w).rows) * rowHeight() + 4; }
    bool hasHeightForWidth() const override { return true; }
    QSize sizeHint() const override { return {200, heightForWidth(std::max(width(), 200))}; }

protected:
    void paintEvent(QPaintEvent *) override
    {
        QPainter p(this);
        const auto layout = layoutEntries(width());
        for (int i = 0; i < m_entries.size(); ++i) {
            const QRect r = layout.rects.at(i);
            const bool hidden = m_hidden.value(i);
            QColor c = m_entries.at(i).second;
            QColor t = palette().color(QPalette::Text);
            if (hidden) {
                c.setAlpha(70);
                t = palette().color(QPalette::PlaceholderText);
            }
            p.fillRect(QRect(r.left(), r.center().y() - 2, 14, 4), c);
            p.setPen(t);
            p.drawText(r.adjusted(18, 0, 0, 0), Qt::AlignVCenter | Qt::AlignLeft, m_entries.at(i).first);
        }
    }
    void mousePressEvent(QMouseEvent *e) override
    {
        const auto layout = layoutEntries(width());
        for (int i = 0; i < layout.rects.size(); ++i)
            if (layout.rects.at(i).contains(e->pos()))
                m_panel->isolateSeries(i);
    }

private:
    struct Layout
    {
        QList<QRect> rects;
        int rows = 0;
    };
    int rowHeight() const { return fontMetrics().height() + 4; }
    Layout layoutEntries(int w) const
    {
        Layout l;
        int x = 4, y = 2;
        l.rows = m_entries.isEmpty() ? 0 : 1;
        for (const auto &e : m_entries) {
            const int ew = std::min(w - 8, 18 + fontMetrics().horizontalAdvance(e.first) + 14);
            if (x + ew > w && x > 4) {
                x = 4;
                y += rowHeight();
                ++l.rows;
            }
            l.rects << QRect(x, y, ew, rowHeight());
            x += ew;
        }
        return l;
    }

    TimeSeriesPanel *m_panel;
    QList<std::pair<QString, QColor>> m_entries;
    QList<bool> m_hidden;
};

TimeSeriesPanel::TimeSeriesPanel(QWidget *parent)
    : FramePanel(parent), m_canvas(new TimeSeriesCanvas(this)), m_table(new QTableWidget(this)), m_list(new LegendList(this))
{
    m_table->verticalHeader()->hide();
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionMode(QAbstractItemView::NoSelection);
    m_table->setFocusPolicy(Qt::NoFocus);
    m_table->setShowGrid(false);
    m_table->setFrameShape(QFrame::NoFrame);
    m_table->setSortingEnabled(false);
    m_table->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 4);
    m_table->horizontalHeader()->setHighlightSections(false);
    m_table->hide();
    m_list->hide();
    connect(m_table, &QTableWidget::cellClicked, this, [this](int row, int) { isolateSeries(row); });
    connect(m_canvas, &TimeSeriesCanvas::timeRangeSelected, this, &PanelView::timeRangeSelected);
    connect(m_canvas, &TimeSeriesCanvas::hoverTimeChanged, this, &PanelView::crosshairMoved);
    relayout();
}

void TimeSeriesPanel::relayout()
{
    delete layout();
    const bool right = m_placement == u"right";
    auto *l = new QBoxLayout(right ? QBoxLayout::LeftToRight : QBoxLayout::TopToBottom, this);
    l->setContentsMargins(0, 0, 0, 0);
    l->setSpacing(2);
    l->addWidget(m_canvas, 1);
    l->addWidget(m_table);
    l->addWidget(m_list);
}

void TimeSeriesPanel::rebuild()
{
    const QJsonObject legend = options().value(QLatin1String("legend")).toObject();
    const QString placement = legend.value(QLatin1String("placement")).toString(QStringLiteral("bottom"));
    QString mode = legend.value(QLatin1String("displayMode")).toString(QStringLiteral("list"));
    if (legend.contains(QLatin1String("showLegend")) && !legend.value(QLatin1String("showLegend")).toBool())
        mode = QStringLiteral("hidden");
    if (placement != m_placement) {
        m_placement = placement;
        relayout();
    }
    m_legendMode = mode;
    m_calcs.clear();
    for (const QJsonValue &c : legend.value(QLatin1String("calcs")).toArray())
        if (viz::reducerFromId(c.toString()))
            m_calcs << c.toString();

    const QString tooltip = options().value(QLatin1String("tooltip")).toObject().value(QLatin1String("mode")).toString(QStringLiteral("single"));
    m_canvas->setTooltipMode(tooltip == u"multi" ? TimeSeriesCanvas::TooltipMode::Multi
                             : tooltip == u"none" ? TimeSeriesCanvas::TooltipMode::None
                                                  : TimeSeriesCanvas::TooltipMode::Single);
    const viz::FieldConfig &d = fieldConfig().defaults();
    const QJsonObject thresholdsStyle = d.custom.value(QLatin1String("thresholdsStyle")).toObject();
    const QString ts = thresholdsStyle.value(QLatin1String("mode")).toString(QStringLiteral("off"));
    m_canvas->setThresholds(d.thresholds, ts == u"line" ? TimeSeriesCanvas::ThresholdStyle::Line
                                          : ts == u"area" ? TimeSeriesCanvas::ThresholdStyle::Area
                                          : ts == u"line+area" ? TimeSeriesCanvas::ThresholdStyle::LineAndArea
                                          : ts == u"dashed" ? TimeSeriesCanvas::ThresholdStyle::Dashed
                                          : ts == u"dashed+area" ? TimeSeriesCanvas::ThresholdStyle::DashedAndArea
                                                                 : TimeSeriesCanvas::ThresholdStyle::Off);

    QList<TimeSeriesData> series;
    QString unit = d.unit;
    for (const model::Frame &frame : frames()) {
        const model::Field *time = frame.firstOfType(model::FieldType::Time);
        if (!time)
            continue;
        for (const model::Field &field : frame.fields()) {
            if (!viz::isNumeric(field))
                continue;
            const viz::FieldConfig cfg = fieldConfig().resolve(frame, field);
            const QJsonObject custom = cfg.custom;
            if (custom.value(QLatin1String("hideFrom")).toObject().value(QLatin1String("viz")).toBool())
                continue;
            TimeSeriesData s;
            s.config = cfg;
            s.name = viz::fieldDisplayName(frame, field, cfg.displayName);
            const int index = int(series.size());
            s.color = cfg.colorMode == u"fixed" && cfg.fixedColor.isValid() ? cfg.fixedColor
                    : cfg.colorMode == u"thresholds" ? cfg.thresholds.colorFor(viz::reduce(viz::Reducer::LastNotNull, viz::numericValues(field)),
                                                                               cfg.min.value_or(0), cfg.max.value_or(100))
                                                     : viz::classicPaletteColor(index);
            s.times = time->int64s();
            s.values = viz::numericValues(field);
            const QString drawStyle = custom.value(QLatin1String("drawStyle")).toString(QStringLiteral("line"));
            s.style = drawStyle == u"bars" ? TimeSeriesData::Style::Bars
                    : drawStyle == u"points" ? TimeSeriesData::Style::Points
                                             : TimeSeriesData::Style::Line;
            s.fillOpacity = custom.value(QLatin1String("fillOpacity")).toDouble(0) / 100.0;
            s.lineWidth = custom.value(QLatin1String("lineWidth")).toDouble(1);
            s.showPoints = custom.value(QLatin1String("showPoints")).toString() == u"always";
            const QJsonObject stacking = custom.value(QLatin1String("stacking")).toObject();
            const QString stackMode = stacking.value(QLatin1String("mode")).toString(QStringLiteral("none"));
            if (stackMode == u"normal" || stackMode == u"percent") {
                s.stackGroup = stacking.value(QLatin1String("group")).toString(QStringLiteral("A"));
                s.percentStack = stackMode == u"percent";
            }
            const std::int64_t step = widgets::typicalStepMs(std::span<const std::int64_t>(s.times.constData(), std::size_t(s.times.size())));
            s.maxGapMs = step > 0 ? 2 * step : 0;
            if (unit.isEmpty())
                unit = cfg.unit;
            series.push_back(std::move(s));
        }
    }
    const bool percent = std::any_of(series.begin(), series.end(), [](const TimeSeriesData &s) { return s.percentStack; });
    m_canvas->setAxis(percent ? QStringLiteral("percentunit") : unit, d.decimals, d.min, d.max,
                      d.custom.value(QLatin1String("axisLabel")).toString());
    m_canvas->setTimeRange(rangeFrom(), rangeTo());

    // Legend rows: name + calcs formatted with the series' own config.
    m_rows.clear();
    QList<std::pair<QString, QColor>> entries;
    QList<bool> hidden;
    for (const TimeSeriesData &s : series) {
        QStringList row{s.name};
        for (const QString &c : m_calcs)
            row << viz::displayValue(s.config, viz::reduce(*viz::reducerFromId(c), s.values)).toString();
        m_rows << row;
        const bool legendHidden = s.config.custom.value(QLatin1String("hideFrom")).toObject().value(QLatin1String("legend")).toBool();
        entries.push_back({legendHidden ? QString() : row.join(QStringLiteral("  ")), s.color});
        hidden << false;
    }
    m_canvas->setSeries(std::move(series));

    const bool table = m_legendMode == u"table";
    m_table->setVisible(table && !m_rows.isEmpty());
    m_list->setVisible(m_legendMode == u"list" && !m_rows.isEmpty());
    if (table) {
        m_table->clear();
        m_table->setRowCount(int(m_rows.size()));
        m_table->setColumnCount(1 + int(m_calcs.size()));
        QStringList headers{tr("Name")};
        for (const QString &c : m_calcs)
            headers << viz::reducerDisplayName(*viz::reducerFromId(c));
        m_table->setHorizontalHeaderLabels(headers);
        for (int r = 0; r < m_rows.size(); ++r) {
            for (int c = 0; c < m_rows.at(r).size(); ++c) {
                auto *item = new QTableWidgetItem(m_rows.at(r).at(c));
                if (c == 0) {
                    QPixmap swatch(12, 4);
                    swatch.fill(m_canvas->series().at(r).color);
                    item->setIcon(QIcon(swatch));
                } else {
                    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
                }
                m_table->setItem(r, c, item);
            }
        }
        m_table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
        for (int c = 1; c < m_table->columnCount(); ++c)
            m_table->horizontalHeader()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
        const int rowsShown = std::min(int(m_rows.size()), 6);
        const int h = m_table->horizontalHeader()->height() + rowsShown * m_table->verticalHeader()->defaultSectionSize() + 4;
        if (m_placement == u"right") {
            m_table->setMaximumHeight(QWIDGETSIZE_MAX);
            m_table->setFixedWidth(std::min(360, 180 + 70 * int(m_calcs.size())));
        } else {
            m_table->setMinimumWidth(0);
            m_table->setMaximumWidth(QWIDGETSIZE_MAX);
            m_table->setFixedHeight(h);
        }
    } else {
        m_list->setEntries(entries, hidden);
        if (m_placement == u"right")
            m_list->setFixedWidth(180);
    }
}

QList<QStringList> TimeSeriesPanel::legendRows() const { return m_rows; }

void TimeSeriesPanel::isolateSeries(int index)
{
    const auto &series = m_canvas->series();
    if (index < 0 || index >= series.size())
        return;
    bool isolated = !series.at(index).hidden;
    for (int i = 0; i < series.size(); ++i)
        if (i != index && !series.at(i).hidden)
            isolated = false;
    for (int i = 0; i < series.size(); ++i)
        m_canvas->setSeriesHidden(i, isolated ? false : i != index);
    QList<std::pair<QString, QColor>> entries;
    QList<bool> hidden;
    for (int i = 0; i < series.size(); ++i) {
        entries.push_back({m_rows.at(i).join(QStringLiteral("  ")), series.at(i).color});
        hidden << m_canvas->series().at(i).hidden;
    }
    m_list->setEntries(entries, hidden);
}

} // namespace spyglass::gui::panels
