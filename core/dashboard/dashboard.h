#pragma once

#include "core/model/result.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace spyglass::dashboard {

// Position on Grafana's 24-column grid; y and h are in grid rows (30 px each
// in Grafana).
struct GridPos
{
    int x = 0;
    int y = 0;
    int w = 12;
    int h = 8;
    friend bool operator==(const GridPos &, const GridPos &) = default;
};

// One panel (or row) of a dashboard. The panel's own JSON is kept whole, so
// fields Spyglass does not know about survive a save; the accessors read it.
class Panel
{
public:
    Panel() = default;
    explicit Panel(QJsonObject json);

    const QJsonObject &json() const { return m_json; }
    void setJson(QJsonObject json) { m_json = std::move(json); }

    int id() const;
    QString type() const;
    QString title() const;
    GridPos gridPos() const;
    void setGridPos(const GridPos &pos);
    bool isRow() const { return type() == u"row"; }
    bool isCollapsed() const; // rows only
    // The panel-level datasource reference as written (null, string or object).
    QJsonValue datasource() const { return m_json.value(QLatin1String("datasource")); }
    QJsonArray targets() const { return m_json.value(QLatin1String("targets")).toArray(); }
    QString repeat() const { return m_json.value(QLatin1String("repeat")).toString(); }

    // Panels held inside a collapsed row (Grafana keeps them in the row's
    // "panels" array while collapsed; expanded rows own the panels that
    // follow them in the dashboard's list instead).
    const QList<Panel> &children() const { return m_children; }
    QList<Panel> &children() { return m_children; }

    QJsonObject toJson() const;

private:
    QJsonObject m_json;
    QList<Panel> m_children;
};

// A Grafana dashboard (schemaVersion 16 and later, plus the pre-16 "rows"
// layout) over its original JSON. parse() applies the documented migrations
// (see migrations()); toJson() writes back everything else unchanged, so a
// dashboard Spyglass opened and saved imports into Grafana again.
class Dashboard
{
public:
    static Result<Dashboard> parse(const QByteArray &json, const QString &source = {});
    static Result<Dashboard> fromJson(const QJsonObject &json);
    static Result<Dashboard> load(const QString &path);

    QJsonObject toJson() const;
    QByteArray toJsonBytes() const; // indented, as Grafana exports
    Result<void> save(const QString &path) const;

    QString title() const;
    void setTitle(const QString &title);
    QString uid() const;
    int schemaVersion() const;
    QStringList tags() const;
    QString timeFrom() const; // "now-6h"
    QString timeTo() const;
    void setTime(const QString &from, const QString &to);
    QString refresh() const;  // "" (off), "5s", "1m", ...
    void setRefresh(const QString &refresh);
    QString timezone() const;
    int graphTooltip() const; // 0 default, 1 shared crosshair, 2 shared tooltip
    QJsonArray links() const { return m_json.value(QLatin1String("links")).toArray(); }
    QJsonArray annotations() const;
    // Exported dashboards declare their datasources as inputs ("DS_PROMETHEUS").
    QJsonArray inputs() const { return m_json.value(QLatin1String("__inputs")).toArray(); }

    QJsonArray variablesJson() const;
    void setVariablesJson(const QJsonArray &list);

    // Top level, in JSON order (rows and panels interleaved, as Grafana keeps them).
    const QList<Panel> &panels() const { return m_panels; }
    QList<Panel> &panels() { return m_panels; }
    // Every non-row panel, including those inside collapsed rows.
    QList<Panel> allPanels() const;
    const Panel *findPanel(int id) const;
    bool replacePanel(int id, const Panel &panel);
    bool removePanel(int id);
    // Copies a panel next to itself with a new id; returns the new id or -1.
    int duplicatePanel(int id);
    int nextPanelId() const;

    // Replaces "${DS_X}" placeholders of an exported dashboard's __inputs with
    // the chosen datasource uids (input name -> uid) everywhere in the JSON,
    // and drops the inputs that were resolved, as Grafana's import does.
    void resolveInputs(const QHash<QString, QString> &uidByInput);

    // What parse() changed, one human sentence each ("panel 3: graph -> timeseries").
    const QStringList &migrations() const { return m_migrations; }

private:
    QJsonObject m_json; // everything except "panels"
    QList<Panel> m_panels;
    QStringList m_migrations;
};

// Legacy panel migrations, exposed for tests: returns the migrated panel JSON
// and appends a note per change. Unknown types pass through unchanged.
QJsonObject migratePanel(const QJsonObject &panel, QStringList *notes);

} // namespace spyglass::dashboard
