#include "app/gui/panels/text_panel.h"

#include <QJsonObject>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace spyglass::gui::panels {

TextPanel::TextPanel(QWidget *parent) : PanelView(parent), m_browser(new QTextBrowser(this))
{
    auto *l = new QVBoxLayout(this);
    l->setContentsMargins(4, 2, 4, 2);
    l->addWidget(m_browser);
    m_browser->setFrameShape(QFrame::NoFrame);
    m_browser->setOpenLinks(false);
    m_browser->viewport()->setAutoFillBackground(false);
    connect(m_browser, &QTextBrowser::anchorClicked, this, [this](const QUrl &url) { emit linkActivated(url.toString()); });
}

void TextPanel::setPanelJson(const QJsonObject &panel)
{
    const QJsonObject o = panel.value(QLatin1String("options")).toObject();
    // Legacy text panels keep mode/content at the top level.
    const QString mode = o.value(QLatin1String("mode")).toString(panel.value(QLatin1String("mode")).toString(QStringLiteral("markdown")));
    const QString content = o.value(QLatin1String("content")).toString(panel.value(QLatin1String("content")).toString());
    if (mode == u"html")
        m_browser->setHtml(content);
    else if (mode == u"code")
        m_browser->setPlainText(o.value(QLatin1String("code")).toObject().value(QLatin1String("content")).toString(content));
    else
        m_browser->setMarkdown(content);
}

} // namespace spyglass::gui::panels
