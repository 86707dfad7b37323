#include "app/gui/explore/frames_table_model.h"

#include <QDateTime>
#include <QLocale>
#include <algorithm>
#include <cmath>
#include <limits>

namespace spyglass::gui::explore {

FramesTableModel::FramesTableModel(QObject *parent) : QAbstractTableModel(parent) {}

void FramesTableModel::setFrames(const model::Frames &frames)
{
    m_frames = frames;
    bool allSeries = true;
    bool atMostOne = true;
    for (const model::Frame &f : frames) {
        if (f.kind() != model::FrameKind::TimeSeries || !f.firstOfType(model::FieldType::Time))
            allSeries = false;
        else if (f.rowCount() > 1)
            atMostOne = false;
    }
    if (!allSeries)
        m_layout = Layout::Table;
    else
        m_layout = atMostOne ? Layout::Series : Layout::Samples;
    rebuild();
}

void FramesTableModel::setLayout(Layout layout)
{
    if (layout == m_layout)
        return;
    m_layout = layout;
    rebuild();
}

void FramesTableModel::clear()
{
    m_frames.clear();
    rebuild();
}

void FramesTableModel::setTimeZone(const QTimeZone &zone)
{
    m_zone = zone;
    if (m_rowCount > 0)
        emit dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1));
}

void FramesTableModel::rebuild()
{
    beginResetModel();
    m_series.clear();
    m_labelNames.clear();
    m_rowOffsets.clear();
    m_rowCount = 0;
    m_tableColumns.clear();
    m_tableFieldIndex.clear();

    if (m_layout == Layout::Table) {
        for (const model::Frame &f : m_frames)
            for (const model::Field &field : f.fields())
                if (!m_tableColumns.contains(field.name()))
                    m_tableColumns.push_back(field.name());
        for (const model::Frame &f : m_frames) {
            QList<int> map(m_tableColumns.size(), -1);
            for (int c = 0; c < m_tableColumns.size(); ++c)
                map[c] = int(f.indexOf(m_tableColumns[c]));
            m_tableFieldIndex.push_back(map);
            m_rowOffsets.push_back(m_rowCount);
            m_rowCount += f.rowCount();
        }
    } else {
        for (const model::Frame &f : m_frames) {
            const model::Field *time = f.firstOfType(model::FieldType::Time);
            if (!time)
                continue;
            for (const model::Field &field : f.fields()) {
                if (field.type() != model::FieldType::Float64)
                    continue;
                SeriesRef s;
                s.labels = field.seriesLabels().isEmpty() ? f.seriesLabels() : field.seriesLabels();
                s.name = s.labels.isEmpty() ? (f.name().isEmpty() ? field.name() : f.name())
                                            : s.labels.toString();
                s.times = time->int64s();
                s.values = field.doubles();
                m_series.push_back(std::move(s));
            }
        }
        if (m_layout == Layout::Series) {
            for (const SeriesRef &s : m_series)
                for (const model::Label &l : s.labels)
                    if (!m_labelNames.contains(l.name))
                        m_labelNames.push_back(l.name);
            // __name__ first, like Prometheus's table view; the rest sorted.
            std::sort(m_labelNames.begin(), m_labelNames.end(), [](const QString &a, const QString &b) {
                const bool an = a == u"__name__", bn = b == u"__name__";
                if (an != bn)
                    return an;
                return a < b;
            });
            m_rowCount = m_series.size();
        } else {
            for (const SeriesRef &s : m_series) {
                m_rowOffsets.push_back(m_rowCount);
                m_rowCount += s.times.size();
            }
        }
    }
    endResetModel();
}

int FramesTableModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid())
        return 0;
    return int(std::min<qsizetype>(m_rowCount, std::numeric_limits<int>::max()));
}

int FramesTableModel::columnCount(const QModelIndex &parent) const
{
    if (parent.isValid())
        return 0;
    switch (m_layout) {
    case Layout::Series:
        return m_series.isEmpty() ? 0 : int(m_labelNames.size()) + 2;
    case Layout::Samples:
        return m_series.isEmpty() ? 0 : 3;
    case Layout::Table:
        return int(m_tableColumns.size());
    }
    return 0;
}

QVariant FramesTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (role != Qt::DisplayRole)
        return {};
    if (orientation == Qt::Vertical)
        return section + 1;
    if (section < 0 || section >= columnCount())
        return {};
    switch (m_layout) {
    case Layout::Series:
        if (section == 0)
            return tr("Time");
        if (section == columnCount() - 1)
            return tr("Value");
        return m_labelNames.at(section - 1);
    case Layout::Samples: {
        static const char *names[] = {QT_TR_NOOP("Series"), QT_TR_NOOP("Time"), QT_TR_NOOP("Value")};
        return tr(names[section]);
    }
    case Layout::Table:
        return m_tableColumns.at(section);
    }
    return {};
}

QString FramesTableModel::formatTime(std::int64_t ms) const
{
    return QDateTime::fromMSecsSinceEpoch(ms, m_zone).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"));
}

QString FramesTableModel::formatValue(double v)
{
    if (std::isnan(v))
        return QStringLiteral("NaN");
    if (std::isinf(v))
        return v > 0 ? QStringLiteral("+Inf") : QStringLiteral("-Inf");
    return QString::number(v, 'g', QLocale::FloatingPointShortest);
}

QVariant FramesTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const int row = index.row();
    const int col = index.column();
    const bool display = role == Qt::DisplayRole || role == Qt::ToolTipRole;
    const bool raw = role == RawValueRole;

    if (role == Qt::TextAlignmentRole) {
        const bool numeric = (m_layout != Layout::Table && col == columnCount() - 1);
        return QVariant::fromValue(Qt::Alignment((numeric ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignVCenter));
    }
    if (!display && !raw)
        return {};

    switch (m_layout) {
    case Layout::Series: {
        const SeriesRef &s = m_series.at(row);
        const bool has = !s.times.isEmpty();
        if (col == 0) {
            if (!has)
                return {};
            return raw ? QVariant::fromValue<qint64>(s.times.back()) : QVariant(formatTime(s.times.back()));
        }
        if (col == columnCount() - 1) {
            if (!has)
                return {};
            return raw ? QVariant(s.values.back()) : QVariant(formatValue(s.values.back()));
        }
        return s.labels.value(m_labelNames.at(col - 1));
    }
    case Layout::Samples: {
        auto it = std::upper_bound(m_rowOffsets.begin(), m_rowOffsets.end(), qsizetype(row));
        const qsizetype si = (it - m_rowOffsets.begin()) - 1;
        const SeriesRef &s = m_series.at(si);
        const qsizetype k = row - m_rowOffsets.at(si);
        if (col == 0)
            return s.name;
        if (col == 1)
            return raw ? QVariant::fromValue<qint64>(s.times.at(k)) : QVariant(formatTime(s.times.at(k)));
        return raw ? QVariant(s.values.at(k)) : QVariant(formatValue(s.values.at(k)));
    }
    case Layout::Table: {
        auto it = std::upper_bound(m_rowOffsets.begin(), m_rowOffsets.end(), qsizetype(row));
        qsizetype fi = (it - m_rowOffsets.begin()) - 1;
        // Skip empty frames that share an offset with the next one.
        while (fi + 1 < m_rowOffsets.size() && m_rowOffsets.at(fi + 1) <= row)
            ++fi;
        const model::Frame &f = m_frames.at(fi);
        const int field = m_tableFieldIndex.at(fi).at(col);
        if (field < 0)
            return {};
        const qsizetype k = row - m_rowOffsets.at(fi);
        const model::Field &fd = f.fields().at(field);
        if (raw) {
            switch (fd.type()) {
            case model::FieldType::Time:
            case model::FieldType::Int64:
                return QVariant::fromValue<qint64>(fd.int64s().at(k));
            case model::FieldType::Float64:
                return fd.doubles().at(k);
            default:
                break;
            }
        }
        if (fd.type() == model::FieldType::Time)
            return formatTime(fd.int64s().at(k));
        if (fd.type() == model::FieldType::Float64)
            return formatValue(fd.doubles().at(k));
        return fd.displayValue(k);
    }
    }
    return {};
}

} // namespace spyglass::gui::explore
