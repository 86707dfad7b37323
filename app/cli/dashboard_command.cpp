// `spyglass-core dashboard check|normalize`: reads Grafana dashboards with
// the model the GUI uses, so a dashboard can be vetted without a display.

#include "app/cli/commands.h"
#include "core/dashboard/dashboard.h"
#include "core/dashboard/dashboard_check.h"
#include "core/dashboard/datasource_mapper.h"

namespace spyglass::cli {

namespace {

const char kDashboardUsage[] =
    "usage: spyglass-core dashboard check [--datasources PROVISIONING.yaml] FILE...\n"
    "       spyglass-core dashboard normalize FILE\n"
    "\n"
    "check      lists every panel (title, type, datasource, supported or not and why);\n"
    "           exits 1 when a dashboard cannot be read or has unsupported panels.\n"
    "           With --datasources, panel datasources are matched against that\n"
    "           Grafana provisioning file and unmatched ones are reported.\n"
    "normalize  prints the JSON Spyglass would save (legacy panels migrated).\n";

int runCheck(const QStringList &args, QTextStream &out, QTextStream &err)
{
    QStringList files;
    QString provisioning;
    for (qsizetype i = 0; i < args.size(); ++i) {
        if (args[i] == u"--datasources") {
            if (i + 1 >= args.size())
                return usageError(err, QStringLiteral("--datasources needs a file"));
            provisioning = args[++i];
        } else if (args[i].startsWith(QLatin1String("--"))) {
            return usageError(err, QStringLiteral("unknown option %1 for dashboard check").arg(args[i]));
        } else {
            files.append(args[i]);
        }
    }
    if (files.isEmpty())
        return usageError(err, QStringLiteral("dashboard check needs at least one FILE"));

    std::optional<dashboard::DatasourceMapper> mapper;
    if (!provisioning.isEmpty()) {
        auto list = dashboard::loadProvisioningFile(provisioning);
        if (!list) {
            err << "spyglass-core: " << list.error().toString() << "\n";
            return 1;
        }
        QString defaultUid;
        for (const auto &s : *list)
            if (s.isDefault)
                defaultUid = s.uid;
        mapper.emplace(*list, defaultUid);
    }

    bool failed = false;
    for (const QString &file : files) {
        auto d = dashboard::Dashboard::load(file);
        if (!d) {
            err << d.error().toString() << "\n";
            failed = true;
            continue;
        }
        if (mapper)
            mapper->setInputs(d->inputs());
        const QList<dashboard::PanelCheck> checks = dashboard::checkDashboard(*d, mapper ? &*mapper : nullptr);
        int unsupported = 0;
        for (const auto &c : checks)
            unsupported += c.supported ? 0 : 1;
        out << file << ": \"" << d->title() << "\" schemaVersion " << d->schemaVersion() << ", " << checks.size()
            << " panels, " << unsupported << " unsupported\n";
        for (const QString &m : d->migrations())
            out << "  migrated: " << m << "\n";
        for (const auto &c : checks) {
            out << "  " << (c.supported ? "ok          " : "UNSUPPORTED ") << "#" << c.id << " \""
                << (c.title.isEmpty() ? QStringLiteral("(no title)") : c.title) << "\" type=" << c.type
                << " datasource=" << c.datasource;
            if (!c.rowTitle.isEmpty())
                out << " row=\"" << c.rowTitle << "\"";
            out << ": " << c.reason << "\n";
        }
        if (unsupported > 0)
            failed = true;
    }
    return failed ? 1 : 0;
}

int runNormalize(const QStringList &args, QTextStream &out, QTextStream &err)
{
    if (args.size() != 1)
        return usageError(err, QStringLiteral("dashboard normalize needs exactly one FILE"));
    auto d = dashboard::Dashboard::load(args.front());
    if (!d) {
        err << d.error().toString() << "\n";
        return 1;
    }
    for (const QString &m : d->migrations())
        err << "migrated: " << m << "\n";
    out << QString::fromUtf8(d->toJsonBytes());
    return 0;
}

} // namespace

int runDashboard(const QStringList &args, QTextStream &out, QTextStream &err)
{
    // args[0] is "dashboard".
    if (args.size() < 2 || args[1] == u"--help" || args[1] == u"-h") {
        (args.size() < 2 ? err : out) << kDashboardUsage;
        return args.size() < 2 ? 2 : 0;
    }
    const QStringList rest = args.mid(2);
    if (args[1] == u"check")
        return runCheck(rest, out, err);
    if (args[1] == u"normalize")
        return runNormalize(rest, out, err);
    return usageError(err, QStringLiteral("unknown dashboard subcommand \"%1\" (check or normalize)").arg(args[1]));
}

} // namespace spyglass::cli
