#pragma once

#include "app/gui/logs/derived_fields.h"

#include <QStringList>
#include <QStyledItemDelegate>
#include <QTimeZone>
#include <optional>

class QTextLayout;

namespace spyglass::gui::logs {

// Paints one log line of a LogsModel: level colour bar, time, duplicate
// count, then the line with search matches and the query's line-filter
// terms highlighted and derived-field values (trace ids) drawn as links.
// Unwrapped rows all have one height (the view sets uniform item sizes, so
// a million rows cost nothing until they are on screen); wrapped rows grow.
class LogLineDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    explicit LogLineDelegate(QObject *parent = nullptr);

    void setWrap(bool wrap) { m_wrap = wrap; }
    bool wrap() const { return m_wrap; }
    // JSON lines shown indented (in wrapped mode, where there is room).
    void setPrettifyJson(bool on) { m_prettify = on; }
    bool prettifyJson() const { return m_prettify; }
    void setShowTime(bool on) { m_showTime = on; }
    void setTimeZone(const QTimeZone &zone) { m_zone = zone; }
    void setSearchText(const QString &text) { m_search = text; }
    void setHighlightTerms(const QStringList &terms) { m_terms = terms; }
    void setDerivedFields(const DerivedFields &fields) { m_derived = fields; }
    const DerivedFields &derivedFields() const { return m_derived; }
    // The row whose details are open: marked with a disclosure arrow.
    void setExpandedRow(int row) { m_expandedRow = row; }

    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

    // The derived link under `pos` (view coordinates) in the row painted in
    // `option.rect`, if any.
    std::optional<DerivedLink> linkAt(const QStyleOptionViewItem &option, const QModelIndex &index,
                                      QPoint pos) const;

    // What the line area shows for `line` (JSON indented when prettifying in wrap mode).
    QString displayText(const QString &line) const;
    QString formatTime(std::int64_t ns) const;

private:
    int textLeft(const QStyleOptionViewItem &option) const;
    // Lays the line out at `width` (one line, clipped, when not wrapping)
    // with highlight formats; returns the height.
    qreal layout(QTextLayout &tl, const QStyleOptionViewItem &option, const QString &text,
                 const QList<DerivedLink> &links, qreal width) const;

    bool m_wrap = false;
    bool m_prettify = false;
    bool m_showTime = true;
    QTimeZone m_zone = QTimeZone::systemTimeZone();
    QString m_search;
    QStringList m_terms;
    DerivedFields m_derived;
    int m_expandedRow = -1;
};

} // namespace spyglass::gui::logs
