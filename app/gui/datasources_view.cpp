#include "app/gui/datasources_view.h"

#include "app/gui/workbench.h"
#include "core/datasource/datasource_registry.h"
#include "core/datasource/plugin_registry.h"
#include "core/store/storage.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace spyglass::gui {

namespace {

enum DatasourceColumn { DsName, DsType, DsUid, DsStatus };
enum PluginColumn { PlId, PlName, PlVersion, PlKinds, PlState, PlFile };

QLabel *heading(const QString &text, QWidget *parent)
{
    auto *l = new QLabel(text, parent);
    QFont f = l->font();
    f.setBold(true);
    f.setPointSizeF(f.pointSizeF() * 1.15);
    l->setFont(f);
    return l;
}

} // namespace

DatasourcesView::DatasourcesView(Workbench &workbench, QWidget *parent)
    : QWidget(parent),
      m_workbench(workbench),
      m_datasources(new QTreeWidget(this)),
      m_plugins(new QTreeWidget(this)),
      m_checkButton(new QPushButton(tr("Check health"), this)),
      m_storeLabel(new QLabel(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(16, 12, 16, 12);

    auto *top = new QHBoxLayout;
    top->addWidget(heading(tr("Datasources"), this));
    top->addStretch(1);
    top->addWidget(m_checkButton);
    layout->addLayout(top);

    m_datasources->setHeaderLabels({tr("Name"), tr("Type"), tr("UID"), tr("Status")});
    m_datasources->setRootIsDecorated(false);
    m_datasources->setAlternatingRowColors(true);
    m_datasources->header()->setStretchLastSection(true);
    layout->addWidget(m_datasources, 2);

    m_storeLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_storeLabel->setWordWrap(true);
    layout->addWidget(m_storeLabel);

    layout->addSpacing(8);
    layout->addWidget(heading(tr("Plugins"), this));
    m_plugins->setHeaderLabels({tr("Id"), tr("Name"), tr("Version"), tr("Kinds"), tr("State"), tr("File")});
    m_plugins->setRootIsDecorated(false);
    m_plugins->setAlternatingRowColors(true);
    m_plugins->header()->setStretchLastSection(true);
    layout->addWidget(m_plugins, 3);

    connect(m_checkButton, &QPushButton::clicked, this, &DatasourcesView::checkHealth);
    refresh();
}

void DatasourcesView::refresh()
{
    auto &registry = m_workbench.datasources();
    m_datasources->clear();
    const QString defaultUid = registry.defaultUid();
    for (const auto &s : registry.settingsList()) {
        auto *item = new QTreeWidgetItem(m_datasources);
        item->setText(DsName, s.uid == defaultUid ? tr("%1 (default)").arg(s.name) : s.name);
        item->setText(DsType, s.type);
        item->setText(DsUid, s.uid);
        item->setData(DsName, Qt::UserRole, s.uid);
        const QString error = registry.errorString(s.uid);
        if (registry.datasource(s.uid)) {
            item->setText(DsStatus, tr("ready"));
        } else {
            item->setText(DsStatus, tr("unavailable: %1").arg(error));
            item->setForeground(DsStatus, QColor(0xf2, 0x49, 0x5c));
        }
        item->setToolTip(DsStatus, item->text(DsStatus));
    }
    for (int c = 0; c < DsStatus; ++c)
        m_datasources->resizeColumnToContents(c);

    m_plugins->clear();
    for (const auto &p : m_workbench.plugins().plugins()) {
        auto *item = new QTreeWidgetItem(m_plugins);
        item->setText(PlId, p.id);
        item->setText(PlName, p.name);
        item->setText(PlVersion, p.version);
        item->setText(PlKinds, datasource::capabilityNames(p.kinds).join(QStringLiteral(", ")));
        QString state = datasource::pluginStateName(p.state);
        if (!p.errorString.isEmpty())
            state += QStringLiteral(": ") + p.errorString;
        item->setText(PlState, state);
        item->setToolTip(PlState, state);
        if (p.state == datasource::PluginInfo::State::Failed)
            item->setForeground(PlState, QColor(0xf2, 0x49, 0x5c));
        item->setText(PlFile, p.filePath);
        item->setToolTip(PlFile, p.filePath);
    }
    if (m_workbench.plugins().plugins().isEmpty()) {
        auto *item = new QTreeWidgetItem(m_plugins);
        item->setText(PlId, tr("No plugins found in: %1")
                                .arg(m_workbench.plugins().searchPaths().join(QStringLiteral(", "))));
        item->setFirstColumnSpanned(true);
    }
    for (int c = 0; c < PlFile; ++c)
        m_plugins->resizeColumnToContents(c);

    m_storeLabel->setText(tr("Embedded store: %1").arg(m_workbench.storage().dataDir()));
}

void DatasourcesView::checkHealth()
{
    if (m_pendingChecks > 0)
        return;
    // Held while launching: a check that completes at once must not report
    // "all done" before the others have started.
    m_pendingChecks = 1;
    for (int i = 0; i < m_datasources->topLevelItemCount(); ++i) {
        QTreeWidgetItem *item = m_datasources->topLevelItem(i);
        const QString uid = item->data(DsName, Qt::UserRole).toString();
        auto ds = m_workbench.datasources().datasource(uid);
        if (!ds)
            continue;
        item->setText(DsStatus, tr("checking..."));
        ++m_pendingChecks;
        QtConcurrent::run([ds] { return ds->checkHealth(CancelToken()); })
            .then(this, [this, uid](const Result<QString> &r) {
                for (int k = 0; k < m_datasources->topLevelItemCount(); ++k) {
                    QTreeWidgetItem *it = m_datasources->topLevelItem(k);
                    if (it->data(DsName, Qt::UserRole).toString() != uid)
                        continue;
                    it->setText(DsStatus, r ? tr("ok: %1").arg(*r) : tr("failing: %1").arg(r.error().toString()));
                    it->setForeground(DsStatus, r ? QColor(0x73, 0xbf, 0x69) : QColor(0xf2, 0x49, 0x5c));
                    it->setToolTip(DsStatus, it->text(DsStatus));
                }
                if (--m_pendingChecks == 0)
                    emit healthChecked();
            });
    }
    if (--m_pendingChecks == 0)
        emit healthChecked();
}

} // namespace spyglass::gui
