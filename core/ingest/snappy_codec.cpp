#include "core/ingest/snappy_codec.h"

#include <snappy.h>

namespace spyglass::ingest {

Result<QByteArray> SnappyCodec::decompress(QByteArrayView data, qint64 maxBytes, bool *tooLarge)
{
    if (tooLarge)
        *tooLarge = false;
    size_t length = 0;
    if (!snappy::GetUncompressedLength(data.data(), size_t(data.size()), &length))
        return fail(Error::badData(QStringLiteral("the body is not snappy block-compressed data "
                                                  "(bad length header)")));
    if (qint64(length) > maxBytes) {
        if (tooLarge)
            *tooLarge = true;
        return fail(Error::badData(QStringLiteral("the snappy body expands to %1 bytes, more than the limit of %2")
                                       .arg(length)
                                       .arg(maxBytes)));
    }
    QByteArray out(qsizetype(length), Qt::Uninitialized);
    if (!snappy::RawUncompress(data.data(), size_t(data.size()), out.data()))
        return fail(Error::badData(QStringLiteral("the body is not valid snappy block-compressed data "
                                                  "(corrupt or truncated)")));
    return out;
}

QByteArray SnappyCodec::compress(QByteArrayView data)
{
    std::string out;
    snappy::Compress(data.data(), size_t(data.size()), &out);
    return QByteArray(out.data(), qsizetype(out.size()));
}

} // namespace spyglass::ingest
