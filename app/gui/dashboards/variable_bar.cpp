#include "app/gui/dashboards/variable_bar.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QRegularExpression>
#include <QToolButton>

namespace spyglass::gui::dashboards {

VariableBar::VariableBar(QWidget *parent) : QWidget(parent), m_layout(new QHBoxLayout(this))
{
    m_layout->setContentsMargins(8, 2, 8, 2);
    m_layout->setSpacing(6);
    m_layout->addStretch();
}

QWidget *VariableBar::control(const QString &name) const { return m_controls.value(name); }

QList<dashboard::AdhocFilter> VariableBar::parseAdhocFilters(const QString &text)
{
    QList<dashboard::AdhocFilter> out;
    static const QRegularExpression re(QStringLiteral("^\\s*([\\w.]+)\\s*(=~|!~|!=|=|<|>)\\s*\"?(.*?)\"?\\s*$"));
    for (const QString &part : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const auto m = re.match(part);
        if (m.hasMatch())
            out.append({m.captured(1), m.captured(2), m.captured(3)});
    }
    return out;
}

QString VariableBar::formatAdhocFilters(const QList<dashboard::AdhocFilter> &filters)
{
    QStringList parts;
    for (const auto &f : filters)
        parts.append(f.key + f.op + f.value);
    return parts.join(QStringLiteral(", "));
}

void VariableBar::setVariables(const dashboard::VariableSet &variables)
{
    // Rebuilt from scratch: cheap, and options change with every refresh.
    while (m_layout->count() > 0) {
        QLayoutItem *item = m_layout->takeAt(0);
        if (item->widget())
            item->widget()->deleteLater();
        delete item;
    }
    m_controls.clear();
    for (const dashboard::Variable &v : variables.variables()) {
        if (v.hide() == 2 || v.type() == dashboard::VariableType::Constant)
            continue;
        if (v.hide() != 1) {
            auto *label = new QLabel(v.label(), this);
            label->setToolTip(v.description());
            label->setStyleSheet(QStringLiteral("color: #ccccdc; background: #22252b; padding: 3px 6px; border-radius: 2px;"));
            m_layout->addWidget(label);
        }
        const QString name = v.name();
        QWidget *control = nullptr;
        switch (v.type()) {
        case dashboard::VariableType::Textbox: {
            auto *edit = new QLineEdit(v.currentValues().value(0), this);
            edit->setMinimumWidth(140);
            connect(edit, &QLineEdit::editingFinished, this, [this, edit, name] {
                emit valueChanged(name, {edit->text()});
            });
            control = edit;
            break;
        }
        case dashboard::VariableType::Adhoc: {
            auto *edit = new QLineEdit(formatAdhocFilters(v.filters()), this);
            edit->setPlaceholderText(tr("label=value, ..."));
            edit->setMinimumWidth(180);
            connect(edit, &QLineEdit::editingFinished, this, [this, edit, name] {
                emit adhocFiltersChanged(name, parseAdhocFilters(edit->text()));
            });
            control = edit;
            break;
        }
        default:
            if (v.isMulti()) {
                auto *button = new QToolButton(this);
                button->setPopupMode(QToolButton::InstantPopup);
                button->setText(v.currentTexts().isEmpty() ? tr("(none)") : v.currentTexts().join(QStringLiteral(" + ")));
                button->setMinimumWidth(80);
                auto *menu = new QMenu(button);
                const QStringList current = v.currentValues();
                for (const dashboard::VariableOption &o : v.options()) {
                    QAction *a = menu->addAction(o.text);
                    a->setCheckable(true);
                    a->setChecked(current.contains(o.value));
                    a->setData(o.value);
                }
                connect(menu, &QMenu::triggered, this, [this, menu, name](QAction *clicked) {
                    QStringList values;
                    const bool all = clicked->data().toString() == dashboard::kAllValue;
                    for (QAction *a : menu->actions()) {
                        if (all && a != clicked)
                            a->setChecked(false);
                        else if (!all && a->data().toString() == dashboard::kAllValue)
                            a->setChecked(false);
                        if (a->isChecked())
                            values.append(a->data().toString());
                    }
                    emit valueChanged(name, values);
                });
                button->setMenu(menu);
                control = button;
            } else {
                auto *combo = new QComboBox(this);
                combo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
                for (const dashboard::VariableOption &o : v.options())
                    combo->addItem(o.text, o.value);
                const int idx = combo->findData(v.currentValues().value(0));
                if (idx >= 0)
                    combo->setCurrentIndex(idx);
                else if (!v.currentTexts().isEmpty()) {
                    combo->addItem(v.currentTexts().front(), v.currentValues().value(0));
                    combo->setCurrentIndex(combo->count() - 1);
                }
                connect(combo, &QComboBox::activated, this, [this, combo, name](int i) {
                    emit valueChanged(name, {combo->itemData(i).toString()});
                });
                control = combo;
            }
            break;
        }
        control->setToolTip(v.description());
        m_layout->addWidget(control);
        m_controls.insert(name, control);
    }
    m_layout->addStretch();
    setVisible(!m_controls.isEmpty());
}

} // namespace spyglass::gui::dashboards
