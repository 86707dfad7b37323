#include "app/gui/widgets/decimation.h"
#include "core/model/sample.h"

#include <QTest>
#include <cmath>
#include <limits>
#include <vector>

using namespace spyglass::gui::widgets;

namespace {

DecimationInput input(const std::vector<std::int64_t> &t, const std::vector<double> &v,
                      std::int64_t from, std::int64_t to, int columns, std::int64_t gap = 0)
{
    DecimationInput in;
    in.times = t;
    in.values = v;
    in.fromMs = from;
    in.toMs = to;
    in.columns = columns;
    in.maxGapMs = gap;
    return in;
}

qsizetype pointCount(const QList<PlotSegment> &segs)
{
    qsizetype n = 0;
    for (const auto &s : segs)
        n += s.size();
    return n;
}

} // namespace

class TestDecimation : public QObject
{
    Q_OBJECT
private slots:
    void keepsExtremesPerColumn()
    {
        // 100,000 points of a noisy sine into 500 columns.
        std::vector<std::int64_t> t;
        std::vector<double> v;
        for (int i = 0; i < 100'000; ++i) {
            t.push_back(i * 10);
            v.push_back(std::sin(i / 500.0) * 100 + (i % 7) - 3);
        }
        // Plant single-sample spikes that a naive sampler would miss.
        v[12'345] = 1e6;
        v[77'777] = -1e6;
        const auto segs = decimateMinMax(input(t, v, 0, 999'990, 500));
        QCOMPARE(segs.size(), 1);
        const auto &seg = segs.front();
        QVERIFY2(seg.size() <= 2 * 500 + 2, qPrintable(QString::number(seg.size())));
        QVERIFY(seg.size() >= 500);
        bool sawMax = false, sawMin = false;
        for (const auto &p : seg) {
            sawMax = sawMax || (p.t == 123'450 && p.v == 1e6);
            sawMin = sawMin || (p.t == 777'770 && p.v == -1e6);
        }
        QVERIFY(sawMax);
        QVERIFY(sawMin);
        // Points stay in time order and each is a real sample.
        for (qsizetype i = 1; i < seg.size(); ++i)
            QVERIFY(seg[i - 1].t < seg[i].t);
        for (const auto &p : seg)
            QCOMPARE(p.v, v[std::size_t(p.t / 10)]);
    }

    void columnKeepsMinAndMaxInTimeOrder()
    {
        // One column holding 5 samples: the max comes before the min.
        const std::vector<std::int64_t> t{0, 1, 2, 3, 4};
        const std::vector<double> v{3, 9, 5, 1, 4};
        const auto segs = decimateMinMax(input(t, v, 0, 10, 1));
        QCOMPARE(segs.size(), 1);
        QCOMPARE(segs[0], (PlotSegment{{1, 9}, {3, 1}}));
    }

    void fewPointsPassThrough()
    {
        const std::vector<std::int64_t> t{0, 100, 200};
        const std::vector<double> v{1, 2, 3};
        const auto segs = decimateMinMax(input(t, v, 0, 200, 800));
        QCOMPARE(segs.size(), 1);
        QCOMPARE(segs[0], (PlotSegment{{0, 1}, {100, 2}, {200, 3}}));
    }

    void nanAndStaleMarkersBreakTheLine()
    {
        const std::vector<std::int64_t> t{0, 10, 20, 30, 40, 50, 60};
        const std::vector<double> v{1, 2, std::numeric_limits<double>::quiet_NaN(), 4, 5,
                                    spyglass::model::staleNaN(), 7};
        const auto segs = decimateMinMax(input(t, v, 0, 60, 100));
        QCOMPARE(segs.size(), 3);
        QCOMPARE(segs[0], (PlotSegment{{0, 1}, {10, 2}}));
        QCOMPARE(segs[1], (PlotSegment{{30, 4}, {40, 5}}));
        QCOMPARE(segs[2], (PlotSegment{{60, 7}}));
    }

    void wideGapsBreakTheLine()
    {
        // Step 15 s, a 2-minute hole in the middle.
        std::vector<std::int64_t> t;
        std::vector<double> v;
        for (int i = 0; i < 10; ++i) {
            t.push_back(i * 15'000);
            v.push_back(i);
        }
        for (int i = 18; i < 28; ++i) {
            t.push_back(i * 15'000);
            v.push_back(i);
        }
        const std::int64_t step = typicalStepMs(t);
        QCOMPARE(step, 15'000);
        const auto segs = decimateMinMax(input(t, v, 0, 27 * 15'000, 1000, 2 * step));
        QCOMPARE(segs.size(), 2);
        QCOMPARE(segs[0].back().t, 9 * 15'000);
        QCOMPARE(segs[1].front().t, 18 * 15'000);
        // Without a gap threshold the two halves connect.
        QCOMPARE(decimateMinMax(input(t, v, 0, 27 * 15'000, 1000)).size(), 1);
    }

    void keepsOneNeighbourOutsideTheRange()
    {
        std::vector<std::int64_t> t;
        std::vector<double> v;
        for (int i = 0; i < 100; ++i) {
            t.push_back(i * 1000);
            v.push_back(i);
        }
        const auto segs = decimateMinMax(input(t, v, 10'500, 20'500, 1000));
        QCOMPARE(segs.size(), 1);
        QCOMPARE(segs[0].front().t, 10'000);
        QCOMPARE(segs[0].back().t, 21'000);
        QCOMPARE(pointCount(segs), 12);
    }

    void degenerateInputs()
    {
        const std::vector<std::int64_t> t{0, 1};
        const std::vector<double> v{1, 2};
        QVERIFY(decimateMinMax(input({}, {}, 0, 10, 10)).isEmpty());
        QVERIFY(decimateMinMax(input(t, v, 0, 10, 0)).isEmpty());
        QVERIFY(decimateMinMax(input(t, v, 10, 10, 10)).isEmpty());
        // Everything outside the range on one side: only the neighbour remains.
        QCOMPARE(pointCount(decimateMinMax(input(t, v, 100, 200, 10))), 1);
        QCOMPARE(typicalStepMs(std::vector<std::int64_t>{5}), 0);
    }
};

QTEST_GUILESS_MAIN(TestDecimation)
#include "tst_decimation.moc"
