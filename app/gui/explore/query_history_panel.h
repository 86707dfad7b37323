#pragma once

#include <QPointer>
#include <QWidget>

class QLineEdit;
class QListWidget;
class QListWidgetItem;
class QLabel;

namespace spyglass::gui::explore {

class QueryHistory;

// The query history as a searchable list: starred queries first, then the
// most recent. Click the star to (un)star a query; click or press Enter on
// a query to put it in the editor (querySelected), double click to run it.
class QueryHistoryPanel : public QWidget
{
    Q_OBJECT
public:
    explicit QueryHistoryPanel(QWidget *parent = nullptr);

    void setHistory(QueryHistory *history);
    QueryHistory *history() const { return m_history; }

    QLineEdit *searchEdit() const { return m_search; }
    QListWidget *list() const { return m_list; }
    // Queries in the list, in order.
    QStringList shownQueries() const;
    void toggleStar(int row);

signals:
    void querySelected(const QString &query);
    void queryRunRequested(const QString &query);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void refresh();

    QPointer<QueryHistory> m_history;
    QLineEdit *m_search;
    QListWidget *m_list;
    QLabel *m_empty;
};

} // namespace spyglass::gui::explore
