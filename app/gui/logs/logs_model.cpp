#include "app/gui/logs/logs_model.h"

#include <algorithm>

namespace spyglass::gui::logs {

using model::FieldType;
using model::Frame;

// A frame plus pointers to its columns; the frame copy keeps them alive and
// is only read through const references, so it never detaches.
struct LogsModel::Source
{
    Frame frame;
    const QList<std::int64_t> *ns = nullptr; // nanoseconds when the frame has them
    const QList<std::int64_t> *ms = nullptr;
    const QStringList *lines = nullptr;
    const QList<model::Labels> *labels = nullptr;
    const QList<model::Labels> *metadata = nullptr;
    const QList<model::Labels> *parsed = nullptr;

    std::int64_t timeNs(qsizetype r) const { return ns ? (*ns)[r] : (*ms)[r] * 1'000'000; }
    model::Labels labelsAt(const QList<model::Labels> *f, qsizetype r) const
    {
        return f && r < f->size() ? (*f)[r] : model::Labels{};
    }
};

namespace {

const QList<model::Labels> *labelsField(const Frame &f, QStringView name)
{
    const auto *field = f.field(name);
    return field && field->type() == FieldType::Labels ? &field->labelSets() : nullptr;
}

} // namespace

LogsModel::LogsModel(QObject *parent) : QAbstractListModel(parent) {}
LogsModel::~LogsModel() = default;

qsizetype LogsModel::collect(const Frame &frame, std::vector<Entry> &out)
{
    if (frame.kind() != model::FrameKind::Logs || frame.rowCount() == 0 || !frame.isConsistent())
        return 0;
    auto src = std::make_unique<Source>();
    src->frame = frame;
    const Frame &f = src->frame;
    if (const auto *ns = f.field(u"tsNs"); ns && ns->type() == FieldType::Int64)
        src->ns = &ns->int64s();
    if (const auto *t = f.firstOfType(FieldType::Time))
        src->ms = &t->int64s();
    const model::Field *line = f.field(u"Line");
    if (!line)
        line = f.field(u"line");
    if (!line)
        line = f.field(u"body");
    if (!line || line->type() != FieldType::String)
        line = f.firstOfType(FieldType::String);
    if ((!src->ns && !src->ms) || !line)
        return 0;
    src->lines = &line->strings();
    src->labels = labelsField(f, u"labels");
    if (!src->labels)
        if (const auto *l = f.firstOfType(FieldType::Labels))
            src->labels = &l->labelSets();
    src->metadata = labelsField(f, u"structuredMetadata");
    src->parsed = labelsField(f, u"parsed");

    const auto sourceIndex = std::uint32_t(m_sources.size());
    const qsizetype n = f.rowCount();
    out.reserve(out.size() + size_t(n));
    const model::Labels none;
    for (qsizetype r = 0; r < n; ++r) {
        const LogLevel level = detectLogLevel(src->labels ? (*src->labels)[r] : none,
                                              src->metadata ? (*src->metadata)[r] : none,
                                              src->parsed ? (*src->parsed)[r] : none, (*src->lines)[r]);
        out.push_back({src->timeNs(r), sourceIndex, std::uint32_t(r), level});
    }
    m_sources.push_back(std::move(src));
    return n;
}

namespace {

template <typename It>
void sortAscending(It begin, It end)
{
    auto less = [](const auto &a, const auto &b) { return a.timeNs < b.timeNs; };
    if (std::is_sorted(begin, end, less))
        return;
    // Backward queries arrive newest first: reversing keeps equal times in
    // a stable order without a full sort.
    if (std::is_sorted(begin, end, [&](const auto &a, const auto &b) { return less(b, a); })) {
        std::reverse(begin, end);
        return;
    }
    std::stable_sort(begin, end, less);
}

} // namespace

void LogsModel::setFrames(const model::Frames &frames)
{
    beginResetModel();
    m_sources.clear();
    m_entries.clear();
    for (const auto &f : frames) {
        const auto before = m_entries.size();
        collect(f, m_entries);
        sortAscending(m_entries.begin() + qsizetype(before), m_entries.end());
        std::inplace_merge(m_entries.begin(), m_entries.begin() + qsizetype(before), m_entries.end(),
                           [](const Entry &a, const Entry &b) { return a.timeNs < b.timeNs; });
    }
    applyCap();
    rebuildVisible();
    endResetModel();
}

qsizetype LogsModel::appendFrames(const model::Frames &frames)
{
    std::vector<Entry> fresh;
    for (const auto &f : frames) {
        const auto before = fresh.size();
        collect(f, fresh);
        sortAscending(fresh.begin() + qsizetype(before), fresh.end());
        std::inplace_merge(fresh.begin(), fresh.begin() + qsizetype(before), fresh.end(),
                           [](const Entry &a, const Entry &b) { return a.timeNs < b.timeNs; });
    }
    if (fresh.empty())
        return 0;
    const qsizetype added = qsizetype(fresh.size());
    const bool newer = m_entries.empty() || fresh.front().timeNs >= m_entries.back().timeNs;
    const bool older = !m_entries.empty() && fresh.back().timeNs <= m_entries.front().timeNs;
    const bool simple = m_dedup == Dedup::None && (m_maxLines == 0 || totalLines() + added <= m_maxLines);
    if (simple && (newer || older)) {
        // Rows are inserted where they appear, so the view keeps its
        // selection and scroll position (live tail, load more).
        const bool atTop = (newer && m_order == Order::NewestFirst) || (older && m_order == Order::OldestFirst);
        const int first = atTop ? 0 : rowCount();
        beginInsertRows({}, first, first + int(added) - 1);
        if (newer)
            m_entries.insert(m_entries.end(), fresh.begin(), fresh.end());
        else
            m_entries.insert(m_entries.begin(), fresh.begin(), fresh.end());
        endInsertRows();
        return added;
    }
    beginResetModel();
    const auto mid = qsizetype(m_entries.size());
    m_entries.insert(m_entries.end(), fresh.begin(), fresh.end());
    std::inplace_merge(m_entries.begin(), m_entries.begin() + mid, m_entries.end(),
                       [](const Entry &a, const Entry &b) { return a.timeNs < b.timeNs; });
    applyCap();
    rebuildVisible();
    endResetModel();
    return added;
}

void LogsModel::clear()
{
    beginResetModel();
    m_sources.clear();
    m_entries.clear();
    m_visible.clear();
    m_dupCounts.clear();
    endResetModel();
}

void LogsModel::setMaxLines(qsizetype max)
{
    m_maxLines = max;
    if (max > 0 && totalLines() > max) {
        beginResetModel();
        applyCap();
        rebuildVisible();
        endResetModel();
    }
}

void LogsModel::applyCap()
{
    if (m_maxLines <= 0 || totalLines() <= m_maxLines)
        return;
    m_entries.erase(m_entries.begin(), m_entries.begin() + (totalLines() - m_maxLines));
    // Sources no longer referenced stay until the next setFrames: their
    // strings are shared with whoever produced the frames anyway.
}

void LogsModel::setOrder(Order order)
{
    if (order == m_order)
        return;
    beginResetModel();
    m_order = order;
    rebuildVisible();
    endResetModel();
}

void LogsModel::setDedup(Dedup dedup)
{
    if (dedup == m_dedup)
        return;
    beginResetModel();
    m_dedup = dedup;
    rebuildVisible();
    endResetModel();
}

QString LogsModel::dedupKey(QStringView line, Dedup mode)
{
    QString out;
    switch (mode) {
    case Dedup::None:
    case Dedup::Exact:
        return line.toString();
    case Dedup::Numbers:
        // Runs of digits (with decimal points) collapse to one marker, so
        // "took 12ms" and "took 345ms" compare equal.
        out.reserve(line.size());
        for (qsizetype i = 0; i < line.size(); ++i) {
            if (line[i].isDigit()) {
                while (i + 1 < line.size() && (line[i + 1].isDigit() || line[i + 1] == u'.'))
                    ++i;
                out.append(u'#');
            } else {
                out.append(line[i]);
            }
        }
        return out;
    case Dedup::Signature:
        out.reserve(line.size() / 2);
        for (QChar c : line)
            if (!c.isLetterOrNumber())
                out.append(c);
        return out;
    }
    return out;
}

void LogsModel::rebuildVisible()
{
    m_visible.clear();
    m_dupCounts.clear();
    if (m_dedup == Dedup::None || m_entries.empty())
        return;
    const auto n = m_entries.size();
    QString previous;
    bool havePrevious = false;
    for (size_t k = 0; k < n; ++k) {
        const size_t i = m_order == Order::OldestFirst ? k : n - 1 - k;
        const Entry &e = m_entries[i];
        const QString &text = (*m_sources[e.source]->lines)[e.row];
        QString key = dedupKey(text, m_dedup);
        if (havePrevious && key == previous) {
            ++m_dupCounts.back();
            continue;
        }
        m_visible.push_back(std::uint32_t(i));
        m_dupCounts.push_back(0);
        previous = std::move(key);
        havePrevious = true;
    }
}

int LogsModel::entryIndex(int row) const
{
    if (m_dedup != Dedup::None)
        return int(m_visible[size_t(row)]);
    return m_order == Order::OldestFirst ? row : int(m_entries.size()) - 1 - row;
}

int LogsModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid())
        return 0;
    return m_dedup != Dedup::None ? int(m_visible.size()) : int(m_entries.size());
}

QVariant LogsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const int row = index.row();
    switch (role) {
    case Qt::DisplayRole:
    case LineRole:
        return lineAt(row);
    case TimeNsRole:
        return qlonglong(timeNsAt(row));
    case LevelRole:
        return int(levelAt(row));
    case DuplicatesRole:
        return duplicatesAt(row);
    case LabelsRole:
        return line(row).labels.toString();
    case Qt::ToolTipRole: {
        const int d = duplicatesAt(row);
        return d > 0 ? tr("%n more duplicate line(s) hidden", nullptr, d) : QVariant();
    }
    default:
        return {};
    }
}

LogLine LogsModel::line(int row) const
{
    const Entry &e = entryAt(row);
    const Source &s = *m_sources[e.source];
    LogLine out;
    out.timeNs = e.timeNs;
    out.line = (*s.lines)[e.row];
    out.labels = s.labelsAt(s.labels, e.row);
    out.metadata = s.labelsAt(s.metadata, e.row);
    out.parsed = s.labelsAt(s.parsed, e.row);
    out.level = e.level;
    out.duplicates = duplicatesAt(row);
    return out;
}

std::int64_t LogsModel::timeNsAt(int row) const { return entryAt(row).timeNs; }

const QString &LogsModel::lineAt(int row) const
{
    const Entry &e = entryAt(row);
    return (*m_sources[e.source]->lines)[e.row];
}

LogLevel LogsModel::levelAt(int row) const { return entryAt(row).level; }

int LogsModel::duplicatesAt(int row) const
{
    return m_dedup != Dedup::None ? int(m_dupCounts[size_t(row)]) : 0;
}

int LogsModel::findRow(const QString &needle, int from, bool forward, Qt::CaseSensitivity cs) const
{
    const int n = rowCount();
    if (needle.isEmpty() || n == 0)
        return -1;
    for (int k = 1; k <= n; ++k) {
        const int row = forward ? (from + k) % n : ((from - k) % n + n) % n;
        if (lineAt(row).contains(needle, cs))
            return row;
    }
    return -1;
}

} // namespace spyglass::gui::logs
