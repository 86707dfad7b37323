#include "core/api/http_request.h"

namespace spyglass::api {

namespace {

QString decodeComponent(QByteArray raw)
{
    raw.replace('+', ' ');
    return QString::fromUtf8(QByteArray::fromPercentEncoding(raw));
}

} // namespace

QueryParams QueryParams::parse(QByteArrayView encoded)
{
    QueryParams params;
    qsizetype pos = 0;
    while (pos <= encoded.size()) {
        qsizetype amp = encoded.indexOf('&', pos);
        if (amp < 0)
            amp = encoded.size();
        const QByteArrayView pair = encoded.sliced(pos, amp - pos);
        if (!pair.isEmpty()) {
            const qsizetype eq = pair.indexOf('=');
            if (eq < 0)
                params.add(decodeComponent(pair.toByteArray()), QString());
            else
                params.add(decodeComponent(pair.first(eq).toByteArray()),
                           decodeComponent(pair.sliced(eq + 1).toByteArray()));
        }
        pos = amp + 1;
    }
    return params;
}

bool QueryParams::has(QStringView name) const
{
    for (const auto &p : m_pairs)
        if (p.first == name)
            return true;
    return false;
}

QString QueryParams::value(QStringView name) const
{
    for (const auto &p : m_pairs)
        if (p.first == name)
            return p.second;
    return {};
}

QStringList QueryParams::values(QStringView name) const
{
    QStringList out;
    for (const auto &p : m_pairs)
        if (p.first == name)
            out.append(p.second);
    return out;
}

QByteArray HttpRequest::header(QByteArrayView name) const
{
    for (const auto &h : headers)
        if (h.first.compare(name, Qt::CaseInsensitive) == 0)
            return h.second;
    return {};
}

bool HttpRequest::hasHeader(QByteArrayView name) const
{
    for (const auto &h : headers)
        if (h.first.compare(name, Qt::CaseInsensitive) == 0)
            return true;
    return false;
}

QByteArray HttpRequest::contentType() const
{
    QByteArray ct = header("Content-Type");
    if (const qsizetype semi = ct.indexOf(';'); semi >= 0)
        ct.truncate(semi);
    return ct.trimmed().toLower();
}

QueryParams HttpRequest::formParams() const
{
    QueryParams out;
    if (contentType() == "application/x-www-form-urlencoded")
        out = QueryParams::parse(body);
    out.append(query);
    return out;
}

} // namespace spyglass::api
