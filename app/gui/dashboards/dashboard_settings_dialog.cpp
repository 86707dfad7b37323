#include "app/gui/dashboards/dashboard_settings_dialog.h"

#include "core/dashboard/variable.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTabWidget>
#include <QVBoxLayout>

namespace spyglass::gui::dashboards {

namespace {
QString str(const char *s) { return QString::fromLatin1(s); }
} // namespace

DashboardSettingsDialog::DashboardSettingsDialog(dashboard::Dashboard d, QWidget *parent)
    : QDialog(parent),
      m_dashboard(std::move(d)),
      m_tabs(new QTabWidget(this)),
      m_title(new QLineEdit(m_dashboard.title(), this)),
      m_variables(new QListWidget(this)),
      m_variableJson(new QPlainTextEdit(this)),
      m_variableError(new QLabel(this)),
      m_json(new QPlainTextEdit(this)),
      m_jsonError(new QLabel(this))
{
    setWindowTitle(tr("Dashboard settings: %1").arg(m_dashboard.title()));
    resize(900, 640);
    auto *layout = new QVBoxLayout(this);

    auto *general = new QWidget(m_tabs);
    auto *form = new QFormLayout(general);
    form->addRow(tr("Title"), m_title);
    form->addRow(tr("UID"), new QLabel(m_dashboard.uid(), general));
    form->addRow(tr("Tags"), new QLabel(m_dashboard.tags().join(QStringLiteral(", ")), general));
    form->addRow(tr("Schema version"), new QLabel(QString::number(m_dashboard.schemaVersion()), general));
    form->addRow(tr("Time zone"), new QLabel(m_dashboard.timezone().isEmpty() ? tr("browser") : m_dashboard.timezone(), general));
    m_tabs->addTab(general, tr("General"));

    auto *vars = new QWidget(m_tabs);
    auto *vl = new QHBoxLayout(vars);
    auto *listCol = new QVBoxLayout;
    listCol->addWidget(m_variables, 1);
    auto *add = new QPushButton(tr("New variable"), vars);
    auto *remove = new QPushButton(tr("Remove"), vars);
    listCol->addWidget(add);
    listCol->addWidget(remove);
    vl->addLayout(listCol, 1);
    auto *editCol = new QVBoxLayout;
    QFont mono(QStringLiteral("monospace"));
    mono.setStyleHint(QFont::Monospace);
    m_variableJson->setFont(mono);
    editCol->addWidget(m_variableJson, 1);
    m_variableError->setStyleSheet(QStringLiteral("color: #ff7383;"));
    editCol->addWidget(m_variableError);
    auto *applyVar = new QPushButton(tr("Apply variable"), vars);
    editCol->addWidget(applyVar, 0, Qt::AlignRight);
    vl->addLayout(editCol, 2);
    m_tabs->addTab(vars, tr("Variables"));
    connect(m_variables, &QListWidget::currentRowChanged, this, [this](int row) {
        const QJsonArray list = m_dashboard.variablesJson();
        m_variableJson->setPlainText(row >= 0 && row < list.size()
                                         ? QString::fromUtf8(QJsonDocument(list.at(row).toObject()).toJson(QJsonDocument::Indented))
                                         : QString());
        m_variableError->clear();
    });
    connect(applyVar, &QPushButton::clicked, this, &DashboardSettingsDialog::applyVariableEdit);
    connect(add, &QPushButton::clicked, this, [this] {
        QJsonArray list = m_dashboard.variablesJson();
        int n = int(list.size()) + 1;
        QString name = QStringLiteral("var%1").arg(n);
        list.append(QJsonObject{{str("name"), name}, {str("type"), str("custom")}, {str("query"), str("a,b,c")},
                                {str("multi"), false}, {str("includeAll"), false}, {str("hide"), 0}});
        m_dashboard.setVariablesJson(list);
        fillVariables();
        m_variables->setCurrentRow(int(list.size()) - 1);
    });
    connect(remove, &QPushButton::clicked, this, [this] {
        const int row = m_variables->currentRow();
        QJsonArray list = m_dashboard.variablesJson();
        if (row < 0 || row >= list.size())
            return;
        list.removeAt(row);
        m_dashboard.setVariablesJson(list);
        fillVariables();
    });

    auto *links = new QListWidget(m_tabs);
    for (const QJsonValue &l : m_dashboard.links()) {
        const QJsonObject o = l.toObject();
        links->addItem(QStringLiteral("%1  %2  %3").arg(o.value(u"title").toString(), o.value(u"type").toString(),
                                                        o.value(u"url").toString()));
    }
    if (links->count() == 0)
        links->addItem(tr("This dashboard has no links."));
    m_tabs->addTab(links, tr("Links"));

    auto *model = new QWidget(m_tabs);
    auto *ml = new QVBoxLayout(model);
    m_json->setFont(mono);
    m_jsonAtOpen = QString::fromUtf8(m_dashboard.toJsonBytes());
    m_json->setPlainText(m_jsonAtOpen);
    ml->addWidget(m_json, 1);
    m_jsonError->setStyleSheet(QStringLiteral("color: #ff7383;"));
    ml->addWidget(m_jsonError);
    m_tabs->addTab(model, tr("JSON Model"));

    layout->addWidget(m_tabs, 1);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &DashboardSettingsDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    fillVariables();
}

void DashboardSettingsDialog::fillVariables()
{
    m_variables->clear();
    for (const QJsonValue &v : m_dashboard.variablesJson()) {
        const QJsonObject o = v.toObject();
        QString definition = o.value(u"definition").toString();
        if (definition.isEmpty())
            definition = o.value(u"query").isString() ? o.value(u"query").toString()
                                                     : o.value(u"query").toObject().value(u"query").toString();
        m_variables->addItem(QStringLiteral("$%1  (%2)  %3")
                                 .arg(o.value(u"name").toString(), o.value(u"type").toString(), definition.simplified()));
    }
}

bool DashboardSettingsDialog::applyVariableEdit()
{
    const int row = m_variables->currentRow();
    QJsonArray list = m_dashboard.variablesJson();
    if (row < 0 || row >= list.size())
        return true;
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(m_variableJson->toPlainText().toUtf8(), &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject()) {
        m_variableError->setText(tr("Not valid JSON at offset %1: %2").arg(err.offset).arg(err.errorString()));
        return false;
    }
    if (auto v = dashboard::Variable::fromJson(doc.object()); !v) {
        m_variableError->setText(v.error().message);
        return false;
    }
    list[row] = doc.object();
    m_dashboard.setVariablesJson(list);
    m_variableError->clear();
    fillVariables();
    m_variables->setCurrentRow(row);
    return true;
}

bool DashboardSettingsDialog::applyJsonModel()
{
    if (m_json->toPlainText() == m_jsonAtOpen)
        return true;
    auto d = dashboard::Dashboard::parse(m_json->toPlainText().toUtf8(), tr("JSON model"));
    if (!d) {
        m_jsonError->setText(d.error().toString());
        m_tabs->setCurrentIndex(3);
        return false;
    }
    m_dashboard = std::move(*d);
    return true;
}

void DashboardSettingsDialog::accept()
{
    if (!applyJsonModel())
        return;
    // The title field wins only when it was edited (the JSON model may rename too).
    if (m_title->isModified())
        m_dashboard.setTitle(m_title->text());
    QDialog::accept();
}

} // namespace spyglass::gui::dashboards
