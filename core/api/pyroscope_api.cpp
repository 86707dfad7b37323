#include "core/api/pyroscope_api.h"

#include "core/api/logging.h"
#include "core/formats/folded_reader.h"
#include "core/formats/pprof_reader.h"
#include "core/model/time_range.h"
#include "core/query/profile/flamebearer.h"
#include "core/query/profile/profile_query.h"
#include "core/store/storage.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cmath>
#include <limits>

namespace spyglass::api {

using model::TimestampNs;
using query::profile::CallTree;
using query::profile::Flamebearer;
using query::profile::ProfileQueryEngine;
using query::profile::ProfileSelector;

namespace {

constexpr std::int64_t kMsToNs = 1'000'000;

QByteArray toJson(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

HttpResponse textError(int status, const QString &message)
{
    return HttpResponse::text(status, message.toUtf8() + '\n');
}

// Connect's error body: https://connectrpc.com/docs/protocol/#error-end-stream
HttpResponse connectError(const Error &e)
{
    const char *code = "invalid_argument";
    int status = 400;
    switch (e.kind) {
    case Error::Kind::Invalid:
    case Error::Kind::BadData: break;
    case Error::Kind::NotFound: code = "not_found"; status = 404; break;
    case Error::Kind::Cancelled: code = "canceled"; status = 408; break;
    case Error::Kind::Timeout: code = "deadline_exceeded"; status = 408; break;
    case Error::Kind::Unavailable: code = "unavailable"; status = 503; break;
    default: code = "internal"; status = 500; break;
    }
    QJsonObject o{{QStringLiteral("code"), QLatin1String(code)}, {QStringLiteral("message"), e.toString()}};
    return HttpResponse::json(status, toJson(o));
}

QString i64(std::int64_t v)
{
    return QString::number(v);
}

// Connect JSON sends int64 as strings, but clients also send numbers.
std::optional<std::int64_t> jsonInt(const QJsonValue &v)
{
    if (v.isDouble())
        return std::int64_t(v.toDouble());
    if (v.isString()) {
        bool ok = false;
        const auto n = v.toString().toLongLong(&ok);
        if (ok)
            return n;
    }
    return std::nullopt;
}

QJsonArray stringArray(const QStringList &l)
{
    QJsonArray a;
    for (const auto &s : l)
        a.append(s);
    return a;
}

// --- legacy application names: "app.cpu{env=prod}" ---------------------

struct LegacyName
{
    QString service;
    QString suffix; // "cpu", "alloc_space", ... (empty when none)
    model::Labels labels;
};

Result<LegacyName> parseLegacyName(const QString &name)
{
    LegacyName out;
    const qsizetype brace = name.indexOf(QLatin1Char('{'));
    QString base = brace < 0 ? name : name.left(brace);
    QList<model::Label> pairs;
    if (brace >= 0) {
        if (!name.endsWith(QLatin1Char('}')))
            return fail(Error::invalid(QStringLiteral("name \"%1\": labels must end with \"}\"").arg(name)));
        const QString inner = name.mid(brace + 1, name.size() - brace - 2);
        for (const auto &part : inner.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            const qsizetype eq = part.indexOf(QLatin1Char('='));
            if (eq <= 0)
                return fail(Error::invalid(QStringLiteral("name \"%1\": expected key=value, got \"%2\"").arg(name, part)));
            QString value = part.mid(eq + 1).trimmed();
            if (value.size() >= 2 && value.startsWith(QLatin1Char('"')) && value.endsWith(QLatin1Char('"')))
                value = value.mid(1, value.size() - 2);
            pairs.append({part.left(eq).trimmed(), value});
        }
    }
    base = base.trimmed();
    if (base.isEmpty())
        return fail(Error::invalid(QStringLiteral("name \"%1\" has no application name").arg(name)));
    static const QStringList known{QStringLiteral("cpu"), QStringLiteral("alloc_objects"),
                                   QStringLiteral("alloc_space"), QStringLiteral("inuse_objects"),
                                   QStringLiteral("inuse_space"), QStringLiteral("wall"),
                                   QStringLiteral("itimer"), QStringLiteral("goroutines"),
                                   QStringLiteral("mutex_count"), QStringLiteral("mutex_duration"),
                                   QStringLiteral("block_count"), QStringLiteral("block_duration")};
    const qsizetype dot = base.lastIndexOf(QLatin1Char('.'));
    if (dot > 0 && known.contains(base.mid(dot + 1))) {
        out.suffix = base.mid(dot + 1);
        base = base.left(dot);
    }
    out.service = base;
    pairs.append({QStringLiteral("service_name"), base});
    out.labels = model::Labels(pairs);
    return out;
}

// Pyroscope's mapping of the legacy suffixes to profile types, and whether
// values are sample counts to be turned into nanoseconds.
struct LegacyType
{
    QString typeId;
    bool samplesToNs = false;
};

LegacyType legacyType(const QString &suffix, const QString &units)
{
    if (suffix.isEmpty() || suffix == u"cpu" || suffix == u"itimer")
        return {QStringLiteral("process_cpu:cpu:nanoseconds:cpu:nanoseconds"), true};
    if (suffix == u"wall")
        return {QStringLiteral("wall:wall:nanoseconds:wall:nanoseconds"), true};
    if (suffix.startsWith(u"alloc_") || suffix.startsWith(u"inuse_")) {
        const bool objects = suffix.endsWith(u"_objects");
        return {QStringLiteral("memory:%1:%2:space:bytes").arg(suffix, objects ? u"count"_qs : u"bytes"_qs), false};
    }
    if (suffix == u"goroutines")
        return {QStringLiteral("goroutines:goroutine:count:goroutine:count"), false};
    if (suffix.startsWith(u"mutex_") || suffix.startsWith(u"block_")) {
        const QString kind = suffix.left(suffix.indexOf(u'_'));
        const bool count = suffix.endsWith(u"_count");
        return {QStringLiteral("%1:%2:%3:contentions:count")
                    .arg(kind, count ? u"contentions"_qs : u"delay"_qs, count ? u"count"_qs : u"nanoseconds"_qs),
                false};
    }
    const QString unit = units.isEmpty() ? QStringLiteral("count") : units;
    return {QStringLiteral("%1:%1:%2:%1:%2").arg(suffix, unit), false};
}

// "now-1h", Unix seconds or milliseconds, RFC 3339 -> ns.
Result<TimestampNs> parseTime(const QString &text, TimestampNs fallback, bool roundUp)
{
    if (text.isEmpty())
        return fallback;
    auto ms = model::resolveTimeExpression(text, model::nowMs(), roundUp);
    if (!ms)
        return fail(Error::invalid(QStringLiteral("invalid time \"%1\": %2").arg(text, ms.error().message)));
    return TimestampNs(*ms) * kMsToNs;
}

// The "profile" part of a multipart/form-data body (Pyroscope's pprof
// ingest), or the body itself when it is not multipart.
Result<QByteArray> pprofBody(const HttpRequest &req)
{
    if (req.contentType() != "multipart/form-data")
        return req.body;
    const QByteArray ct = req.header("Content-Type");
    const qsizetype b = ct.indexOf("boundary=");
    if (b < 0)
        return fail(Error::invalid(QStringLiteral("multipart body without a boundary")));
    QByteArray boundary = ct.mid(b + 9);
    if (const qsizetype semi = boundary.indexOf(';'); semi >= 0)
        boundary.truncate(semi);
    boundary = boundary.trimmed();
    if (boundary.startsWith('"') && boundary.endsWith('"') && boundary.size() >= 2)
        boundary = boundary.mid(1, boundary.size() - 2);
    const QByteArray delim = "--" + boundary;
    qsizetype pos = req.body.indexOf(delim);
    while (pos >= 0) {
        pos += delim.size();
        if (req.body.mid(pos, 2) == "--")
            break;
        const qsizetype headersEnd = req.body.indexOf("\r\n\r\n", pos);
        if (headersEnd < 0)
            break;
        const QByteArray headers = req.body.mid(pos, headersEnd - pos);
        const qsizetype next = req.body.indexOf(QByteArray(QByteArray("\r\n") + delim), headersEnd + 4);
        if (next < 0)
            return fail(Error::invalid(QStringLiteral("multipart body is truncated")));
        if (headers.contains("name=\"profile\""))
            return req.body.mid(headersEnd + 4, next - headersEnd - 4);
        pos = next + 2;
    }
    return fail(Error::invalid(QStringLiteral("multipart body has no \"profile\" part")));
}

// --- query helpers -----------------------------------------------------------

// `query` of /pyroscope/render: a type id selector, or a legacy "app.cpu{k=v}".
Result<ProfileSelector> renderSelector(const QString &query)
{
    const qsizetype brace = query.indexOf(QLatin1Char('{'));
    const QString head = brace < 0 ? query : query.left(brace);
    if (head.count(QLatin1Char(':')) == 4)
        return ProfileSelector::parse(query);
    const QString inner = brace < 0 ? QString() : query.mid(brace);
    auto sel = ProfileSelector::parseMatchers(inner.isEmpty() ? QStringLiteral("{}") : inner);
    if (!sel)
        return fail(sel.error());
    auto legacy = parseLegacyName(head);
    if (!legacy)
        return fail(legacy.error());
    sel->typeId = legacyType(legacy->suffix, {}).typeId;
    sel->seriesMatchers.append(*model::LabelMatcher::create(model::LabelMatcher::Op::Equal,
                                                            QStringLiteral("service_name"), legacy->service));
    return sel;
}

QJsonObject flamebearerJson(const Flamebearer &fb)
{
    QJsonArray levels;
    for (const auto &lv : fb.levels) {
        QJsonArray a;
        for (auto v : lv)
            a.append(qint64(v));
        levels.append(a);
    }
    return QJsonObject{{QStringLiteral("names"), stringArray(fb.names)},
                       {QStringLiteral("levels"), levels},
                       {QStringLiteral("numTicks"), qint64(fb.numTicks)},
                       {QStringLiteral("maxSelf"), qint64(fb.maxSelf)}};
}

// Connect's FlameGraph / FlameGraphDiff message in JSON.
QJsonObject connectFlamegraph(const Flamebearer &fb, bool diff)
{
    QJsonArray levels;
    for (const auto &lv : fb.levels) {
        QJsonArray values;
        for (auto v : lv)
            values.append(i64(v));
        levels.append(QJsonObject{{QStringLiteral("values"), values}});
    }
    QJsonObject o{{QStringLiteral("names"), stringArray(fb.names)},
                  {QStringLiteral("levels"), levels},
                  {QStringLiteral("total"), i64(fb.numTicks)},
                  {QStringLiteral("maxSelf"), i64(fb.maxSelf)}};
    if (diff) {
        o.insert(QStringLiteral("leftTicks"), i64(fb.leftTicks));
        o.insert(QStringLiteral("rightTicks"), i64(fb.rightTicks));
    }
    return o;
}

class Handlers
{
public:
    Handlers(store::Storage &storage, PyroscopeApiOptions options)
        : m_storage(storage), m_options(options), m_engine(storage.profiles())
    {
    }

    HttpResponse ingest(const HttpRequest &req) const
    {
        const auto params = req.query;
        auto name = parseLegacyName(params.value(u"name"));
        if (!name)
            return textError(400, name.error().message);
        const TimestampNs now = model::nowMs() * kMsToNs;
        auto from = parseTime(params.value(u"from"), now - 10 * 1'000'000'000LL, false);
        auto until = parseTime(params.value(u"until"), now, true);
        if (!from)
            return textError(400, from.error().message);
        if (!until)
            return textError(400, until.error().message);
        QString format = params.value(u"format");
        if (format.isEmpty())
            format = req.contentType() == "multipart/form-data" ? QStringLiteral("pprof") : QStringLiteral("folded");
        const QString source = QStringLiteral("ingest of %1").arg(params.value(u"name"));

        QList<model::Profile> profiles;
        if (format == u"pprof") {
            auto body = pprofBody(req);
            if (!body)
                return textError(400, body.error().message);
            formats::PprofReadOptions o;
            o.labels = name->labels;
            auto r = formats::PprofReader::parse(*body, source, o);
            if (!r)
                return textError(400, r.error().toString());
            profiles = std::move(*r);
            for (auto &p : profiles) {
                // Timestamps from the request when the profile has none.
                if (p.time == 0)
                    p.time = *from;
                if (p.durationNs == 0)
                    p.durationNs = *until - *from;
            }
        } else if (format == u"folded" || format == u"lines" || format == u"trie" || format == u"tree") {
            if (format == u"trie" || format == u"tree")
                return textError(400, QStringLiteral("format \"%1\" is not supported; send folded, lines or pprof").arg(format));
            const LegacyType type = legacyType(name->suffix, params.value(u"units"));
            formats::FoldedReadOptions o;
            o.typeId = type.typeId;
            o.labels = name->labels;
            o.time = *from;
            o.durationNs = *until - *from;
            o.linesFormat = format == u"lines";
            if (type.samplesToNs) {
                bool ok = true;
                const QString rate = params.value(u"sampleRate");
                const int hz = rate.isEmpty() ? 100 : rate.toInt(&ok);
                if (!ok || hz <= 0)
                    return textError(400, QStringLiteral("invalid sampleRate \"%1\"").arg(rate));
                o.valueMultiplier = 1'000'000'000LL / hz;
            }
            auto r = formats::FoldedReader::parse(req.body, source, o);
            if (!r)
                return textError(400, r.error().toString());
            if (type.samplesToNs)
                r->period = o.valueMultiplier;
            profiles.append(std::move(*r));
        } else {
            return textError(400, QStringLiteral("unknown format \"%1\" (folded, lines or pprof)").arg(format));
        }
        auto stats = m_storage.profiles().append(profiles);
        if (!stats)
            return textError(500, stats.error().toString());
        qCDebug(lcApi) << "ingested" << stats->profiles << "profiles for" << name->service;
        return HttpResponse::text(200, {});
    }

    HttpResponse render(const HttpRequest &req) const
    {
        const auto params = req.formParams();
        const QString query = params.value(u"query");
        if (query.isEmpty())
            return textError(400, QStringLiteral("missing query parameter \"query\""));
        auto sel = renderSelector(query);
        if (!sel)
            return textError(400, sel.error().toString());
        const TimestampNs now = model::nowMs() * kMsToNs;
        auto from = parseTime(params.value(u"from"), now - 3600 * 1'000'000'000LL, false);
        auto until = parseTime(params.value(u"until"), now, true);
        if (!from)
            return textError(400, from.error().message);
        if (!until)
            return textError(400, until.error().message);
        const int maxNodes = params.has(u"maxNodes") ? params.value(u"maxNodes").toInt() : m_options.defaultMaxNodes;
        auto tree = m_engine.merge(*sel, *from, *until, maxNodes);
        if (!tree)
            return textError(400, tree.error().toString());
        const Flamebearer fb = Flamebearer::fromTree(*tree);

        // Timeline: totals per step, about 1000 steps, at least 10 s.
        const std::int64_t rangeSec = std::max<std::int64_t>(1, (*until - *from) / 1'000'000'000LL);
        const std::int64_t stepSec = std::max<std::int64_t>(10, rangeSec / 1000);
        const TimestampNs start = *from / (stepSec * 1'000'000'000LL) * stepSec * 1'000'000'000LL;
        auto series = m_engine.series(*sel, start, *until, stepSec * 1'000'000'000LL, {});
        if (!series)
            return textError(400, series.error().toString());
        const qsizetype steps = qsizetype((*until - start) / (stepSec * 1'000'000'000LL)) + 1;
        QList<std::int64_t> samples(std::min<qsizetype>(steps, 100'000), 0);
        for (const auto &s : *series)
            for (const auto &p : s.points) {
                const qsizetype i = qsizetype((p.time - start) / (stepSec * 1'000'000'000LL));
                if (i >= 0 && i < samples.size())
                    samples[i] += p.value;
            }
        QJsonArray timelineSamples;
        for (auto v : samples)
            timelineSamples.append(qint64(v));

        const auto type = model::ProfileType::parse(sel->typeId);
        QString units = type ? type->sampleUnit : QString();
        if (units == u"nanoseconds" && type && type->name == u"process_cpu")
            units = QStringLiteral("samples"); // what Pyroscope's UI formats as CPU time
        QJsonObject out{
            {QStringLiteral("version"), 1},
            {QStringLiteral("flamebearer"), flamebearerJson(fb)},
            {QStringLiteral("metadata"),
             QJsonObject{{QStringLiteral("format"), QStringLiteral("single")},
                         {QStringLiteral("spyName"), QString()},
                         {QStringLiteral("sampleRate"), 1'000'000'000},
                         {QStringLiteral("units"), units},
                         {QStringLiteral("name"), sel->typeId}}},
            {QStringLiteral("timeline"),
             QJsonObject{{QStringLiteral("startTime"), qint64(start / 1'000'000'000LL)},
                         {QStringLiteral("samples"), timelineSamples},
                         {QStringLiteral("durationDelta"), qint64(stepSec)}}},
        };
        return HttpResponse::json(200, toJson(out));
    }

    // --- Connect endpoints ---------------------------------------------------

    template <typename F>
    HttpResponse connect(const HttpRequest &req, F &&f) const
    {
        const QByteArray ct = req.contentType();
        if (!ct.isEmpty() && ct != "application/json")
            return HttpResponse::json(415, toJson(QJsonObject{
                                               {QStringLiteral("code"), QStringLiteral("invalid_argument")},
                                               {QStringLiteral("message"),
                                                QStringLiteral("only the JSON encoding is supported (Content-Type: application/json), got %1")
                                                    .arg(QString::fromLatin1(ct))}}));
        QJsonObject body;
        if (!req.body.trimmed().isEmpty()) {
            QJsonParseError perr;
            const QJsonDocument doc = QJsonDocument::fromJson(req.body, &perr);
            if (perr.error != QJsonParseError::NoError || !doc.isObject())
                return connectError(Error::invalid(QStringLiteral("request body is not a JSON object: %1 at byte %2")
                                                       .arg(perr.errorString()).arg(perr.offset)));
            body = doc.object();
        }
        Result<QJsonObject> r = f(body);
        if (!r)
            return connectError(r.error());
        return HttpResponse::json(200, toJson(*r));
    }

    static Result<std::pair<TimestampNs, TimestampNs>> range(const QJsonObject &o)
    {
        const auto now = model::nowMs();
        const auto start = o.contains(u"start") ? jsonInt(o.value(u"start")) : std::optional<std::int64_t>(now - 3'600'000);
        const auto end = o.contains(u"end") ? jsonInt(o.value(u"end")) : std::optional<std::int64_t>(now);
        if (!start || !end)
            return fail(Error::invalid(QStringLiteral("start and end must be Unix milliseconds")));
        if (*end < *start)
            return fail(Error::invalid(QStringLiteral("end is before start")));
        return std::pair{TimestampNs(*start) * kMsToNs, TimestampNs(*end) * kMsToNs};
    }

    static Result<ProfileSelector> selector(const QJsonObject &o)
    {
        const QString typeId = o.value(u"profileTypeID").toString();
        if (!model::ProfileType::parse(typeId))
            return fail(Error::invalid(QStringLiteral("profileTypeID \"%1\" is not a profile type id "
                                                      "(name:sample_type:sample_unit:period_type:period_unit)")
                                           .arg(typeId)));
        QString ls = o.value(u"labelSelector").toString();
        auto sel = ProfileSelector::parseMatchers(ls.isEmpty() ? QStringLiteral("{}") : ls);
        if (!sel)
            return fail(sel.error());
        sel->typeId = typeId;
        return sel;
    }

    // Matchers of LabelNames/LabelValues: several selectors are OR'ed.
    static Result<QList<model::LabelMatchers>> matcherSets(const QJsonObject &o)
    {
        QList<model::LabelMatchers> out;
        for (const auto &m : o.value(u"matchers").toArray()) {
            auto sel = ProfileSelector::parse(m.toString());
            if (!sel)
                return fail(sel.error());
            model::LabelMatchers ms = sel->seriesMatchers;
            if (!sel->typeId.isEmpty()) {
                // Pyroscope's reserved label for the type.
                ms.append(*model::LabelMatcher::create(model::LabelMatcher::Op::Equal,
                                                       QStringLiteral("__profile_type__"), sel->typeId));
            }
            out.append(ms);
        }
        if (out.isEmpty())
            out.append(model::LabelMatchers{});
        return out;
    }

    Result<QJsonObject> profileTypes(const QJsonObject &o) const
    {
        auto r = range(o);
        if (!r)
            return fail(r.error());
        auto types = m_storage.profiles().profileTypes(r->first, r->second);
        if (!types)
            return fail(types.error());
        QJsonArray arr;
        for (const auto &id : *types) {
            const auto t = model::ProfileType::parse(id);
            if (!t)
                continue;
            arr.append(QJsonObject{{QStringLiteral("ID"), id},
                                   {QStringLiteral("name"), t->name},
                                   {QStringLiteral("sampleType"), t->sampleType},
                                   {QStringLiteral("sampleUnit"), t->sampleUnit},
                                   {QStringLiteral("periodType"), t->periodType},
                                   {QStringLiteral("periodUnit"), t->periodUnit}});
        }
        return QJsonObject{{QStringLiteral("profileTypes"), arr}};
    }

    // Series labels plus the reserved ones Pyroscope exposes.
    Result<QList<model::Labels>> seriesLabels(const QJsonObject &o) const
    {
        auto r = range(o);
        if (!r)
            return fail(r.error());
        auto sets = matcherSets(o);
        if (!sets)
            return fail(sets.error());
        auto all = m_storage.profiles().selectSeries({}, {});
        if (!all)
            return fail(all.error());
        QList<model::Labels> out;
        for (const auto &s : *all) {
            const auto t = model::ProfileType::parse(s.typeId);
            model::Labels l = s.labels.with(QStringLiteral("__profile_type__"), s.typeId);
            if (t)
                l = l.with(QStringLiteral("__name__"), t->name);
            bool match = false;
            for (const auto &ms : *sets)
                match = match || model::matchesAll(ms, l);
            if (!match)
                continue;
            auto infos = m_storage.profiles().listProfiles({s.id}, r->first, r->second);
            if (!infos)
                return fail(infos.error());
            if (!infos->isEmpty())
                out.append(l);
        }
        return out;
    }

    Result<QJsonObject> labelNames(const QJsonObject &o) const
    {
        auto labels = seriesLabels(o);
        if (!labels)
            return fail(labels.error());
        QStringList names;
        for (const auto &l : *labels)
            for (const auto &p : l)
                names.append(p.name);
        names.sort();
        names.removeDuplicates();
        return QJsonObject{{QStringLiteral("names"), stringArray(names)}};
    }

    Result<QJsonObject> labelValues(const QJsonObject &o) const
    {
        const QString name = o.value(u"name").toString();
        if (name.isEmpty())
            return fail(Error::invalid(QStringLiteral("name is required")));
        auto labels = seriesLabels(o);
        if (!labels)
            return fail(labels.error());
        QStringList values;
        for (const auto &l : *labels)
            if (l.has(name))
                values.append(l.value(name));
        values.sort();
        values.removeDuplicates();
        return QJsonObject{{QStringLiteral("names"), stringArray(values)}};
    }

    Result<QJsonObject> selectMergeStacktraces(const QJsonObject &o) const
    {
        auto sel = selector(o);
        if (!sel)
            return fail(sel.error());
        auto r = range(o);
        if (!r)
            return fail(r.error());
        int maxNodes = m_options.defaultMaxNodes;
        if (o.contains(u"maxNodes")) {
            const auto n = jsonInt(o.value(u"maxNodes"));
            if (!n || *n < 0)
                return fail(Error::invalid(QStringLiteral("maxNodes must be a non-negative integer")));
            maxNodes = int(std::min<std::int64_t>(*n, std::numeric_limits<int>::max()));
        }
        auto tree = m_engine.merge(*sel, r->first, r->second, maxNodes);
        if (!tree)
            return fail(tree.error());
        return QJsonObject{{QStringLiteral("flamegraph"), connectFlamegraph(Flamebearer::fromTree(*tree), false)}};
    }

    Result<QJsonObject> selectSeries(const QJsonObject &o) const
    {
        auto sel = selector(o);
        if (!sel)
            return fail(sel.error());
        auto r = range(o);
        if (!r)
            return fail(r.error());
        const double stepSec = o.value(u"step").toDouble(15.0);
        if (!(stepSec > 0))
            return fail(Error::invalid(QStringLiteral("step must be a positive number of seconds")));
        QStringList groupBy;
        for (const auto &g : o.value(u"groupBy").toArray())
            groupBy.append(g.toString());
        const auto stepNs = std::int64_t(std::llround(stepSec * 1e9));
        auto series = m_engine.series(*sel, r->first, r->second, stepNs, groupBy);
        if (!series)
            return fail(series.error());
        QJsonArray out;
        for (const auto &s : *series) {
            QJsonArray labels;
            for (const auto &l : s.labels)
                labels.append(QJsonObject{{QStringLiteral("name"), l.name}, {QStringLiteral("value"), l.value}});
            QJsonArray points;
            for (const auto &p : s.points)
                points.append(QJsonObject{{QStringLiteral("value"), double(p.value)},
                                          {QStringLiteral("timestamp"), i64(p.time / kMsToNs)}});
            out.append(QJsonObject{{QStringLiteral("labels"), labels}, {QStringLiteral("points"), points}});
        }
        return QJsonObject{{QStringLiteral("series"), out}};
    }

    Result<QJsonObject> diff(const QJsonObject &o) const
    {
        const QJsonObject left = o.value(u"left").toObject(), right = o.value(u"right").toObject();
        auto ls = selector(left);
        if (!ls)
            return fail(ls.error());
        auto rs = selector(right);
        if (!rs)
            return fail(rs.error());
        auto lr = range(left);
        if (!lr)
            return fail(lr.error());
        auto rr = range(right);
        if (!rr)
            return fail(rr.error());
        // Raw values, as Pyroscope answers; the viewer normalises.
        auto d = m_engine.diff(*ls, lr->first, lr->second, *rs, rr->first, rr->second, false);
        if (!d)
            return fail(d.error());
        return QJsonObject{{QStringLiteral("flamegraph"), connectFlamegraph(Flamebearer::fromDiff(*d), true)}};
    }

private:
    store::Storage &m_storage;
    PyroscopeApiOptions m_options;
    ProfileQueryEngine m_engine;
};

} // namespace

void PyroscopeApi::registerRoutes(Router &router, store::Storage &storage, PyroscopeApiOptions options)
{
    auto h = std::make_shared<Handlers>(storage, options);
    router.add("POST", QStringLiteral("/ingest"), [h](const HttpRequest &r) { return h->ingest(r); },
               options.maxIngestBytes);
    router.add(QByteArrayList{"GET", "POST"}, QStringLiteral("/pyroscope/render"),
               [h](const HttpRequest &r) { return h->render(r); });
    const QString base = QStringLiteral("/querier.v1.QuerierService/");
    using Method = Result<QJsonObject> (Handlers::*)(const QJsonObject &) const;
    const std::pair<const char *, Method> methods[] = {
        {"ProfileTypes", &Handlers::profileTypes},
        {"LabelNames", &Handlers::labelNames},
        {"LabelValues", &Handlers::labelValues},
        {"SelectMergeStacktraces", &Handlers::selectMergeStacktraces},
        {"SelectSeries", &Handlers::selectSeries},
        {"Diff", &Handlers::diff},
    };
    for (const auto &[name, method] : methods) {
        router.add("POST", base + QLatin1String(name),
                   [h, method](const HttpRequest &r) {
                       return h->connect(r, [&](const QJsonObject &o) { return ((*h).*method)(o); });
                   },
                   options.maxQueryBytes);
    }
}

} // namespace spyglass::api
