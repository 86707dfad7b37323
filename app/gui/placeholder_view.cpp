#include "app/gui/placeholder_view.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

namespace spyglass::gui {

PlaceholderView::PlaceholderView(const QString &title, const QString &explanation, QWidget *parent)
    : QWidget(parent), m_explanation(explanation)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(40, 40, 40, 40);
    layout->addStretch(1);
    auto *heading = new QLabel(title, this);
    QFont f = heading->font();
    f.setPointSizeF(f.pointSizeF() * 1.6);
    f.setBold(true);
    heading->setFont(f);
    heading->setAlignment(Qt::AlignCenter);
    layout->addWidget(heading);
    auto *body = new QLabel(explanation, this);
    body->setObjectName(QStringLiteral("placeholderText"));
    body->setWordWrap(true);
    body->setAlignment(Qt::AlignCenter);
    body->setMaximumWidth(640);
    body->setForegroundRole(QPalette::PlaceholderText);
    // Centred by stretches, not an alignment flag: with a flag the layout
    // ignores the wrapped label's height-for-width and clips its lines.
    auto *row = new QHBoxLayout;
    row->addStretch(1);
    row->addWidget(body, 4);
    row->addStretch(1);
    layout->addLayout(row);
    layout->addStretch(2);
}

} // namespace spyglass::gui
