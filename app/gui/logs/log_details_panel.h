#pragma once

#include "app/gui/logs/derived_fields.h"
#include "app/gui/logs/logs_model.h"

#include <QWidget>

class QLabel;
class QTreeWidget;

namespace spyglass::gui::logs {

// Where a filter applies: the stream selector (indexed labels) or a label
// filter stage after the parsers (metadata, parsed fields).
enum class FilterScope { Stream, Pipeline };

// Fields found in a line itself, for lines a query did not parse: a JSON
// object's top-level (and nested, joined with `_`) values, else logfmt pairs.
// `format` says which ("json", "logfmt" or empty).
model::Labels detectLineFields(const QString &line, QString *format = nullptr);

// The expanded line: its labels, structured metadata, parsed fields (or the
// fields detected in the line) and derived links, each with buttons to
// filter for / filter out that value, and the full (prettified) line.
class LogDetailsPanel : public QWidget
{
    Q_OBJECT
public:
    explicit LogDetailsPanel(QWidget *parent = nullptr);

    void setDerivedFields(const DerivedFields &fields) { m_derived = fields; }
    void showLine(const LogLine &line);
    void clearLine();
    bool hasLine() const { return m_hasLine; }
    const LogLine &currentLine() const { return m_line; }

    QTreeWidget *tree() const { return m_tree; }
    // Section ("Labels", "Structured metadata", "Parsed fields", "Detected
    // fields (logfmt)", "Links") -> its name=value rows, for tests.
    QStringList rowsOf(const QString &section) const;

signals:
    void filterRequested(const QString &label, const QString &value, bool include, FilterScope scope);
    void traceLinkActivated(const QString &traceId);
    void contextRequested();
    void closeRequested();

private:
    void addSection(const QString &title, const model::Labels &labels, FilterScope scope, bool filterable);

    QLabel *m_title;
    QTreeWidget *m_tree;
    QLabel *m_text;
    DerivedFields m_derived;
    LogLine m_line;
    bool m_hasLine = false;
};

} // namespace spyglass::gui::logs
