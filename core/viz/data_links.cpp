#include "core/viz/data_links.h"

#include <QRegularExpression>
#include <QUrl>

namespace spyglass::viz {

namespace {

QString cell(const model::Field &field, qsizetype row)
{
    if (row < 0 || row >= field.size())
        return {};
    // Links carry raw Unix ms, as Grafana's do, so they can feed from/to.
    if (field.type() == model::FieldType::Time)
        return QString::number(field.int64s().at(row));
    return field.displayValue(row);
}

std::optional<QString> resolve(const QString &name, const DataLinkContext &ctx)
{
    const model::Field *field = ctx.field;
    if (name == u"__value.raw" || name == u"__value.text" || name == u"__value.numeric")
        return field ? cell(*field, ctx.row) : QString();
    if (name == u"__value.time") {
        if (!ctx.frame)
            return QString();
        const model::Field *t = ctx.frame->firstOfType(model::FieldType::Time);
        return t ? cell(*t, ctx.row) : QString();
    }
    if (name == u"__field.name")
        return field ? field->name() : QString();
    if (name == u"__field.displayName" || name == u"__series.name")
        return ctx.fieldDisplayName.isEmpty() && field ? field->name() : ctx.fieldDisplayName;
    if (name == u"__field.labels")
        return field ? field->seriesLabels().withoutMetricName().toString() : QString();
    if (name.startsWith(u"__field.labels."))
        return field ? field->seriesLabels().value(name.mid(15)) : QString();
    if (name.startsWith(u"__data.fields")) {
        if (!ctx.frame)
            return QString();
        QString key = name.mid(13);
        const model::Field *other = nullptr;
        if (key.startsWith(u'[') && key.endsWith(u']')) {
            key = key.mid(1, key.size() - 2);
            bool ok = false;
            const int i = key.toInt(&ok);
            if (ok && i >= 0 && i < ctx.frame->fields().size())
                other = &ctx.frame->fields().at(i);
            else if (key.size() >= 2 && (key.front() == u'"' || key.front() == u'\''))
                other = ctx.frame->field(QStringView(key).mid(1, key.size() - 2));
        } else if (key.startsWith(u'.')) {
            other = ctx.frame->field(QStringView(key).mid(1));
        }
        return other ? cell(*other, ctx.row) : QString();
    }
    return std::nullopt;
}

} // namespace

QString interpolateDataLink(const QString &url, const DataLinkContext &ctx)
{
    static const QRegularExpression var(QStringLiteral(R"(\$\{(__[^}:]+)(?::([a-z]+))?\})"));
    QString out;
    qsizetype last = 0;
    for (auto it = var.globalMatch(url); it.hasNext();) {
        const auto m = it.next();
        out += QStringView(url).mid(last, m.capturedStart() - last);
        last = m.capturedEnd();
        auto value = resolve(m.captured(1), ctx);
        if (!value) {
            out += m.captured(0);
            continue;
        }
        if (m.captured(2) == u"percentencode")
            out += QString::fromLatin1(QUrl::toPercentEncoding(*value));
        else
            out += *value;
    }
    out += QStringView(url).mid(last);
    return out;
}

} // namespace spyglass::viz
