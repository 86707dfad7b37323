#include "app/gui/panels/trace_panel.h"

#include "app/gui/traces/trace_viewer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QVBoxLayout>
#include <cmath>

namespace spyglass::gui::panels {

namespace {

model::Attributes attributesFrom(const QString &json)
{
    model::Attributes out;
    const QJsonDocument doc = QJsonDocument::fromJson(json.toUtf8());
    if (doc.isArray()) {
        for (const QJsonValue &v : doc.array()) {
            const QJsonObject o = v.toObject();
            out.push_back({o.value(QLatin1String("key")).toString(), o.value(QLatin1String("value")).toVariant()});
        }
    } else if (doc.isObject()) {
        const QJsonObject o = doc.object();
        for (auto it = o.begin(); it != o.end(); ++it)
            out.push_back({it.key(), it.value().toVariant()});
    }
    return out;
}

QString cell(const model::Frame &f, QStringView name, qsizetype row)
{
    const model::Field *x = f.field(name);
    return x ? x->displayValue(row) : QString();
}

double number(const model::Frame &f, QStringView name, qsizetype row)
{
    const model::Field *x = f.field(name);
    if (!x)
        return NAN;
    if (x->type() == model::FieldType::Float64)
        return x->doubles().at(row);
    if (x->type() == model::FieldType::Int64 || x->type() == model::FieldType::Time)
        return double(x->int64s().at(row));
    return x->displayValue(row).toDouble();
}

} // namespace

QList<model::Span> spansFromFrame(const model::Frame &frame)
{
    QList<model::Span> out;
    const model::Field *ns = frame.field(u"startTimeNs");
    for (qsizetype r = 0; r < frame.rowCount(); ++r) {
        model::Span s;
        s.traceId = QByteArray::fromHex(cell(frame, u"traceID", r).toLatin1());
        s.spanId = QByteArray::fromHex(cell(frame, u"spanID", r).toLatin1());
        s.parentSpanId = QByteArray::fromHex(cell(frame, u"parentSpanID", r).toLatin1());
        s.name = cell(frame, u"operationName", r);
        s.serviceName = cell(frame, u"serviceName", r);
        const QString kind = cell(frame, u"kind", r).toLower();
        s.kind = kind == u"server" ? model::Span::Kind::Server : kind == u"client" ? model::Span::Kind::Client
               : kind == u"producer" ? model::Span::Kind::Producer : kind == u"consumer" ? model::Span::Kind::Consumer
               : kind == u"internal" ? model::Span::Kind::Internal : model::Span::Kind::Unspecified;
        const QString status = cell(frame, u"statusCode", r).toLower();
        s.status = status == u"error" || status == u"2" ? model::Span::Status::Error
                 : status == u"ok" || status == u"1" ? model::Span::Status::Ok : model::Span::Status::Unset;
        s.statusMessage = cell(frame, u"statusMessage", r);
        s.start = ns && ns->type() == model::FieldType::Int64 ? ns->int64s().at(r) : model::TimestampNs(number(frame, u"startTime", r) * 1e6);
        const double dur = number(frame, u"duration", r);
        s.end = s.start + (std::isnan(dur) ? 0 : model::TimestampNs(dur * 1e6));
        s.attributes = attributesFrom(cell(frame, u"tags", r));
        s.resourceAttributes = attributesFrom(cell(frame, u"serviceTags", r));
        out.push_back(std::move(s));
    }
    return out;
}

TracePanel::TracePanel(QWidget *parent) : FramePanel(parent), m_viewer(new traces::TraceViewer(this))
{
    auto *l = new QVBoxLayout(this);
    l->setContentsMargins(0, 0, 0, 0);
    l->addWidget(m_viewer);
    connect(m_viewer, &traces::TraceViewer::linkActivated, this, [this](const QByteArray &traceId, const QByteArray &spanId) {
        emit linkActivated(QStringLiteral("trace:") + QString::fromLatin1(traceId.toHex())
                           + (spanId.isEmpty() ? QString() : QStringLiteral("/") + QString::fromLatin1(spanId.toHex())));
    });
}

void TracePanel::rebuild()
{
    for (const model::Frame &f : frames())
        if (f.kind() == model::FrameKind::Spans || (f.field(u"spanID") && f.field(u"parentSpanID"))) {
            m_viewer->setSpans(spansFromFrame(f));
            return;
        }
    if (m_viewer->model())
        m_viewer->setSpans({});
}

} // namespace spyglass::gui::panels
