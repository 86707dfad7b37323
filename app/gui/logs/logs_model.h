#pragma once

#include "app/gui/logs/log_level.h"
#include "core/model/frame.h"

#include <QAbstractListModel>
#include <cstdint>
#include <memory>
#include <vector>

namespace spyglass::gui::logs {

// One line with everything the details panel shows.
struct LogLine
{
    std::int64_t timeNs = 0;
    QString line;
    model::Labels labels;   // the stream's labels (everything, as Loki returns them)
    model::Labels metadata; // structured metadata
    model::Labels parsed;   // labels added by parsers / formatters
    LogLevel level = LogLevel::Unknown;
    int duplicates = 0;     // lines folded into this one by dedup
};

// Log lines of Logs frames as a flat list, for a QListView with uniform row
// heights: a million lines cost one 24-byte entry each (the strings stay in
// the frames, which are implicitly shared), so nothing is copied per line
// and data() only touches the rows on screen.
//
// Entries are kept sorted by time ascending; the display order (newest or
// oldest first) and dedup are a mapping on top, so switching them does not
// re-read the frames. Dedup folds consecutive lines, as Grafana does.
class LogsModel : public QAbstractListModel
{
    Q_OBJECT
public:
    enum Role {
        TimeNsRole = Qt::UserRole + 1,
        LineRole,
        LevelRole,     // int(LogLevel)
        LabelsRole,    // QVariant::fromValue(model::Labels) is not registered: use line(row)
        DuplicatesRole,
    };
    enum class Order { NewestFirst, OldestFirst };
    enum class Dedup { None, Exact, Numbers, Signature };

    explicit LogsModel(QObject *parent = nullptr);
    ~LogsModel() override;

    // Replaces everything with the Logs frames among `frames` (others are ignored).
    void setFrames(const model::Frames &frames);
    // Adds lines (load more, live tail), keeping the order. Returns how many
    // lines were added.
    qsizetype appendFrames(const model::Frames &frames);
    void clear();
    // At most this many lines are kept (0 = no cap); the oldest are dropped
    // first. The live tail uses it so memory stays bounded.
    void setMaxLines(qsizetype max);

    void setOrder(Order order);
    Order order() const { return m_order; }
    void setDedup(Dedup dedup);
    Dedup dedup() const { return m_dedup; }

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

    qsizetype totalLines() const { return qsizetype(m_entries.size()); } // before dedup
    qsizetype hiddenDuplicates() const { return totalLines() - rowCount(); }
    LogLine line(int row) const;
    std::int64_t timeNsAt(int row) const;
    const QString &lineAt(int row) const;
    LogLevel levelAt(int row) const;
    int duplicatesAt(int row) const;
    // Time bounds of all lines (0 when empty).
    std::int64_t oldestNs() const { return m_entries.empty() ? 0 : m_entries.front().timeNs; }
    std::int64_t newestNs() const { return m_entries.empty() ? 0 : m_entries.back().timeNs; }

    // Every line (not only the deduplicated ones) in time order, for the volume histogram.
    template <typename F>
    void forEachEntry(F &&f) const
    {
        for (const auto &e : m_entries)
            f(e.timeNs, e.level);
    }

    // The next row (after `from` when forward, before it otherwise, wrapping
    // around) whose line contains `needle`; -1 when none does.
    int findRow(const QString &needle, int from, bool forward,
                Qt::CaseSensitivity cs = Qt::CaseInsensitive) const;

    // What dedup compares: the line itself, the line without digits, or its
    // "signature" (the line without letters and digits).
    static QString dedupKey(QStringView line, Dedup mode);

private:
    struct Source;
    struct Entry
    {
        std::int64_t timeNs;
        std::uint32_t source;
        std::uint32_t row;
        LogLevel level;
    };
    qsizetype collect(const model::Frame &frame, std::vector<Entry> &out);
    int entryIndex(int row) const;
    const Entry &entryAt(int row) const { return m_entries[size_t(entryIndex(row))]; }
    void rebuildVisible();
    void applyCap();

    std::vector<std::unique_ptr<Source>> m_sources;
    std::vector<Entry> m_entries; // ascending time
    // Display rows -> entries when dedup is on (empty: identity in the display order).
    std::vector<std::uint32_t> m_visible;
    std::vector<std::uint32_t> m_dupCounts;
    Order m_order = Order::NewestFirst;
    Dedup m_dedup = Dedup::None;
    qsizetype m_maxLines = 0;
};

} // namespace spyglass::gui::logs
