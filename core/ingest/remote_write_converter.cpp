#include "core/ingest/remote_write_converter.h"

#include "core/ingest/series_builder.h"
#include "core/proto/prometheus/remote.pb.h"

namespace spyglass::ingest {

namespace {

bool validLabelName(const std::string &n)
{
    if (n.empty())
        return false;
    for (size_t i = 0; i < n.size(); ++i) {
        const char c = n[i];
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (i > 0 && c >= '0' && c <= '9');
        if (!ok)
            return false;
    }
    return true;
}

} // namespace

MetricsConversion RemoteWriteConverter::convert(const prometheus::WriteRequest &request)
{
    MetricsConversion out;
    SeriesBuilder builder;
    for (const auto &ts : request.timeseries()) {
        if (ts.histograms_size() > 0) {
            out.rejectedPoints += ts.histograms_size();
            noteProblem(out.problems, QStringLiteral("native histogram samples are not supported and were dropped"));
        }
        QList<model::Label> labels;
        labels.reserve(ts.labels_size());
        bool ok = true, haveName = false;
        for (const auto &l : ts.labels()) {
            if (!validLabelName(l.name())) {
                noteProblem(out.problems,
                            QStringLiteral("a series with the invalid label name \"%1\" was dropped")
                                .arg(QString::fromStdString(l.name())));
                ok = false;
                break;
            }
            if (l.value().empty())
                continue; // an empty value means "no such label"
            const QString name = QString::fromStdString(l.name());
            for (const auto &prev : labels)
                if (prev.name == name) {
                    noteProblem(out.problems,
                                QStringLiteral("a series with the label \"%1\" twice was dropped").arg(name));
                    ok = false;
                }
            labels.append({name, QString::fromUtf8(l.value().data(), qsizetype(l.value().size()))});
            haveName |= l.name() == "__name__";
        }
        if (ok && !haveName) {
            noteProblem(out.problems, QStringLiteral("a series without a __name__ label was dropped"));
            ok = false;
        }
        if (!ok) {
            out.rejectedPoints += ts.samples_size();
            continue;
        }
        const model::Labels l(labels);
        for (const auto &s : ts.samples())
            builder.add(l, s.timestamp(), s.value());
        out.acceptedPoints += ts.samples_size();
        for (const auto &e : ts.exemplars()) {
            QList<model::Label> el;
            for (const auto &x : e.labels())
                if (!x.value().empty())
                    el.append({QString::fromStdString(x.name()), QString::fromStdString(x.value())});
            out.exemplars.append({l, model::Exemplar{model::Labels(el), e.value(), e.timestamp(), true}});
        }
    }
    out.series = builder.take();
    return out;
}

Result<MetricsConversion> RemoteWriteConverter::decode(QByteArrayView body)
{
    prometheus::WriteRequest req;
    if (!req.ParseFromArray(body.data(), int(body.size())))
        return fail(Error::badData(
            QStringLiteral("the body is not a valid protobuf prometheus.WriteRequest (%1 bytes after snappy)")
                .arg(body.size())));
    return convert(req);
}

} // namespace spyglass::ingest
