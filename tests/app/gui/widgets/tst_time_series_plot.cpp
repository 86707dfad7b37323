#include "app/gui/widgets/axis_ticks.h"
#include "app/gui/widgets/series_palette.h"
#include "app/gui/widgets/time_series_plot.h"

#include <QImage>
#include <QMouseEvent>
#include <QListWidget>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <cmath>

using namespace spyglass;
using namespace spyglass::gui::widgets;

namespace {

constexpr model::TimestampMs kStart = 1'700'000'000'000LL; // 2023-11-14T22:13:20Z
constexpr std::int64_t kStep = 15'000;

model::Frame series(const QString &job, int points, double (*f)(int))
{
    QList<model::Sample> samples;
    for (int i = 0; i < points; ++i)
        samples.push_back({kStart + i * kStep, f(i)});
    return model::Frame::timeSeries(
        model::Labels{{QStringLiteral("__name__"), QStringLiteral("up")}, {QStringLiteral("job"), job}},
        samples);
}

// Pixels in `area` whose hue is close to `c` and clearly coloured: survives
// anti-aliasing blends with the background (which keep the hue).
int pixelsOfHue(const QImage &img, const QRect &area, const QColor &c)
{
    int n = 0;
    const int hue = c.hsvHue();
    for (int y = area.top(); y <= area.bottom(); ++y) {
        for (int x = area.left(); x <= area.right(); ++x) {
            const QColor p = img.pixelColor(x, y);
            if (p.hsvSaturation() < 60 || p.value() < 60)
                continue;
            int d = std::abs(p.hsvHue() - hue);
            d = std::min(d, 360 - d);
            if (d <= 10)
                ++n;
        }
    }
    return n;
}

void hoverAt(QWidget *w, QPoint pos)
{
    QMouseEvent move(QEvent::MouseMove, QPointF(pos), QPointF(w->mapToGlobal(pos)), Qt::NoButton, Qt::NoButton,
                     Qt::NoModifier);
    QCoreApplication::sendEvent(w, &move);
}

} // namespace

class TestTimeSeriesPlot : public QObject
{
    Q_OBJECT
private slots:
    void framesBecomeSeries()
    {
        const model::Frames frames{series(QStringLiteral("a"), 10, [](int i) { return double(i); }),
                                   series(QStringLiteral("b"), 10, [](int) { return 5.0; })};
        const auto s = TimeSeriesPlot::seriesFromFrames(frames);
        QCOMPARE(s.size(), 2);
        QCOMPARE(s[0].name, QStringLiteral("up{job=\"a\"}"));
        QCOMPARE(s[1].name, QStringLiteral("up{job=\"b\"}"));
        QCOMPARE(s[0].color, seriesColor(0));
        QCOMPARE(s[1].color, seriesColor(1));
        QCOMPARE(s[0].maxGapMs, 2 * kStep);
        QCOMPARE(s[0].times.size(), 10);
        QCOMPARE(s[0].values[3], 3.0);
        // Frames without a time field are not plottable.
        model::Frame table(QStringLiteral("t"), model::FrameKind::Table);
        table.addField(model::Field::float64(QStringLiteral("v"), {1, 2}));
        QVERIFY(TimeSeriesPlot::seriesFromFrames({table}).isEmpty());
    }

    void drawsSeriesInTheirColours()
    {
        TimeSeriesPlot plot;
        plot.resize(800, 420);
        plot.setTimeRange(kStart, kStart + 99 * kStep);
        plot.show();
        QVERIFY(QTest::qWaitForWindowExposed(&plot));
        const QRect area = plot.canvas()->plotArea();
        QVERIFY(area.width() > 600);

        QTemporaryDir dir;
        QImage empty = plot.canvas()->grab().toImage();
        QCOMPARE(pixelsOfHue(empty, area, seriesColor(0)), 0);

        plot.setFrames({series(QStringLiteral("a"), 100, [](int i) { return std::sin(i / 10.0) * 10; }),
                        series(QStringLiteral("b"), 100, [](int i) { return double(i % 20); })});
        QCOMPARE(plot.seriesCount(), 2);
        QCOMPARE(plot.legend()->count(), 2);
        QCOMPARE(plot.legend()->item(0)->text(), QStringLiteral("up{job=\"a\"}"));

        const QString path = dir.filePath(QStringLiteral("plot.png"));
        QVERIFY(plot.grab().save(path));
        QImage img(path);
        QVERIFY(!img.isNull());
        const QRect canvasArea = area.translated(plot.canvas()->pos());
        const int green = pixelsOfHue(img, canvasArea, seriesColor(0));
        const int yellow = pixelsOfHue(img, canvasArea, seriesColor(1));
        QVERIFY2(green > 300, qPrintable(QString::number(green)));
        QVERIFY2(yellow > 300, qPrintable(QString::number(yellow)));

        // Hiding a series removes its line.
        plot.setSeriesVisible(1, false);
        img = plot.canvas()->grab().toImage();
        QVERIFY(pixelsOfHue(img, area, seriesColor(0)) > 300);
        QCOMPARE(pixelsOfHue(img, area, seriesColor(1)), 0);
    }

    void legendIsolatesAndRestores()
    {
        TimeSeriesPlot plot;
        plot.setFrames({series(QStringLiteral("a"), 5, [](int) { return 1.0; }),
                        series(QStringLiteral("b"), 5, [](int) { return 2.0; }),
                        series(QStringLiteral("c"), 5, [](int) { return 3.0; })});
        plot.isolateSeries(1);
        QVERIFY(!plot.isSeriesVisible(0));
        QVERIFY(plot.isSeriesVisible(1));
        QVERIFY(!plot.isSeriesVisible(2));
        emit plot.legend()->itemClicked(plot.legend()->item(1)); // same again: show all
        QVERIFY(plot.isSeriesVisible(0) && plot.isSeriesVisible(1) && plot.isSeriesVisible(2));
        emit plot.legend()->itemClicked(plot.legend()->item(2));
        QVERIFY(!plot.isSeriesVisible(0) && !plot.isSeriesVisible(1) && plot.isSeriesVisible(2));
    }

    void hoverTooltipShowsValuesAtCursor()
    {
        TimeSeriesPlot plot;
        plot.resize(800, 400);
        plot.setTimeZone(QTimeZone::utc());
        plot.setTimeRange(kStart, kStart + 99 * kStep);
        plot.setFrames({series(QStringLiteral("a"), 100, [](int i) { return double(i); }),
                        series(QStringLiteral("b"), 100, [](int i) { return 1000.0 * i; })});
        plot.show();
        QVERIFY(QTest::qWaitForWindowExposed(&plot));
        PlotCanvas *canvas = plot.canvas();
        const QRect area = canvas->plotArea();
        const int x = int(std::round(canvas->timeToX(kStart + 40 * kStep)));
        const QPoint pos(x, area.center().y());
        QTest::mouseMove(canvas, pos);
        QTRY_VERIFY(!canvas->hoverText().isEmpty());
        const QStringList lines = canvas->hoverText().split(QLatin1Char('\n'));
        QCOMPARE(lines.size(), 3);
        // 40 steps of 15 s after 22:13:20 UTC.
        QCOMPARE(lines[0], QStringLiteral("2023-11-14 22:23:20"));
        // Sorted by value, highest first.
        QCOMPARE(lines[1], QStringLiteral("up{job=\"b\"}: 40000"));
        QCOMPARE(lines[2], QStringLiteral("up{job=\"a\"}: 40"));
        QCOMPARE(canvas->tooltipTextAt(pos), canvas->hoverText());

        // Outside the plot area there is nothing to show.
        QVERIFY(canvas->tooltipTextAt(QPoint(1, 1)).isEmpty());
        // Hidden series are left out.
        plot.setSeriesVisible(1, false);
        QCOMPARE(canvas->tooltipTextAt(pos).split(QLatin1Char('\n')).size(), 2);
    }

    void dragSelectsTimeRange()
    {
        TimeSeriesPlot plot;
        plot.resize(800, 400);
        plot.setTimeRange(kStart, kStart + 100 * kStep);
        plot.setFrames({series(QStringLiteral("a"), 101, [](int i) { return double(i); })});
        plot.show();
        QVERIFY(QTest::qWaitForWindowExposed(&plot));
        PlotCanvas *canvas = plot.canvas();
        QSignalSpy spy(&plot, &TimeSeriesPlot::timeRangeSelected);
        const QRect area = canvas->plotArea();
        const int x0 = int(std::round(canvas->timeToX(kStart + 20 * kStep)));
        const int x1 = int(std::round(canvas->timeToX(kStart + 60 * kStep)));
        const int y = area.center().y();
        QTest::mousePress(canvas, Qt::LeftButton, {}, QPoint(x0, y));
        QTest::mouseMove(canvas, QPoint((x0 + x1) / 2, y));
        QTest::mouseMove(canvas, QPoint(x1, y));
        QTest::mouseRelease(canvas, Qt::LeftButton, {}, QPoint(x1, y));
        QCOMPARE(spy.count(), 1);
        const auto from = spy.at(0).at(0).value<model::TimestampMs>();
        const auto to = spy.at(0).at(1).value<model::TimestampMs>();
        const double msPerPx = double(100 * kStep) / area.width();
        QVERIFY(std::abs(double(from - (kStart + 20 * kStep))) <= msPerPx);
        QVERIFY(std::abs(double(to - (kStart + 60 * kStep))) <= msPerPx);

        // A click (no real drag) does not zoom.
        QTest::mouseClick(canvas, Qt::LeftButton, {}, QPoint(x0, y));
        QCOMPARE(spy.count(), 1);

        QSignalSpy zoomOut(&plot, &TimeSeriesPlot::zoomOutRequested);
        QTest::mouseDClick(canvas, Qt::LeftButton, {}, QPoint(x0, y));
        QCOMPARE(zoomOut.count(), 1);
    }

    void manyPointsAreDecimated()
    {
        TimeSeriesPlot plot;
        plot.resize(1000, 400);
        QList<model::Sample> samples;
        for (int i = 0; i < 1'000'000; ++i)
            samples.push_back({kStart + i * 10LL, std::sin(i / 1000.0)});
        plot.setFrames({model::Frame::timeSeries(model::Labels{}, samples)});
        plot.show();
        QVERIFY(QTest::qWaitForWindowExposed(&plot));
        const qsizetype drawn = plot.canvas()->drawnPointCount();
        QVERIFY2(drawn <= 2 * plot.canvas()->width() + 2, qPrintable(QString::number(drawn)));
        QVERIFY(drawn >= plot.canvas()->plotArea().width());
        QVERIFY(!plot.canvas()->grab().isNull());
    }

    void stackedAreasAccumulate()
    {
        // Two constant series (1 and 2) and one with a gap: stacked on each other.
        model::Frame gappy = series(QStringLiteral("c"), 100, [](int i) { return i >= 40 && i < 60 ? std::nan("") : 4.0; });
        const model::Frames frames{series(QStringLiteral("a"), 100, [](int) { return 1.0; }),
                                   series(QStringLiteral("b"), 100, [](int) { return 2.0; }), gappy};
        TimeSeriesPlot plot;
        plot.resize(800, 420);
        plot.setTimeRange(kStart, kStart + 99 * kStep);
        plot.setFrames(frames);
        plot.show();
        QVERIFY(QTest::qWaitForWindowExposed(&plot));
        PlotCanvas *canvas = plot.canvas();
        QCOMPARE(canvas->axisMax() >= 2.0, true);
        QVERIFY(canvas->axisMax() < 7.0); // lines: the largest value is 4
        QVERIFY(canvas->stackedTop(0).isEmpty());

        plot.setDrawStyle(DrawStyle::StackedArea);
        QCOMPARE(canvas->stackedBase(0).at(10), 0.0);
        QCOMPARE(canvas->stackedTop(0).at(10), 1.0);
        QCOMPARE(canvas->stackedBase(1).at(10), 1.0);
        QCOMPARE(canvas->stackedTop(1).at(10), 3.0);
        QCOMPARE(canvas->stackedTop(2).at(10), 7.0);
        QVERIFY(std::isnan(canvas->stackedTop(2).at(50)));
        QVERIFY(canvas->axisMax() >= 7.0); // the axis holds the sum
        QCOMPARE(canvas->axisMin(), 0.0);

        // Each band is filled in its series' colour, at the heights of the sums.
        const QImage img = canvas->grab().toImage();
        const QRect area = canvas->plotArea();
        const int x = int(canvas->timeToX(kStart + 20 * kStep));
        auto hueAt = [&](double value) {
            const QColor p = img.pixelColor(x, int(std::round(canvas->valueToPixelY(value))));
            return p;
        };
        auto sameHue = [](const QColor &a, const QColor &b) {
            int d = std::abs(a.hsvHue() - b.hsvHue());
            return std::min(d, 360 - d) <= 12 && a.hsvSaturation() > 25;
        };
        QVERIFY2(sameHue(hueAt(0.5), seriesColor(0)), qPrintable(hueAt(0.5).name() + QLatin1Char(' ') + seriesColor(0).name()));
        QVERIFY(sameHue(hueAt(2.0), seriesColor(1)));
        QVERIFY(sameHue(hueAt(5.0), seriesColor(2)));
        // In the gap of the third series nothing is drawn above the second band.
        const int xg = int(canvas->timeToX(kStart + 50 * kStep));
        const QColor above = img.pixelColor(xg, int(std::round(canvas->valueToPixelY(5.0))));
        QVERIFY(!sameHue(above, seriesColor(2)));
        QVERIFY(area.contains(x, int(canvas->valueToPixelY(5.0))));

        // Hiding a series takes it out of the stack.
        plot.setSeriesVisible(0, false);
        QCOMPARE(canvas->stackedBase(1).at(10), 0.0);
        QCOMPARE(canvas->stackedTop(2).at(10), 6.0);
    }

    void pointsStyleDrawsDots()
    {
        const model::Frames frames{series(QStringLiteral("a"), 20, [](int i) { return double(i % 5); })};
        TimeSeriesPlot plot;
        plot.resize(800, 420);
        plot.setTimeRange(kStart, kStart + 19 * kStep);
        plot.setFrames(frames);
        plot.setDrawStyle(DrawStyle::Points);
        plot.show();
        QVERIFY(QTest::qWaitForWindowExposed(&plot));
        PlotCanvas *canvas = plot.canvas();
        const QImage img = canvas->grab().toImage();
        const QRect area = canvas->plotArea();
        const int lit = pixelsOfHue(img, area, seriesColor(0));
        // 20 dots of 3x3 px, and no connecting lines.
        QVERIFY2(lit >= 20 * 4 && lit <= 20 * 16 + 20, qPrintable(QString::number(lit)));
        // Between two samples (mid-way) no line is drawn.
        const int xMid = int(canvas->timeToX(kStart + 2 * kStep + kStep / 2));
        int midLit = 0;
        for (int y = area.top(); y <= area.bottom(); ++y) {
            const QColor p = img.pixelColor(xMid, y);
            if (p.hsvSaturation() > 60 && std::abs(p.hsvHue() - seriesColor(0).hsvHue()) < 10)
                ++midLit;
        }
        QCOMPARE(midLit, 0);
    }

    void sharedCrosshairIsDrawn()
    {
        TimeSeriesPlot plot;
        plot.resize(600, 300);
        plot.setTimeRange(kStart, kStart + 99 * kStep);
        plot.show();
        QVERIFY(QTest::qWaitForWindowExposed(&plot));
        QSignalSpy hover(&plot, &TimeSeriesPlot::hoverTimeChanged);
        PlotCanvas *canvas = plot.canvas();
        const QRect area = canvas->plotArea();
        const QPoint inside = area.center() + QPoint(17, 5);
        // Sent directly: QTest::mouseMove depends on where earlier tests left the cursor.
        hoverAt(canvas, inside);
        QCOMPARE(hover.count(), 1);
        const auto t = hover.at(0).at(0).value<std::optional<model::TimestampMs>>();
        QVERIFY(t.has_value());
        QCOMPARE(*t, canvas->xToTime(inside.x()));
        hoverAt(canvas, QPoint(2, 2)); // outside the plot area
        QCOMPARE(hover.count(), 2);
        QVERIFY(!hover.at(1).at(0).value<std::optional<model::TimestampMs>>().has_value());

        const QImage before = canvas->grab().toImage();
        plot.setSharedCrosshair(kStart + 50 * kStep);
        const QImage after = canvas->grab().toImage();
        const int x = int(std::round(canvas->timeToX(kStart + 50 * kStep)));
        int changed = 0;
        for (int y = area.top(); y <= area.bottom(); ++y)
            if (before.pixelColor(x, y) != after.pixelColor(x, y))
                ++changed;
        QVERIFY2(changed > area.height() / 3, qPrintable(QString::number(changed)));
        plot.setSharedCrosshair(std::nullopt);
        QCOMPARE(canvas->grab().toImage(), before);
    }

    void axisTicks()
    {
        const ValueTicks v = niceValueTicks(0.3, 97, 6);
        QCOMPARE(v.step, 20.0);
        QCOMPARE(v.min, 0.0);
        QCOMPARE(v.max, 100.0);
        QCOMPARE(v.values.size(), 6);
        QCOMPARE(formatSi(1500, 500), QStringLiteral("1.5k"));
        QCOMPARE(formatSi(2'000'000, 1'000'000), QStringLiteral("2M"));
        QCOMPARE(formatSi(0.25, 0.05), QStringLiteral("250m"));
        QCOMPARE(formatSi(0, 5), QStringLiteral("0"));
        QCOMPARE(formatSi(-3000, 1000), QStringLiteral("-3k"));
        // One prefix per axis when a scale is given.
        QCOMPARE(formatSi(0.8, 0.2, 1.2), QStringLiteral("0.8"));
        QCOMPARE(formatSi(500, 500, 2500), QStringLiteral("0.5k"));
        QCOMPARE(formatSi(1200, 200, 1200), QStringLiteral("1.2k"));
        QCOMPARE(formatSiPrecise(1234.5), QStringLiteral("1234.5"));
        QCOMPARE(formatSiPrecise(2'500'000), QStringLiteral("2.5M"));
        QCOMPARE(formatSiPrecise(0.0000125), QStringLiteral("12.5µ"));
        // Flat data still gets a usable axis.
        const ValueTicks flat = niceValueTicks(5, 5, 5);
        QVERIFY(flat.min < 5 && flat.max > 5);

        const auto t = niceTimeTicks(kStart, kStart + 3'600'000, 8, QTimeZone::utc());
        QCOMPARE(t.stepMs, 10 * 60'000LL);
        QVERIFY(!t.ticks.isEmpty());
        for (const auto &tick : t.ticks) {
            QCOMPARE(tick.t % (10 * 60'000), 0);
            QVERIFY(tick.t >= kStart && tick.t <= kStart + 3'600'000);
        }
        QCOMPARE(t.ticks.first().label, QStringLiteral("22:20"));
        const auto days = niceTimeTicks(kStart, kStart + 10 * 86'400'000LL, 6, QTimeZone::utc());
        QCOMPARE(days.stepMs, 7 * 86'400'000LL);
        QCOMPARE(days.ticks.first().label.size(), 5); // MM/dd
    }
};

QTEST_MAIN(TestTimeSeriesPlot)
#include "tst_time_series_plot.moc"
