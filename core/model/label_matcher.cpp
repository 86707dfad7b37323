#include "core/model/label_matcher.h"

#include <re2/re2.h>

namespace spyglass::model {

Result<LabelMatcher> LabelMatcher::create(Op op, QString name, QString value)
{
    LabelMatcher m;
    m.m_op = op;
    m.m_name = std::move(name);
    m.m_value = std::move(value);
    if (op == Op::RegexMatch || op == Op::RegexNoMatch) {
        RE2::Options opts;
        opts.set_dot_nl(true);
        opts.set_log_errors(false);
        const QByteArray pattern = m.m_value.toUtf8();
        auto re = std::make_shared<RE2>(re2::StringPiece(pattern.constData(), size_t(pattern.size())),
                                        opts);
        if (!re->ok())
            return fail(Error::invalid(QStringLiteral("invalid regular expression %1: %2")
                                           .arg(m.m_value, QString::fromStdString(re->error()))));
        m.m_re = std::move(re);
    }
    return m;
}

bool LabelMatcher::matches(const QString &labelValue) const
{
    switch (m_op) {
    case Op::Equal:
        return labelValue == m_value;
    case Op::NotEqual:
        return labelValue != m_value;
    case Op::RegexMatch:
    case Op::RegexNoMatch: {
        const QByteArray v = labelValue.toUtf8();
        const bool hit = RE2::FullMatch(re2::StringPiece(v.constData(), size_t(v.size())), *m_re);
        return m_op == Op::RegexMatch ? hit : !hit;
    }
    }
    return false;
}

QString LabelMatcher::opString(Op op)
{
    switch (op) {
    case Op::Equal:
        return QStringLiteral("=");
    case Op::NotEqual:
        return QStringLiteral("!=");
    case Op::RegexMatch:
        return QStringLiteral("=~");
    case Op::RegexNoMatch:
        return QStringLiteral("!~");
    }
    return {};
}

QString LabelMatcher::toString() const
{
    return m_name + opString(m_op) + QLatin1Char('"') + escapeLabelValue(m_value) +
           QLatin1Char('"');
}

bool matchesAll(const LabelMatchers &ms, const Labels &labels)
{
    for (const auto &m : ms)
        if (!m.matches(labels))
            return false;
    return true;
}

} // namespace spyglass::model
