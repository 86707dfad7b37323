#include "core/store/xor_chunk.h"
#include "core/store/varint.h"

#include <bit>

namespace spyglass::store {

namespace {

// Delta-of-delta buckets, as in Prometheus: a prefix of 1s ended by a 0,
// then a signed value of the bucket's width; '1111' is followed by 64 bits.
struct Bucket
{
    int prefixBits;
    std::uint64_t prefix;
    int width;
};
constexpr Bucket kBuckets[] = {{2, 0b10, 14}, {3, 0b110, 17}, {4, 0b1110, 20}};

bool fitsSigned(std::int64_t v, int width)
{
    const std::int64_t lim = std::int64_t(1) << (width - 1);
    return v >= -lim && v < lim;
}

class BitReader
{
public:
    explicit BitReader(QByteArrayView d) : m_d(d) {}

    bool readBits(int n, std::uint64_t &out)
    {
        if (n == 0) {
            out = 0;
            return true;
        }
        if (m_pos + qsizetype(n) > m_d.size() * 8)
            return false;
        std::uint64_t v = 0;
        while (n > 0) {
            const int bitInByte = int(m_pos & 7);
            const int avail = 8 - bitInByte;
            const int take = n < avail ? n : avail;
            const std::uint8_t byte = std::uint8_t(m_d[m_pos >> 3]);
            const std::uint8_t chunk =
                std::uint8_t(byte >> (avail - take)) & std::uint8_t((1u << take) - 1);
            v = (take == 64 ? 0 : (v << take)) | chunk;
            n -= take;
            m_pos += take;
        }
        out = v;
        return true;
    }
    bool readBit(bool &b)
    {
        std::uint64_t v;
        if (!readBits(1, v))
            return false;
        b = v != 0;
        return true;
    }
    bool readVarint(std::uint64_t &out)
    {
        std::uint64_t v = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            std::uint64_t byte;
            if (!readBits(8, byte))
                return false;
            if (shift == 63 && byte > 1)
                return false; // more than 64 bits: corrupt
            v |= (byte & 0x7f) << shift;
            if (!(byte & 0x80)) {
                out = v;
                return true;
            }
        }
        return false;
    }
    qsizetype bitPos() const { return m_pos; }

private:
    QByteArrayView m_d;
    qsizetype m_pos = 0;
};

} // namespace

XorChunkEncoder::XorChunkEncoder()
{
    m_buf.reserve(2 + 8 + 8 + kMaxSamples * 2);
    m_buf.append(2, '\0');
}

void XorChunkEncoder::writeBits(std::uint64_t bits, int n)
{
    // Feeds the most significant of the n bits first.
    while (n > 0) {
        if (m_bitsFree == 0) {
            m_buf.append('\0');
            m_bitsFree = 8;
        }
        const int take = n < m_bitsFree ? n : m_bitsFree;
        const std::uint64_t chunk = (bits >> (n - take)) & ((std::uint64_t(1) << take) - 1);
        m_buf.data()[m_buf.size() - 1] |= char(chunk << (m_bitsFree - take));
        m_bitsFree -= take;
        n -= take;
    }
}

void XorChunkEncoder::writeVarint(std::int64_t v)
{
    std::uint64_t u = zigzag(v);
    while (u >= 0x80) {
        writeBits((u & 0x7f) | 0x80, 8);
        u >>= 7;
    }
    writeBits(u, 8);
}

void XorChunkEncoder::writeValue(double v)
{
    const std::uint64_t bits = std::bit_cast<std::uint64_t>(v);
    const std::uint64_t x = bits ^ m_vBits;
    m_vBits = bits;
    if (x == 0) {
        writeBit(false);
        return;
    }
    writeBit(true);
    int leading = std::countl_zero(x);
    const int trailing = std::countr_zero(x);
    if (leading >= 32)
        leading = 31; // 5-bit field
    if (m_leading != 0xff && leading >= m_leading && trailing >= m_trailing) {
        // Fits in the previous window: reuse it.
        writeBit(false);
        const int sig = 64 - m_leading - m_trailing;
        writeBits(x >> m_trailing, sig);
        return;
    }
    m_leading = leading;
    m_trailing = trailing;
    const int sig = 64 - leading - trailing;
    writeBit(true);
    writeBits(std::uint64_t(leading), 5);
    writeBits(std::uint64_t(sig & 63), 6); // 64 is written as 0
    writeBits(x >> trailing, sig);
}

bool XorChunkEncoder::append(model::TimestampMs t, double v)
{
    if (m_count >= kFormatMaxSamples)
        return false;
    if (m_count == 0) {
        m_firstT = t;
        writeVarint(t);
        m_vBits = std::bit_cast<std::uint64_t>(v);
        writeBits(m_vBits, 64);
    } else if (m_count == 1) {
        m_tDelta = std::uint64_t(t) - std::uint64_t(m_t);
        writeVarint(std::int64_t(m_tDelta));
        writeValue(v);
    } else {
        const std::uint64_t delta = std::uint64_t(t) - std::uint64_t(m_t);
        const std::int64_t dod = std::int64_t(delta - m_tDelta);
        m_tDelta = delta;
        if (dod == 0) {
            writeBit(false);
        } else {
            bool written = false;
            for (const Bucket &b : kBuckets) {
                if (fitsSigned(dod, b.width)) {
                    writeBits(b.prefix, b.prefixBits);
                    writeBits(std::uint64_t(dod) & ((std::uint64_t(1) << b.width) - 1), b.width);
                    written = true;
                    break;
                }
            }
            if (!written) {
                writeBits(0b1111, 4);
                writeBits(std::uint64_t(dod), 64);
            }
        }
        writeValue(v);
    }
    m_t = t;
    ++m_count;
    return true;
}

QByteArray XorChunkEncoder::bytes() const
{
    QByteArray out = m_buf;
    out[0] = char((m_count >> 8) & 0xff);
    out[1] = char(m_count & 0xff);
    return out;
}

int xorChunkCount(QByteArrayView data)
{
    if (data.size() < 2)
        return 0;
    return (int(std::uint8_t(data[0])) << 8) | int(std::uint8_t(data[1]));
}

Result<QList<model::Sample>> decodeXorChunk(QByteArrayView data)
{
    if (data.size() < 2)
        return fail(Error::badData(
            QStringLiteral("XOR chunk truncated: %1 bytes, header needs 2").arg(data.size())));
    const int count = xorChunkCount(data);
    BitReader r(data.sliced(2));
    QList<model::Sample> out;
    out.reserve(count);
    auto truncated = [&](const char *what) {
        return fail(Error::badData(QStringLiteral("XOR chunk corrupt: %1 of sample %2 of %3 "
                                                  "(bit offset %4 of %5 bytes)")
                                       .arg(QLatin1String(what))
                                       .arg(out.size() + 1)
                                       .arg(count)
                                       .arg(r.bitPos() + 16)
                                       .arg(data.size())));
    };

    std::uint64_t t = 0;
    std::uint64_t delta = 0;
    std::uint64_t vBits = 0;
    int leading = 0xff;
    int trailing = 0;

    auto readValue = [&]() -> bool {
        bool nonZero;
        if (!r.readBit(nonZero))
            return false;
        if (!nonZero)
            return true;
        bool newWindow;
        if (!r.readBit(newWindow))
            return false;
        if (newWindow) {
            std::uint64_t l, s;
            if (!r.readBits(5, l) || !r.readBits(6, s))
                return false;
            const int sig = s == 0 ? 64 : int(s);
            if (int(l) + sig > 64)
                return false;
            leading = int(l);
            trailing = 64 - leading - sig;
        } else if (leading == 0xff) {
            return false; // window reuse before any window was set
        }
        const int sig = 64 - leading - trailing;
        std::uint64_t bits;
        if (!r.readBits(sig, bits))
            return false;
        vBits ^= bits << trailing;
        return true;
    };

    for (int i = 0; i < count; ++i) {
        if (i == 0) {
            std::uint64_t u;
            if (!r.readVarint(u))
                return truncated("timestamp");
            t = std::uint64_t(unzigzag(u));
            if (!r.readBits(64, vBits))
                return truncated("value");
        } else if (i == 1) {
            std::uint64_t u;
            if (!r.readVarint(u))
                return truncated("timestamp delta");
            delta = std::uint64_t(unzigzag(u));
            t += delta;
            if (!readValue())
                return truncated("value");
        } else {
            int ones = 0;
            bool bit = true;
            while (ones < 4) {
                if (!r.readBit(bit))
                    return truncated("timestamp bucket");
                if (!bit)
                    break;
                ++ones;
            }
            std::uint64_t dod = 0;
            if (ones == 4) {
                if (!r.readBits(64, dod))
                    return truncated("timestamp delta-of-delta");
            } else if (ones > 0) {
                const int width = kBuckets[ones - 1].width;
                std::uint64_t raw;
                if (!r.readBits(width, raw))
                    return truncated("timestamp delta-of-delta");
                // Sign-extend from `width` bits.
                const std::uint64_t sign = std::uint64_t(1) << (width - 1);
                dod = (raw ^ sign) - sign;
            }
            delta += dod;
            t += delta;
            if (!readValue())
                return truncated("value");
        }
        out.push_back({std::int64_t(t), std::bit_cast<double>(vBits)});
    }
    // The encoder pads only the last byte; more bytes than that mean the
    // header count and the payload disagree.
    const qsizetype usedBytes = (r.bitPos() + 7) / 8;
    if (usedBytes != data.size() - 2)
        return fail(
            Error::badData(QStringLiteral("XOR chunk corrupt: header says %1 samples, which "
                                          "end at byte %2, but the chunk has %3 bytes")
                               .arg(count)
                               .arg(usedBytes + 2)
                               .arg(data.size())));
    return out;
}

QList<QByteArray> encodeXorChunks(const QList<model::Sample> &samples, int maxPerChunk)
{
    QList<QByteArray> out;
    if (maxPerChunk < 1)
        maxPerChunk = 1;
    if (maxPerChunk > XorChunkEncoder::kFormatMaxSamples)
        maxPerChunk = XorChunkEncoder::kFormatMaxSamples;
    XorChunkEncoder enc;
    for (const auto &s : samples) {
        if (enc.count() >= maxPerChunk) {
            out.push_back(enc.bytes());
            enc = XorChunkEncoder();
        }
        enc.append(s.t, s.v);
    }
    if (!enc.isEmpty())
        out.push_back(enc.bytes());
    return out;
}

} // namespace spyglass::store
