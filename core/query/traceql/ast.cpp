#include "core/query/traceql/ast.h"

#include <QVariantList>
#include <cmath>

namespace spyglass::query::traceql {

Value Value::fromVariant(const QVariant &v)
{
    switch (v.typeId()) {
    case QMetaType::UnknownType:
        return nil();
    case QMetaType::QString:
        return string(v.toString());
    case QMetaType::Bool:
        return boolean(v.toBool());
    case QMetaType::Int:
    case QMetaType::LongLong:
    case QMetaType::UInt:
    case QMetaType::ULongLong:
    case QMetaType::Long:
    case QMetaType::ULong:
    case QMetaType::Short:
    case QMetaType::UShort:
        return integer(v.toLongLong());
    case QMetaType::Double:
    case QMetaType::Float:
        return floating(v.toDouble());
    case QMetaType::QByteArray:
        return string(QString::fromLatin1(v.toByteArray().toHex()));
    case QMetaType::QVariantList: {
        QStringList parts;
        for (const QVariant &e : v.toList())
            parts << fromVariant(e).toString();
        return string(u'[' + parts.join(QStringLiteral(", ")) + u']');
    }
    default:
        return string(v.toString());
    }
}

static QString formatDurationNs(double ns)
{
    const double a = std::fabs(ns);
    struct U { double f; const char *name; };
    static const U units[] = {{3600e9, "h"}, {60e9, "m"}, {1e9, "s"}, {1e6, "ms"}, {1e3, "µs"}, {1, "ns"}};
    for (const auto &u : units)
        if (a >= u.f)
            return QString::number(ns / u.f, 'g', 6) + QString::fromUtf8(u.name);
    return QStringLiteral("0s");
}

QString Value::toString() const
{
    switch (type) {
    case Type::Nil: return QStringLiteral("nil");
    case Type::String: return s;
    case Type::Int: return QString::number(std::int64_t(num));
    case Type::Float: return QString::number(num, 'g', 15);
    case Type::Duration: return formatDurationNs(num);
    case Type::Bool: return b ? QStringLiteral("true") : QStringLiteral("false");
    case Type::Status: {
        static const char *names[] = {"unset", "ok", "error"};
        const int i = int(num);
        return i >= 0 && i < 3 ? QString::fromLatin1(names[i]) : QStringLiteral("unset");
    }
    case Type::Kind: {
        static const char *names[] = {"unspecified", "internal", "server", "client", "producer", "consumer"};
        const int i = int(num);
        return i >= 0 && i < 6 ? QString::fromLatin1(names[i]) : QStringLiteral("unspecified");
    }
    }
    return {};
}

QString intrinsicName(Intrinsic i)
{
    switch (i) {
    case Intrinsic::Name: return QStringLiteral("name");
    case Intrinsic::Status: return QStringLiteral("status");
    case Intrinsic::StatusMessage: return QStringLiteral("statusMessage");
    case Intrinsic::Kind: return QStringLiteral("kind");
    case Intrinsic::Duration: return QStringLiteral("duration");
    case Intrinsic::RootName: return QStringLiteral("rootName");
    case Intrinsic::RootServiceName: return QStringLiteral("rootServiceName");
    case Intrinsic::TraceDuration: return QStringLiteral("traceDuration");
    case Intrinsic::SpanId: return QStringLiteral("span:id");
    case Intrinsic::TraceId: return QStringLiteral("trace:id");
    case Intrinsic::ParentId: return QStringLiteral("span:parentID");
    case Intrinsic::EventName: return QStringLiteral("event:name");
    case Intrinsic::EventTimeSinceStart: return QStringLiteral("event:timeSinceStart");
    case Intrinsic::LinkTraceId: return QStringLiteral("link:traceID");
    case Intrinsic::LinkSpanId: return QStringLiteral("link:spanID");
    case Intrinsic::InstrumentationName: return QStringLiteral("instrumentation:name");
    case Intrinsic::InstrumentationVersion: return QStringLiteral("instrumentation:version");
    case Intrinsic::NestedSetLeft: return QStringLiteral("nestedSetLeft");
    case Intrinsic::NestedSetRight: return QStringLiteral("nestedSetRight");
    case Intrinsic::NestedSetParent: return QStringLiteral("nestedSetParent");
    case Intrinsic::ChildCount: return QStringLiteral("span:childCount");
    }
    return {};
}

QString spansetOpText(SpansetOp op)
{
    static const char *texts[] = {"&&", "||", ">", ">>", "<", "<<", "~", "!>", "!>>", "!<",
                                  "!<<", "!~", "&>", "&>>", "&<", "&<<", "&~"};
    return QString::fromLatin1(texts[int(op)]);
}

QString metricsFunctionName(MetricsStage::Function f)
{
    static const char *names[] = {"rate", "count_over_time", "min_over_time", "max_over_time",
                                  "avg_over_time", "sum_over_time", "quantile_over_time",
                                  "histogram_over_time"};
    return QString::fromLatin1(names[int(f)]);
}

} // namespace spyglass::query::traceql
