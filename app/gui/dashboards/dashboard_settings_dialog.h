#pragma once

#include "core/dashboard/dashboard.h"

#include <QDialog>

class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QTabWidget;

namespace spyglass::gui::dashboards {

// Dashboard settings: title, tags, the variables (list + each one's JSON,
// add / remove), links, and the whole JSON model. Accepting yields the
// edited dashboard in dashboard().
class DashboardSettingsDialog : public QDialog
{
    Q_OBJECT
public:
    explicit DashboardSettingsDialog(dashboard::Dashboard dashboard, QWidget *parent = nullptr);

    dashboard::Dashboard dashboard() const { return m_dashboard; }
    QTabWidget *tabs() const { return m_tabs; }
    QListWidget *variablesList() const { return m_variables; }
    QPlainTextEdit *jsonModel() const { return m_json; }
    // Applies the JSON model (when edited) and the title; stays open on a bad model.
    void accept() override;

private:
    void fillVariables();
    bool applyVariableEdit();
    bool applyJsonModel();

    dashboard::Dashboard m_dashboard;
    QTabWidget *m_tabs;
    QLineEdit *m_title;
    QListWidget *m_variables;
    QPlainTextEdit *m_variableJson;
    QLabel *m_variableError;
    QPlainTextEdit *m_json;
    QLabel *m_jsonError;
    QString m_jsonAtOpen;
};

} // namespace spyglass::gui::dashboards
