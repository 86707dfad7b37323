#pragma once

#include "core/model/result.h"

#include <QByteArray>

namespace spyglass::ingest {

// Snappy *block* format (not the framed format), as remote_write and Loki
// push use it.
class SnappyCodec
{
public:
    // Refuses (with *tooLarge set) a block declaring more than maxBytes
    // before allocating anything.
    static Result<QByteArray> decompress(QByteArrayView data, qint64 maxBytes, bool *tooLarge = nullptr);
    static QByteArray compress(QByteArrayView data);
};

} // namespace spyglass::ingest
