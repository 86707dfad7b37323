#include "app/gui/logs/logs_view.h"

#include "app/gui/logs/log_line_delegate.h"
#include "app/gui/logs/log_volume_histogram.h"
#include "app/gui/logs/logql_query_rewriter.h"

#include <QCheckBox>
#include <QComboBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QLocale>
#include <QMouseEvent>
#include <QPushButton>
#include <QScrollBar>
#include <QSplitter>
#include <QToolButton>
#include <QVBoxLayout>

namespace spyglass::gui::logs {

LogsView::LogsView(QWidget *parent) : QWidget(parent)
{
    m_model = new LogsModel(this);
    m_delegate = new LogLineDelegate(this);

    auto *lay = new QVBoxLayout(this);
    lay->setContentsMargins(0, 0, 0, 0);
    lay->setSpacing(2);

    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(4, 2, 4, 2);
    m_orderCombo = new QComboBox(this);
    m_orderCombo->addItem(tr("Newest first"));
    m_orderCombo->addItem(tr("Oldest first"));
    m_orderCombo->setToolTip(tr("Order of the lines; \"Load more\" continues in this direction"));
    m_dedupCombo = new QComboBox(this);
    m_dedupCombo->addItem(tr("No dedup"));
    m_dedupCombo->addItem(tr("Dedup: exact"));
    m_dedupCombo->addItem(tr("Dedup: numbers"));
    m_dedupCombo->addItem(tr("Dedup: signature"));
    m_dedupCombo->setToolTip(tr("Fold consecutive duplicate lines: identical, identical but for numbers, "
                                "or with the same punctuation signature"));
    m_timeCheck = new QCheckBox(tr("Time"), this);
    m_timeCheck->setChecked(true);
    m_wrapCheck = new QCheckBox(tr("Wrap"), this);
    m_prettifyCheck = new QCheckBox(tr("Prettify JSON"), this);
    m_prettifyCheck->setToolTip(tr("Indent JSON lines (when wrapping)"));
    m_searchEdit = new QLineEdit(this);
    m_searchEdit->setPlaceholderText(tr("Search in results"));
    m_searchEdit->setClearButtonEnabled(true);
    m_searchEdit->setMaximumWidth(220);
    auto *prev = new QToolButton(this);
    prev->setText(QStringLiteral("↑"));
    prev->setToolTip(tr("Previous match"));
    auto *next = new QToolButton(this);
    next->setText(QStringLiteral("↓"));
    next->setToolTip(tr("Next match (Enter)"));
    m_searchCount = new QLabel(this);
    m_liveButton = new QToolButton(this);
    m_liveButton->setText(tr("▶ Live"));
    m_liveButton->setCheckable(true);
    m_liveButton->setToolTip(tr("Live tail: follow new lines as they arrive"));
    m_pauseButton = new QToolButton(this);
    m_pauseButton->setText(tr("Pause"));
    m_pauseButton->setCheckable(true);
    m_pauseButton->setEnabled(false);
    m_rate = new QLabel(this);
    m_rate->setMinimumWidth(70);
    bar->addWidget(m_orderCombo);
    bar->addWidget(m_dedupCombo);
    bar->addWidget(m_timeCheck);
    bar->addWidget(m_wrapCheck);
    bar->addWidget(m_prettifyCheck);
    bar->addSpacing(8);
    bar->addWidget(m_searchEdit);
    bar->addWidget(prev);
    bar->addWidget(next);
    bar->addWidget(m_searchCount);
    bar->addStretch(1);
    bar->addWidget(m_rate);
    bar->addWidget(m_liveButton);
    bar->addWidget(m_pauseButton);
    lay->addLayout(bar);

    m_histogram = new LogVolumeHistogram(this);
    lay->addWidget(m_histogram);

    m_splitter = new QSplitter(Qt::Vertical, this);
    auto *listBox = new QWidget(m_splitter);
    auto *listLay = new QVBoxLayout(listBox);
    listLay->setContentsMargins(0, 0, 0, 0);
    listLay->setSpacing(0);
    m_message = new QLabel(listBox);
    m_message->setWordWrap(true);
    m_message->setVisible(false);
    m_message->setContentsMargins(8, 8, 8, 8);
    listLay->addWidget(m_message);
    m_list = new QListView(listBox);
    m_list->setModel(m_model);
    m_list->setItemDelegate(m_delegate);
    // Uniform heights are what keep a million rows cheap: the view never
    // asks for more than one size hint.
    m_list->setUniformItemSizes(true);
    m_list->setLayoutMode(QListView::Batched);
    m_list->setBatchSize(2000);
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
    m_list->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_list->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_list->setMouseTracking(true);
    m_list->viewport()->installEventFilter(this);
    QFont mono(QStringLiteral("monospace"));
    mono.setStyleHint(QFont::Monospace);
    mono.setPointSizeF(font().pointSizeF() * 0.95);
    m_list->setFont(mono);
    listLay->addWidget(m_list, 1);
    auto *bottom = new QHBoxLayout;
    bottom->setContentsMargins(4, 2, 4, 2);
    m_status = new QLabel(listBox);
    m_loadMore = new QPushButton(tr("Load more"), listBox);
    m_loadMore->setToolTip(tr("Fetch the next page of lines in the current order"));
    bottom->addWidget(m_status, 1);
    bottom->addWidget(m_loadMore);
    listLay->addLayout(bottom);
    m_details = new LogDetailsPanel(m_splitter);
    m_details->setVisible(false);
    m_splitter->addWidget(listBox);
    m_splitter->addWidget(m_details);
    m_splitter->setStretchFactor(0, 3);
    m_splitter->setStretchFactor(1, 2);
    lay->addWidget(m_splitter, 1);

    connect(m_orderCombo, &QComboBox::currentIndexChanged, this,
            [this](int i) { setOrder(i == 1 ? LogsModel::Order::OldestFirst : LogsModel::Order::NewestFirst); });
    connect(m_dedupCombo, &QComboBox::currentIndexChanged, this,
            [this](int i) { setDedup(LogsModel::Dedup(std::clamp(i, 0, 3))); });
    connect(m_wrapCheck, &QCheckBox::toggled, this, &LogsView::setWrap);
    connect(m_prettifyCheck, &QCheckBox::toggled, this, &LogsView::setPrettifyJson);
    connect(m_timeCheck, &QCheckBox::toggled, this, [this](bool on) {
        m_delegate->setShowTime(on);
        refreshList();
    });
    connect(m_searchEdit, &QLineEdit::textChanged, this, &LogsView::setSearchText);
    connect(m_searchEdit, &QLineEdit::returnPressed, this, [this] { findNext(true); });
    connect(next, &QToolButton::clicked, this, [this] { findNext(true); });
    connect(prev, &QToolButton::clicked, this, [this] { findNext(false); });
    connect(m_liveButton, &QToolButton::toggled, this, [this](bool on) {
        if (on == m_live)
            return;
        setLive(on);
        emit liveTailToggled(on);
    });
    connect(m_pauseButton, &QToolButton::toggled, this, [this](bool on) {
        m_paused = on;
        m_pauseButton->setText(on ? tr("Resume") : tr("Pause"));
        emit pauseToggled(on);
    });
    connect(m_loadMore, &QPushButton::clicked, this, [this] {
        if (m_model->totalLines() == 0)
            return;
        if (m_model->order() == LogsModel::Order::NewestFirst)
            emit loadMoreRequested(m_model->oldestNs(), 0);
        else
            emit loadMoreRequested(0, m_model->newestNs());
    });
    connect(m_histogram, &LogVolumeHistogram::timeRangeSelected, this, &LogsView::timeRangeSelected);
    connect(m_details, &LogDetailsPanel::filterRequested, this,
            [this](const QString &label, const QString &value, bool include, FilterScope scope) {
                emit filterRequested(label, value, include);
                emit scopedFilterRequested(label, value, include, scope);
            });
    connect(m_details, &LogDetailsPanel::traceLinkActivated, this, &LogsView::traceLinkActivated);
    connect(m_details, &LogDetailsPanel::closeRequested, this, [this] { expandRow(-1); });
    connect(m_details, &LogDetailsPanel::contextRequested, this, [this] {
        if (m_details->hasLine())
            emit contextRequested(m_details->currentLine());
    });
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        expandRow(-1);
        updateStatus();
    });
    connect(m_model, &QAbstractItemModel::rowsInserted, this, [this](const QModelIndex &, int first, int last) {
        if (m_expandedRow >= first) {
            m_expandedRow += last - first + 1;
            m_delegate->setExpandedRow(m_expandedRow);
        }
        updateStatus();
    });
    connect(m_list, &QListView::activated, this, &LogsView::onClicked);
    updateStatus();
}

LogsView::~LogsView() = default;

void LogsView::setFrames(const model::Frames &frames)
{
    model::Frames series;
    for (const auto &f : frames)
        if (f.kind() == model::FrameKind::TimeSeries)
            series.append(f);
    m_message->setVisible(false);
    m_model->setFrames(frames);
    if (!series.isEmpty())
        setVolumeFrames(series);
    else {
        m_volumeFromSeries = false;
        m_histogram->setFromModel(*m_model);
    }
    m_canLoadMore = true;
    updateStatus();
}

qsizetype LogsView::appendFrames(const model::Frames &frames)
{
    const qsizetype added = m_model->appendFrames(frames);
    if (added > 0 && !m_volumeFromSeries)
        m_histogram->setFromModel(*m_model);
    if (m_live && !m_paused && added > 0)
        m_list->scrollTo(m_model->index(m_model->order() == LogsModel::Order::NewestFirst ? 0 : m_model->rowCount() - 1));
    updateStatus();
    return added;
}

void LogsView::setVolumeFrames(const model::Frames &frames)
{
    m_volumeFromSeries = true;
    m_histogram->setFromSeries(frames);
}

void LogsView::clear()
{
    m_model->clear();
    m_histogram->clear();
    m_volumeFromSeries = false;
    updateStatus();
}

void LogsView::setTimeRange(model::TimestampMs from, model::TimestampMs to) { m_histogram->setTimeRange(from, to); }

void LogsView::setTimeZone(const QTimeZone &zone)
{
    m_histogram->setTimeZone(zone);
    m_delegate->setTimeZone(zone);
    refreshList();
}

void LogsView::setQuery(const QString &logql)
{
    m_delegate->setHighlightTerms(LogqlQueryRewriter::lineFilterTerms(logql));
    refreshList();
}

void LogsView::setDerivedFields(const DerivedFields &fields)
{
    m_delegate->setDerivedFields(fields);
    m_details->setDerivedFields(fields);
    refreshList();
}

void LogsView::setMessage(const QString &text)
{
    m_message->setText(text);
    m_message->setVisible(!text.isEmpty());
}

void LogsView::setOrder(LogsModel::Order order)
{
    m_model->setOrder(order);
    const int i = order == LogsModel::Order::OldestFirst ? 1 : 0;
    if (m_orderCombo->currentIndex() != i)
        m_orderCombo->setCurrentIndex(i);
}

void LogsView::setDedup(LogsModel::Dedup dedup)
{
    m_model->setDedup(dedup);
    if (m_dedupCombo->currentIndex() != int(dedup))
        m_dedupCombo->setCurrentIndex(int(dedup));
}

void LogsView::setWrap(bool wrap)
{
    m_delegate->setWrap(wrap);
    if (m_wrapCheck->isChecked() != wrap)
        m_wrapCheck->setChecked(wrap);
    // Wrapped rows differ in height; QListView then measures rows in
    // batches, which is why unwrapped (uniform) is the default.
    m_list->setUniformItemSizes(!wrap);
    m_list->setWordWrap(wrap);
    m_list->reset();
    m_list->doItemsLayout();
}

void LogsView::setPrettifyJson(bool on)
{
    m_delegate->setPrettifyJson(on);
    if (m_prettifyCheck->isChecked() != on)
        m_prettifyCheck->setChecked(on);
    if (on && !m_wrapCheck->isChecked())
        setWrap(true);
    else
        m_list->doItemsLayout();
}

void LogsView::setSearchText(const QString &text)
{
    if (m_searchEdit->text() != text)
        m_searchEdit->setText(text);
    m_delegate->setSearchText(text);
    m_searchCount->clear();
    if (!text.isEmpty()) {
        int count = 0;
        const int n = m_model->rowCount();
        for (int r = 0; r < n; ++r)
            if (m_model->lineAt(r).contains(text, Qt::CaseInsensitive))
                ++count;
        m_searchCount->setText(tr("%n match(es)", nullptr, count));
    }
    refreshList();
}

int LogsView::findNext(bool forward)
{
    const QString text = m_searchEdit->text();
    const int from = m_list->currentIndex().isValid() ? m_list->currentIndex().row() : (forward ? -1 : 0);
    const int row = m_model->findRow(text, from, forward);
    if (row >= 0) {
        const auto idx = m_model->index(row);
        m_list->setCurrentIndex(idx);
        m_list->scrollTo(idx, QAbstractItemView::PositionAtCenter);
    }
    return row;
}

void LogsView::expandRow(int row)
{
    if (row >= m_model->rowCount())
        row = -1;
    m_expandedRow = row;
    m_delegate->setExpandedRow(row);
    if (row < 0) {
        m_details->clearLine();
        m_details->setVisible(false);
    } else {
        m_details->showLine(m_model->line(row));
        if (!m_details->isVisible()) {
            m_details->setVisible(true);
            // Room for a dozen fields without hiding the lines.
            const int h = m_splitter->height();
            m_splitter->setSizes({h * 55 / 100, h * 45 / 100});
        }
        m_list->setCurrentIndex(m_model->index(row));
    }
    refreshList();
}

void LogsView::onClicked(const QModelIndex &index)
{
    if (!index.isValid())
        return;
    expandRow(index.row() == m_expandedRow ? -1 : index.row());
}

bool LogsView::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_list->viewport()) {
        if (event->type() == QEvent::MouseButtonRelease || event->type() == QEvent::MouseMove) {
            auto *me = static_cast<QMouseEvent *>(event);
            const QPoint pos = me->position().toPoint();
            const QModelIndex index = m_list->indexAt(pos);
            std::optional<DerivedLink> link;
            if (index.isValid()) {
                QStyleOptionViewItem option;
                option.initFrom(m_list);
                option.font = m_list->font();
                option.fontMetrics = QFontMetrics(m_list->font());
                option.rect = m_list->visualRect(index);
                link = m_delegate->linkAt(option, index, pos);
            }
            if (event->type() == QEvent::MouseMove) {
                m_list->viewport()->setCursor(link ? Qt::PointingHandCursor : Qt::ArrowCursor);
                return false;
            }
            if (me->button() != Qt::LeftButton)
                return false;
            if (link) {
                emit traceLinkActivated(link->value);
                return true;
            }
            if (index.isValid())
                onClicked(index);
            return false;
        }
    }
    return QWidget::eventFilter(watched, event);
}

void LogsView::setLive(bool live)
{
    m_live = live;
    if (m_liveButton->isChecked() != live)
        m_liveButton->setChecked(live);
    m_liveButton->setText(live ? tr("■ Stop") : tr("▶ Live"));
    m_pauseButton->setEnabled(live);
    if (!live) {
        m_pauseButton->setChecked(false);
        m_rate->clear();
    }
    m_loadMore->setVisible(!live);
}

void LogsView::setTailRate(double linesPerSecond)
{
    m_rate->setText(m_live ? tr("%1 lines/s").arg(QLocale().toString(linesPerSecond, 'f', linesPerSecond < 10 ? 1 : 0))
                           : QString());
}

void LogsView::setCanLoadMore(bool can)
{
    m_canLoadMore = can;
    updateStatus();
}

void LogsView::updateStatus()
{
    const QLocale loc;
    const qsizetype total = m_model->totalLines();
    QString s = tr("%1 lines").arg(loc.toString(total));
    if (m_model->hiddenDuplicates() > 0)
        s += tr(" (%1 duplicates hidden)").arg(loc.toString(m_model->hiddenDuplicates()));
    if (total > 0) {
        s += tr(", %1 to %2").arg(m_delegate->formatTime(m_model->oldestNs()), m_delegate->formatTime(m_model->newestNs()));
    }
    m_status->setText(s);
    m_loadMore->setEnabled(total > 0 && m_canLoadMore);
}

void LogsView::refreshList()
{
    m_list->viewport()->update();
}

} // namespace spyglass::gui::logs
