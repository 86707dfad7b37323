#pragma once

#include "core/model/labels.h"
#include "core/model/log_record.h"
#include "core/model/result.h"
#include "core/query/logql/ast.h"

#include <QByteArray>
#include <QByteArrayView>
#include <memory>

namespace spyglass::query::logql {

// The labels of one line while it goes through a pipeline: the stream's
// labels, the line's structured metadata and what parsers extracted. It is
// filled lazily, so a line that only meets line filters never decodes its
// metadata or builds a label.
class LabelsBuilder
{
public:
    enum class Category { Stream, Metadata, Parsed };

    void reset(const model::Labels *stream, QByteArrayView metadataRaw);

    QString get(QStringView name) const; // "" when absent
    bool has(QStringView name) const;
    bool streamHas(QStringView name) const { return m_stream && m_stream->has(name); }
    void set(const QString &name, const QString &value, Category c = Category::Parsed);
    void del(QStringView name);
    void setError(const QString &error, const QString &details);
    bool hasError() const { return has(u"__error__"); }
    // True once a stage changed labels: until then the result is the stream
    // labels plus metadata, which callers can cache per stream.
    bool modified() const { return m_modified; }

    model::Labels labels() const;   // everything, as Loki returns a stream's labels
    model::Labels metadata() const; // structured metadata still present
    model::Labels parsed() const;   // labels added by stages

    template <typename F>
    void forEach(F f) const
    {
        materialize();
        for (const auto &e : m_entries)
            f(e.name, e.value);
    }
    void keepOnly(const std::function<bool(const QString &, const QString &)> &keep);

private:
    struct Entry
    {
        QString name;
        QString value;
        Category cat;
    };
    void materialize() const;
    const model::Labels *m_stream = nullptr;
    QByteArrayView m_metaRaw;
    mutable bool m_materialized = false;
    mutable QList<Entry> m_entries;
    bool m_modified = false;
};

// A compiled pipeline (line filters, parsers, label filters, formatters).
// Immutable after compile(); process() may run on several threads at once.
class Pipeline
{
public:
    static Result<Pipeline> compile(const QList<Stage> &stages);
    // Label filters after `unwrap` run through the same machinery.
    static Result<Pipeline> compileLabelFilters(const QList<LabelFilterPtr> &filters);

    Pipeline();
    ~Pipeline();
    Pipeline(const Pipeline &);
    Pipeline &operator=(const Pipeline &);

    // Runs the line through all stages. `line` may be redirected into
    // `storage` by line_format/unpack/decolorize. Returns false when a
    // stage drops the line.
    bool process(model::TimestampNs ts, QByteArrayView &line, QByteArray &storage, LabelsBuilder &lbs) const;

    bool isEmpty() const;
    // Only line filters: labels stay the stream's (+ metadata).
    bool onlyLineFilters() const;

    struct Impl;

private:
    std::shared_ptr<const Impl> m_d;
};

// Evaluates one label filter against the builder (Loki semantics, including
// __error__ handling). Exposed for unwrap's post-filters and tests.
bool applyLabelFilter(const LabelFilter &f, LabelsBuilder &lbs);

} // namespace spyglass::query::logql
