#pragma once

#include <QString>
#include <expected>

namespace spyglass {

// The error half of every Result: a sentence a person can act on, plus where
// it happened (file, line, column for parse errors; 0 when not applicable).
struct Error
{
    enum class Kind { Invalid, BadData, NotFound, Io, Internal, Cancelled, Timeout, Unavailable };

    Kind kind = Kind::Invalid;
    QString message;
    QString source; // file name, URL or query text the position refers to
    int line = 0;   // 1-based, 0 = unknown
    int column = 0; // 1-based, 0 = unknown

    static Error invalid(QString msg) { return Error{Kind::Invalid, std::move(msg), {}, 0, 0}; }
    static Error badData(QString msg) { return Error{Kind::BadData, std::move(msg), {}, 0, 0}; }
    static Error io(QString msg) { return Error{Kind::Io, std::move(msg), {}, 0, 0}; }
    static Error internal(QString msg) { return Error{Kind::Internal, std::move(msg), {}, 0, 0}; }
    static Error cancelled() { return Error{Kind::Cancelled, QStringLiteral("cancelled"), {}, 0, 0}; }
    static Error at(QString source, int line, int column, QString msg)
    {
        return Error{Kind::BadData, std::move(msg), std::move(source), line, column};
    }

    // "file:3:14: message" (or fewer parts when unknown).
    QString toString() const;
};

template <typename T>
using Result = std::expected<T, Error>;

// Shorthand for returning an error from a function returning Result<T>.
inline std::unexpected<Error> fail(Error e) { return std::unexpected<Error>(std::move(e)); }

} // namespace spyglass
