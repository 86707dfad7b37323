#include "core/dashboard/dashboard_check.h"

#include "core/viz/panel_types.h"

namespace spyglass::dashboard {

namespace {

PanelCheck checkPanel(const Dashboard &d, const Panel &p, const QString &row, const DatasourceMapper *mapper,
                      const VariableSet *vars)
{
    PanelCheck c;
    c.id = p.id();
    c.title = p.title();
    c.type = p.type();
    c.rowTitle = row;
    const DatasourceRef ref = DatasourceRef::fromJson(p.datasource());
    c.datasource = ref.displayText();
    c.supported = viz::isSupportedPanelType(c.type);
    if (c.type.isEmpty())
        c.reason = QStringLiteral("the panel has no type");
    else if (!c.supported)
        c.reason = QStringLiteral("unsupported panel type \"%1\"").arg(c.type);
    else
        c.reason = QStringLiteral("supported");
    const QString prefix = QStringLiteral("panel %1 ").arg(p.id());
    for (const QString &m : d.migrations())
        if (m.startsWith(prefix))
            c.reason += QStringLiteral(" (migrated: %1)").arg(m.mid(m.lastIndexOf(QStringLiteral(": ")) + 2));
    if (mapper && c.supported && c.type != u"text") {
        const DatasourceResolution r = mapper->resolve(p.datasource(), vars);
        if (r.state == DatasourceResolution::State::Resolved)
            c.datasource += QStringLiteral(" -> %1").arg(r.settings.uid);
        else if (r.state == DatasourceResolution::State::Unmatched)
            c.reason += QStringLiteral("; datasource: %1").arg(r.message);
    }
    return c;
}

} // namespace

QList<PanelCheck> checkDashboard(const Dashboard &dashboard, const DatasourceMapper *mapper)
{
    auto vars = VariableSet::fromJson(dashboard.variablesJson());
    const VariableSet *v = vars ? &*vars : nullptr;
    QList<PanelCheck> out;
    QString row;
    for (const Panel &p : dashboard.panels()) {
        if (p.isRow()) {
            row = p.title();
            for (const Panel &c : p.children())
                out.append(checkPanel(dashboard, c, row, mapper, v));
            continue;
        }
        out.append(checkPanel(dashboard, p, row, mapper, v));
    }
    return out;
}

} // namespace spyglass::dashboard
