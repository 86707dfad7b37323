#include "plugins/common/query_options.h"

#include "core/model/time_range.h"

namespace spyglass::plugins::common {

Result<QString> durationOption(const QVariantMap &options, const QString &key)
{
    const QString text = options.value(key).toString().trimmed();
    if (text.isEmpty())
        return QString();
    auto ms = model::parseDuration(text);
    if (!ms)
        return fail(Error::invalid(QStringLiteral("%1 \"%2\" is not a duration: %3").arg(key, text, ms.error().message)));
    return QStringLiteral("%1ms").arg(*ms);
}

} // namespace spyglass::plugins::common
