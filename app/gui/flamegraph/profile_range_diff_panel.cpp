#include "app/gui/flamegraph/profile_range_diff_panel.h"

#include "core/query/profile/profile_query.h"
#include "core/store/profile_store.h"
#include "core/store/storage.h"

#include <QComboBox>
#include <QDateTimeEdit>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QTimeZone>
#include <QtConcurrent/QtConcurrentRun>

namespace spyglass::gui::flamegraph {

namespace {

constexpr int kSelectorRole = Qt::UserRole + 1;
constexpr int kSeriesIdRole = Qt::UserRole + 2;

QDateTime toDateTime(model::TimestampNs ns)
{
    return QDateTime::fromMSecsSinceEpoch(ns / 1'000'000, QTimeZone::utc());
}

model::TimestampNs toNs(const QDateTimeEdit *edit)
{
    return edit->dateTime().toMSecsSinceEpoch() * 1'000'000;
}

QDateTimeEdit *makeEdit(QWidget *parent)
{
    auto *e = new QDateTimeEdit(parent);
    e->setTimeSpec(Qt::UTC);
    e->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
    e->setCalendarPopup(true);
    return e;
}

} // namespace

ProfileRangeDiffPanel::ProfileRangeDiffPanel(store::Storage *storage, QWidget *parent)
    : QWidget(parent),
      m_storage(storage),
      m_series(new QComboBox(this)),
      m_reload(new QPushButton(tr("Reload"), this)),
      m_aFrom(makeEdit(this)),
      m_aTo(makeEdit(this)),
      m_bFrom(makeEdit(this)),
      m_bTo(makeEdit(this)),
      m_compare(new QPushButton(tr("Compare ranges"), this)),
      m_status(new QLabel(this))
{
    m_series->setMinimumContentsLength(40);
    m_series->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_series->setToolTip(tr("Stored profile series: profile type and labels"));
    m_reload->setToolTip(tr("List the stored profile series again"));
    m_compare->setToolTip(tr("Merge each range's profiles and show B against A in the diff"));
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *row1 = new QHBoxLayout;
    row1->addWidget(new QLabel(tr("Series"), this));
    row1->addWidget(m_series, 1);
    row1->addWidget(m_reload);
    auto *row2 = new QHBoxLayout;
    row2->addWidget(new QLabel(tr("A (baseline)"), this));
    row2->addWidget(m_aFrom);
    row2->addWidget(new QLabel(QStringLiteral("–"), this));
    row2->addWidget(m_aTo);
    row2->addSpacing(16);
    row2->addWidget(new QLabel(tr("B (comparison)"), this));
    row2->addWidget(m_bFrom);
    row2->addWidget(new QLabel(QStringLiteral("–"), this));
    row2->addWidget(m_bTo);
    row2->addSpacing(8);
    row2->addWidget(m_compare);
    row2->addStretch(1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 4, 8, 4);
    layout->setSpacing(4);
    layout->addLayout(row1);
    layout->addLayout(row2);
    layout->addWidget(m_status);

    connect(m_reload, &QPushButton::clicked, this, &ProfileRangeDiffPanel::reloadSeries);
    connect(m_compare, &QPushButton::clicked, this, &ProfileRangeDiffPanel::compare);
    connect(m_series, &QComboBox::activated, this, &ProfileRangeDiffPanel::seriesChosen);
    m_compare->setEnabled(false);
}

QString ProfileRangeDiffPanel::statusText() const
{
    return m_status->text();
}

QString ProfileRangeDiffPanel::selectedSelector() const
{
    return m_series->currentData(kSelectorRole).toString();
}

void ProfileRangeDiffPanel::setRangeA(model::TimestampNs from, model::TimestampNs to)
{
    m_aFrom->setDateTime(toDateTime(from));
    m_aTo->setDateTime(toDateTime(to));
}

void ProfileRangeDiffPanel::setRangeB(model::TimestampNs from, model::TimestampNs to)
{
    m_bFrom->setDateTime(toDateTime(from));
    m_bTo->setDateTime(toDateTime(to));
}

QPair<model::TimestampNs, model::TimestampNs> ProfileRangeDiffPanel::rangeA() const
{
    return {toNs(m_aFrom), toNs(m_aTo)};
}

QPair<model::TimestampNs, model::TimestampNs> ProfileRangeDiffPanel::rangeB() const
{
    return {toNs(m_bFrom), toNs(m_bTo)};
}

void ProfileRangeDiffPanel::reloadSeries()
{
    if (!m_storage)
        return;
    const int id = ++m_seriesJob;
    const store::ProfileStore *profiles = &m_storage->profiles();
    m_status->setText(tr("Listing profile series..."));
    QtConcurrent::run([profiles] { return profiles->selectSeries(QString(), {}); })
        .then(this, [this, id](const Result<QList<store::ProfileSeriesRef>> &result) {
            if (id != m_seriesJob)
                return;
            if (!result) {
                m_status->setText(tr("Could not list profile series: %1").arg(result.error().toString()));
                emit seriesLoaded(0);
                return;
            }
            const QString before = selectedSelector();
            m_series->clear();
            QList<store::ProfileSeriesRef> sorted = *result;
            std::sort(sorted.begin(), sorted.end(), [](const auto &a, const auto &b) {
                return std::pair(a.labels.value(u"service_name"), a.typeId)
                    < std::pair(b.labels.value(u"service_name"), b.typeId);
            });
            for (const store::ProfileSeriesRef &s : sorted) {
                const QString selector = s.typeId + s.labels.toString();
                m_series->addItem(selector);
                m_series->setItemData(m_series->count() - 1, selector, kSelectorRole);
                m_series->setItemData(m_series->count() - 1, qlonglong(s.id), kSeriesIdRole);
            }
            const int keep = m_series->findData(before, kSelectorRole);
            m_series->setCurrentIndex(keep >= 0 ? keep : 0);
            m_compare->setEnabled(m_series->count() > 0);
            m_status->setText(m_series->count() > 0 ? tr("%n profile series stored", nullptr, m_series->count())
                                                    : tr("No profiles are stored yet."));
            if (m_series->count() > 0 && keep < 0)
                seriesChosen(m_series->currentIndex());
            emit seriesLoaded(m_series->count());
        });
}

void ProfileRangeDiffPanel::seriesChosen(int index)
{
    if (!m_storage || index < 0)
        return;
    // Default ranges: the older and the newer half of the series' data.
    const std::int64_t seriesId = m_series->itemData(index, kSeriesIdRole).toLongLong();
    const store::ProfileStore *profiles = &m_storage->profiles();
    const int id = ++m_rangeJob;
    QtConcurrent::run([profiles, seriesId] {
        return profiles->listProfiles({seriesId}, std::numeric_limits<std::int64_t>::min() / 2,
                                      std::numeric_limits<std::int64_t>::max() / 2);
    }).then(this, [this, id](const Result<QList<store::ProfileInfo>> &result) {
        if (id != m_rangeJob || !result || result->isEmpty())
            return;
        const model::TimestampNs first = result->first().time;
        const model::TimestampNs last = result->last().time + std::max<std::int64_t>(0, result->last().durationNs);
        const model::TimestampNs mid = first + (last - first) / 2;
        setRangeA(first, mid);
        setRangeB(mid + 1'000'000'000, last + 999'999'999); // the edits have whole seconds
    });
}

void ProfileRangeDiffPanel::compare()
{
    if (!m_storage)
        return;
    const QString selectorText = selectedSelector();
    if (selectorText.isEmpty()) {
        m_status->setText(tr("Choose a profile series first."));
        emit diffFailed(m_status->text());
        return;
    }
    const auto a = rangeA();
    const auto b = rangeB();
    if (a.first > a.second || b.first > b.second) {
        m_status->setText(tr("A range must start before it ends."));
        emit diffFailed(m_status->text());
        return;
    }
    const int id = ++m_compareJob;
    const store::ProfileStore *profiles = &m_storage->profiles();
    m_status->setText(tr("Merging both ranges..."));
    m_compare->setEnabled(false);
    using Pair = std::pair<Result<model::Profile>, Result<model::Profile>>;
    QtConcurrent::run([profiles, selectorText, a, b]() -> Pair {
        const auto selector = query::profile::ProfileSelector::parse(selectorText);
        if (!selector)
            return {fail(selector.error()), fail(selector.error())};
        const query::profile::ProfileQueryEngine engine(*profiles);
        return {engine.mergeProfile(*selector, a.first, a.second), engine.mergeProfile(*selector, b.first, b.second)};
    }).then(this, [this, id, selectorText, a, b](const Pair &result) {
        if (id != m_compareJob)
            return;
        m_compare->setEnabled(true);
        for (const auto *r : {&result.first, &result.second}) {
            if (!*r) {
                m_status->setText(tr("Could not merge the profiles: %1").arg(r->error().toString()));
                emit diffFailed(m_status->text());
                return;
            }
        }
        const auto fmt = [](model::TimestampNs ns) {
            return toDateTime(ns).toString(QStringLiteral("MM-dd HH:mm"));
        };
        const QString title = tr("%1: B %2–%3 against A %4–%5")
                                  .arg(selectorText, fmt(b.first), fmt(b.second), fmt(a.first), fmt(a.second));
        if (result.first->stacks.isEmpty() || result.second->stacks.isEmpty())
            m_status->setText(tr("Range %1 holds no profiles of this series.")
                                  .arg(result.first->stacks.isEmpty() ? QStringLiteral("A") : QStringLiteral("B")));
        else
            m_status->setText(tr("A total %1, B total %2 (each normalised to its total in the diff)")
                                  .arg(result.first->total())
                                  .arg(result.second->total()));
        emit diffReady(*result.first, *result.second, title);
    });
}

} // namespace spyglass::gui::flamegraph
