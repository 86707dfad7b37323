#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <cstdint>

// The integer encodings shared by every store's on-disk records (FORMAT.md):
// LEB128 unsigned varints, as protobuf and Go's encoding/binary write them,
// and zig-zag mapping of signed values onto them.
namespace spyglass::store {

inline void putUvarint(QByteArray &out, std::uint64_t v)
{
    while (v >= 0x80) {
        out.append(char((v & 0x7f) | 0x80));
        v >>= 7;
    }
    out.append(char(v));
}

// Reads one varint at `pos` and advances it; false on truncated or over-long input.
inline bool getUvarint(QByteArrayView in, qsizetype &pos, std::uint64_t &v)
{
    v = 0;
    for (int shift = 0; shift < 64 && pos < in.size(); shift += 7) {
        const auto b = std::uint8_t(in[pos++]);
        v |= std::uint64_t(b & 0x7f) << shift;
        if (!(b & 0x80))
            return true;
    }
    return false;
}

inline std::uint64_t zigzag(std::int64_t v) { return (std::uint64_t(v) << 1) ^ std::uint64_t(v >> 63); }
inline std::int64_t unzigzag(std::uint64_t u) { return std::int64_t(u >> 1) ^ -std::int64_t(u & 1); }

} // namespace spyglass::store
