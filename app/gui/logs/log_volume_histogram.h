#pragma once

#include "app/gui/logs/log_level.h"
#include "core/model/frame.h"
#include "core/model/time_range.h"

#include <QTimeZone>
#include <QWidget>
#include <array>
#include <vector>

namespace spyglass::gui::logs {

class LogsModel;

// Log volume over time, stacked by level, above the lines. Counts come from
// the lines loaded (setFromModel) or from a metric query such as
// `sum by (level) (count_over_time(...))` (setFromSeries), which sees all
// lines and not only the limit loaded. Click-drag selects a time range.
class LogVolumeHistogram : public QWidget
{
    Q_OBJECT
public:
    explicit LogVolumeHistogram(QWidget *parent = nullptr);

    // The x axis; without one the data's own bounds are used.
    void setTimeRange(model::TimestampMs from, model::TimestampMs to);
    void setTimeZone(const QTimeZone &zone);

    void setFromModel(const LogsModel &model);
    // TimeSeries frames, one per level (series label level / detected_level;
    // others count as unknown). Each sample is the count in its step.
    void setFromSeries(const model::Frames &frames);
    void clear();

    int bucketCount() const { return int(m_buckets.size()); }
    std::int64_t bucketStartMs(int bucket) const;
    std::int64_t bucketWidthMs() const { return m_bucketMs; }
    // Count of one level (or all levels) in a bucket.
    double count(int bucket, LogLevel level) const;
    double total(int bucket) const;
    double totalLines() const;

    QSize sizeHint() const override { return {600, 90}; }
    QSize minimumSizeHint() const override { return {100, 60}; }

signals:
    void timeRangeSelected(model::TimestampMs from, model::TimestampMs to);

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;

private:
    using Counts = std::array<double, kLogLevelCount>;
    struct Point
    {
        std::int64_t ms;
        LogLevel level;
        double count;
    };
    void rebucket();
    QRectF plotRect() const;
    std::int64_t timeAtX(double x) const;
    double xAtTime(std::int64_t ms) const;

    std::vector<Point> m_points; // raw (time, level, count): re-bucketed on resize
    std::vector<Counts> m_buckets;
    std::int64_t m_fromMs = 0, m_toMs = 0; // axis
    std::int64_t m_rangeFrom = 0, m_rangeTo = 0; // given by setTimeRange
    std::int64_t m_bucketMs = 1000;
    double m_maxTotal = 0;
    QTimeZone m_zone = QTimeZone::systemTimeZone();
    int m_dragFrom = -1, m_dragTo = -1;
};

} // namespace spyglass::gui::logs
