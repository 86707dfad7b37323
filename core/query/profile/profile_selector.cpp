#include "core/query/profile/profile_selector.h"

#include "core/model/profile.h"

namespace spyglass::query::profile {

namespace {

bool isNameChar(QChar c, bool first)
{
    return c == u'_' || (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z')
        || (!first && ((c >= u'0' && c <= u'9') || c == u'.'));
}

class Parser
{
public:
    explicit Parser(const QString &text) : m_text(text) {}

    Error error(qsizetype pos, const QString &msg) const
    {
        return Error::at(m_text, 1, int(pos) + 1, msg);
    }

    void skipSpace()
    {
        while (m_pos < m_text.size() && m_text[m_pos].isSpace())
            ++m_pos;
    }

    Result<ProfileSelector> parse(bool allowType)
    {
        ProfileSelector sel;
        skipSpace();
        const qsizetype typeStart = m_pos;
        while (m_pos < m_text.size() && m_text[m_pos] != u'{' && !m_text[m_pos].isSpace())
            ++m_pos;
        if (m_pos > typeStart) {
            sel.typeId = m_text.mid(typeStart, m_pos - typeStart);
            if (!allowType)
                return fail(error(typeStart, QStringLiteral("expected \"{\" to start the label selector")));
            if (!model::ProfileType::parse(sel.typeId))
                return fail(error(typeStart, QStringLiteral("\"%1\" is not a profile type id "
                                                            "(name:sample_type:sample_unit:period_type:period_unit)")
                                                 .arg(sel.typeId)));
        }
        skipSpace();
        if (m_pos >= m_text.size()) {
            if (sel.typeId.isEmpty())
                return fail(error(m_pos, QStringLiteral("empty selector: expected a profile type id or \"{\"")));
            return sel;
        }
        if (m_text[m_pos] != u'{')
            return fail(error(m_pos, QStringLiteral("expected \"{\" after the profile type id")));
        ++m_pos;
        while (true) {
            skipSpace();
            if (m_pos < m_text.size() && m_text[m_pos] == u'}') {
                ++m_pos;
                break;
            }
            const qsizetype nameStart = m_pos;
            while (m_pos < m_text.size() && isNameChar(m_text[m_pos], m_pos == nameStart))
                ++m_pos;
            if (m_pos == nameStart)
                return fail(error(m_pos, QStringLiteral("expected a label name")));
            QString name = m_text.mid(nameStart, m_pos - nameStart);
            skipSpace();
            model::LabelMatcher::Op op;
            const QStringView rest = QStringView(m_text).mid(m_pos);
            if (rest.startsWith(u"=~")) {
                op = model::LabelMatcher::Op::RegexMatch;
                m_pos += 2;
            } else if (rest.startsWith(u"!~")) {
                op = model::LabelMatcher::Op::RegexNoMatch;
                m_pos += 2;
            } else if (rest.startsWith(u"!=")) {
                op = model::LabelMatcher::Op::NotEqual;
                m_pos += 2;
            } else if (rest.startsWith(u"=")) {
                op = model::LabelMatcher::Op::Equal;
                m_pos += 1;
            } else {
                return fail(error(m_pos, QStringLiteral("expected one of =, !=, =~, !~ after \"%1\"").arg(name)));
            }
            skipSpace();
            const qsizetype valueStart = m_pos;
            auto value = string();
            if (!value)
                return fail(value.error());
            auto m = model::LabelMatcher::create(op, name.startsWith(u"sample.") ? name.mid(7) : name, *value);
            if (!m)
                return fail(error(valueStart, m.error().message));
            if (ProfileSelector::isStackLabel(name))
                sel.stackMatchers.append(*m);
            else
                sel.seriesMatchers.append(*m);
            skipSpace();
            if (m_pos < m_text.size() && m_text[m_pos] == u',') {
                ++m_pos;
                continue;
            }
            if (m_pos < m_text.size() && m_text[m_pos] == u'}') {
                ++m_pos;
                break;
            }
            return fail(error(m_pos, QStringLiteral("expected \",\" or \"}\" after a matcher")));
        }
        skipSpace();
        if (m_pos < m_text.size())
            return fail(error(m_pos, QStringLiteral("unexpected text after the selector")));
        return sel;
    }

private:
    Result<QString> string()
    {
        if (m_pos >= m_text.size())
            return fail(error(m_pos, QStringLiteral("expected a quoted label value")));
        const QChar quote = m_text[m_pos];
        if (quote != u'"' && quote != u'\'' && quote != u'`')
            return fail(error(m_pos, QStringLiteral("expected a quoted label value")));
        const qsizetype start = m_pos++;
        QString out;
        while (m_pos < m_text.size()) {
            const QChar c = m_text[m_pos++];
            if (c == quote)
                return out;
            if (c == u'\\' && quote != u'`' && m_pos < m_text.size()) {
                const QChar e = m_text[m_pos++];
                switch (e.unicode()) {
                case 'n': out += u'\n'; break;
                case 't': out += u'\t'; break;
                case 'r': out += u'\r'; break;
                default: out += e; // \\ \" \' and regex escapes such as \. kept literal
                    if (e != u'\\' && e != u'"' && e != u'\'') {
                        out.insert(out.size() - 1, u'\\');
                    }
                }
                continue;
            }
            out += c;
        }
        return fail(error(start, QStringLiteral("unterminated string")));
    }

    const QString &m_text;
    qsizetype m_pos = 0;
};

} // namespace

bool ProfileSelector::isStackLabel(const QString &name)
{
    return name == u"span_id" || name == u"trace_id" || name == u"span_name" || name.startsWith(u"sample.");
}

Result<ProfileSelector> ProfileSelector::parse(const QString &text)
{
    return Parser(text).parse(true);
}

Result<ProfileSelector> ProfileSelector::parseMatchers(const QString &text)
{
    return Parser(text).parse(false);
}

QString ProfileSelector::toString() const
{
    QStringList parts;
    for (const auto &m : seriesMatchers)
        parts.append(m.toString());
    for (const auto &m : stackMatchers)
        parts.append(m.toString());
    return typeId + QLatin1Char('{') + parts.join(QStringLiteral(", ")) + QLatin1Char('}');
}

} // namespace spyglass::query::profile
