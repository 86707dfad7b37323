#include "app/gui/logs/log_line_delegate.h"

#include "app/gui/logs/logs_model.h"

#include <QApplication>
#include <QDateTime>
#include <QJsonDocument>
#include <QPainter>
#include <QTextLayout>

namespace spyglass::gui::logs {

namespace {
constexpr int kBar = 4;      // level colour bar
constexpr int kPad = 6;
constexpr int kArrow = 12;   // disclosure arrow
// Unwrapped lines are clipped anyway: laying out megabyte lines would cost
// more than the whole screen.
constexpr qsizetype kMaxUnwrapped = 2000;
constexpr qsizetype kMaxWrapped = 20000;

void addRanges(QList<QTextLayout::FormatRange> &out, const QString &text, const QString &needle,
               const QTextCharFormat &format)
{
    if (needle.isEmpty())
        return;
    qsizetype at = text.indexOf(needle, 0, Qt::CaseInsensitive);
    while (at >= 0) {
        out.append({int(at), int(needle.size()), format});
        at = text.indexOf(needle, at + needle.size(), Qt::CaseInsensitive);
    }
}
} // namespace

LogLineDelegate::LogLineDelegate(QObject *parent) : QStyledItemDelegate(parent) {}

QString LogLineDelegate::formatTime(std::int64_t ns) const
{
    const auto dt = QDateTime::fromMSecsSinceEpoch(ns / 1'000'000, m_zone);
    return dt.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"));
}

QString LogLineDelegate::displayText(const QString &line) const
{
    if (m_wrap) {
        if (m_prettify && line.startsWith(u'{')) {
            const auto doc = QJsonDocument::fromJson(line.toUtf8());
            if (doc.isObject())
                return QString::fromUtf8(doc.toJson(QJsonDocument::Indented)).trimmed();
        }
        return line.size() > kMaxWrapped ? line.left(kMaxWrapped) : line;
    }
    QString t = line.size() > kMaxUnwrapped ? line.left(kMaxUnwrapped) : line;
    // One row per line: embedded newlines and tabs must not break it.
    for (QChar &c : t)
        if (c == u'\n' || c == u'\r' || c == u'\t')
            c = u' ';
    return t;
}

int LogLineDelegate::textLeft(const QStyleOptionViewItem &option) const
{
    int x = option.rect.left() + kBar + kPad + kArrow;
    if (m_showTime)
        x += option.fontMetrics.horizontalAdvance(QStringLiteral("0000-00-00 00:00:00.000")) + kPad * 2;
    return x;
}

qreal LogLineDelegate::layout(QTextLayout &tl, const QStyleOptionViewItem &option, const QString &text,
                              const QList<DerivedLink> &links, qreal width) const
{
    QList<QTextLayout::FormatRange> formats;
    QTextCharFormat term;
    term.setBackground(QColor(255, 170, 60, 90));
    for (const auto &t : m_terms)
        addRanges(formats, text, t, term);
    QTextCharFormat link;
    link.setForeground(option.palette.color(QPalette::Link));
    link.setFontUnderline(true);
    for (const auto &l : links)
        formats.append({int(l.start), int(l.length), link});
    QTextCharFormat search;
    search.setBackground(QColor(255, 230, 0));
    search.setForeground(Qt::black);
    addRanges(formats, text, m_search, search);

    tl.setText(text);
    tl.setFont(option.font);
    tl.setFormats(formats);
    QTextOption to;
    to.setWrapMode(m_wrap ? QTextOption::WrapAtWordBoundaryOrAnywhere : QTextOption::NoWrap);
    tl.setTextOption(to);
    tl.beginLayout();
    qreal h = 0;
    while (true) {
        QTextLine line = tl.createLine();
        if (!line.isValid())
            break;
        line.setLineWidth(m_wrap ? width : 1e6);
        line.setPosition(QPointF(0, h));
        h += line.height();
        if (!m_wrap)
            break;
    }
    tl.endLayout();
    return h;
}

void LogLineDelegate::paint(QPainter *painter, const QStyleOptionViewItem &optionIn, const QModelIndex &index) const
{
    QStyleOptionViewItem option = optionIn;
    initStyleOption(&option, index);
    painter->save();
    const QRect r = option.rect;
    const bool selected = option.state & QStyle::State_Selected;
    if (selected) {
        QColor bg = option.palette.color(QPalette::Highlight);
        bg.setAlpha(60);
        painter->fillRect(r, bg);
    } else if (index.row() % 2) {
        painter->fillRect(r, option.palette.alternateBase());
    }
    const auto level = LogLevel(index.data(LogsModel::LevelRole).toInt());
    painter->fillRect(QRect(r.left(), r.top(), kBar, r.height()), logLevelColor(level));
    const int lineH = option.fontMetrics.height();
    QColor dim = option.palette.color(QPalette::Text);
    dim.setAlpha(150);
    int x = r.left() + kBar + kPad;
    painter->setPen(dim);
    painter->drawText(QRect(x, r.top(), kArrow, lineH + 2), Qt::AlignVCenter | Qt::AlignLeft,
                      index.row() == m_expandedRow ? QStringLiteral("▾") : QStringLiteral("▸"));
    x += kArrow;
    if (m_showTime) {
        const QString t = formatTime(index.data(LogsModel::TimeNsRole).toLongLong());
        painter->drawText(QRect(x, r.top(), r.width(), lineH + 2), Qt::AlignVCenter | Qt::AlignLeft, t);
    }
    int left = textLeft(option);
    const int dups = index.data(LogsModel::DuplicatesRole).toInt();
    if (dups > 0) {
        const QString badge = QStringLiteral("%1x").arg(dups + 1);
        const int bw = option.fontMetrics.horizontalAdvance(badge) + 8;
        const QRect br(left, r.top() + 2, bw, lineH - 2);
        painter->setPen(Qt::NoPen);
        painter->setBrush(QColor(120, 120, 120, 70));
        painter->drawRoundedRect(br, 4, 4);
        painter->setPen(option.palette.color(QPalette::Text));
        painter->drawText(br, Qt::AlignCenter, badge);
        left += bw + kPad;
    }
    const QString text = displayText(index.data(LogsModel::LineRole).toString());
    const auto links = m_derived.extract(text);
    QTextLayout tl;
    layout(tl, option, text, links, qreal(r.right() - left - kPad));
    painter->setPen(option.palette.color(QPalette::Text));
    painter->setClipRect(QRect(left, r.top(), r.right() - left, r.height()));
    tl.draw(painter, QPointF(left, r.top() + 1));
    painter->restore();
}

QSize LogLineDelegate::sizeHint(const QStyleOptionViewItem &optionIn, const QModelIndex &index) const
{
    const int lineH = optionIn.fontMetrics.height() + 2;
    if (!m_wrap || !index.isValid())
        return {400, lineH};
    QStyleOptionViewItem option = optionIn;
    initStyleOption(&option, index);
    const int width = option.rect.width() > 0 ? option.rect.width() : 800;
    option.rect.setWidth(width);
    const QString text = displayText(index.data(LogsModel::LineRole).toString());
    QTextLayout tl;
    const int left = textLeft(option) - option.rect.left();
    const qreal h = layout(tl, option, text, {}, qreal(width - left - kPad - 60));
    return {width, std::max(lineH, int(std::ceil(h)) + 2)};
}

std::optional<DerivedLink> LogLineDelegate::linkAt(const QStyleOptionViewItem &optionIn, const QModelIndex &index,
                                                   QPoint pos) const
{
    if (m_derived.isEmpty() || !index.isValid())
        return std::nullopt;
    QStyleOptionViewItem option = optionIn;
    const QString text = displayText(index.data(LogsModel::LineRole).toString());
    const auto links = m_derived.extract(text);
    if (links.isEmpty())
        return std::nullopt;
    const QRect r = option.rect;
    int left = textLeft(option);
    const int dups = index.data(LogsModel::DuplicatesRole).toInt();
    if (dups > 0)
        left += option.fontMetrics.horizontalAdvance(QStringLiteral("%1x").arg(dups + 1)) + 8 + kPad;
    QTextLayout tl;
    layout(tl, option, text, links, qreal(r.right() - left - kPad));
    const QPointF local(pos.x() - left, pos.y() - r.top() - 1);
    for (int i = 0; i < tl.lineCount(); ++i) {
        const QTextLine line = tl.lineAt(i);
        if (local.y() < line.y() || local.y() > line.y() + line.height())
            continue;
        const int cursor = line.xToCursor(local.x(), QTextLine::CursorOnCharacter);
        if (local.x() > line.naturalTextWidth())
            return std::nullopt;
        for (const auto &l : links)
            if (cursor >= l.start && cursor < l.start + l.length)
                return l;
    }
    return std::nullopt;
}

} // namespace spyglass::gui::logs
