#include "core/model/sample.h"
#include "core/store/xor_chunk.h"

#include <QRandomGenerator>
#include <QTest>
#include <bit>
#include <limits>

using namespace spyglass;
using namespace spyglass::store;
using model::Sample;

namespace {

QByteArray encode(const QList<Sample> &samples)
{
    XorChunkEncoder enc;
    for (const auto &s : samples)
        enc.append(s.t, s.v);
    return enc.bytes();
}

// Bit-exact comparison: NaN payloads, -0.0 and the stale marker must survive.
bool sameBits(const QList<Sample> &a, const QList<Sample> &b, QString *why)
{
    if (a.size() != b.size()) {
        *why = QStringLiteral("size %1 vs %2").arg(a.size()).arg(b.size());
        return false;
    }
    for (qsizetype i = 0; i < a.size(); ++i) {
        if (a[i].t != b[i].t || std::bit_cast<quint64>(a[i].v) != std::bit_cast<quint64>(b[i].v)) {
            *why = QStringLiteral("sample %1: (%2, %3) vs (%4, %5)")
                       .arg(i)
                       .arg(a[i].t)
                       .arg(std::bit_cast<quint64>(a[i].v), 16, 16, QLatin1Char('0'))
                       .arg(b[i].t)
                       .arg(std::bit_cast<quint64>(b[i].v), 16, 16, QLatin1Char('0'));
            return false;
        }
    }
    return true;
}

#define ROUND_TRIP(samples)                                                                        \
    do {                                                                                           \
        const QList<Sample> in_ = (samples);                                                       \
        const QByteArray bytes_ = encode(in_);                                                     \
        QCOMPARE(xorChunkCount(bytes_), int(in_.size()));                                          \
        auto out_ = decodeXorChunk(bytes_);                                                        \
        QVERIFY2(out_.has_value(), qPrintable(out_ ? QString() : out_.error().message));           \
        QString why_;                                                                              \
        QVERIFY2(sameBits(in_, *out_, &why_), qPrintable(why_));                                   \
    } while (false)

} // namespace

class TestXorChunk : public QObject
{
    Q_OBJECT
private slots:
    void emptyChunk()
    {
        const QByteArray b = XorChunkEncoder().bytes();
        QCOMPARE(b.size(), 2);
        auto out = decodeXorChunk(b);
        QVERIFY(out.has_value());
        QVERIFY(out->isEmpty());
    }

    void singleSample()
    {
        ROUND_TRIP((QList<Sample>{{1700000000123, 42.5}}));
        ROUND_TRIP((QList<Sample>{{-5, -0.0}}));
    }

    void regularCounterIsSmall()
    {
        QList<Sample> s;
        for (int i = 0; i < XorChunkEncoder::kMaxSamples; ++i)
            s.push_back({1700000000000 + i * 15000, double(1000 + i * 3)});
        ROUND_TRIP(s);
        // Constant spacing costs one bit per timestamp; a steadily growing
        // counter should stay far below 16 bytes per sample (raw size).
        QVERIFY2(encode(s).size() < 3 * s.size(), qPrintable(QString::number(encode(s).size())));
        QList<Sample> constant;
        for (int i = 0; i < 120; ++i)
            constant.push_back({1700000000000 + i * 15000, 7.0});
        // 2 header + ~6 first t + 8 first v + 2 delta + 118 * 2 bits.
        QVERIFY2(encode(constant).size() <= 50,
                 qPrintable(QString::number(encode(constant).size())));
    }

    void specialValues()
    {
        const double inf = std::numeric_limits<double>::infinity();
        QList<Sample> s{{1000, 1.0},
                        {2000, std::numeric_limits<double>::quiet_NaN()},
                        {3000, model::staleNaN()},
                        {4000, inf},
                        {5000, -inf},
                        {6000, -0.0},
                        {7000, 0.0},
                        {8000, model::staleNaN()},
                        {9000, std::bit_cast<double>(quint64(0x7ff8dead0000beefULL))},
                        {10000, std::numeric_limits<double>::denorm_min()},
                        {11000, std::numeric_limits<double>::max()},
                        {12000, std::numeric_limits<double>::lowest()},
                        {13000, 1.0}};
        ROUND_TRIP(s);
        auto out = decodeXorChunk(encode(s));
        QVERIFY(out.has_value());
        QVERIFY(model::isStaleNaN((*out)[2].v));
        QVERIFY(!model::isStaleNaN((*out)[1].v));
        QVERIFY(std::signbit((*out)[5].v));
        QVERIFY(!std::signbit((*out)[6].v));
    }

    void timestampShapes()
    {
        // Equal timestamps (delta 0), irregular gaps, negative times and
        // steps that fall into each delta-of-delta bucket and beyond.
        ROUND_TRIP((QList<Sample>{{100, 1}, {100, 2}, {100, 3}, {101, 4}, {101, 5}}));
        ROUND_TRIP((QList<Sample>{{-1000000, 1}, {-999999, 2}, {-5, 3}, {0, 4}, {7, 5}}));
        QList<Sample> buckets;
        std::int64_t t = 0;
        const std::int64_t deltas[] = {
            1,       2,      8191,      -8192,        8192, 65535, -65536, 65536, 524287,
            -524288, 524288, 1LL << 40, -(1LL << 40), 3,    0,     0,      17};
        std::int64_t delta = 10;
        for (auto dod : deltas) {
            delta += dod;
            t += delta;
            buckets.push_back({t, double(t)});
        }
        ROUND_TRIP(buckets);
    }

    void extremeTimestamps()
    {
        const std::int64_t mn = std::numeric_limits<std::int64_t>::min();
        const std::int64_t mx = std::numeric_limits<std::int64_t>::max();
        ROUND_TRIP((QList<Sample>{{mn, 1}, {mx, 2}, {mn, 3}, {0, 4}, {mx, 5}, {mx, 6}}));
        ROUND_TRIP((QList<Sample>{{mx, 1}}));
        ROUND_TRIP((QList<Sample>{{mn, 1}, {mn + 1, 2}}));
    }

    void decreasingTimestamps()
    {
        QList<Sample> s;
        for (int i = 0; i < 50; ++i)
            s.push_back({100000 - i * i * 37, double(i)});
        ROUND_TRIP(s);
    }

    void fullChunkAndFormatLimit()
    {
        QList<Sample> s;
        for (int i = 0; i < XorChunkEncoder::kFormatMaxSamples; ++i)
            s.push_back({i * 1000LL, double(i % 17) * 0.1});
        ROUND_TRIP(s);
        XorChunkEncoder enc;
        for (const auto &x : s)
            QVERIFY(enc.append(x.t, x.v));
        QVERIFY(!enc.append(1, 1)); // the 16-bit count cannot go further
        QCOMPARE(enc.count(), XorChunkEncoder::kFormatMaxSamples);
    }

    void encodeSplitsIntoChunks()
    {
        QList<Sample> s;
        for (int i = 0; i < 250; ++i)
            s.push_back({i * 15000LL, double(i)});
        const auto chunks = encodeXorChunks(s);
        QCOMPARE(chunks.size(), 3);
        QCOMPARE(xorChunkCount(chunks[0]), 120);
        QCOMPARE(xorChunkCount(chunks[1]), 120);
        QCOMPARE(xorChunkCount(chunks[2]), 10);
        QList<Sample> all;
        for (const auto &c : chunks)
            all.append(*decodeXorChunk(c));
        QString why;
        QVERIFY2(sameBits(s, all, &why), qPrintable(why));
    }

    void randomBitPatterns()
    {
        // 10k random values, raw bit patterns (any NaN payload, denormals),
        // mixed with repeats and small perturbations that exercise the XOR
        // window reuse path, in chunks of random sizes.
        QRandomGenerator rng(20241125);
        int done = 0;
        while (done < 10000) {
            const int n = 1 + int(rng.bounded(200));
            QList<Sample> s;
            std::int64_t t = std::int64_t(rng.generate64());
            double prev = 0;
            for (int i = 0; i < n; ++i) {
                switch (rng.bounded(5)) {
                case 0:
                    t += std::int64_t(rng.bounded(100000)) - 50000;
                    break;
                case 1:
                    t = std::int64_t(rng.generate64());
                    break;
                default:
                    t += 15000;
                }
                double v;
                switch (rng.bounded(4)) {
                case 0:
                    v = std::bit_cast<double>(rng.generate64());
                    break;
                case 1:
                    v = prev;
                    break;
                case 2:
                    v = std::bit_cast<double>(std::bit_cast<quint64>(prev) ^
                                              (rng.generate64() & 0xffff0000ULL));
                    break;
                default:
                    v = double(rng.bounded(1000));
                }
                prev = v;
                s.push_back({t, v});
            }
            ROUND_TRIP(s);
            done += n;
        }
    }

    void truncatedChunksFail()
    {
        QList<Sample> s;
        for (int i = 0; i < 120; ++i)
            s.push_back({1700000000000 + i * 15000 + (i % 7) * 13, double(i) * 1.5 + (i % 3)});
        const QByteArray full = encode(s);
        QVERIFY(decodeXorChunk(full).has_value());
        for (qsizetype len = 0; len < full.size(); ++len) {
            auto r = decodeXorChunk(QByteArrayView(full).first(len));
            QVERIFY2(!r.has_value(), qPrintable(QStringLiteral("length %1 decoded").arg(len)));
            QCOMPARE(r.error().kind, Error::Kind::BadData);
            QVERIFY(r.error().message.contains(QLatin1String("XOR chunk")));
        }
        // Trailing garbage: the count says the data ends earlier.
        auto r = decodeXorChunk(QByteArray(full + QByteArray("\x01\x02", 2)));
        QVERIFY(!r.has_value());
        QVERIFY(r.error().message.contains(QLatin1String("header says 120")));
    }

    void corruptedChunksNeverCrash()
    {
        // Random bit flips and count changes must give an error or some
        // samples, never a crash or an out-of-bounds read (run under ASan).
        QList<Sample> s;
        for (int i = 0; i < 120; ++i)
            s.push_back({i * 15000LL, double(i * i)});
        const QByteArray good = encode(s);
        QRandomGenerator rng(7);
        int errors = 0;
        for (int round = 0; round < 5000; ++round) {
            QByteArray bad = good;
            const int flips = 1 + int(rng.bounded(4));
            for (int f = 0; f < flips; ++f) {
                const int bit = int(rng.bounded(quint32(bad.size() * 8)));
                bad[bit / 8] = char(bad[bit / 8] ^ (1 << (bit % 8)));
            }
            auto r = decodeXorChunk(bad);
            if (!r)
                ++errors;
            else
                QCOMPARE(r->size(), xorChunkCount(bad));
        }
        QVERIFY(errors > 0);
        // A count far beyond the data must fail, not allocate or read past.
        QByteArray huge = good;
        huge[0] = char(0xff);
        huge[1] = char(0xff);
        QVERIFY(!decodeXorChunk(huge).has_value());
    }
};

QTEST_GUILESS_MAIN(TestXorChunk)
#include "tst_xor_chunk.moc"
