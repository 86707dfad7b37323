#include "core/ingest/http_push_sink.h"

#include "core/ingest/blocking_http_client.h"
#include "core/ingest/snappy_codec.h"
#include "core/ingest/wire_encoder.h"

#include <thread>

namespace spyglass::ingest {

namespace {

// The rejected count of an Export*ServiceResponse: partial_success (field 1)
// holds rejected_* (field 1, int64) and error_message (field 2) in every
// signal's response, so one reader serves all.
std::pair<std::int64_t, QString> partialSuccess(const QByteArray &b)
{
    std::int64_t rejected = 0;
    QString message;
    auto varint = [](const QByteArray &d, qsizetype &i) {
        quint64 v = 0;
        int shift = 0;
        while (i < d.size()) {
            const quint8 c = quint8(d[i++]);
            v |= quint64(c & 0x7f) << shift;
            if (!(c & 0x80))
                break;
            shift += 7;
        }
        return v;
    };
    qsizetype i = 0;
    while (i < b.size()) {
        const quint64 tag = varint(b, i);
        if ((tag & 7) != 2)
            return {rejected, message};
        const auto len = qsizetype(varint(b, i));
        const QByteArray inner = b.mid(i, len);
        i += len;
        if ((tag >> 3) != 1)
            continue;
        qsizetype j = 0;
        while (j < inner.size()) {
            const quint64 t = varint(inner, j);
            if (t == 0x08) {
                rejected = std::int64_t(varint(inner, j));
            } else if (t == 0x12) {
                const auto n = qsizetype(varint(inner, j));
                message = QString::fromUtf8(inner.mid(j, n));
                j += n;
            } else {
                break;
            }
        }
    }
    return {rejected, message};
}

} // namespace

HttpPushSink::HttpPushSink(HttpPushOptions options)
    : m_options(std::move(options)), m_client(std::make_unique<BlockingHttpClient>(m_options.host, m_options.port))
{
}

HttpPushSink::~HttpPushSink() = default;

qint64 HttpPushSink::bytesSent() const
{
    std::lock_guard l(m_mutex);
    return m_bytesSent;
}

Result<AppendCounts> HttpPushSink::send(const QByteArray &path, const QByteArray &contentType, const QByteArray &raw,
                                        bool snappy, std::int64_t items, const char *what)
{
    QList<QPair<QByteArray, QByteArray>> headers;
    if (!m_options.bearerToken.isEmpty())
        headers.append({"Authorization", "Bearer " + m_options.bearerToken});
    if (path == "/api/v1/write") {
        headers.append(qMakePair(QByteArray("Content-Encoding"), QByteArray("snappy")));
        headers.append(qMakePair(QByteArray("X-Prometheus-Remote-Write-Version"), QByteArray("0.1.0")));
    }
    const QByteArray body = snappy ? SnappyCodec::compress(raw) : raw;
    std::lock_guard l(m_mutex);
    for (int attempt = 0;; ++attempt) {
        auto reply = m_client->post(path, contentType, body, headers);
        if (!reply)
            return fail(Error{Error::Kind::Unavailable,
                              QStringLiteral("sending %1 to %2 failed: %3")
                                  .arg(QLatin1String(what), QString::fromLatin1(path), reply.error().message),
                              {}, 0, 0});
        m_bytesSent += body.size();
        if ((reply->status == 429 || reply->status == 503) && attempt < m_options.maxRetries) {
            const int wait = std::clamp(reply->header("retry-after").toInt(), 1, 10);
            std::this_thread::sleep_for(std::chrono::milliseconds(wait * 250)); // shorter than asked: loopback
            continue;
        }
        if (reply->status == 200 && contentType == "application/x-protobuf" && path.startsWith("/v1")) {
            const auto [rejected, message] = partialSuccess(reply->body);
            return AppendCounts{items - rejected, rejected, message};
        }
        if (reply->status == 200 || reply->status == 204)
            return AppendCounts{items, 0, {}};
        const Error::Kind kind = reply->status == 429 || reply->status == 503 ? Error::Kind::Unavailable
                                                                                : Error::Kind::Io;
        return fail(Error{kind,
                          QStringLiteral("%1 answered %2 to %3 (%4): %5")
                              .arg(QString::fromLatin1(path))
                              .arg(reply->status)
                              .arg(QLatin1String(what))
                              .arg(items)
                              .arg(QString::fromUtf8(reply->body.left(300)).trimmed()),
                          {}, 0, 0});
    }
}

Result<AppendCounts> HttpPushSink::appendSamples(const QList<model::Series> &series)
{
    std::int64_t n = 0;
    for (const auto &s : series)
        n += s.samples.size();
    return send("/api/v1/write", "application/x-protobuf", WireEncoder::remoteWrite(series), true, n, "samples");
}

Result<AppendCounts> HttpPushSink::appendExemplars(const QList<store::SeriesExemplar> &exemplars)
{
    return send("/api/v1/write", "application/x-protobuf", WireEncoder::remoteWrite({}, exemplars), true,
                exemplars.size(), "exemplars");
}

Result<AppendCounts> HttpPushSink::appendLogs(const QList<model::LogRecord> &records)
{
    return send("/loki/api/v1/push", "application/x-protobuf", WireEncoder::lokiPush(records), true, records.size(),
                "log records");
}

Result<AppendCounts> HttpPushSink::appendSpans(const QList<model::Span> &spans)
{
    return send("/v1/traces", "application/x-protobuf", WireEncoder::otlpTraces(spans), false, spans.size(), "spans");
}

Result<AppendCounts> HttpPushSink::appendProfiles(const QList<model::Profile> &profiles)
{
    return send("/v1development/profiles", "application/x-protobuf", WireEncoder::otlpProfiles(profiles), false,
                profiles.size(), "profiles");
}

} // namespace spyglass::ingest
