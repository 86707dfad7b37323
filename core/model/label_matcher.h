#pragma once

#include "core/model/labels.h"
#include "core/model/result.h"

#include <memory>

namespace re2 {
class RE2;
}

namespace spyglass::model {

// One `name op "value"` term of a selector, with Prometheus semantics:
// regexes are fully anchored (RE2 FullMatch, `.` matches newline) and an
// absent label matches as the empty string.
class LabelMatcher
{
public:
    enum class Op { Equal, NotEqual, RegexMatch, RegexNoMatch };

    static Result<LabelMatcher> create(Op op, QString name, QString value);

    Op op() const { return m_op; }
    const QString &name() const { return m_name; }
    const QString &value() const { return m_value; }

    bool matches(const QString &labelValue) const;
    bool matches(const Labels &labels) const { return matches(labels.value(m_name)); }
    // True when the matcher also accepts series lacking the label (e.g. `a!="x"`, `a=~".*"`).
    bool matchesEmpty() const { return matches(QString()); }

    QString toString() const; // `name="value"` with the operator
    static QString opString(Op op);

private:
    Op m_op = Op::Equal;
    QString m_name;
    QString m_value;
    std::shared_ptr<const re2::RE2> m_re;
};

using LabelMatchers = QList<LabelMatcher>;

bool matchesAll(const LabelMatchers &ms, const Labels &labels);

} // namespace spyglass::model
