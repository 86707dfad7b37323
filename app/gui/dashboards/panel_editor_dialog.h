#pragma once

#include "core/datasource/datasource.h"

#include <QDialog>
#include <QJsonObject>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QSpinBox;
class QTimer;
class QVBoxLayout;

namespace spyglass::gui::panels {
class PanelView;
}

namespace spyglass::gui::dashboards {

class DashboardView;

// Edits one panel: query text per target, the visualisation, title, unit
// and decimals, with a live preview that re-runs the queries (debounced)
// through the dashboard's datasources. Accepting returns the new JSON in
// panelJson(); everything the editor does not know stays as it was.
class PanelEditorDialog : public QDialog
{
    Q_OBJECT
public:
    PanelEditorDialog(DashboardView *dashboard, const QJsonObject &panel,
                      const QList<datasource::DatasourceSettings> &datasources, QWidget *parent = nullptr);

    QJsonObject panelJson() const;

    QLineEdit *titleEdit() const { return m_title; }
    QComboBox *typeCombo() const { return m_type; }
    QComboBox *unitCombo() const { return m_unit; }
    QSpinBox *decimalsSpin() const { return m_decimals; }
    QList<QPlainTextEdit *> queryEdits() const { return m_queryEdits; }
    panels::PanelView *preview() const { return m_preview; }
    // Number of preview runs finished (for tests and screenshots).
    int previewRuns() const { return m_previewRuns; }

public slots:
    void refreshPreview();

signals:
    void previewFinished();

private:
    void addTargetEditor(const QJsonObject &target);
    void rebuildPreviewView();
    void schedulePreview();

    DashboardView *m_dashboard;
    QJsonObject m_original;
    QList<QJsonObject> m_targets;
    QList<QPlainTextEdit *> m_queryEdits;
    QLineEdit *m_title;
    QLineEdit *m_description;
    QComboBox *m_type;
    QComboBox *m_unit;
    QSpinBox *m_decimals;
    QVBoxLayout *m_previewBox;
    QVBoxLayout *m_queriesBox;
    panels::PanelView *m_preview = nullptr;
    QLabel *m_previewStatus;
    QTimer *m_debounce;
    int m_previewRuns = 0;
    QString m_previewType;
};

} // namespace spyglass::gui::dashboards
