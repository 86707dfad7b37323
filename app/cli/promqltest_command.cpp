#include "app/cli/commands.h"

#include "core/query/promql/promql_test_runner.h"

#include <QCommandLineParser>
#include <QFileInfo>

namespace spyglass::cli {

int runPromqlTest(const QStringList &args, QTextStream &out, QTextStream &err)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Runs Prometheus's promqltest scripts (load, clear, eval instant/range, expect ...) "
        "against the PromQL engine and prints a summary per file, each failing eval with its "
        "file:line, and a final 'N passed, N failed' line."));
    p.addHelpOption();
    p.addOption({{QStringLiteral("q"), QStringLiteral("quiet")},
                 QStringLiteral("Print only the per-file summaries, not each failing eval.")});
    p.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("Test scripts."),
                            QStringLiteral("FILE..."));
    if (!p.parse(args))
        return usageError(err, p.errorText());
    if (p.isSet(QStringLiteral("help"))) {
        out << p.helpText();
        return 0;
    }
    const QStringList files = p.positionalArguments();
    if (files.isEmpty())
        return usageError(err, QStringLiteral("no test scripts given"));

    query::promql::PromqlTestRunner runner;
    int passed = 0;
    int failed = 0;
    bool unreadable = false;
    for (const QString &file : files) {
        if (!QFileInfo(file).isReadable()) {
            err << "spyglass-core: cannot read " << file << '\n';
            unreadable = true;
            continue;
        }
        const auto result = runner.runFile(file);
        if (!p.isSet(QStringLiteral("quiet"))) {
            for (const auto &c : result.cases) {
                if (c.passed)
                    continue;
                out << c.file << ':' << c.line << ": FAIL " << c.command << "\n    "
                    << c.message << '\n';
            }
        }
        out << QFileInfo(file).fileName() << ": " << result.passed << " passed, " << result.failed
            << " failed\n";
        passed += result.passed;
        failed += result.failed;
    }
    out << passed << " passed, " << failed << " failed\n";
    return failed == 0 && !unreadable ? 0 : 1;
}

} // namespace spyglass::cli
