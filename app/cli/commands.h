#pragma once

#include <QStringList>
#include <QTextStream>

// The subcommands of `spyglass-core`. Each parses its own arguments (args[0]
// is the subcommand name), writes results to `out` and diagnostics to `err`,
// and returns the process exit code.
namespace spyglass::cli {

int runImport(const QStringList &args, QTextStream &out, QTextStream &err);
int runQuery(const QStringList &args, QTextStream &out, QTextStream &err);
int runPromqlTest(const QStringList &args, QTextStream &out, QTextStream &err);
int runServe(const QStringList &args, QTextStream &out, QTextStream &err);
int runDashboard(const QStringList &args, QTextStream &out, QTextStream &err);

// Prints "spyglass-core: <message>" and a hint, returns exit code 2.
int usageError(QTextStream &err, const QString &message);

} // namespace spyglass::cli
