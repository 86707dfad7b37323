#pragma once

#include <QList>
#include <QString>
#include <QStringList>
#include <QStringView>

namespace spyglass::gui::widgets {

// What a piece of a PromQL query is, for colouring and completion.
enum class PromqlTokenKind {
    Plain,       // whitespace and anything unknown
    Function,    // rate( ...
    Aggregation, // sum, topk, ...
    Keyword,     // by without on ignoring group_left group_right offset bool and or unless atan2 start end
    MetricName,
    LabelName,   // inside {...} and in by(...) / on(...) lists
    String,
    Number,      // incl. Inf / NaN / hex / 1e3
    Duration,    // 5m, 1h30m, 1.5m
    Comment,
    Operator,    // + - * / % ^ == != < <= > >= =~ !~ = @ :
    Bracket,     // ( ) [ ] { } and ,
};

struct PromqlToken
{
    PromqlTokenKind kind = PromqlTokenKind::Plain;
    int start = 0;
    int length = 0;
    int end() const { return start + length; }
};

// Where in a query the cursor is, for completion.
struct PromqlCompletionContext
{
    enum class Kind {
        None,       // inside a string, comment or number: nothing to offer
        Expression, // functions, aggregations, keywords, metric names
        LabelName,  // after `{` or `,` in a selector, or inside by(...)/on(...)
        LabelValue, // after `label="` (label says which)
        Duration,   // inside [...]
    };
    Kind kind = Kind::None;
    QString prefix;    // what is typed of the word being completed
    int start = 0;     // where that word starts (replaced on insertion)
    QString label;     // LabelValue: the label being matched
    bool inSelector = false; // LabelName: inside {...} (insert `name="`), not by(...)
    QString quote;     // LabelValue: the quote character opening the string
};

// A tolerant, highlighter-only tokenizer: unlike the parser's lexer it never
// fails, so half-typed queries (unterminated strings, open brackets) still
// colour and complete. Identifiers are classified by context the way
// Prometheus's grammar does (a known function name followed by `(` is a
// function, identifiers inside braces are label names, and so on).
class PromqlTokenizer
{
public:
    // `insideBraces` carries an open selector over from the previous line.
    static QList<PromqlToken> tokenize(QStringView text, bool insideBraces = false,
                                       bool *endsInsideBraces = nullptr);

    // Position of the bracket matching the one at `pos` (one of ()[]{}),
    // skipping strings and comments; -1 when there is none or `pos` is not
    // a bracket.
    static int matchingBracket(QStringView text, int pos);

    static PromqlCompletionContext completionContext(QStringView text, int cursor);

    static bool isAggregation(QStringView word);
    static bool isKeyword(QStringView word);
    static bool isFunction(QStringView word);
    static const QStringList &aggregations();
    static const QStringList &keywords();
};

} // namespace spyglass::gui::widgets
