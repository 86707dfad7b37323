#include "app/gui/flamegraph/flame_graph_builder.h"

#include "core/formats/cpuprofile_reader.h"
#include "core/formats/folded_reader.h"
#include "core/formats/perf_script_reader.h"
#include "core/formats/pprof_reader.h"

#include <QFile>
#include <QFileInfo>

namespace spyglass::gui::flamegraph {

namespace {

StackSet transformed(StackSet set, const FlameGraphRequest &r)
{
    QSet<std::uint32_t> hidden;
    for (const QString &name : r.hiddenFunctions) {
        const int id = set.functionId(name);
        if (id >= 0)
            hidden.insert(std::uint32_t(id));
    }
    set = hideFunctions(std::move(set), hidden);
    if (r.collapseRecursion)
        set = collapseRecursion(std::move(set));
    return set;
}

StackSet focused(StackSet set, const QString &function)
{
    if (function.isEmpty())
        return set;
    const int id = set.functionId(function);
    if (id < 0) {
        set.stacks.clear();
        return set;
    }
    return calleesOf(std::move(set), std::uint32_t(id));
}

} // namespace

FlameGraphResult buildFlameGraphs(const FlameGraphRequest &request)
{
    FlameGraphResult result;
    if (!request.profile)
        return result;
    const StackSet base = transformed(StackSet::fromProfile(*request.profile), request);
    result.tree = std::make_shared<CallTree>(CallTree::build(focused(base, request.focusFunction)));

    if (!request.sandwichFunction.isEmpty()) {
        const int id = base.functionId(request.sandwichFunction);
        StackSet callers = base, callees = base;
        if (id < 0) {
            callers.stacks.clear();
            callees.stacks.clear();
        } else {
            callers = callersOf(std::move(callers), std::uint32_t(id));
            callees = calleesOf(std::move(callees), std::uint32_t(id));
        }
        result.callers = std::make_shared<CallTree>(
            CallTree::build(callers, QObject::tr("callers of %1").arg(request.sandwichFunction)));
        result.callees = std::make_shared<CallTree>(
            CallTree::build(callees, QObject::tr("callees of %1").arg(request.sandwichFunction)));
    }

    if (request.baseline) {
        const StackSet diff = transformed(StackSet::diff(*request.baseline, *request.profile), request);
        result.diff = std::make_shared<CallTree>(CallTree::build(focused(diff, request.focusFunction)));
    }
    return result;
}

Result<QList<model::Profile>> loadProfileFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return fail(Error::io(QObject::tr("cannot open %1: %2").arg(path, file.errorString())));
    const QByteArray bytes = file.readAll();
    if (bytes.isEmpty())
        return fail(Error::badData(QObject::tr("%1 is empty").arg(path)));

    const bool gzip = bytes.size() >= 2 && uchar(bytes[0]) == 0x1f && uchar(bytes[1]) == 0x8b;
    // pprof is binary protobuf: a first byte that is a field tag, not text.
    const bool binary = bytes.contains('\0') || (uchar(bytes[0]) < 0x20 && bytes[0] != '\n' && bytes[0] != '\r');
    if (gzip || binary || path.endsWith(QLatin1String(".pb")) || path.endsWith(QLatin1String(".pprof")))
        return formats::PprofReader::parse(bytes, path);
    const QByteArrayView head = QByteArrayView(bytes).first(std::min<qsizetype>(bytes.size(), 4096));
    if (path.endsWith(QLatin1String(".cpuprofile")) || head.trimmed().startsWith('{'))
        return formats::CpuprofileReader::parse(bytes, path);
    if (formats::PerfScriptReader::looksLikePerfScript(head))
        return formats::PerfScriptReader::parse(bytes, path);
    formats::FoldedReadOptions options;
    options.typeId = QStringLiteral("samples:samples:count::");
    auto folded = formats::FoldedReader::parse(bytes, path, options);
    if (!folded)
        return fail(folded.error());
    return QList<model::Profile>{std::move(*folded)};
}

int preferredProfileIndex(const QList<model::Profile> &profiles)
{
    for (int i = 0; i < profiles.size(); ++i) {
        const QStringList parts = profiles[i].typeId.split(u':');
        if (parts.size() > 2 && (parts[2] == u"nanoseconds" || parts[1] == u"inuse_space"))
            return i;
    }
    return profiles.isEmpty() ? -1 : 0;
}

} // namespace spyglass::gui::flamegraph
