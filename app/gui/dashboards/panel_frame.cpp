#include "app/gui/dashboards/panel_frame.h"

#include "app/gui/panels/panel_view.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QPushButton>
#include <QStackedLayout>
#include <QToolButton>
#include <QVBoxLayout>

namespace spyglass::gui::dashboards {

PanelFrame::PanelFrame(const dashboard::Panel &panel, QWidget *parent)
    : QFrame(parent),
      m_panelId(panel.id()),
      m_type(panel.type()),
      m_title(new QLabel(this)),
      m_status(new QLabel(this)),
      m_menuButton(new QToolButton(this)),
      m_stack(new QStackedLayout),
      m_message(new QLabel(this)),
      m_prompt(new QWidget(this)),
      m_promptText(new QLabel(m_prompt)),
      m_promptChoice(new QComboBox(m_prompt)),
      m_error(new QLabel(this))
{
    setObjectName(QStringLiteral("dashboardPanel"));
    setFrameShape(QFrame::StyledPanel);
    setStyleSheet(QStringLiteral("#dashboardPanel { background: #181b1f; border: 1px solid #2c3235; border-radius: 3px; }"));

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 4, 6, 6);
    layout->setSpacing(2);
    auto *bar = new QHBoxLayout;
    bar->setSpacing(4);
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_title->setTextFormat(Qt::PlainText);
    m_title->setMinimumWidth(10);
    m_title->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_status->setStyleSheet(QStringLiteral("color: #8e8e8e;"));
    m_menuButton->setText(QStringLiteral("\u22ee"));
    m_menuButton->setAutoRaise(true);
    m_menuButton->setPopupMode(QToolButton::InstantPopup);
    m_menuButton->setToolTip(tr("Panel menu"));
    auto *menu = new QMenu(m_menuButton);
    auto add = [&](const QString &text, Action a, const QKeySequence &key = {}) {
        QAction *act = menu->addAction(text, this, [this, a] { emit actionTriggered(m_panelId, a); });
        act->setShortcut(key);
    };
    add(tr("View"), Action::View, QKeySequence(QStringLiteral("v")));
    add(tr("Edit"), Action::Edit, QKeySequence(QStringLiteral("e")));
    QMenu *inspect = menu->addMenu(tr("Inspect"));
    inspect->addAction(tr("Data"), this, [this] { emit actionTriggered(m_panelId, Action::InspectData); });
    inspect->addAction(tr("Query"), this, [this] { emit actionTriggered(m_panelId, Action::InspectQuery); });
    inspect->addAction(tr("Panel JSON"), this, [this] { emit actionTriggered(m_panelId, Action::InspectJson); });
    add(tr("Explore"), Action::Explore);
    menu->addSeparator();
    add(tr("Duplicate"), Action::Duplicate);
    add(tr("Remove"), Action::Remove);
    m_menuButton->setMenu(menu);
    bar->addWidget(m_title, 1);
    bar->addWidget(m_status);
    bar->addWidget(m_menuButton);
    layout->addLayout(bar);

    m_view = panels::createPanelView(m_type, this);
    m_message->setAlignment(Qt::AlignCenter);
    m_message->setWordWrap(true);
    m_message->setStyleSheet(QStringLiteral("color: #8e8e8e;"));
    if (m_view) {
        m_stack->addWidget(m_view);
    } else {
        m_message->setText(tr("Panel type \"%1\" is not supported by Spyglass.").arg(m_type));
    }
    m_stack->addWidget(m_message);

    auto *promptLayout = new QVBoxLayout(m_prompt);
    promptLayout->addStretch();
    m_promptText->setWordWrap(true);
    m_promptText->setAlignment(Qt::AlignCenter);
    m_promptText->setStyleSheet(QStringLiteral("color: #f5b73d;"));
    promptLayout->addWidget(m_promptText);
    auto *choiceRow = new QHBoxLayout;
    choiceRow->addStretch();
    choiceRow->addWidget(m_promptChoice);
    auto *use = new QPushButton(tr("Use for this dashboard"), m_prompt);
    choiceRow->addWidget(use);
    choiceRow->addStretch();
    promptLayout->addLayout(choiceRow);
    promptLayout->addStretch();
    connect(use, &QPushButton::clicked, this, [this] {
        const QString uid = m_promptChoice->currentData().toString();
        if (!uid.isEmpty())
            emit datasourceChosen(m_promptKey, uid);
    });
    m_stack->addWidget(m_prompt);
    m_stack->setCurrentIndex(m_view ? 0 : m_stack->indexOf(m_message));
    layout->addLayout(m_stack, 1);

    m_error->setWordWrap(true);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->setStyleSheet(QStringLiteral("color: #ff7383;"));
    m_error->hide();
    layout->addWidget(m_error);

    setPanelJson(panel.json());
    if (m_view)
        connect(m_view, &panels::PanelView::linkActivated, this, [](const QString &) {});
}

void PanelFrame::setPanelJson(const QJsonObject &panel)
{
    const QString title = panel.value(QLatin1String("title")).toString();
    m_title->setText(title);
    m_title->setToolTip(panel.value(QLatin1String("description")).toString().isEmpty()
                            ? title
                            : title + QStringLiteral("\n\n") + panel.value(QLatin1String("description")).toString());
    if (m_view)
        m_view->setPanelJson(panel);
}

QString PanelFrame::title() const { return m_title->text(); }

void PanelFrame::setLoading(bool loading)
{
    m_loading = loading;
    m_status->setText(loading ? tr("loading\u2026") : QString());
}

void PanelFrame::setFrames(const model::Frames &frames, model::TimestampMs from, model::TimestampMs to)
{
    m_frames = frames;
    m_prompting = false;
    if (m_view) {
        m_stack->setCurrentWidget(m_view);
        m_view->setFrames(frames, from, to);
    }
}

void PanelFrame::setError(const QString &error)
{
    m_error->setText(error);
    m_error->setToolTip(error);
    m_error->setVisible(!error.isEmpty());
}

QString PanelFrame::errorText() const { return m_error->text(); }

void PanelFrame::setDatasourcePrompt(const QList<dashboard::DatasourceResolution> &unmatched,
                                     const QList<datasource::DatasourceSettings> &candidates)
{
    if (unmatched.isEmpty()) {
        m_prompting = false;
        m_stack->setCurrentIndex(m_view ? 0 : m_stack->indexOf(m_message));
        return;
    }
    m_prompting = true;
    m_promptKey = unmatched.front().key;
    m_promptText->setText(tr("Choose a datasource: %1").arg(unmatched.front().message));
    m_promptChoice->clear();
    for (const auto &c : candidates)
        m_promptChoice->addItem(QStringLiteral("%1 (%2)").arg(c.name, c.type), c.uid);
    m_promptChoice->setEnabled(!candidates.isEmpty());
    m_stack->setCurrentWidget(m_prompt);
}

void PanelFrame::mouseDoubleClickEvent(QMouseEvent *event)
{
    QFrame::mouseDoubleClickEvent(event);
    emit actionTriggered(m_panelId, Action::View);
}

} // namespace spyglass::gui::dashboards
