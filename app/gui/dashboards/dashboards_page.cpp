#include "app/gui/dashboards/dashboards_page.h"

#include "app/gui/dashboards/dashboard_browser.h"
#include "app/gui/dashboards/dashboard_view.h"

#include <QFileDialog>
#include <QMessageBox>
#include <QStackedWidget>
#include <QToolButton>
#include <QVBoxLayout>

namespace spyglass::gui::dashboards {

DashboardsPage::DashboardsPage(datasource::DatasourceRegistry &registry, const QString &settingsPath, QWidget *parent)
    : QWidget(parent),
      m_stack(new QStackedWidget(this)),
      m_browser(new DashboardBrowser(settingsPath, this)),
      m_view(new DashboardView(registry, this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *viewPage = new QWidget(this);
    auto *vl = new QVBoxLayout(viewPage);
    vl->setContentsMargins(0, 0, 0, 0);
    vl->setSpacing(0);
    auto *back = new QToolButton(viewPage);
    back->setText(tr("\u2190 Dashboards"));
    back->setAutoRaise(true);
    connect(back, &QToolButton::clicked, this, &DashboardsPage::showBrowser);
    vl->addWidget(back, 0, Qt::AlignLeft);
    vl->addWidget(m_view, 1);
    m_stack->addWidget(m_browser);
    m_stack->addWidget(viewPage);
    layout->addWidget(m_stack);
    connect(m_browser, &DashboardBrowser::openRequested, this, [this](const QString &path) {
        if (auto r = openDashboard(path); !r)
            QMessageBox::warning(this, tr("Open dashboard"), r.error().toString());
    });
    connect(m_browser, &DashboardBrowser::openFileRequested, this, &DashboardsPage::openDashboardDialog);
    connect(m_view, &DashboardView::saved, m_browser, &DashboardBrowser::addRecent);
}

Result<void> DashboardsPage::openDashboard(const QString &path)
{
    if (auto r = m_view->openFile(path); !r)
        return r;
    if (!path.startsWith(QLatin1Char(':')))
        m_browser->addRecent(path);
    m_stack->setCurrentIndex(1);
    return {};
}

void DashboardsPage::showBrowser() { m_stack->setCurrentIndex(0); }

void DashboardsPage::openDashboardDialog()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Grafana dashboard"), {}, tr("Grafana dashboard (*.json)"));
    if (path.isEmpty())
        return;
    if (auto r = openDashboard(path); !r)
        QMessageBox::warning(this, tr("Open dashboard"), r.error().toString());
}

} // namespace spyglass::gui::dashboards
