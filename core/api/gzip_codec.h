#pragma once

#include "core/model/result.h"

#include <QByteArray>

namespace spyglass::api {

// gzip and zlib ("deflate") streams, for request and response bodies.
class GzipCodec
{
public:
    // Decodes a gzip or zlib stream (detected from its header). Stops with an
    // error once the output would exceed maxBytes, so a small "zip bomb"
    // cannot grow memory; *tooLarge tells that case apart from bad data.
    static Result<QByteArray> decompress(QByteArrayView data, qint64 maxBytes, bool *tooLarge = nullptr);
    // A gzip stream (RFC 1952) of data.
    static QByteArray compress(QByteArrayView data, int level = 6);
};

} // namespace spyglass::api
