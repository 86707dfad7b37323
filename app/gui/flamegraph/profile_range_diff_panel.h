#pragma once

#include "core/model/profile.h"
#include "core/model/result.h"

#include <QWidget>
#include <memory>

class QComboBox;
class QDateTimeEdit;
class QLabel;
class QPushButton;

namespace spyglass::store {
class Storage;
}

namespace spyglass::gui::flamegraph {

// Picks one stored profile series (type + labels) and two time ranges A
// and B, merges each range through core/query/profile's engine on the
// thread pool and hands both profiles over (diffReady) for the diff view:
// "what changed in this service's CPU between yesterday and today".
// Series are listed off the GUI thread too; stale answers are dropped.
class ProfileRangeDiffPanel : public QWidget
{
    Q_OBJECT
public:
    // `storage` must outlive the panel.
    explicit ProfileRangeDiffPanel(store::Storage *storage, QWidget *parent = nullptr);

    QComboBox *seriesCombo() const { return m_series; }
    // Selector text of the chosen series (`type{labels}`), empty when none.
    QString selectedSelector() const;
    void setRangeA(model::TimestampNs from, model::TimestampNs to);
    void setRangeB(model::TimestampNs from, model::TimestampNs to);
    QPair<model::TimestampNs, model::TimestampNs> rangeA() const;
    QPair<model::TimestampNs, model::TimestampNs> rangeB() const;
    QString statusText() const;

public slots:
    // Lists the stored series; the first one (or the one chosen before) is picked.
    void reloadSeries();
    void compare();

signals:
    void seriesLoaded(int count);
    void diffReady(const model::Profile &baseline, const model::Profile &comparison, const QString &title);
    void diffFailed(const QString &message);

private:
    void seriesChosen(int index);

    store::Storage *m_storage;
    int m_seriesJob = 0;
    int m_rangeJob = 0;
    int m_compareJob = 0;
    QComboBox *m_series;
    QPushButton *m_reload;
    QDateTimeEdit *m_aFrom;
    QDateTimeEdit *m_aTo;
    QDateTimeEdit *m_bFrom;
    QDateTimeEdit *m_bTo;
    QPushButton *m_compare;
    QLabel *m_status;
};

} // namespace spyglass::gui::flamegraph
