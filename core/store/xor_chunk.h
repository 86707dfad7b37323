#pragma once

#include "core/model/result.h"
#include "core/model/sample.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <cstdint>

namespace spyglass::store {

// Gorilla / Prometheus XOR chunk: delta-of-delta timestamps in bit buckets
// and XOR-compressed float64 values (byte layout in FORMAT.md). Unlike
// Prometheus the first delta is zigzag-signed and all timestamp arithmetic
// wraps, so any sequence of int64 timestamps (decreasing, equal, extreme)
// round-trips bit-exactly, as does every float bit pattern (NaNs, stale
// markers, -0.0). The store only ever writes time-sorted chunks.
class XorChunkEncoder
{
public:
    // Prometheus's choice: about two hours of 1-minute samples, and the
    // point where the per-chunk catalog row stops dominating the size.
    static constexpr int kMaxSamples = 120;
    // The format's hard limit (16-bit sample count).
    static constexpr int kFormatMaxSamples = 0xffff;

    XorChunkEncoder();

    // Returns false (and appends nothing) once kFormatMaxSamples is reached.
    bool append(model::TimestampMs t, double v);
    int count() const { return m_count; }
    bool isEmpty() const { return m_count == 0; }
    model::TimestampMs firstTime() const { return m_firstT; }
    model::TimestampMs lastTime() const { return m_t; }

    // The finished chunk bytes; the encoder stays usable for more appends.
    QByteArray bytes() const;

private:
    void writeBits(std::uint64_t bits, int n);
    void writeBit(bool b) { writeBits(b ? 1 : 0, 1); }
    void writeVarint(std::int64_t v);
    void writeValue(double v);

    QByteArray m_buf;   // starts with the 2-byte count, patched in bytes()
    int m_bitsFree = 0; // unused low bits in the last byte of m_buf
    int m_count = 0;
    model::TimestampMs m_firstT = 0;
    model::TimestampMs m_t = 0;
    std::uint64_t m_tDelta = 0; // wraps, see class comment
    std::uint64_t m_vBits = 0;
    int m_leading = 0xff; // 0xff: no XOR window yet
    int m_trailing = 0;
};

// Decodes a whole chunk. Truncated or corrupted bytes give an error naming
// what was wrong and where, never a crash or a silently short result.
Result<QList<model::Sample>> decodeXorChunk(QByteArrayView data);

// The sample count stored in a chunk header (0 when too short to have one).
int xorChunkCount(QByteArrayView data);

// Encodes samples into chunks of at most `maxPerChunk` samples each.
QList<QByteArray> encodeXorChunks(const QList<model::Sample> &samples,
                                  int maxPerChunk = XorChunkEncoder::kMaxSamples);

} // namespace spyglass::store
