#include "core/api/gzip_codec.h"

#include <zlib.h>

namespace spyglass::api {

Result<QByteArray> GzipCodec::decompress(QByteArrayView data, qint64 maxBytes, bool *tooLarge)
{
    if (tooLarge)
        *tooLarge = false;
    z_stream zs{};
    // 32 + MAX_WBITS: accept both gzip and zlib headers.
    if (inflateInit2(&zs, 32 + MAX_WBITS) != Z_OK)
        return fail(Error::internal(QStringLiteral("cannot initialise zlib")));
    QByteArray out;
    out.resize(qMin<qint64>(qMax<qint64>(data.size() * 4, 4096), maxBytes + 1));
    zs.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.data()));
    zs.avail_in = uInt(data.size());
    int rc = Z_OK;
    qint64 produced = 0;
    while (true) {
        if (produced == out.size()) {
            if (produced > maxBytes)
                break;
            out.resize(qMin<qint64>(out.size() * 2, maxBytes + 1));
        }
        zs.next_out = reinterpret_cast<Bytef *>(out.data() + produced);
        zs.avail_out = uInt(out.size() - produced);
        rc = inflate(&zs, Z_NO_FLUSH);
        produced = out.size() - zs.avail_out;
        if (rc == Z_STREAM_END) {
            // Concatenated gzip members are valid gzip (RFC 1952 2.2).
            if (zs.avail_in > 0 && produced <= maxBytes) {
                inflateReset(&zs);
                continue;
            }
            break;
        }
        if (rc != Z_OK && !(rc == Z_BUF_ERROR && zs.avail_out == 0))
            break;
        if (zs.avail_in == 0 && zs.avail_out > 0) {
            rc = Z_DATA_ERROR; // input ended inside the stream
            break;
        }
    }
    const QString zmsg = zs.msg ? QString::fromLatin1(zs.msg) : QString();
    inflateEnd(&zs);
    if (produced > maxBytes) {
        if (tooLarge)
            *tooLarge = true;
        return fail(Error::invalid(
            QStringLiteral("decompressed body exceeds the limit of %1 bytes").arg(maxBytes)));
    }
    if (rc != Z_STREAM_END)
        return fail(Error::badData(QStringLiteral("invalid gzip body: %1")
                                       .arg(zmsg.isEmpty() ? QStringLiteral("truncated stream") : zmsg)));
    out.truncate(produced);
    return out;
}

QByteArray GzipCodec::compress(QByteArrayView data, int level)
{
    z_stream zs{};
    // 16 + MAX_WBITS: write a gzip header and trailer rather than zlib's.
    deflateInit2(&zs, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
    QByteArray out;
    out.resize(qsizetype(deflateBound(&zs, uLong(data.size()))));
    zs.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.data()));
    zs.avail_in = uInt(data.size());
    zs.next_out = reinterpret_cast<Bytef *>(out.data());
    zs.avail_out = uInt(out.size());
    deflate(&zs, Z_FINISH);
    out.truncate(out.size() - zs.avail_out);
    deflateEnd(&zs);
    return out;
}

} // namespace spyglass::api
