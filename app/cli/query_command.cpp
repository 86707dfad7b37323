#include "app/cli/commands.h"

#include "core/model/time_range.h"
#include "core/query/promql/engine.h"
#include "core/store/storage.h"

#include <QCommandLineParser>

namespace spyglass::cli {

using query::promql::Engine;
using query::promql::QueryResult;

int runQuery(const QStringList &args, QTextStream &out, QTextStream &err)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Evaluates a PromQL expression against a data directory and prints the result in the "
        "JSON shape of Prometheus's /api/v1/query (or /api/v1/query_range with --start/--end)."));
    p.addHelpOption();
    p.addOption({QStringLiteral("data"), QStringLiteral("Data directory."), QStringLiteral("DIR")});
    p.addOption({QStringLiteral("time"),
                 QStringLiteral("Evaluation time (RFC 3339 or Unix seconds; default now)."),
                 QStringLiteral("T")});
    p.addOption({QStringLiteral("start"), QStringLiteral("Range query start."), QStringLiteral("T")});
    p.addOption({QStringLiteral("end"), QStringLiteral("Range query end."), QStringLiteral("T")});
    p.addOption({QStringLiteral("step"),
                 QStringLiteral("Range query resolution (duration like 15s or seconds)."),
                 QStringLiteral("D")});
    p.addPositionalArgument(QStringLiteral("EXPR"), QStringLiteral("PromQL expression."));
    if (!p.parse(args))
        return usageError(err, p.errorText());
    if (p.isSet(QStringLiteral("help"))) {
        out << p.helpText();
        return 0;
    }
    if (!p.isSet(QStringLiteral("data")))
        return usageError(err, QStringLiteral("--data DIR is required"));
    if (p.positionalArguments().size() != 1)
        return usageError(err, QStringLiteral("expected exactly one PromQL expression"));
    const QString expr = p.positionalArguments().front();

    auto printError = [&](const Error &e) {
        out << QString::fromUtf8(query::promql::toPrometheusJson(fail(e))) << '\n';
        return 1;
    };
    // Argument errors are Prometheus's "bad_data", like its HTTP handlers.
    auto badParam = [](const QString &msg) { return Error{Error::Kind::BadData, msg, {}, 0, 0}; };
    auto parseTime = [&](const QString &opt) { return model::parseTimestamp(p.value(opt)); };

    const bool isRange = p.isSet(QStringLiteral("start")) || p.isSet(QStringLiteral("end")) ||
                         p.isSet(QStringLiteral("step"));
    if (isRange && p.isSet(QStringLiteral("time")))
        return usageError(err, QStringLiteral("--time cannot be combined with --start/--end/--step"));

    auto storage = store::Storage::open(p.value(QStringLiteral("data")));
    if (!storage) {
        err << "spyglass-core: " << storage.error().toString() << '\n';
        return 1;
    }
    query::MetricStoreQueryable queryable((*storage)->metrics());
    Engine engine;

    Result<QueryResult> result;
    if (isRange) {
        for (const char *needed : {"start", "end", "step"})
            if (!p.isSet(QString::fromLatin1(needed)))
                return usageError(err, QStringLiteral("a range query needs --start, --end and --step"));
        auto start = parseTime(QStringLiteral("start"));
        if (!start)
            return printError(badParam(QStringLiteral("invalid parameter \"start\": ") + start.error().message));
        auto end = parseTime(QStringLiteral("end"));
        if (!end)
            return printError(badParam(QStringLiteral("invalid parameter \"end\": ") + end.error().message));
        auto step = model::parseDuration(p.value(QStringLiteral("step")));
        if (!step)
            return printError(badParam(QStringLiteral("invalid parameter \"step\": ") + step.error().message));
        // The same argument checks as Prometheus's query_range handler.
        if (*end < *start)
            return printError(badParam(
                QStringLiteral("invalid parameter \"end\": end timestamp must not be before start time")));
        if (*step <= 0)
            return printError(badParam(QStringLiteral(
                "invalid parameter \"step\": zero or negative query resolution step widths are not "
                "accepted. Try a positive integer")));
        if ((*end - *start) / *step > 11000)
            return printError(badParam(QStringLiteral(
                "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the "
                "query resolution (?step=XX)")));
        result = engine.rangeQuery(queryable, expr, *start, *end, *step);
    } else {
        model::TimestampMs t = model::nowMs();
        if (p.isSet(QStringLiteral("time"))) {
            auto parsed = parseTime(QStringLiteral("time"));
            if (!parsed)
                return printError(badParam(QStringLiteral("invalid parameter \"time\": ") + parsed.error().message));
            t = *parsed;
        }
        result = engine.instantQuery(queryable, expr, t);
    }
    out << QString::fromUtf8(query::promql::toPrometheusJson(result)) << '\n';
    return result ? 0 : 1;
}

} // namespace spyglass::cli
