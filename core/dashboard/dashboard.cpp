#include "core/dashboard/dashboard.h"

#include <QFile>
#include <QJsonDocument>
#include <QSaveFile>
#include <algorithm>
#include <cmath>

namespace spyglass::dashboard {

namespace {

QString str(const char *s) { return QString::fromLatin1(s); }

double toNumber(const QJsonValue &v, bool *ok)
{
    if (v.isDouble()) {
        *ok = true;
        return v.toDouble();
    }
    if (v.isString()) {
        return v.toString().trimmed().toDouble(ok);
    }
    *ok = false;
    return 0;
}

// Grafana's legacy reducer names (singlestat valueName, graph legend flags).
QString calcFromLegacy(const QString &name)
{
    static const QHash<QString, QString> map{
        {str("avg"), str("mean")},         {str("min"), str("min")},
        {str("max"), str("max")},          {str("total"), str("sum")},
        {str("current"), str("lastNotNull")}, {str("first"), str("firstNotNull")},
        {str("delta"), str("delta")},      {str("diff"), str("diff")},
        {str("range"), str("range")},      {str("last_time"), str("lastNotNull")},
        {str("name"), str("lastNotNull")}, {str("count"), str("count")},
    };
    return map.value(name, str("lastNotNull"));
}

QJsonObject thresholdsFromLegacy(const QString &csv, const QJsonArray &colors)
{
    QJsonArray steps;
    const QStringList parts = csv.split(QLatin1Char(','), Qt::SkipEmptyParts);
    auto color = [&](int i) {
        const QString c = colors.at(i).toString();
        return c.isEmpty() ? (i == 0 ? str("green") : str("red")) : c;
    };
    steps.append(QJsonObject{{str("color"), color(0)}, {str("value"), QJsonValue::Null}});
    for (int i = 0; i < parts.size(); ++i) {
        bool ok = false;
        const double v = parts[i].trimmed().toDouble(&ok);
        if (ok)
            steps.append(QJsonObject{{str("color"), color(i + 1)}, {str("value"), v}});
    }
    return QJsonObject{{str("mode"), str("absolute")}, {str("steps"), steps}};
}

QJsonArray mappingsFromLegacy(const QJsonObject &p)
{
    QJsonArray out;
    for (const QJsonValue &m : p.value(QLatin1String("valueMaps")).toArray()) {
        const QJsonObject o = m.toObject();
        const QString value = o.value(QLatin1String("value")).toVariant().toString();
        if (value == u"null") {
            out.append(QJsonObject{{str("type"), str("special")},
                                   {str("options"), QJsonObject{{str("match"), str("null")},
                                                                {str("result"), QJsonObject{{str("text"), o.value(QLatin1String("text"))}}}}}});
            continue;
        }
        out.append(QJsonObject{
            {str("type"), str("value")},
            {str("options"), QJsonObject{{value, QJsonObject{{str("text"), o.value(QLatin1String("text"))}}}}}});
    }
    for (const QJsonValue &m : p.value(QLatin1String("rangeMaps")).toArray()) {
        const QJsonObject o = m.toObject();
        bool okFrom = false, okTo = false;
        const double from = toNumber(o.value(QLatin1String("from")), &okFrom);
        const double to = toNumber(o.value(QLatin1String("to")), &okTo);
        QJsonObject opts{{str("result"), QJsonObject{{str("text"), o.value(QLatin1String("text"))}}}};
        opts[str("from")] = okFrom ? QJsonValue(from) : QJsonValue::Null;
        opts[str("to")] = okTo ? QJsonValue(to) : QJsonValue::Null;
        out.append(QJsonObject{{str("type"), str("range")}, {str("options"), opts}});
    }
    return out;
}

void removeKeys(QJsonObject &o, std::initializer_list<const char *> keys)
{
    for (const char *k : keys)
        o.remove(QLatin1String(k));
}

QJsonObject fieldDefaults(const QJsonObject &panel)
{
    return panel.value(QLatin1String("fieldConfig")).toObject().value(QLatin1String("defaults")).toObject();
}

void setFieldConfig(QJsonObject &panel, const QJsonObject &defaults, const QJsonArray &overrides)
{
    QJsonObject fc = panel.value(QLatin1String("fieldConfig")).toObject();
    fc[str("defaults")] = defaults;
    QJsonArray merged = fc.value(QLatin1String("overrides")).toArray();
    for (const QJsonValue &v : overrides)
        merged.append(v);
    fc[str("overrides")] = merged;
    panel[str("fieldConfig")] = fc;
}

QJsonObject matcherFor(const QString &alias)
{
    if (alias.size() > 2 && alias.startsWith(QLatin1Char('/')) && alias.endsWith(QLatin1Char('/')))
        return QJsonObject{{str("id"), str("byRegexp")}, {str("options"), alias.mid(1, alias.size() - 2)}};
    return QJsonObject{{str("id"), str("byName")}, {str("options"), alias}};
}

QJsonObject property(const QString &id, const QJsonValue &value)
{
    return QJsonObject{{str("id"), id}, {str("value"), value}};
}

QJsonObject migrateGraph(QJsonObject p, QStringList *notes)
{
    QJsonObject defaults = fieldDefaults(p);
    QJsonObject custom = defaults.value(QLatin1String("custom")).toObject();
    const bool bars = p.value(QLatin1String("bars")).toBool(false);
    const bool lines = p.value(QLatin1String("lines")).toBool(true);
    const bool points = p.value(QLatin1String("points")).toBool(false);
    custom[str("drawStyle")] = bars ? str("bars") : (!lines && points ? str("points") : str("line"));
    custom[str("showPoints")] = points ? str("always") : str("never");
    custom[str("lineWidth")] = p.value(QLatin1String("linewidth")).toInt(1);
    custom[str("fillOpacity")] = p.value(QLatin1String("fill")).toInt(1) * 10;
    if (p.contains(QLatin1String("pointradius")))
        custom[str("pointSize")] = p.value(QLatin1String("pointradius")).toDouble(2) * 2 + 1;
    custom[str("lineInterpolation")] = p.value(QLatin1String("steppedLine")).toBool() ? str("stepAfter") : str("linear");
    custom[str("spanNulls")] = p.value(QLatin1String("nullPointMode")).toString() == u"connected";
    const bool stack = p.value(QLatin1String("stack")).toBool(false);
    const bool percent = p.value(QLatin1String("percentage")).toBool(false);
    custom[str("stacking")] = QJsonObject{{str("mode"), stack ? (percent ? str("percent") : str("normal")) : str("none")},
                                          {str("group"), str("A")}};
    const QJsonArray yaxes = p.value(QLatin1String("yaxes")).toArray();
    if (!yaxes.isEmpty()) {
        const QJsonObject y = yaxes.at(0).toObject();
        const QString format = y.value(QLatin1String("format")).toString();
        if (!format.isEmpty() && !defaults.contains(QLatin1String("unit")))
            defaults[str("unit")] = format;
        bool ok = false;
        double v = toNumber(y.value(QLatin1String("min")), &ok);
        if (ok)
            defaults[str("min")] = v;
        v = toNumber(y.value(QLatin1String("max")), &ok);
        if (ok)
            defaults[str("max")] = v;
        if (!y.value(QLatin1String("decimals")).isNull() && y.contains(QLatin1String("decimals")))
            defaults[str("decimals")] = y.value(QLatin1String("decimals"));
        if (!y.value(QLatin1String("show")).toBool(true))
            custom[str("axisPlacement")] = str("hidden");
        if (y.value(QLatin1String("logBase")).toInt(1) > 1)
            custom[str("scaleDistribution")] = QJsonObject{{str("type"), str("log")},
                                                           {str("log"), y.value(QLatin1String("logBase")).toInt()}};
    }
    if (p.contains(QLatin1String("decimals")) && !p.value(QLatin1String("decimals")).isNull())
        defaults[str("decimals")] = p.value(QLatin1String("decimals"));
    const QJsonArray legacyThresholds = p.value(QLatin1String("thresholds")).toArray();
    if (!legacyThresholds.isEmpty()) {
        QJsonArray steps{QJsonObject{{str("color"), str("transparent")}, {str("value"), QJsonValue::Null}}};
        for (const QJsonValue &t : legacyThresholds) {
            const QJsonObject o = t.toObject();
            const QString op = o.value(QLatin1String("op")).toString();
            const QString colorMode = o.value(QLatin1String("colorMode")).toString();
            const QString color = colorMode == u"critical" ? str("red")
                                  : colorMode == u"warning" ? str("orange")
                                  : colorMode == u"ok"      ? str("green")
                                                            : o.value(QLatin1String("lineColor")).toString(str("red"));
            if (op == u"gt")
                steps.append(QJsonObject{{str("color"), color}, {str("value"), o.value(QLatin1String("value")).toDouble()}});
        }
        defaults[str("thresholds")] = QJsonObject{{str("mode"), str("absolute")}, {str("steps"), steps}};
        custom[str("thresholdsStyle")] = QJsonObject{{str("mode"), str("line")}};
    }
    defaults[str("custom")] = custom;

    QJsonArray overrides;
    const QJsonObject aliasColors = p.value(QLatin1String("aliasColors")).toObject();
    for (auto it = aliasColors.begin(); it != aliasColors.end(); ++it)
        overrides.append(QJsonObject{
            {str("matcher"), matcherFor(it.key())},
            {str("properties"), QJsonArray{property(str("color"), QJsonObject{{str("mode"), str("fixed")},
                                                                               {str("fixedColor"), it.value()}})}}});
    for (const QJsonValue &sv : p.value(QLatin1String("seriesOverrides")).toArray()) {
        const QJsonObject s = sv.toObject();
        QJsonArray props;
        if (s.contains(QLatin1String("color")))
            props.append(property(str("color"), QJsonObject{{str("mode"), str("fixed")}, {str("fixedColor"), s.value(QLatin1String("color"))}}));
        if (s.value(QLatin1String("yaxis")).toInt() == 2)
            props.append(property(str("custom.axisPlacement"), str("right")));
        if (s.contains(QLatin1String("fill")))
            props.append(property(str("custom.fillOpacity"), s.value(QLatin1String("fill")).toInt() * 10));
        if (s.contains(QLatin1String("linewidth")))
            props.append(property(str("custom.lineWidth"), s.value(QLatin1String("linewidth")).toInt()));
        if (s.contains(QLatin1String("bars")) && s.value(QLatin1String("bars")).toBool())
            props.append(property(str("custom.drawStyle"), str("bars")));
        if (s.contains(QLatin1String("points")) && s.value(QLatin1String("points")).toBool())
            props.append(property(str("custom.drawStyle"), str("points")));
        if (s.contains(QLatin1String("stack")) && !s.value(QLatin1String("stack")).toBool())
            props.append(property(str("custom.stacking"), QJsonObject{{str("mode"), str("none")}, {str("group"), str("A")}}));
        if (s.value(QLatin1String("transform")).toString() == u"negative-Y")
            props.append(property(str("custom.transform"), str("negative-Y")));
        if (s.contains(QLatin1String("legend")) && !s.value(QLatin1String("legend")).toBool())
            props.append(property(str("custom.hideFrom"), QJsonObject{{str("legend"), true}, {str("tooltip"), false}, {str("viz"), false}}));
        if (!props.isEmpty())
            overrides.append(QJsonObject{{str("matcher"), matcherFor(s.value(QLatin1String("alias")).toString())},
                                         {str("properties"), props}});
    }
    setFieldConfig(p, defaults, overrides);

    QJsonObject options = p.value(QLatin1String("options")).toObject();
    const QJsonObject legend = p.value(QLatin1String("legend")).toObject();
    QJsonArray calcs;
    for (const char *k : {"avg", "min", "max", "current", "total"})
        if (legend.value(QLatin1String(k)).toBool())
            calcs.append(calcFromLegacy(QLatin1String(k)));
    options[str("legend")] = QJsonObject{
        {str("showLegend"), legend.value(QLatin1String("show")).toBool(true)},
        {str("displayMode"), legend.value(QLatin1String("alignAsTable")).toBool() ? str("table") : str("list")},
        {str("placement"), legend.value(QLatin1String("rightSide")).toBool() ? str("right") : str("bottom")},
        {str("calcs"), calcs}};
    const QJsonObject tooltip = p.value(QLatin1String("tooltip")).toObject();
    const int sort = tooltip.value(QLatin1String("sort")).toInt(0);
    options[str("tooltip")] = QJsonObject{
        {str("mode"), tooltip.value(QLatin1String("shared")).toBool(true) ? str("multi") : str("single")},
        {str("sort"), sort == 1 ? str("asc") : sort == 2 ? str("desc") : str("none")}};
    p[str("options")] = options;
    removeKeys(p, {"bars", "lines", "points", "linewidth", "fill", "fillGradient", "pointradius", "steppedLine",
                   "nullPointMode", "stack", "percentage", "yaxes", "xaxis", "yaxis", "thresholds", "legend",
                   "tooltip", "aliasColors", "seriesOverrides", "renderer", "dashes", "dashLength", "spaceLength",
                   "decimals", "timeRegions", "hiddenSeries", "lines"});
    p[str("type")] = str("timeseries");
    notes->append(str("graph -> timeseries"));
    return p;
}

QJsonObject migrateSinglestat(QJsonObject p, QStringList *notes)
{
    QJsonObject defaults = fieldDefaults(p);
    const QString format = p.value(QLatin1String("format")).toString();
    if (!format.isEmpty() && format != u"none")
        defaults[str("unit")] = format;
    else if (format == u"none")
        defaults[str("unit")] = str("none");
    if (p.contains(QLatin1String("decimals")) && !p.value(QLatin1String("decimals")).isNull())
        defaults[str("decimals")] = p.value(QLatin1String("decimals"));
    defaults[str("thresholds")] = thresholdsFromLegacy(p.value(QLatin1String("thresholds")).toString(),
                                                      p.value(QLatin1String("colors")).toArray());
    const QJsonArray mappings = mappingsFromLegacy(p);
    if (!mappings.isEmpty())
        defaults[str("mappings")] = mappings;
    const QJsonObject gauge = p.value(QLatin1String("gauge")).toObject();
    const bool isGauge = gauge.value(QLatin1String("show")).toBool(false);
    if (isGauge) {
        defaults[str("min")] = gauge.value(QLatin1String("minValue")).toDouble(0);
        defaults[str("max")] = gauge.value(QLatin1String("maxValue")).toDouble(100);
    }
    setFieldConfig(p, defaults, {});

    QJsonObject options = p.value(QLatin1String("options")).toObject();
    const QString valueName = p.value(QLatin1String("valueName")).toString(str("avg"));
    options[str("reduceOptions")] = QJsonObject{{str("calcs"), QJsonArray{calcFromLegacy(valueName)}},
                                                {str("fields"), str("")},
                                                {str("values"), false}};
    if (isGauge) {
        options[str("showThresholdMarkers")] = gauge.value(QLatin1String("thresholdMarkers")).toBool(true);
        options[str("showThresholdLabels")] = gauge.value(QLatin1String("thresholdLabels")).toBool(false);
    } else {
        const bool bg = p.value(QLatin1String("colorBackground")).toBool(false);
        const bool val = p.value(QLatin1String("colorValue")).toBool(false);
        options[str("colorMode")] = bg ? str("background") : val ? str("value") : str("none");
        options[str("graphMode")] = p.value(QLatin1String("sparkline")).toObject().value(QLatin1String("show")).toBool()
                                        ? str("area")
                                        : str("none");
        options[str("textMode")] = str("auto");
        options[str("justifyMode")] = str("auto");
        options[str("orientation")] = str("horizontal");
    }
    p[str("options")] = options;
    removeKeys(p, {"format", "valueName", "thresholds", "colors", "colorBackground", "colorValue", "sparkline",
                   "valueMaps", "rangeMaps", "mappingType", "mappingTypes", "gauge", "prefix", "postfix",
                   "prefixFontSize", "valueFontSize", "postfixFontSize", "nullPointMode", "nullText",
                   "tableColumn", "colorPrefix", "colorPostfix", "decimals"});
    p[str("type")] = isGauge ? str("gauge") : str("stat");
    notes->append(isGauge ? str("singlestat -> gauge") : str("singlestat -> stat"));
    return p;
}

QJsonObject migrateTableOld(QJsonObject p, QStringList *notes)
{
    QJsonObject defaults = fieldDefaults(p);
    QJsonArray overrides;
    for (const QJsonValue &sv : p.value(QLatin1String("styles")).toArray()) {
        const QJsonObject s = sv.toObject();
        const QString pattern = s.value(QLatin1String("pattern")).toString();
        QJsonArray props;
        if (s.contains(QLatin1String("unit")))
            props.append(property(str("unit"), s.value(QLatin1String("unit"))));
        if (s.contains(QLatin1String("decimals")) && !s.value(QLatin1String("decimals")).isNull())
            props.append(property(str("decimals"), s.value(QLatin1String("decimals"))));
        if (s.value(QLatin1String("type")).toString() == u"hidden")
            props.append(property(str("custom.hidden"), true));
        if (s.contains(QLatin1String("alias")) && !s.value(QLatin1String("alias")).toString().isEmpty())
            props.append(property(str("displayName"), s.value(QLatin1String("alias"))));
        if (props.isEmpty())
            continue;
        if (pattern == u"/.*/") {
            for (const QJsonValue &prop : props)
                defaults[prop.toObject().value(QLatin1String("id")).toString()] = prop.toObject().value(QLatin1String("value"));
            continue;
        }
        const bool regex = pattern.startsWith(QLatin1Char('/'));
        overrides.append(QJsonObject{{str("matcher"), regex ? matcherFor(pattern) : matcherFor(pattern)},
                                     {str("properties"), props}});
    }
    setFieldConfig(p, defaults, overrides);
    QJsonObject options = p.value(QLatin1String("options")).toObject();
    options[str("showHeader")] = true;
    p[str("options")] = options;
    removeKeys(p, {"styles", "columns", "transform", "fontSize", "sort", "scroll", "showHeader"});
    p[str("type")] = str("table");
    notes->append(str("table-old -> table"));
    return p;
}

QJsonObject migratePiechart(QJsonObject p, QStringList *notes)
{
    QJsonObject defaults = fieldDefaults(p);
    const QString format = p.value(QLatin1String("format")).toString();
    if (!format.isEmpty())
        defaults[str("unit")] = format;
    setFieldConfig(p, defaults, {});
    QJsonObject options = p.value(QLatin1String("options")).toObject();
    options[str("pieType")] = p.value(QLatin1String("pieType")).toString() == u"donut" ? str("donut") : str("pie");
    options[str("reduceOptions")] = QJsonObject{
        {str("calcs"), QJsonArray{calcFromLegacy(p.value(QLatin1String("valueName")).toString(str("current")))}},
        {str("fields"), str("")},
        {str("values"), false}};
    const QJsonObject legend = p.value(QLatin1String("legend")).toObject();
    options[str("legend")] = QJsonObject{{str("showLegend"), p.value(QLatin1String("legendType")).toString() != u"Under graph" ? true : true},
                                         {str("displayMode"), str("list")},
                                         {str("placement"), str("right")},
                                         {str("values"), legend.value(QLatin1String("values")).toBool() ? QJsonArray{str("value")} : QJsonArray{}}};
    p[str("options")] = options;
    removeKeys(p, {"pieType", "valueName", "format", "legend", "legendType", "aliasColors", "combine", "fontSize",
                   "strokeWidth", "breakPoint", "nullPointMode"});
    p[str("type")] = str("piechart");
    notes->append(str("grafana-piechart-panel -> piechart"));
    return p;
}

} // namespace

QJsonObject migratePanel(const QJsonObject &panel, QStringList *notes)
{
    const QString type = panel.value(QLatin1String("type")).toString();
    QStringList local;
    QJsonObject out = panel;
    if (type == u"graph")
        out = migrateGraph(panel, &local);
    else if (type == u"singlestat" || type == u"grafana-singlestat-panel")
        out = migrateSinglestat(panel, &local);
    else if (type == u"table-old")
        out = migrateTableOld(panel, &local);
    else if (type == u"grafana-piechart-panel")
        out = migratePiechart(panel, &local);
    if (notes) {
        const QString who = QStringLiteral("panel %1 \"%2\"")
                                .arg(panel.value(QLatin1String("id")).toInt())
                                .arg(panel.value(QLatin1String("title")).toString());
        for (const QString &n : local)
            notes->append(who + QStringLiteral(": ") + n);
    }
    return out;
}

// ---------------------------------------------------------------- Panel

Panel::Panel(QJsonObject json) : m_json(std::move(json))
{
    const QJsonValue children = m_json.value(QLatin1String("panels"));
    if (children.isArray() && isRow()) {
        for (const QJsonValue &c : children.toArray())
            m_children.append(Panel(c.toObject()));
        m_json.remove(QLatin1String("panels"));
        m_json.insert(QLatin1String("panels"), QJsonArray()); // remembers the key existed
    }
}

int Panel::id() const { return m_json.value(QLatin1String("id")).toInt(-1); }
QString Panel::type() const { return m_json.value(QLatin1String("type")).toString(); }
QString Panel::title() const { return m_json.value(QLatin1String("title")).toString(); }
bool Panel::isCollapsed() const { return m_json.value(QLatin1String("collapsed")).toBool(false); }

GridPos Panel::gridPos() const
{
    const QJsonObject g = m_json.value(QLatin1String("gridPos")).toObject();
    GridPos p;
    p.x = g.value(QLatin1String("x")).toInt(0);
    p.y = g.value(QLatin1String("y")).toInt(0);
    p.w = g.value(QLatin1String("w")).toInt(isRow() ? 24 : 12);
    p.h = g.value(QLatin1String("h")).toInt(isRow() ? 1 : 8);
    return p;
}

void Panel::setGridPos(const GridPos &pos)
{
    QJsonObject g = m_json.value(QLatin1String("gridPos")).toObject();
    g[str("x")] = pos.x;
    g[str("y")] = pos.y;
    g[str("w")] = pos.w;
    g[str("h")] = pos.h;
    m_json[str("gridPos")] = g;
}

QJsonObject Panel::toJson() const
{
    QJsonObject o = m_json;
    if (o.contains(QLatin1String("panels")) || !m_children.isEmpty()) {
        QJsonArray arr;
        for (const Panel &c : m_children)
            arr.append(c.toJson());
        o[str("panels")] = arr;
    }
    return o;
}

// ---------------------------------------------------------------- Dashboard

Result<Dashboard> Dashboard::parse(const QByteArray &json, const QString &source)
{
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &err);
    if (err.error != QJsonParseError::NoError) {
        // Offset -> line/column so the user can find the mistake.
        int line = 1, col = 1;
        for (int i = 0; i < err.offset && i < json.size(); ++i) {
            if (json[i] == '\n') {
                ++line;
                col = 1;
            } else {
                ++col;
            }
        }
        return fail(Error::at(source, line, col, QStringLiteral("not valid JSON: %1").arg(err.errorString())));
    }
    if (!doc.isObject())
        return fail(Error::at(source, 1, 1, QStringLiteral("a dashboard must be a JSON object")));
    QJsonObject root = doc.object();
    // Grafana's API and "export for sharing with meta" wrap the model.
    if (root.contains(QLatin1String("dashboard")) && root.value(QLatin1String("dashboard")).isObject() &&
        !root.contains(QLatin1String("panels")))
        root = root.value(QLatin1String("dashboard")).toObject();
    auto d = fromJson(root);
    if (!d) {
        Error e = d.error();
        e.source = source;
        return fail(e);
    }
    return d;
}

Result<Dashboard> Dashboard::fromJson(const QJsonObject &root)
{
    if (!root.contains(QLatin1String("panels")) && !root.contains(QLatin1String("rows")))
        return fail(Error::badData(QStringLiteral("not a Grafana dashboard: it has neither \"panels\" nor \"rows\"")));
    if (root.contains(QLatin1String("panels")) && !root.value(QLatin1String("panels")).isArray())
        return fail(Error::badData(QStringLiteral("\"panels\" must be an array")));
    const QJsonValue templating = root.value(QLatin1String("templating"));
    if (!templating.isUndefined() && !templating.isObject())
        return fail(Error::badData(QStringLiteral("\"templating\" must be an object with a \"list\"")));

    Dashboard d;
    d.m_json = root;
    d.m_json.remove(QLatin1String("panels"));
    QJsonArray panels = root.value(QLatin1String("panels")).toArray();

    // Before schema 16 panels lived in "rows" sized by "span" (12 columns)
    // and pixel heights; convert them to the grid as Grafana's migrator does.
    if (root.contains(QLatin1String("rows"))) {
        const QJsonArray rows = root.value(QLatin1String("rows")).toArray();
        int y = 0;
        const bool showRows = rows.size() > 1;
        for (const QJsonValue &rv : rows) {
            const QJsonObject row = rv.toObject();
            const QString heightText = row.value(QLatin1String("height")).toVariant().toString();
            const int heightPx = QString(heightText).remove(QStringLiteral("px")).toInt();
            const int h = std::max(1, int(std::ceil((heightPx > 0 ? heightPx : 250) / 30.0)));
            const bool collapsed = row.value(QLatin1String("collapse")).toBool(false);
            QJsonArray children;
            QJsonObject rowPanel;
            if (showRows || row.value(QLatin1String("showTitle")).toBool(false)) {
                rowPanel = QJsonObject{{str("type"), str("row")},
                                       {str("title"), row.value(QLatin1String("title")).toString()},
                                       {str("collapsed"), collapsed},
                                       {str("gridPos"), QJsonObject{{str("x"), 0}, {str("y"), y}, {str("w"), 24}, {str("h"), 1}}}};
                if (row.contains(QLatin1String("repeat")))
                    rowPanel[str("repeat")] = row.value(QLatin1String("repeat"));
                ++y;
            }
            int x = 0;
            int rowY = y;
            for (const QJsonValue &pv : row.value(QLatin1String("panels")).toArray()) {
                QJsonObject p = pv.toObject();
                const int w = std::clamp(int(std::lround(p.value(QLatin1String("span")).toDouble(12) * 2)), 1, 24);
                if (x + w > 24) {
                    x = 0;
                    rowY += h;
                }
                p[str("gridPos")] = QJsonObject{{str("x"), x}, {str("y"), rowY}, {str("w"), w}, {str("h"), h}};
                p.remove(QLatin1String("span"));
                x += w;
                if (collapsed && !rowPanel.isEmpty())
                    children.append(p);
                else
                    panels.append(p);
            }
            if (!rowPanel.isEmpty()) {
                rowPanel[str("panels")] = children;
                // The row goes before its panels.
                const qsizetype insertAt = panels.size() - (collapsed ? 0 : row.value(QLatin1String("panels")).toArray().size());
                panels.insert(insertAt, rowPanel);
            }
            y = collapsed ? y : rowY + h;
        }
        d.m_json.remove(QLatin1String("rows"));
        d.m_migrations.append(QStringLiteral("rows (schemaVersion < 16) -> panels on the 24-column grid"));
    }

    int maxId = 0;
    for (const QJsonValue &v : panels) {
        maxId = std::max(maxId, v.toObject().value(QLatin1String("id")).toInt());
        for (const QJsonValue &c : v.toObject().value(QLatin1String("panels")).toArray())
            maxId = std::max(maxId, c.toObject().value(QLatin1String("id")).toInt());
    }
    auto adopt = [&](QJsonObject p) {
        p = migratePanel(p, &d.m_migrations);
        // Every panel needs an id to be addressed (Grafana assigns them too).
        if (!p.contains(QLatin1String("id")))
            p[str("id")] = ++maxId;
        return p;
    };
    for (const QJsonValue &v : panels) {
        if (!v.isObject())
            return fail(Error::badData(QStringLiteral("every entry of \"panels\" must be an object")));
        QJsonObject p = adopt(v.toObject());
        if (p.value(QLatin1String("type")).toString() == u"row" && p.value(QLatin1String("panels")).isArray()) {
            QJsonArray kids;
            for (const QJsonValue &c : p.value(QLatin1String("panels")).toArray())
                kids.append(adopt(c.toObject()));
            p[str("panels")] = kids;
        }
        d.m_panels.append(Panel(p));
    }
    return d;
}

Result<Dashboard> Dashboard::load(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return fail(Error::io(QStringLiteral("cannot read %1: %2").arg(path, f.errorString())));
    return parse(f.readAll(), path);
}

QJsonObject Dashboard::toJson() const
{
    QJsonObject o = m_json;
    QJsonArray arr;
    for (const Panel &p : m_panels)
        arr.append(p.toJson());
    o[str("panels")] = arr;
    return o;
}

QByteArray Dashboard::toJsonBytes() const { return QJsonDocument(toJson()).toJson(QJsonDocument::Indented); }

Result<void> Dashboard::save(const QString &path) const
{
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return fail(Error::io(QStringLiteral("cannot write %1: %2").arg(path, f.errorString())));
    f.write(toJsonBytes());
    if (!f.commit())
        return fail(Error::io(QStringLiteral("cannot write %1: %2").arg(path, f.errorString())));
    return {};
}

QString Dashboard::title() const { return m_json.value(QLatin1String("title")).toString(); }
void Dashboard::setTitle(const QString &title) { m_json[str("title")] = title; }
QString Dashboard::uid() const { return m_json.value(QLatin1String("uid")).toString(); }
int Dashboard::schemaVersion() const { return m_json.value(QLatin1String("schemaVersion")).toInt(0); }

QStringList Dashboard::tags() const
{
    QStringList out;
    for (const QJsonValue &v : m_json.value(QLatin1String("tags")).toArray())
        out.append(v.toString());
    return out;
}

QString Dashboard::timeFrom() const
{
    return m_json.value(QLatin1String("time")).toObject().value(QLatin1String("from")).toString(str("now-6h"));
}
QString Dashboard::timeTo() const
{
    return m_json.value(QLatin1String("time")).toObject().value(QLatin1String("to")).toString(str("now"));
}
void Dashboard::setTime(const QString &from, const QString &to)
{
    m_json[str("time")] = QJsonObject{{str("from"), from}, {str("to"), to}};
}
QString Dashboard::refresh() const
{
    const QJsonValue r = m_json.value(QLatin1String("refresh"));
    return r.isString() ? r.toString() : QString(); // Grafana writes `false` for off
}
void Dashboard::setRefresh(const QString &refresh) { m_json[str("refresh")] = refresh; }
QString Dashboard::timezone() const { return m_json.value(QLatin1String("timezone")).toString(); }
int Dashboard::graphTooltip() const { return m_json.value(QLatin1String("graphTooltip")).toInt(0); }
QJsonArray Dashboard::annotations() const
{
    return m_json.value(QLatin1String("annotations")).toObject().value(QLatin1String("list")).toArray();
}

QJsonArray Dashboard::variablesJson() const
{
    return m_json.value(QLatin1String("templating")).toObject().value(QLatin1String("list")).toArray();
}

void Dashboard::setVariablesJson(const QJsonArray &list)
{
    QJsonObject t = m_json.value(QLatin1String("templating")).toObject();
    t[str("list")] = list;
    m_json[str("templating")] = t;
}

QList<Panel> Dashboard::allPanels() const
{
    QList<Panel> out;
    for (const Panel &p : m_panels) {
        if (!p.isRow())
            out.append(p);
        for (const Panel &c : p.children())
            if (!c.isRow())
                out.append(c);
    }
    return out;
}

const Panel *Dashboard::findPanel(int id) const
{
    for (const Panel &p : m_panels) {
        if (p.id() == id)
            return &p;
        for (const Panel &c : p.children())
            if (c.id() == id)
                return &c;
    }
    return nullptr;
}

bool Dashboard::replacePanel(int id, const Panel &panel)
{
    for (Panel &p : m_panels) {
        if (p.id() == id) {
            QList<Panel> kids = p.children();
            p = panel;
            if (p.children().isEmpty())
                p.children() = kids;
            return true;
        }
        for (Panel &c : p.children())
            if (c.id() == id) {
                c = panel;
                return true;
            }
    }
    return false;
}

bool Dashboard::removePanel(int id)
{
    for (qsizetype i = 0; i < m_panels.size(); ++i) {
        if (m_panels[i].id() == id) {
            m_panels.removeAt(i);
            return true;
        }
        QList<Panel> &kids = m_panels[i].children();
        for (qsizetype j = 0; j < kids.size(); ++j)
            if (kids[j].id() == id) {
                kids.removeAt(j);
                return true;
            }
    }
    return false;
}

int Dashboard::nextPanelId() const
{
    int maxId = 0;
    for (const Panel &p : m_panels) {
        maxId = std::max(maxId, p.id());
        for (const Panel &c : p.children())
            maxId = std::max(maxId, c.id());
    }
    return maxId + 1;
}

int Dashboard::duplicatePanel(int id)
{
    const int newId = nextPanelId();
    auto copyOf = [&](const Panel &src) {
        QJsonObject j = src.toJson();
        j[str("id")] = newId;
        Panel copy(j);
        GridPos g = src.gridPos();
        if (g.x + 2 * g.w <= 24)
            g.x += g.w;
        else
            g.y += g.h;
        copy.setGridPos(g);
        return copy;
    };
    for (qsizetype i = 0; i < m_panels.size(); ++i) {
        if (m_panels[i].id() == id && !m_panels[i].isRow()) {
            m_panels.insert(i + 1, copyOf(m_panels[i]));
            return newId;
        }
        QList<Panel> &kids = m_panels[i].children();
        for (qsizetype j = 0; j < kids.size(); ++j)
            if (kids[j].id() == id) {
                kids.insert(j + 1, copyOf(kids[j]));
                return newId;
            }
    }
    return -1;
}

namespace {

QJsonValue replaceInputs(const QJsonValue &v, const QHash<QString, QString> &uidByInput)
{
    if (v.isString()) {
        QString s = v.toString();
        if (!s.contains(QLatin1Char('$')))
            return v;
        for (auto it = uidByInput.begin(); it != uidByInput.end(); ++it) {
            s.replace(QStringLiteral("${") + it.key() + QLatin1Char('}'), it.value());
            s.replace(QStringLiteral("[[") + it.key() + QStringLiteral("]]"), it.value());
        }
        return s;
    }
    if (v.isArray()) {
        QJsonArray out;
        for (const QJsonValue &e : v.toArray())
            out.append(replaceInputs(e, uidByInput));
        return out;
    }
    if (v.isObject()) {
        QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it)
            it.value() = replaceInputs(it.value(), uidByInput);
        return o;
    }
    return v;
}

} // namespace

void Dashboard::resolveInputs(const QHash<QString, QString> &uidByInput)
{
    QJsonObject all = toJson();
    QJsonArray remaining;
    for (const QJsonValue &in : all.value(QLatin1String("__inputs")).toArray())
        if (!uidByInput.contains(in.toObject().value(QLatin1String("name")).toString()))
            remaining.append(in);
    all.remove(QLatin1String("__inputs"));
    all = replaceInputs(all, uidByInput).toObject();
    if (!remaining.isEmpty())
        all[str("__inputs")] = remaining;
    const QStringList notes = m_migrations;
    auto again = fromJson(all);
    if (again) {
        *this = std::move(*again);
        m_migrations = notes;
    }
}

} // namespace spyglass::dashboard
