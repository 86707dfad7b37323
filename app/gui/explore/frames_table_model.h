#pragma once

#include "core/model/frame.h"

#include <QAbstractTableModel>
#include <QList>
#include <QStringList>
#include <QTimeZone>

namespace spyglass::gui::explore {

// Frames as a table, the way Grafana's Explore shows them:
//  - Series:  one row per series (instant results): Time, one column per
//             label name, Value (the series' last sample);
//  - Samples: one row per sample (range results): Series, Time, Value;
//  - Table:   the fields of non-time-series frames as columns, rows of all
//             frames one after the other.
// Rows are computed on demand, so a million samples cost no per-row memory.
class FramesTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum class Layout { Series, Samples, Table };
    // The unformatted value of a cell (numbers as double, times as ms), for sorting.
    static constexpr int RawValueRole = Qt::UserRole + 1;

    explicit FramesTableModel(QObject *parent = nullptr);

    // Chooses the layout: Table if any frame is not a time series, Series
    // when every series has at most one sample, else Samples.
    void setFrames(const model::Frames &frames);
    void setLayout(Layout layout); // override the automatic choice
    void clear();
    Layout layout() const { return m_layout; }
    int seriesCount() const { return int(m_series.size()); }
    void setTimeZone(const QTimeZone &zone);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct SeriesRef
    {
        model::Labels labels;
        QString name;
        QList<std::int64_t> times;
        QList<double> values;
    };
    void rebuild();
    QString formatTime(std::int64_t ms) const;
    static QString formatValue(double v);

    model::Frames m_frames;
    Layout m_layout = Layout::Samples;
    QTimeZone m_zone = QTimeZone::systemTimeZone();
    QList<SeriesRef> m_series;
    QStringList m_labelNames;        // Series layout
    QList<qsizetype> m_rowOffsets;   // Samples: first row of each series; Table: of each frame
    qsizetype m_rowCount = 0;
    QStringList m_tableColumns;      // Table layout
    QList<QList<int>> m_tableFieldIndex; // per frame: column -> field index or -1
};

} // namespace spyglass::gui::explore
