#pragma once

#include <QList>
#include <QString>
#include <QStringList>
#include <QStringView>

namespace spyglass::gui::logs {

// What a piece of a LogQL query is, for colouring and completion.
enum class LogqlTokenKind {
    Plain,
    Function,    // rate, count_over_time, label_replace, vector, ...
    Aggregation, // sum, topk, sort_desc, ...
    Keyword,     // by without on ignoring offset bool and or unless unwrap ...
    Stage,       // json logfmt regexp pattern unpack line_format label_format drop keep decolorize
    LabelName,   // inside {...}, in by(...), and label filters in the pipeline
    String,
    Number,
    Duration,    // 5m, 1h30m
    Comment,
    Operator,    // |= != |~ !~ |> !> | = =~ == < > ...
    Bracket,     // ( ) [ ] { } ,
};

struct LogqlToken
{
    LogqlTokenKind kind = LogqlTokenKind::Plain;
    int start = 0;
    int length = 0;
    int end() const { return start + length; }
};

struct LogqlCompletionContext
{
    enum class Kind {
        None,       // inside a string, comment or number
        Expression, // range / vector aggregations, functions
        LabelName,  // after `{` or `,` in a selector, or inside by(...)
        LabelValue, // after `label="` in a selector
        Pipeline,   // after `|`: parsers, formatters, and label names for label filters
        Duration,   // inside [...]
    };
    Kind kind = Kind::None;
    QString prefix;
    int start = 0;
    QString label;           // LabelValue: the label
    bool inSelector = false; // LabelName inside {...}
    QString quote;           // LabelValue: the opening quote ("" when not typed yet)
};

// A tolerant tokenizer for highlighting and completion: it never fails, so
// half-typed queries still colour and complete.
class LogqlTokenizer
{
public:
    static QList<LogqlToken> tokenize(QStringView text);
    static int matchingBracket(QStringView text, int pos);
    static LogqlCompletionContext completionContext(QStringView text, int cursor);

    static const QStringList &functions();    // range aggregations + label_replace, vector
    static const QStringList &aggregations(); // vector aggregations
    static const QStringList &stages();       // pipeline stage keywords
    static const QStringList &keywords();
};

} // namespace spyglass::gui::logs
