#pragma once

#include "core/model/result.h"

#include <QList>
#include <QString>
#include <cstdint>

namespace spyglass::query::promql {

enum class TokenType {
    Eof,
    Identifier, // names, keywords and aggregators (the parser decides by context)
    Number,
    Duration,
    String,
    LeftParen,
    RightParen,
    LeftBrace,
    RightBrace,
    LeftBracket,
    RightBracket,
    Comma,
    Colon,
    Assign, // =
    At,     // @
    // operators
    Add, Sub, Mul, Div, Mod, Pow,
    Eql, Neq, Lte, Lss, Gte, Gtr,
    RegexMatch, RegexNoMatch,
};

struct Token
{
    TokenType type = TokenType::Eof;
    int pos = 0; // offset in the query
    int end = 0;
    QString text;            // raw text (identifiers: as written)
    QString str;             // String: the unescaped value
    double number = 0;       // Number
    std::int64_t durationMs = 0; // Duration
    bool hasColon = false;   // Identifier containing ':' (recording rule names)

    // Prometheus's wording for the token in "unexpected ..." errors.
    QString describe() const;
};

// Splits a PromQL query into tokens the way Prometheus's lexer does
// (durations, hex numbers, Inf/NaN, Go string escapes, comments). Lexical
// errors (unterminated strings, unbalanced brackets) carry a position.
class Lexer
{
public:
    static Result<QList<Token>> tokenize(const QString &input);
};

// An Error for a parse problem at `pos` in `input`, printed like Prometheus:
// "1:8: parse error: <msg>".
Error parseError(const QString &input, int pos, const QString &msg);

} // namespace spyglass::query::promql
