#pragma once

#include <QWidget>

class QLineEdit;
class QTreeWidget;
class QTreeWidgetItem;

namespace spyglass::gui::dashboards {

// The list of dashboards to open: the bundled ones (resources/dashboards,
// compiled in), files the user opened, starred and recent ones, with a
// search over titles and tags. Starred and recent paths persist in a small
// settings file.
class DashboardBrowser : public QWidget
{
    Q_OBJECT
public:
    // `settingsPath` empty: nothing persists (tests, screenshots).
    explicit DashboardBrowser(const QString &settingsPath = {}, QWidget *parent = nullptr);

    struct Entry
    {
        QString path; // file path or ":/dashboards/x.json"
        QString title;
        QStringList tags;
    };
    static QList<Entry> bundledDashboards();

    void addRecent(const QString &path);
    void setStarred(const QString &path, bool starred);
    bool isStarred(const QString &path) const { return m_starred.contains(path); }
    QStringList recent() const { return m_recent; }
    void setFilter(const QString &text);
    QTreeWidget *tree() const { return m_tree; }

signals:
    void openRequested(const QString &path);
    void openFileRequested();

private:
    void rebuild();
    void persist() const;
    static Entry describe(const QString &path);

    QString m_settingsPath;
    QLineEdit *m_search;
    QTreeWidget *m_tree;
    QStringList m_recent;
    QStringList m_starred;
};

} // namespace spyglass::gui::dashboards
