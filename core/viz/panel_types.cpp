#include "core/viz/panel_types.h"

namespace spyglass::viz {

QStringList supportedPanelTypes()
{
    return {
        QStringLiteral("timeseries"), QStringLiteral("stat"),          QStringLiteral("gauge"),
        QStringLiteral("bargauge"),   QStringLiteral("table"),         QStringLiteral("logs"),
        QStringLiteral("text"),       QStringLiteral("heatmap"),       QStringLiteral("barchart"),
        QStringLiteral("piechart"),   QStringLiteral("state-timeline"), QStringLiteral("status-history"),
        QStringLiteral("histogram"),  QStringLiteral("traces"),        QStringLiteral("flamegraph"),
        QStringLiteral("nodeGraph"),  QStringLiteral("row"),
    };
}

bool isSupportedPanelType(const QString &type)
{
    static const QStringList types = supportedPanelTypes();
    return types.contains(type);
}

} // namespace spyglass::viz
