#pragma once

#include "core/dashboard/variable_set.h"

#include <QWidget>

class QHBoxLayout;

namespace spyglass::gui::dashboards {

// The row of variable pickers above a dashboard: combo boxes for single
// values, a checkable menu for multi-value ones (with All), a line edit for
// textboxes and for ad hoc filters ("job=api, code!=500"). Hidden variables
// (hide = 2) and constants get no control.
class VariableBar : public QWidget
{
    Q_OBJECT
public:
    explicit VariableBar(QWidget *parent = nullptr);

    // Rebuilds the controls from the variables' options and current values.
    void setVariables(const dashboard::VariableSet &variables);
    // Controls by variable name, for tests.
    QWidget *control(const QString &name) const;

    // "job=api, code!=500" -> filters; entries without an operator are skipped.
    static QList<dashboard::AdhocFilter> parseAdhocFilters(const QString &text);
    static QString formatAdhocFilters(const QList<dashboard::AdhocFilter> &filters);

signals:
    void valueChanged(const QString &name, const QStringList &values);
    void adhocFiltersChanged(const QString &name, const QList<spyglass::dashboard::AdhocFilter> &filters);

private:
    QHBoxLayout *m_layout;
    QHash<QString, QWidget *> m_controls;
};

} // namespace spyglass::gui::dashboards
