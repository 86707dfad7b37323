#include "plugins/pyroscope/pyroscope_response.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

#include <cmath>
#include <vector>

namespace spyglass::plugins::pyroscope {

namespace {

QString excerpt(const QByteArray &body)
{
    QString s = QString::fromUtf8(body.left(200)).simplified();
    if (body.size() > 200)
        s += QStringLiteral("...");
    return s;
}

Error::Kind kindOfConnectCode(const QString &code)
{
    if (code == u"invalid_argument" || code == u"out_of_range" || code == u"failed_precondition")
        return Error::Kind::Invalid;
    if (code == u"not_found")
        return Error::Kind::NotFound;
    if (code == u"deadline_exceeded")
        return Error::Kind::Timeout;
    if (code == u"canceled")
        return Error::Kind::Cancelled;
    if (code == u"unavailable" || code == u"unauthenticated" || code == u"permission_denied"
        || code == u"resource_exhausted")
        return Error::Kind::Unavailable;
    return Error::Kind::Internal;
}

Error badData(const QString &what, const QString &message)
{
    return Error::badData(QStringLiteral("%1: %2").arg(what, message));
}

} // namespace

std::optional<std::int64_t> jsonInt64(const QJsonValue &v)
{
    if (v.isDouble()) {
        const double d = v.toDouble();
        if (!std::isfinite(d) || d != std::floor(d))
            return std::nullopt;
        return std::int64_t(d);
    }
    if (v.isString()) {
        bool ok = false;
        const auto n = v.toString().toLongLong(&ok);
        if (ok)
            return n;
    }
    if (v.isUndefined() || v.isNull())
        return 0; // protobuf JSON leaves zeros out
    return std::nullopt;
}

Result<ProfileQuery> parseProfileQuery(const QString &expr)
{
    const QString text = expr.trimmed();
    if (text.isEmpty())
        return fail(Error::invalid(QStringLiteral("the profile query is empty; expected a profile type and labels such as "
                                                  "process_cpu:cpu:nanoseconds:cpu:nanoseconds{service_name=\"x\"}")));
    const qsizetype brace = text.indexOf(QLatin1Char('{'));
    ProfileQuery q;
    q.profileTypeId = (brace < 0 ? text : text.left(brace)).trimmed();
    q.labelSelector = brace < 0 ? QStringLiteral("{}") : text.mid(brace).trimmed();
    if (q.profileTypeId.isEmpty())
        return fail(Error::invalid(
            QStringLiteral("\"%1\" names no profile type; start the query with one such as "
                           "process_cpu:cpu:nanoseconds:cpu:nanoseconds")
                .arg(text)));
    if (!model::ProfileType::parse(q.profileTypeId))
        return fail(Error::invalid(QStringLiteral("\"%1\" is not a profile type id "
                                                  "(name:sample_type:sample_unit:period_type:period_unit)")
                                       .arg(q.profileTypeId)));
    if (!q.labelSelector.endsWith(QLatin1Char('}')))
        return fail(Error::invalid(QStringLiteral("the label selector \"%1\" does not end with \"}\"").arg(q.labelSelector)));
    return q;
}

Result<QJsonObject> parseConnectResponse(const QByteArray &body, int httpStatus, const QString &what)
{
    QJsonParseError perr;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &perr);
    const bool isObject = perr.error == QJsonParseError::NoError && doc.isObject();
    if (httpStatus >= 200 && httpStatus < 300) {
        if (!isObject)
            return fail(badData(what, QStringLiteral("the answer is not a JSON object (%1 at byte %2): %3")
                                          .arg(perr.errorString())
                                          .arg(perr.offset)
                                          .arg(excerpt(body))));
        return doc.object();
    }
    if (isObject && doc.object().contains(u"code")) {
        const QJsonObject o = doc.object();
        const QString code = o.value(u"code").toString();
        const QString message = o.value(u"message").toString();
        return fail(Error{kindOfConnectCode(code),
                          QStringLiteral("%1: %2 (%3)").arg(what, message.isEmpty() ? QStringLiteral("no message") : message, code),
                          {}, 0, 0});
    }
    QString text = QStringLiteral("%1: HTTP %2").arg(what).arg(httpStatus);
    if (!body.trimmed().isEmpty())
        text += QStringLiteral(": ") + excerpt(body);
    Error::Kind kind = Error::Kind::Unavailable;
    if (httpStatus == 404 || httpStatus == 405) {
        kind = Error::Kind::NotFound;
        text += QStringLiteral(" (is the URL a Pyroscope server? The querier API was not found there)");
    } else if (httpStatus == 400 || httpStatus == 422) {
        kind = Error::Kind::Invalid;
    } else if (httpStatus == 401 || httpStatus == 403) {
        text += QStringLiteral(" (check the credentials or X-Scope-OrgID header)");
    }
    return fail(Error{kind, text, {}, 0, 0});
}

Result<model::Frame> flamegraphToFrame(const QJsonObject &flamegraph, const QString &unit)
{
    const QString what = QStringLiteral("flame graph");
    QStringList names;
    for (const auto &n : flamegraph.value(u"names").toArray())
        names.append(n.toString());

    struct Node
    {
        std::int64_t start = 0, total = 0, self = 0;
        qsizetype name = 0;
        std::vector<std::int32_t> children; // indices into the next level, x order
    };
    std::vector<std::vector<Node>> levels;
    const QJsonArray levelsJson = flamegraph.value(u"levels").toArray();
    for (qsizetype l = 0; l < levelsJson.size(); ++l) {
        const QJsonValue lv = levelsJson.at(l);
        // Connect: {"values": [...]}; flamebearer of /render: a bare array.
        const QJsonArray values = lv.isArray() ? lv.toArray() : lv.toObject().value(u"values").toArray();
        if (values.size() % 4 != 0)
            return fail(badData(what, QStringLiteral("level %1 has %2 numbers, not a multiple of 4").arg(l).arg(values.size())));
        std::vector<Node> nodes;
        std::int64_t end = 0;
        for (qsizetype i = 0; i < values.size(); i += 4) {
            std::int64_t v[4];
            for (int k = 0; k < 4; ++k) {
                const auto n = jsonInt64(values.at(i + k));
                if (!n || *n < 0)
                    return fail(badData(what, QStringLiteral("level %1, number %2 is not a non-negative integer").arg(l).arg(i + k)));
                v[k] = *n;
            }
            if (v[3] >= names.size())
                return fail(badData(what, QStringLiteral("level %1, node %2: name index %3 is out of range (%4 names)")
                                              .arg(l)
                                              .arg(i / 4)
                                              .arg(v[3])
                                              .arg(names.size())));
            Node node;
            node.start = end + v[0];
            node.total = v[1];
            node.self = v[2];
            node.name = qsizetype(v[3]);
            end = node.start + node.total;
            nodes.push_back(std::move(node));
        }
        levels.push_back(std::move(nodes));
    }
    // Give each node its parent: the node of the level above whose span
    // holds it. Both levels are in x order, so one sweep suffices.
    for (size_t l = 1; l < levels.size(); ++l) {
        auto &above = levels[l - 1];
        size_t p = 0;
        for (size_t i = 0; i < levels[l].size(); ++i) {
            const Node &n = levels[l][i];
            while (p < above.size() && !(n.start >= above[p].start && n.start + n.total <= above[p].start + above[p].total))
                ++p;
            if (p == above.size())
                return fail(badData(what, QStringLiteral("level %1, node %2 (x %3, width %4) lies outside every node of level %5")
                                              .arg(l)
                                              .arg(i)
                                              .arg(n.start)
                                              .arg(n.total)
                                              .arg(l - 1)));
            above[p].children.push_back(std::int32_t(i));
        }
    }

    QList<std::int64_t> level, value, self;
    QStringList label;
    struct Item { size_t level; std::int32_t index; };
    std::vector<Item> stack;
    if (!levels.empty())
        for (auto i = std::int32_t(levels[0].size()) - 1; i >= 0; --i)
            stack.push_back({0, i});
    while (!stack.empty()) {
        const Item it = stack.back();
        stack.pop_back();
        const Node &n = levels[it.level][size_t(it.index)];
        level.append(std::int64_t(it.level));
        value.append(n.total);
        self.append(n.self);
        label.append(names.at(n.name));
        for (auto c = n.children.crbegin(); c != n.children.crend(); ++c)
            stack.push_back({it.level + 1, *c});
    }
    model::Frame f(QStringLiteral("response"), model::FrameKind::ProfileTree);
    f.addField(model::Field::int64(QStringLiteral("level"), level));
    auto v = model::Field::int64(QStringLiteral("value"), value);
    v.setUnit(unit);
    f.addField(v);
    auto s = model::Field::int64(QStringLiteral("self"), self);
    s.setUnit(unit);
    f.addField(s);
    f.addField(model::Field::string(QStringLiteral("label"), label));
    return f;
}

Result<model::Frames> seriesToFrames(const QJsonObject &response, const QString &unit, const QString &fallbackName)
{
    const QString what = QStringLiteral("series");
    model::Frames out;
    const QJsonArray series = response.value(u"series").toArray();
    for (qsizetype si = 0; si < series.size(); ++si) {
        const QJsonObject s = series.at(si).toObject();
        QList<model::Label> pairs;
        for (const auto &l : s.value(u"labels").toArray()) {
            const QJsonObject lo = l.toObject();
            pairs.append({lo.value(u"name").toString(), lo.value(u"value").toString()});
        }
        QList<model::Sample> samples;
        for (const auto &p : s.value(u"points").toArray()) {
            const QJsonObject po = p.toObject();
            const auto ts = jsonInt64(po.value(u"timestamp"));
            if (!ts)
                return fail(badData(what, QStringLiteral("series %1 has a point whose timestamp is not an integer").arg(si)));
            const QJsonValue v = po.value(u"value");
            double value = 0;
            if (v.isDouble())
                value = v.toDouble();
            else if (v.isString()) {
                bool ok = false;
                value = v.toString().toDouble(&ok); // "NaN", "Infinity" in protobuf JSON
                if (!ok && v.toString() == u"Infinity")
                    value = std::numeric_limits<double>::infinity(), ok = true;
                if (!ok && v.toString() == u"-Infinity")
                    value = -std::numeric_limits<double>::infinity(), ok = true;
                if (!ok && v.toString() == u"NaN")
                    value = std::numeric_limits<double>::quiet_NaN(), ok = true;
                if (!ok)
                    return fail(badData(what, QStringLiteral("series %1 has a point value \"%2\" that is not a number")
                                                  .arg(si)
                                                  .arg(v.toString())));
            } else if (!v.isUndefined() && !v.isNull()) {
                return fail(badData(what, QStringLiteral("series %1 has a point value that is not a number").arg(si)));
            }
            samples.append({*ts, value});
        }
        const model::Labels labels(pairs);
        model::Frame f = model::Frame::timeSeries(labels, samples);
        f.setName(labels.isEmpty() ? fallbackName : labels.toString());
        for (auto &field : f.fields())
            if (field.type() == model::FieldType::Float64)
                field.setUnit(unit);
        out.append(std::move(f));
    }
    return out;
}

Result<QList<model::ProfileType>> parseProfileTypes(const QJsonObject &response)
{
    QList<model::ProfileType> out;
    for (const auto &t : response.value(u"profileTypes").toArray()) {
        const QJsonObject o = t.toObject();
        const QString id = o.value(u"ID").toString();
        auto parsed = model::ProfileType::parse(id);
        if (!parsed)
            return fail(badData(QStringLiteral("profile types"),
                                QStringLiteral("\"%1\" is not a profile type id (name:sample_type:sample_unit:period_type:period_unit)").arg(id)));
        out.append(*parsed);
    }
    return out;
}

Result<QStringList> parseNames(const QJsonObject &response)
{
    const QJsonValue names = response.value(u"names");
    if (!names.isUndefined() && !names.isArray())
        return fail(badData(QStringLiteral("label look-up"), QStringLiteral("\"names\" is not a list")));
    QStringList out;
    for (const auto &n : names.toArray())
        out.append(n.toString());
    return out;
}

} // namespace spyglass::plugins::pyroscope
