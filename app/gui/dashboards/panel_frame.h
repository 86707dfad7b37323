#pragma once

#include "core/dashboard/dashboard.h"
#include "core/dashboard/datasource_mapper.h"
#include "core/model/frame.h"

#include <QFrame>
#include <QJsonObject>

class QComboBox;
class QLabel;
class QStackedLayout;
class QToolButton;

namespace spyglass::gui::panels {
class PanelView;
}

namespace spyglass::gui::dashboards {

// The chrome around one panel: title bar (title, loading spinner text,
// menu), the panel's view from the panels factory, and the states a panel
// can be in besides showing data: loading, error, "choose a datasource",
// unsupported type.
class PanelFrame : public QFrame
{
    Q_OBJECT
public:
    enum class Action { View, Edit, InspectData, InspectQuery, InspectJson, Explore, Duplicate, Remove };
    Q_ENUM(Action)

    explicit PanelFrame(const dashboard::Panel &panel, QWidget *parent = nullptr);

    int panelId() const { return m_panelId; }
    QString type() const { return m_type; }
    // The panel JSON after interpolation (title and options).
    void setPanelJson(const QJsonObject &interpolated);
    void setLoading(bool loading);
    bool isLoading() const { return m_loading; }
    void setFrames(const model::Frames &frames, model::TimestampMs from, model::TimestampMs to);
    const model::Frames &frames() const { return m_frames; }
    // Shown under the view; empty hides it.
    void setError(const QString &error);
    QString errorText() const;
    // The panel cannot query until the user maps these references.
    void setDatasourcePrompt(const QList<dashboard::DatasourceResolution> &unmatched,
                             const QList<datasource::DatasourceSettings> &candidates);
    bool isPrompting() const { return m_prompting; }
    QString title() const;

    panels::PanelView *view() const { return m_view; }
    QToolButton *menuButton() const { return m_menuButton; }

signals:
    void actionTriggered(int panelId, spyglass::gui::dashboards::PanelFrame::Action action);
    void datasourceChosen(const QString &refKey, const QString &uid);

protected:
    void mouseDoubleClickEvent(QMouseEvent *event) override;

private:
    int m_panelId;
    QString m_type;
    bool m_loading = false;
    bool m_prompting = false;
    QLabel *m_title;
    QLabel *m_status;
    QToolButton *m_menuButton;
    QStackedLayout *m_stack;
    panels::PanelView *m_view = nullptr;
    QLabel *m_message;   // unsupported type / no view
    QWidget *m_prompt;
    QLabel *m_promptText;
    QComboBox *m_promptChoice;
    QString m_promptKey;
    QLabel *m_error;
    model::Frames m_frames;
};

} // namespace spyglass::gui::dashboards
