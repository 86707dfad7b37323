#include "core/ingest/loki_push_converter.h"

#include "core/proto/loki/push.pb.h"

#include <simdjson.h>

#include <charconv>

namespace spyglass::ingest {

namespace dom = simdjson::dom;

namespace {

QString qs(std::string_view s)
{
    return QString::fromUtf8(s.data(), qsizetype(s.size()));
}

bool validLabelName(QStringView n)
{
    if (n.isEmpty())
        return false;
    for (qsizetype i = 0; i < n.size(); ++i) {
        const QChar c = n[i];
        const bool ok = (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || c == u'_'
                        || (i > 0 && c >= u'0' && c <= u'9');
        if (!ok)
            return false;
    }
    return true;
}

Error streamError(qsizetype stream, const QString &what)
{
    return Error::badData(QStringLiteral("Loki push: streams[%1]: %2").arg(stream).arg(what));
}

} // namespace

Result<model::Labels> LokiPushConverter::parseLabels(QStringView text)
{
    auto bad = [&](qsizetype at, const QString &what) {
        return fail(Error::badData(QStringLiteral("Loki push: bad stream selector \"%1\" at column %2: %3")
                                       .arg(text.toString())
                                       .arg(at + 1)
                                       .arg(what)));
    };
    qsizetype i = 0;
    auto skipSpace = [&] {
        while (i < text.size() && text[i].isSpace())
            ++i;
    };
    skipSpace();
    if (i >= text.size() || text[i] != u'{')
        return bad(i, QStringLiteral("expected '{'"));
    ++i;
    QList<model::Label> labels;
    skipSpace();
    if (i < text.size() && text[i] == u'}') {
        ++i;
    } else {
        while (true) {
            skipSpace();
            const qsizetype start = i;
            while (i < text.size() && (text[i].isLetterOrNumber() || text[i] == u'_'))
                ++i;
            const QString name = text.mid(start, i - start).toString();
            if (!validLabelName(name))
                return bad(start, QStringLiteral("expected a label name"));
            skipSpace();
            if (i >= text.size() || text[i] != u'=')
                return bad(i, QStringLiteral("expected '=' after %1").arg(name));
            ++i;
            skipSpace();
            if (i >= text.size() || text[i] != u'"')
                return bad(i, QStringLiteral("expected a quoted value"));
            ++i;
            QString value;
            bool closed = false;
            while (i < text.size()) {
                const QChar c = text[i++];
                if (c == u'"') {
                    closed = true;
                    break;
                }
                if (c == u'\\' && i < text.size()) {
                    const QChar e = text[i++];
                    value += e == u'n' ? QChar(u'\n') : e == u't' ? QChar(u'\t') : e;
                } else {
                    value += c;
                }
            }
            if (!closed)
                return bad(i, QStringLiteral("unterminated value"));
            labels.append({name, value});
            skipSpace();
            if (i < text.size() && text[i] == u',') {
                ++i;
                continue;
            }
            if (i < text.size() && text[i] == u'}') {
                ++i;
                break;
            }
            return bad(i, QStringLiteral("expected ',' or '}'"));
        }
    }
    skipSpace();
    if (i != text.size())
        return bad(i, QStringLiteral("unexpected text after '}'"));
    return model::Labels(labels);
}

Result<LogsConversion> LokiPushConverter::decodeJson(QByteArrayView body)
{
    dom::parser parser;
    dom::element root;
    const simdjson::padded_string padded(body.data(), size_t(body.size()));
    if (const auto err = parser.parse(padded).get(root); err != simdjson::SUCCESS)
        return fail(Error::badData(
            QStringLiteral("Loki push: not valid JSON: %1").arg(QLatin1String(simdjson::error_message(err)))));
    dom::array streams;
    if (root["streams"].get_array().get(streams) != simdjson::SUCCESS)
        return fail(Error::badData(QStringLiteral("Loki push: expected an object with a \"streams\" array")));

    LogsConversion out;
    qsizetype si = 0;
    for (dom::element s : streams) {
        dom::object labelsObj;
        if (s["stream"].get_object().get(labelsObj) != simdjson::SUCCESS)
            return fail(streamError(si, QStringLiteral("expected a \"stream\" object of labels")));
        QList<model::Label> labels;
        for (auto [k, v] : labelsObj) {
            std::string_view sv;
            if (v.get_string().get(sv) != simdjson::SUCCESS)
                return fail(streamError(si, QStringLiteral("label %1: the value must be a string").arg(qs(k))));
            if (!validLabelName(qs(k)))
                return fail(streamError(si, QStringLiteral("invalid label name \"%1\"").arg(qs(k))));
            if (!sv.empty())
                labels.append({qs(k), qs(sv)});
        }
        if (labels.isEmpty())
            return fail(streamError(si, QStringLiteral("a stream needs at least one label")));
        const model::Labels stream(labels);

        dom::array values;
        if (s["values"].get_array().get(values) != simdjson::SUCCESS)
            return fail(streamError(si, QStringLiteral("expected a \"values\" array")));
        qsizetype vi = 0;
        for (dom::element v : values) {
            dom::array entry;
            if (v.get_array().get(entry) != simdjson::SUCCESS || entry.size() < 2 || entry.size() > 3)
                return fail(streamError(si, QStringLiteral("values[%1]: expected [\"<unix ns>\", \"line\"(, {metadata})]").arg(vi)));
            model::LogRecord rec;
            rec.stream = stream;
            std::string_view ts;
            std::int64_t ns = 0;
            if (entry.at(0).get_string().get(ts) == simdjson::SUCCESS) {
                const auto r = std::from_chars(ts.data(), ts.data() + ts.size(), ns);
                if (r.ec != std::errc() || r.ptr != ts.data() + ts.size() || ns < 0)
                    return fail(streamError(si, QStringLiteral("values[%1]: timestamp \"%2\" is not Unix nanoseconds")
                                                    .arg(vi)
                                                    .arg(qs(ts))));
            } else if (entry.at(0).get_int64().get(ns) != simdjson::SUCCESS || ns < 0) {
                return fail(streamError(si, QStringLiteral("values[%1]: the timestamp must be a string of Unix nanoseconds").arg(vi)));
            }
            rec.time = ns;
            std::string_view line;
            if (entry.at(1).get_string().get(line) != simdjson::SUCCESS)
                return fail(streamError(si, QStringLiteral("values[%1]: the line must be a string").arg(vi)));
            rec.line = qs(line);
            if (entry.size() == 3) {
                dom::object meta;
                if (entry.at(2).get_object().get(meta) != simdjson::SUCCESS)
                    return fail(streamError(si, QStringLiteral("values[%1]: structured metadata must be an object").arg(vi)));
                QList<model::Label> m;
                for (auto [k, mv] : meta) {
                    std::string_view sv;
                    if (mv.get_string().get(sv) != simdjson::SUCCESS)
                        return fail(streamError(si, QStringLiteral("values[%1]: metadata %2 must be a string").arg(vi).arg(qs(k))));
                    if (!sv.empty())
                        m.append({qs(k), qs(sv)});
                }
                rec.structuredMetadata = model::Labels(m);
            }
            out.records.append(std::move(rec));
            ++vi;
        }
        ++si;
    }
    return out;
}

Result<LogsConversion> LokiPushConverter::decodeProtobuf(QByteArrayView body)
{
    logproto::PushRequest req;
    if (!req.ParseFromArray(body.data(), int(body.size())))
        return fail(Error::badData(
            QStringLiteral("Loki push: the body is not a valid protobuf logproto.PushRequest (%1 bytes after snappy)")
                .arg(body.size())));
    LogsConversion out;
    for (int si = 0; si < req.streams_size(); ++si) {
        const auto &s = req.streams(si);
        auto labels = parseLabels(qs(s.labels()));
        if (!labels)
            return fail(streamError(si, labels.error().message));
        if (labels->isEmpty())
            return fail(streamError(si, QStringLiteral("a stream needs at least one label")));
        for (const auto &e : s.entries()) {
            model::LogRecord rec;
            rec.stream = *labels;
            rec.time = std::int64_t(e.timestamp().seconds()) * 1'000'000'000 + e.timestamp().nanos();
            if (rec.time < 0)
                return fail(streamError(si, QStringLiteral("an entry has a negative timestamp")));
            rec.line = qs(e.line());
            QList<model::Label> m;
            for (const auto &p : e.structuredmetadata())
                if (!p.value().empty())
                    m.append({qs(p.name()), qs(p.value())});
            rec.structuredMetadata = model::Labels(m);
            out.records.append(std::move(rec));
        }
    }
    return out;
}

} // namespace spyglass::ingest
