#include "app/cli/commands.h"

#include <QCoreApplication>
#include <cstdio>

using namespace spyglass;

namespace {

const char kUsage[] = "usage: spyglass-core <command> [options]\n"
                      "\n"
                      "commands:\n"
                      "  import --data DIR FILE...      import Prometheus text / OpenMetrics files\n"
                      "  query  --data DIR [--time T | --start T --end T --step D] EXPR\n"
                      "                                 evaluate PromQL, print Prometheus API JSON\n"
                      "  promqltest FILE...             run Prometheus's PromQL test scripts\n"
                      "  serve  --data DIR [--listen ADDR:PORT]\n"
                      "                                 serve the Prometheus-compatible HTTP API\n"
                      "  dashboard check|normalize FILE...\n"
                      "                                 vet Grafana dashboards, print normalized JSON\n"
                      "\n"
                      "Run 'spyglass-core <command> --help' for a command's options.\n";

} // namespace

namespace spyglass::cli {
int usageError(QTextStream &err, const QString &message)
{
    err << "spyglass-core: " << message << "\n(see 'spyglass-core --help')\n";
    return 2;
}
} // namespace spyglass::cli

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("spyglass"));
    QCoreApplication::setOrganizationName(QStringLiteral("spyglass"));
    QTextStream out(stdout);
    QTextStream err(stderr);

    QStringList args = app.arguments();
    args.removeFirst();
    if (args.isEmpty() || args.front() == u"--help" || args.front() == u"-h" ||
        args.front() == u"help") {
        (args.isEmpty() ? err : out) << kUsage;
        return args.isEmpty() ? 2 : 0;
    }
    const QString command = args.front();
    if (command == u"import")
        return cli::runImport(args, out, err);
    if (command == u"query")
        return cli::runQuery(args, out, err);
    if (command == u"promqltest")
        return cli::runPromqlTest(args, out, err);
    if (command == u"serve")
        return cli::runServe(args, out, err);
    if (command == u"dashboard")
        return cli::runDashboard(args, out, err);
    return cli::usageError(err, QStringLiteral("unknown command \"%1\"").arg(command));
}
