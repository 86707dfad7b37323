#include "app/gui/dashboards/dashboard_browser.h"

#include "core/dashboard/dashboard.h"

#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLineEdit>
#include <QMenu>
#include <QPushButton>
#include <QSettings>
#include <QTreeWidget>
#include <QVBoxLayout>

// Resources compiled into the static GUI library need explicit initialisation.
static void initDashboardResources() { Q_INIT_RESOURCE(dashboards); }

namespace spyglass::gui::dashboards {

namespace {
constexpr int kPathRole = Qt::UserRole + 1;
constexpr int kMaxRecent = 10;
} // namespace

DashboardBrowser::DashboardBrowser(const QString &settingsPath, QWidget *parent)
    : QWidget(parent), m_settingsPath(settingsPath), m_search(new QLineEdit(this)), m_tree(new QTreeWidget(this))
{
    initDashboardResources();
    auto *layout = new QVBoxLayout(this);
    auto *top = new QHBoxLayout;
    m_search->setPlaceholderText(tr("Search dashboards by title or tag"));
    m_search->setClearButtonEnabled(true);
    auto *open = new QPushButton(tr("Open file\u2026"), this);
    top->addWidget(m_search, 1);
    top->addWidget(open);
    layout->addLayout(top);
    m_tree->setColumnCount(3);
    m_tree->setHeaderLabels({tr("Dashboard"), tr("Tags"), tr("Location")});
    m_tree->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_tree->setRootIsDecorated(true);
    m_tree->setContextMenuPolicy(Qt::CustomContextMenu);
    layout->addWidget(m_tree, 1);

    if (!m_settingsPath.isEmpty()) {
        QSettings s(m_settingsPath, QSettings::IniFormat);
        m_recent = s.value(QStringLiteral("recent")).toStringList();
        m_starred = s.value(QStringLiteral("starred")).toStringList();
    }
    connect(m_search, &QLineEdit::textChanged, this, &DashboardBrowser::rebuild);
    connect(open, &QPushButton::clicked, this, &DashboardBrowser::openFileRequested);
    connect(m_tree, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem *item) {
        const QString path = item->data(0, kPathRole).toString();
        if (!path.isEmpty())
            emit openRequested(path);
    });
    connect(m_tree, &QTreeWidget::customContextMenuRequested, this, [this](const QPoint &pos) {
        QTreeWidgetItem *item = m_tree->itemAt(pos);
        const QString path = item ? item->data(0, kPathRole).toString() : QString();
        if (path.isEmpty())
            return;
        QMenu menu;
        menu.addAction(tr("Open"), this, [this, path] { emit openRequested(path); });
        menu.addAction(isStarred(path) ? tr("Unstar") : tr("Star"), this, [this, path] { setStarred(path, !isStarred(path)); });
        menu.exec(m_tree->viewport()->mapToGlobal(pos));
    });
    rebuild();
}

DashboardBrowser::Entry DashboardBrowser::describe(const QString &path)
{
    Entry e{path, QFileInfo(path).completeBaseName(), {}};
    if (auto d = dashboard::Dashboard::load(path)) {
        if (!d->title().isEmpty())
            e.title = d->title();
        e.tags = d->tags();
    }
    return e;
}

QList<DashboardBrowser::Entry> DashboardBrowser::bundledDashboards()
{
    initDashboardResources();
    QList<Entry> out;
    const QDir dir(QStringLiteral(":/dashboards"));
    for (const QString &name : dir.entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name))
        out.append(describe(dir.filePath(name)));
    return out;
}

void DashboardBrowser::setFilter(const QString &text) { m_search->setText(text); }

void DashboardBrowser::addRecent(const QString &path)
{
    m_recent.removeAll(path);
    m_recent.prepend(path);
    while (m_recent.size() > kMaxRecent)
        m_recent.removeLast();
    persist();
    rebuild();
}

void DashboardBrowser::setStarred(const QString &path, bool starred)
{
    m_starred.removeAll(path);
    if (starred)
        m_starred.append(path);
    persist();
    rebuild();
}

void DashboardBrowser::persist() const
{
    if (m_settingsPath.isEmpty())
        return;
    QSettings s(m_settingsPath, QSettings::IniFormat);
    s.setValue(QStringLiteral("recent"), m_recent);
    s.setValue(QStringLiteral("starred"), m_starred);
}

void DashboardBrowser::rebuild()
{
    m_tree->clear();
    const QString filter = m_search->text().trimmed();
    auto matches = [&](const Entry &e) {
        return filter.isEmpty() || e.title.contains(filter, Qt::CaseInsensitive) ||
               e.tags.join(QLatin1Char(' ')).contains(filter, Qt::CaseInsensitive) ||
               e.path.contains(filter, Qt::CaseInsensitive);
    };
    auto folder = [&](const QString &name, const QList<Entry> &entries) {
        auto *f = new QTreeWidgetItem(m_tree, {name});
        QFont bold = f->font(0);
        bold.setBold(true);
        f->setFont(0, bold);
        for (const Entry &e : entries) {
            if (!matches(e))
                continue;
            auto *item = new QTreeWidgetItem(f, {(isStarred(e.path) ? QStringLiteral("\u2605 ") : QString()) + e.title,
                                                 e.tags.join(QStringLiteral(", ")),
                                                 e.path.startsWith(QLatin1Char(':')) ? tr("bundled") : e.path});
            item->setData(0, kPathRole, e.path);
            item->setToolTip(0, e.path);
        }
        f->setExpanded(true);
        if (f->childCount() == 0 && !filter.isEmpty())
            f->setHidden(true);
    };
    QList<Entry> starred, recent;
    for (const QString &p : m_starred)
        starred.append(describe(p));
    for (const QString &p : m_recent)
        recent.append(describe(p));
    if (!starred.isEmpty())
        folder(tr("Starred"), starred);
    if (!recent.isEmpty())
        folder(tr("Recent"), recent);
    folder(tr("Bundled"), bundledDashboards());
}

} // namespace spyglass::gui::dashboards
