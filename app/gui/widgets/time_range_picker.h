#pragma once

#include "core/model/time_range.h"

#include <QList>
#include <QWidget>

class QFrame;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QToolButton;

namespace spyglass::gui::widgets {

struct QuickRange
{
    QString label; // "Last 5 minutes"
    QString from;  // "now-5m"
    QString to;    // "now"
};

// The global time range of the window, as in Grafana's toolbar: a button
// showing the range that opens quick ranges and an absolute from/to editor
// (RFC 3339, Unix seconds or now-6h expressions, errors shown inline), a
// zoom-out button and a refresh button.
class TimeRangePicker : public QWidget
{
    Q_OBJECT
public:
    explicit TimeRangePicker(QWidget *parent = nullptr);

    model::TimeRange range() const { return m_range; }
    // Emits rangeChanged when the range differs from the current one.
    void setRange(const model::TimeRange &range);

    static QList<QuickRange> quickRanges();

    // The parts, for tests and keyboard shortcuts.
    QToolButton *rangeButton() const { return m_rangeButton; }
    QToolButton *refreshButton() const { return m_refreshButton; }
    QFrame *editorPopup() const { return m_popup; }
    QLineEdit *fromEdit() const { return m_fromEdit; }
    QLineEdit *toEdit() const { return m_toEdit; }
    QLabel *errorLabel() const { return m_errorLabel; }
    QPushButton *applyButton() const { return m_applyButton; }
    QListWidget *quickRangeList() const { return m_quickList; }

public slots:
    void showEditor();
    // Applies the from/to fields; on a bad expression keeps the current range
    // and shows why next to the fields. Returns whether it was applied.
    bool applyEdited();
    void selectQuickRange(int index);
    // Doubles the span around its centre; a range ending at "now" stays
    // relative ("now-1h" -> "now-2h").
    void zoomOut();

signals:
    void rangeChanged(const spyglass::model::TimeRange &range);
    void refreshRequested();

private:
    void updateButton();

    model::TimeRange m_range;
    QToolButton *m_rangeButton;
    QToolButton *m_zoomOutButton;
    QToolButton *m_refreshButton;
    QFrame *m_popup;
    QLineEdit *m_fromEdit;
    QLineEdit *m_toEdit;
    QLabel *m_errorLabel;
    QPushButton *m_applyButton;
    QListWidget *m_quickList;
};

} // namespace spyglass::gui::widgets
