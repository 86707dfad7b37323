#include "app/gui/widgets/time_range_picker.h"

#include <QDateTime>
#include <QFormLayout>
#include <QFrame>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QScreen>
#include <QTimeZone>
#include <QToolButton>
#include <QVBoxLayout>

namespace spyglass::gui::widgets {

TimeRangePicker::TimeRangePicker(QWidget *parent)
    : QWidget(parent),
      m_rangeButton(new QToolButton(this)),
      m_zoomOutButton(new QToolButton(this)),
      m_refreshButton(new QToolButton(this)),
      m_popup(new QFrame(this, Qt::Popup)),
      m_fromEdit(new QLineEdit(m_popup)),
      m_toEdit(new QLineEdit(m_popup)),
      m_errorLabel(new QLabel(m_popup)),
      m_applyButton(new QPushButton(tr("Apply time range"), m_popup)),
      m_quickList(new QListWidget(m_popup))
{
    auto *row = new QHBoxLayout(this);
    row->setContentsMargins(0, 0, 0, 0);
    row->setSpacing(2);
    row->addWidget(m_rangeButton);
    row->addWidget(m_zoomOutButton);
    row->addWidget(m_refreshButton);

    m_rangeButton->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_rangeButton->setToolTip(tr("Time range"));
    m_rangeButton->setObjectName(QStringLiteral("timeRangeButton"));
    m_zoomOutButton->setText(tr("Zoom out"));
    m_zoomOutButton->setToolTip(tr("Zoom out (double the time range)"));
    m_refreshButton->setText(tr("Refresh"));
    m_refreshButton->setToolTip(tr("Run the queries again"));

    m_popup->setObjectName(QStringLiteral("timeRangePopup"));
    m_popup->setFrameShape(QFrame::StyledPanel);
    auto *popupLayout = new QHBoxLayout(m_popup);

    auto *absolute = new QVBoxLayout;
    auto *title = new QLabel(tr("<b>Absolute time range</b>"), m_popup);
    absolute->addWidget(title);
    auto *form = new QFormLayout;
    form->addRow(tr("From"), m_fromEdit);
    form->addRow(tr("To"), m_toEdit);
    absolute->addLayout(form);
    auto *hint = new QLabel(tr("RFC 3339 (2024-05-01T10:00:00Z), Unix seconds, or now-6h, now-1d/d"), m_popup);
    hint->setWordWrap(true);
    hint->setEnabled(false);
    absolute->addWidget(hint);
    m_errorLabel->setWordWrap(true);
    m_errorLabel->setObjectName(QStringLiteral("timeRangeError"));
    m_errorLabel->setStyleSheet(QStringLiteral("color: #f2495c;"));
    m_errorLabel->hide();
    absolute->addWidget(m_errorLabel);
    absolute->addWidget(m_applyButton, 0, Qt::AlignLeft);
    absolute->addStretch(1);
    m_fromEdit->setMinimumWidth(220);

    auto *quick = new QVBoxLayout;
    quick->addWidget(new QLabel(tr("<b>Quick ranges</b>"), m_popup));
    for (const QuickRange &q : quickRanges())
        m_quickList->addItem(q.label);
    m_quickList->setMinimumWidth(160);
    quick->addWidget(m_quickList);

    popupLayout->addLayout(absolute, 3);
    popupLayout->addLayout(quick, 2);

    connect(m_rangeButton, &QToolButton::clicked, this, &TimeRangePicker::showEditor);
    connect(m_zoomOutButton, &QToolButton::clicked, this, &TimeRangePicker::zoomOut);
    connect(m_refreshButton, &QToolButton::clicked, this, &TimeRangePicker::refreshRequested);
    connect(m_applyButton, &QPushButton::clicked, this, [this] {
        if (applyEdited())
            m_popup->hide();
    });
    connect(m_fromEdit, &QLineEdit::returnPressed, m_applyButton, &QPushButton::click);
    connect(m_toEdit, &QLineEdit::returnPressed, m_applyButton, &QPushButton::click);
    connect(m_quickList, &QListWidget::itemActivated, this,
            [this](QListWidgetItem *item) { selectQuickRange(m_quickList->row(item)); });
    connect(m_quickList, &QListWidget::itemClicked, this,
            [this](QListWidgetItem *item) { selectQuickRange(m_quickList->row(item)); });

    updateButton();
}

QList<QuickRange> TimeRangePicker::quickRanges()
{
    auto last = [](const QString &label, const char *from) {
        return QuickRange{label, QString::fromLatin1(from), QStringLiteral("now")};
    };
    return {
        last(tr("Last 5 minutes"), "now-5m"),
        last(tr("Last 15 minutes"), "now-15m"),
        last(tr("Last 30 minutes"), "now-30m"),
        last(tr("Last 1 hour"), "now-1h"),
        last(tr("Last 3 hours"), "now-3h"),
        last(tr("Last 6 hours"), "now-6h"),
        last(tr("Last 12 hours"), "now-12h"),
        last(tr("Last 24 hours"), "now-24h"),
        last(tr("Last 2 days"), "now-2d"),
        last(tr("Last 7 days"), "now-7d"),
        last(tr("Last 30 days"), "now-30d"),
        {tr("Today so far"), QStringLiteral("now/d"), QStringLiteral("now")},
    };
}

void TimeRangePicker::setRange(const model::TimeRange &range)
{
    if (range == m_range)
        return;
    m_range = range;
    updateButton();
    emit rangeChanged(m_range);
}

void TimeRangePicker::updateButton()
{
    QString text;
    for (const QuickRange &q : quickRanges())
        if (q.from == m_range.fromText() && q.to == m_range.toText())
            text = q.label;
    if (text.isEmpty())
        text = m_range.displayText();
    m_rangeButton->setText(text);
    m_fromEdit->setText(m_range.fromText());
    m_toEdit->setText(m_range.toText());
    const model::TimestampMs now = model::nowMs();
    auto fmt = [](model::TimestampMs ms) {
        return QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc()).toString(Qt::ISODate);
    };
    m_rangeButton->setToolTip(tr("%1 to %2 (UTC)").arg(fmt(m_range.fromMs(now)), fmt(m_range.toMs(now))));
}

void TimeRangePicker::showEditor()
{
    m_fromEdit->setText(m_range.fromText());
    m_toEdit->setText(m_range.toText());
    m_errorLabel->hide();
    m_popup->adjustSize();
    QPoint pos = m_rangeButton->mapToGlobal(QPoint(0, m_rangeButton->height()));
    // Keep the popup on screen when the picker sits at the right edge.
    if (const QScreen *s = screen()) {
        const QRect avail = s->availableGeometry();
        pos.setX(std::min(pos.x(), avail.right() - m_popup->width()));
        pos.setX(std::max(pos.x(), avail.left()));
    }
    m_popup->move(pos);
    m_popup->show();
    m_fromEdit->setFocus();
}

bool TimeRangePicker::applyEdited()
{
    auto parsed = model::TimeRange::parse(m_fromEdit->text(), m_toEdit->text());
    if (!parsed) {
        m_errorLabel->setText(parsed.error().message);
        m_errorLabel->show();
        return false;
    }
    m_errorLabel->hide();
    m_errorLabel->clear();
    setRange(*parsed);
    return true;
}

void TimeRangePicker::selectQuickRange(int index)
{
    const auto ranges = quickRanges();
    if (index < 0 || index >= ranges.size())
        return;
    auto parsed = model::TimeRange::parse(ranges[index].from, ranges[index].to);
    if (parsed)
        setRange(*parsed);
    m_popup->hide();
}

void TimeRangePicker::zoomOut()
{
    const model::TimestampMs now = model::nowMs();
    const model::TimestampMs from = m_range.fromMs(now);
    const model::TimestampMs to = m_range.toMs(now);
    const std::int64_t span = std::max<std::int64_t>(to - from, 1000);
    if (m_range.toText() == u"now") {
        setRange(model::TimeRange::lastMs(2 * span));
        return;
    }
    const model::TimestampMs centre = from + (to - from) / 2;
    setRange(model::TimeRange::absolute(centre - span, centre + span));
}

} // namespace spyglass::gui::widgets
