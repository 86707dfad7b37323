// Timeseries panel at 200 series x 10,000 points (2 M points), 1200x600:
// data-to-pixels (min/max decimation of every series) and repaint frame time,
// with peers measured in the same run: Explore's TimeSeriesPlot on the same
// frames, and drawing every raw point with QPainter (no decimation).
// A QBENCHMARK executable, not a CTest test: run it by hand, e.g.
//   QT_QPA_PLATFORM=offscreen ./bench_timeseries_panel
#include "app/gui/panels/time_series_panel.h"
#include "app/gui/widgets/time_series_plot.h"

#include <QImage>
#include <QJsonDocument>
#include <QPainter>
#include <QTest>
#include <cmath>

using namespace spyglass;
using namespace spyglass::gui;

namespace {
constexpr int kSeries = 200;
constexpr int kPoints = 10'000;
constexpr model::TimestampMs kFrom = 1'700'000'000'000;
constexpr model::TimestampMs kStep = 1'000;

model::Frames makeFrames()
{
    model::Frames out;
    QList<std::int64_t> t(kPoints);
    for (int i = 0; i < kPoints; ++i)
        t[i] = kFrom + i * kStep;
    for (int s = 0; s < kSeries; ++s) {
        QList<double> v(kPoints);
        for (int i = 0; i < kPoints; ++i)
            v[i] = 100 + s + 30 * std::sin(i / 200.0 + s) + 5 * std::sin(i * 1.7 + s * 0.3);
        model::Frame f(QStringLiteral("series %1").arg(s), model::FrameKind::TimeSeries);
        f.addField(model::Field::time(QStringLiteral("Time"), t));
        f.addField(model::Field::float64(QStringLiteral("Value"), v, model::Labels{{QStringLiteral("i"), QString::number(s)}}));
        out << f;
    }
    return out;
}
} // namespace

class BenchTimeSeriesPanel : public QObject
{
    Q_OBJECT
    model::Frames m_frames;
    const QSize m_size{1200, 600};

private slots:
    void initTestCase() { m_frames = makeFrames(); }

    // Frames -> series with resolved field config (what setFrames costs).
    void panelSetFrames()
    {
        panels::TimeSeriesPanel panel;
        panel.resize(m_size);
        panel.setPanelJson(QJsonDocument::fromJson(R"({"options":{"legend":{"displayMode":"hidden"}},"fieldConfig":{"defaults":{"unit":"ms"}}})").object());
        QBENCHMARK {
            panel.setFrames(m_frames, kFrom, kFrom + kPoints * kStep);
        }
    }

    // Data to pixels: decimating 2 M points to the plot's pixel columns.
    void panelDecimation()
    {
        panels::TimeSeriesPanel panel;
        panel.resize(m_size);
        panel.setPanelJson(QJsonDocument::fromJson(R"({"options":{"legend":{"displayMode":"hidden"}}})").object());
        panel.setFrames(m_frames, kFrom, kFrom + kPoints * kStep);
        panel.canvas()->resize(m_size);
        QBENCHMARK {
            panel.canvas()->setTimeRange(kFrom, kFrom + kPoints * kStep); // marks the decimation dirty
            panel.canvas()->prepare();
        }
        qInfo("points drawn after decimation: %lld of %d", qlonglong(panel.canvas()->drawnPointCount()), kSeries * kPoints);
    }

    // Repaint frame time with the decimation cached (hover, crosshair).
    void panelRepaint()
    {
        panels::TimeSeriesPanel panel;
        panel.resize(m_size);
        panel.setPanelJson(QJsonDocument::fromJson(R"({"options":{"legend":{"displayMode":"hidden"}}})").object());
        panel.setFrames(m_frames, kFrom, kFrom + kPoints * kStep);
        panel.canvas()->resize(m_size);
        QImage img(m_size, QImage::Format_ARGB32_Premultiplied);
        panel.canvas()->render(&img);
        QBENCHMARK {
            panel.canvas()->render(&img);
        }
    }

    // Peer: Explore's TimeSeriesPlot repainting the same data.
    void peerTimeSeriesPlotRepaint()
    {
        widgets::TimeSeriesPlot plot;
        plot.resize(m_size);
        plot.setTimeRange(kFrom, kFrom + kPoints * kStep);
        plot.setFrames(m_frames);
        plot.canvas()->resize(m_size);
        QImage img(m_size, QImage::Format_ARGB32_Premultiplied);
        plot.canvas()->render(&img);
        QBENCHMARK {
            plot.canvas()->render(&img);
        }
    }

    // Peer: every raw point drawn (what decimation avoids).
    void peerRawPolylines()
    {
        QImage img(m_size, QImage::Format_ARGB32_Premultiplied);
        QList<QPolygonF> polys;
        for (const auto &f : m_frames) {
            QPolygonF poly;
            const auto &t = f.fields()[0].int64s();
            const auto &v = f.fields()[1].doubles();
            for (int i = 0; i < kPoints; ++i)
                poly << QPointF(double(t[i] - kFrom) / (kPoints * kStep) * m_size.width(), m_size.height() - v[i] * 2);
            polys << poly;
        }
        QBENCHMARK {
            img.fill(Qt::black);
            QPainter p(&img);
            p.setPen(QPen(Qt::green, 0));
            for (const auto &poly : polys)
                p.drawPolyline(poly);
        }
    }
};

QTEST_MAIN(BenchTimeSeriesPanel)
#include "bench_timeseries_panel.moc"
