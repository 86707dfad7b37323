#include "app/gui/logs/derived_fields.h"

#include <algorithm>

namespace spyglass::gui::logs {

DerivedFields::DerivedFields()
    : DerivedFields(QList<DerivedFieldRule>{
          DerivedFieldRule{},
          DerivedFieldRule{QStringLiteral("traceID"), QString(), QStringLiteral("trace_id")}})
{
}

DerivedFields::DerivedFields(const QList<DerivedFieldRule> &rules) : m_rules(rules)
{
    for (const auto &r : rules) {
        if (!r.field.isEmpty()) {
            m_fieldRules.append({r.name, r.field});
            continue;
        }
        QRegularExpression re(r.pattern);
        if (!re.isValid()) {
            m_errors.append(QStringLiteral("derived field %1: invalid regex at offset %2: %3")
                                .arg(r.name)
                                .arg(re.patternErrorOffset())
                                .arg(re.errorString()));
            continue;
        }
        re.optimize();
        m_compiled.append({r.name, re});
    }
}

QList<DerivedLink> DerivedFields::extract(QStringView line) const
{
    QList<DerivedLink> out;
    for (const auto &[name, re] : m_compiled) {
        auto it = re.globalMatch(line);
        while (it.hasNext()) {
            const auto m = it.next();
            const int group = re.captureCount() >= 1 ? 1 : 0;
            if (m.capturedLength(group) == 0)
                continue;
            out.append({name, m.captured(group), m.capturedStart(group), m.capturedLength(group)});
        }
    }
    std::sort(out.begin(), out.end(), [](const DerivedLink &a, const DerivedLink &b) { return a.start < b.start; });
    return out;
}

QList<DerivedLink> DerivedFields::extractFromFields(const model::Labels &fields) const
{
    QList<DerivedLink> out;
    for (const auto &[name, field] : m_fieldRules) {
        const QString v = fields.value(field);
        if (!v.isEmpty())
            out.append({name, v, -1, 0});
    }
    return out;
}

} // namespace spyglass::gui::logs
