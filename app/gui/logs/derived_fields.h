#pragma once

#include "core/model/labels.h"

#include <QList>
#include <QRegularExpression>
#include <QString>
#include <QStringView>

namespace spyglass::gui::logs {

// Grafana's derived field: a regex over the line whose first capture group
// becomes a link. The only internal target today is the trace view.
struct DerivedFieldRule
{
    QString name = QStringLiteral("traceID");
    QString pattern = QStringLiteral(R"(traceI[dD]=(\w+))");
    // When set, the rule takes the value of this label / metadata / parsed
    // field instead of matching the line (Grafana's "label" matcher type):
    // OTLP logs carry the trace id as structured metadata `trace_id`.
    QString field;
};

// One link found in a line: [start, start + length) is the captured value's
// position in the line (what gets underlined).
struct DerivedLink
{
    QString name;
    QString value;
    qsizetype start = 0;
    qsizetype length = 0;
};

class DerivedFields
{
public:
    // The default rules: `traceI[dD]=(\w+)` on the line, and the `trace_id` field.
    DerivedFields();
    explicit DerivedFields(const QList<DerivedFieldRule> &rules);

    // An invalid pattern is dropped and reported here, so a typo in a
    // setting does not silently disable every other rule.
    const QStringList &errors() const { return m_errors; }
    const QList<DerivedFieldRule> &rules() const { return m_rules; }
    bool isEmpty() const { return m_compiled.isEmpty(); }

    // Links in the line (regex rules); positions index into `line`.
    QList<DerivedLink> extract(QStringView line) const;
    // Links from fields (field rules), in rule order; no positions.
    QList<DerivedLink> extractFromFields(const model::Labels &fields) const;

private:
    QList<DerivedFieldRule> m_rules;
    QList<std::pair<QString, QRegularExpression>> m_compiled;
    QList<std::pair<QString, QString>> m_fieldRules; // name, field
    QStringList m_errors;
};

} // namespace spyglass::gui::logs
