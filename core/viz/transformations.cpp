#include "core/viz/transformations.h"

#include "core/viz/field_config.h"
#include "core/viz/reducers.h"

#include <QHash>
#include <QJsonValue>
#include <QRegularExpression>
#include <QSet>
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace spyglass::viz {

using model::Field;
using model::FieldType;
using model::Frame;
using model::Frames;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool numeric(const Field &f) { return f.type() == FieldType::Float64 || f.type() == FieldType::Int64; }

// A cell as a comparable key (exact text for strings, raw numbers otherwise).
QString keyOf(const Field &f, qsizetype row)
{
    switch (f.type()) {
    case FieldType::Time:
    case FieldType::Int64: return QString::number(f.int64s().at(row));
    case FieldType::Float64: return QString::number(f.doubles().at(row), 'g', 17);
    case FieldType::String: return f.strings().at(row);
    case FieldType::Labels: return f.labelSets().at(row).toString();
    }
    return {};
}

double numberAt(const Field &f, qsizetype row)
{
    switch (f.type()) {
    case FieldType::Time:
    case FieldType::Int64: return double(f.int64s().at(row));
    case FieldType::Float64: return f.doubles().at(row);
    case FieldType::String: {
        bool ok = false;
        const double v = f.strings().at(row).toDouble(&ok);
        return ok ? v : kNaN;
    }
    case FieldType::Labels: return kNaN;
    }
    return kNaN;
}

bool isNullAt(const Field &f, qsizetype row)
{
    switch (f.type()) {
    case FieldType::Float64: return std::isnan(f.doubles().at(row));
    case FieldType::String: return f.strings().at(row).isNull();
    default: return false;
    }
}

// Three-way comparison for sorting: numbers numerically, text naturally.
int compareCells(const Field &f, qsizetype a, qsizetype b)
{
    if (f.type() == FieldType::String || f.type() == FieldType::Labels) {
        const QString x = keyOf(f, a), y = keyOf(f, b);
        return QString::compare(x, y, Qt::CaseInsensitive);
    }
    const double x = numberAt(f, a), y = numberAt(f, b);
    if (std::isnan(x) || std::isnan(y))
        return std::isnan(x) == std::isnan(y) ? 0 : (std::isnan(x) ? 1 : -1); // nulls last
    return x < y ? -1 : (x > y ? 1 : 0);
}

QString displayName(const Frame &frame, const Field &field) { return fieldDisplayName(frame, field); }

// A frame with only some rows, in the given order.
Frame pickFrameRows(const Frame &frame, const QList<qsizetype> &rows)
{
    Frame out(frame.name(), frame.kind());
    out.meta() = frame.meta();
    for (const Field &f : frame.fields())
        out.addField(pickRows(f, rows));
    return out;
}

Field emptyLike(const Field &f) { return Field(f.name(), f.type(), f.seriesLabels()); }

// Appends row `row` of `src` (or null when src is nullptr) to `dst`.
void appendCell(Field &dst, const Field *src, qsizetype row)
{
    switch (dst.type()) {
    case FieldType::Time:
    case FieldType::Int64:
        dst.int64s().push_back(src ? std::int64_t(numberAt(*src, row)) : 0);
        break;
    case FieldType::Float64: dst.doubles().push_back(src ? numberAt(*src, row) : kNaN); break;
    case FieldType::String: dst.strings().push_back(src ? src->displayValue(row) : QString()); break;
    case FieldType::Labels: dst.labelSets().push_back(src && src->type() == FieldType::Labels ? src->labelSets().at(row) : model::Labels()); break;
    }
}

Error optionError(const QString &id, const QString &what) { return Error::invalid(QStringLiteral("transformation %1: %2").arg(id, what)); }

// ---- reduce ---------------------------------------------------------------

QList<Reducer> reducersOf(const QJsonObject &options, const QString &key, Result<void> *err, const QString &id)
{
    QList<Reducer> out;
    for (const QJsonValue &v : options.value(key).toArray()) {
        auto r = reducerFromId(v.toString());
        if (!r) {
            *err = std::unexpected(optionError(id, QStringLiteral("unknown reducer \"%1\"").arg(v.toString())));
            return {};
        }
        out.push_back(*r);
    }
    return out;
}

Result<Frames> reduceTransform(const Frames &frames, const QJsonObject &options)
{
    Result<void> err;
    QList<Reducer> reducers = reducersOf(options, QStringLiteral("reducers"), &err, QStringLiteral("reduce"));
    if (!err)
        return std::unexpected(err.error());
    if (reducers.isEmpty())
        reducers = {Reducer::LastNotNull};
    const bool includeTime = options.value(QLatin1String("includeTimeField")).toBool();
    if (options.value(QLatin1String("mode")).toString() == u"reduceFields") {
        Frames out;
        for (const Frame &frame : frames) {
            Frame f(frame.name(), model::FrameKind::Table);
            f.meta() = frame.meta();
            for (const Field &field : frame.fields()) {
                if (!numeric(field) && !(includeTime && field.type() == FieldType::Time))
                    continue;
                const QList<double> values = numericValues(field);
                for (Reducer r : reducers) {
                    const QString name = reducers.size() == 1 ? field.name() : field.name() + u' ' + reducerDisplayName(r);
                    f.addField(Field::float64(name, {reduce(r, values)}, field.seriesLabels()));
                }
            }
            out.push_back(std::move(f));
        }
        return out;
    }
    // seriesToRows (the default): one row per field, one column per reducer.
    const bool labelsToFields = options.value(QLatin1String("labelsToFields")).toBool();
    QStringList names;
    QList<model::Labels> labels;
    QList<QList<double>> columns(reducers.size());
    for (const Frame &frame : frames) {
        for (const Field &field : frame.fields()) {
            if (!numeric(field) && !(includeTime && field.type() == FieldType::Time))
                continue;
            names << (labelsToFields ? field.seriesLabels().metricName().isEmpty() ? field.name() : field.seriesLabels().metricName()
                                     : displayName(frame, field));
            labels << field.seriesLabels().withoutMetricName();
            const QList<double> values = numericValues(field);
            for (int i = 0; i < reducers.size(); ++i)
                columns[i].push_back(reduce(reducers.at(i), values));
        }
    }
    Frame f(QStringLiteral("reduced"), model::FrameKind::Table);
    if (!frames.isEmpty())
        f.meta() = frames.front().meta();
    f.addField(Field::string(QStringLiteral("Field"), names));
    if (labelsToFields) {
        QStringList labelNames;
        for (const auto &l : labels)
            for (const auto &p : l)
                if (!labelNames.contains(p.name))
                    labelNames << p.name;
        std::sort(labelNames.begin(), labelNames.end());
        for (const QString &ln : labelNames) {
            QStringList col;
            for (const auto &l : labels)
                col << l.value(ln);
            f.addField(Field::string(ln, col));
        }
    }
    for (int i = 0; i < reducers.size(); ++i)
        f.addField(Field::float64(reducerDisplayName(reducers.at(i)), columns.at(i)));
    return Frames{f};
}

// ---- organize / rename ------------------------------------------------------

Result<Frames> organizeTransform(const Frames &frames, const QJsonObject &options)
{
    const QJsonObject exclude = options.value(QLatin1String("excludeByName")).toObject();
    const QJsonObject index = options.value(QLatin1String("indexByName")).toObject();
    const QJsonObject rename = options.value(QLatin1String("renameByName")).toObject();
    Frames out;
    for (const Frame &frame : frames) {
        struct Entry
        {
            Field field;
            int order;
            int original;
        };
        QList<Entry> entries;
        for (int i = 0; i < frame.fields().size(); ++i) {
            const Field &field = frame.fields().at(i);
            const QString name = displayName(frame, field);
            const QString key = exclude.contains(name) || index.contains(name) || rename.contains(name) ? name : field.name();
            if (exclude.value(key).toBool())
                continue;
            const int order = index.contains(key) ? index.value(key).toInt() : std::numeric_limits<int>::max();
            const QString newName = rename.value(key).toString();
            entries.push_back({newName.isEmpty() ? field : renamedField(field, newName), order, i});
        }
        std::stable_sort(entries.begin(), entries.end(), [](const Entry &a, const Entry &b) {
            return a.order != b.order ? a.order < b.order : a.original < b.original;
        });
        Frame f(frame.name(), frame.kind());
        f.meta() = frame.meta();
        for (auto &e : entries)
            f.addField(std::move(e.field));
        int valueFields = 0;
        QString renamedValue;
        for (const Field &x : f.fields())
            if (numeric(x)) {
                ++valueFields;
                renamedValue = x.seriesLabels().isEmpty() && rename.contains(displayName(frame, x)) ? x.name() : QString();
            }
        // A one-series frame is named after its series: keep a rename visible.
        for (const Field &orig : frame.fields())
            if (numeric(orig) && valueFields == 1 && rename.contains(displayName(frame, orig)))
                f.setName(rename.value(displayName(frame, orig)).toString());
        out.push_back(std::move(f));
    }
    return out;
}

QRegularExpression grafanaRegex(const QString &text)
{
    // "/pattern/flags" or a bare pattern.
    static const QRegularExpression slashed(QStringLiteral("^/(.*)/([gimsuy]*)$"));
    if (const auto m = slashed.match(text); m.hasMatch()) {
        QRegularExpression::PatternOptions opts;
        if (m.captured(2).contains(u'i'))
            opts |= QRegularExpression::CaseInsensitiveOption;
        return QRegularExpression(m.captured(1), opts);
    }
    return QRegularExpression(text);
}

Result<Frames> renameByRegexTransform(const Frames &frames, const QJsonObject &options)
{
    const QRegularExpression re = grafanaRegex(options.value(QLatin1String("regex")).toString());
    if (!re.isValid())
        return std::unexpected(optionError(QStringLiteral("renameByRegex"), QStringLiteral("invalid regex: %1").arg(re.errorString())));
    const QString pattern = options.value(QLatin1String("renamePattern")).toString();
    Frames out;
    for (const Frame &frame : frames) {
        Frame f = frame;
        int valueFields = 0;
        for (const Field &x : frame.fields())
            valueFields += numeric(x) ? 1 : 0;
        for (Field &field : f.fields()) {
            if (field.type() == FieldType::Time)
                continue;
            const QString name = displayName(frame, field);
            const auto m = re.match(name);
            if (!m.hasMatch())
                continue;
            QString replacement = pattern;
            for (int i = m.lastCapturedIndex(); i >= 0; --i)
                replacement.replace(u'$' + QString::number(i), m.captured(i));
            const QString newName = name.left(m.capturedStart()) + replacement + name.mid(m.capturedEnd());
            field = renamedField(field, newName);
            if (numeric(field) && valueFields == 1)
                f.setName(newName);
        }
        out.push_back(std::move(f));
    }
    return out;
}

// ---- merge ------------------------------------------------------------------

Result<Frames> mergeTransform(const Frames &frames)
{
    if (frames.size() <= 1)
        return frames;
    // Columns by name in first-seen order; rows from different frames whose
    // shared non-value columns are equal become one row (Grafana's merge).
    QStringList names;
    QHash<QString, Field> templ;
    for (const Frame &frame : frames)
        for (const Field &f : frame.fields())
            if (!templ.contains(f.name())) {
                names << f.name();
                Field t(f.name(), f.type() == FieldType::Int64 ? FieldType::Float64 : f.type());
                templ.insert(f.name(), t);
            }
    QStringList keyNames;
    for (const QString &n : names) {
        const FieldType t = templ.value(n).type();
        if (t == FieldType::Float64 || t == FieldType::Int64)
            continue;
        if (std::all_of(frames.begin(), frames.end(), [&](const Frame &fr) { return fr.field(n) != nullptr; }))
            keyNames << n;
    }
    struct Row
    {
        QHash<QString, QPair<const Field *, qsizetype>> cells;
    };
    QList<Row> rows;
    QHash<QString, QList<int>> byKey;
    for (const Frame &frame : frames) {
        for (qsizetype r = 0; r < frame.rowCount(); ++r) {
            QString key;
            for (const QString &k : keyNames)
                key += keyOf(*frame.field(k), r) + QChar(0x1f);
            int target = -1;
            if (!keyNames.isEmpty()) {
                for (int candidate : byKey.value(key)) {
                    bool clash = false;
                    for (const Field &f : frame.fields())
                        if (!keyNames.contains(f.name()) && rows.at(candidate).cells.contains(f.name()))
                            clash = true;
                    if (!clash) {
                        target = candidate;
                        break;
                    }
                }
            }
            if (target < 0) {
                target = int(rows.size());
                rows.push_back({});
                byKey[key].push_back(target);
            }
            for (const Field &f : frame.fields())
                rows[target].cells.insert(f.name(), {&f, r});
        }
    }
    Frame out(frames.front().name(), model::FrameKind::Table);
    out.meta() = frames.front().meta();
    for (const QString &n : names) {
        Field f = templ.value(n);
        for (const Row &row : rows) {
            const auto it = row.cells.constFind(n);
            if (it == row.cells.constEnd())
                appendCell(f, nullptr, 0);
            else
                appendCell(f, it->first, it->second);
        }
        out.addField(std::move(f));
    }
    return Frames{out};
}

// ---- labelsToFields ---------------------------------------------------------

Result<Frames> labelsToFieldsTransform(const Frames &frames, const QJsonObject &options)
{
    const QString mode = options.value(QLatin1String("mode")).toString(QStringLiteral("columns"));
    const QString valueLabel = options.value(QLatin1String("valueLabel")).toString();
    QStringList keep;
    for (const QJsonValue &v : options.value(QLatin1String("keepLabels")).toArray())
        keep << v.toString();
    Frames out;
    for (const Frame &frame : frames) {
        if (mode == u"rows") {
            for (const Field &field : frame.fields()) {
                if (field.seriesLabels().isEmpty())
                    continue;
                QStringList labelCol, valueCol;
                for (const auto &p : field.seriesLabels())
                    if (keep.isEmpty() || keep.contains(p.name)) {
                        labelCol << p.name;
                        valueCol << p.value;
                    }
                Frame f(displayName(frame, field), model::FrameKind::Table);
                f.meta() = frame.meta();
                f.addField(Field::string(QStringLiteral("label"), labelCol));
                f.addField(Field::string(QStringLiteral("value"), valueCol));
                out.push_back(std::move(f));
            }
            continue;
        }
        Frame f(frame.name(), model::FrameKind::Table);
        f.meta() = frame.meta();
        QList<Field> labelFields;
        for (const Field &field : frame.fields()) {
            if (field.seriesLabels().isEmpty()) {
                f.addField(field);
                continue;
            }
            const model::Labels l = field.seriesLabels();
            QString name = field.name();
            if (!valueLabel.isEmpty() && l.has(valueLabel))
                name = l.value(valueLabel);
            for (const auto &p : l) {
                if (p.name == valueLabel || (!keep.isEmpty() && !keep.contains(p.name)))
                    continue;
                if (std::any_of(labelFields.begin(), labelFields.end(), [&](const Field &x) { return x.name() == p.name; }))
                    continue;
                labelFields.push_back(Field::string(p.name, QStringList(int(field.size()), p.value)));
            }
            f.addField(renamedField(field, name));
        }
        // Label columns go after the time column, as Grafana places them.
        const qsizetype at = f.fields().isEmpty() || f.fields().front().type() != FieldType::Time ? 0 : 1;
        for (qsizetype i = 0; i < labelFields.size(); ++i)
            f.fields().insert(at + i, labelFields.at(i));
        out.push_back(std::move(f));
    }
    return out;
}

// ---- joinByField --------------------------------------------------------------

Result<Frames> joinTransform(const Frames &frames, const QJsonObject &options)
{
    const QString byField = options.value(QLatin1String("byField")).toString();
    const bool inner = options.value(QLatin1String("mode")).toString() == u"inner";
    if (frames.isEmpty())
        return frames;
    auto keyFieldOf = [&](const Frame &frame) -> int {
        for (int i = 0; i < frame.fields().size(); ++i) {
            const Field &f = frame.fields().at(i);
            if (byField.isEmpty() ? f.type() == FieldType::Time : (f.name() == byField || displayName(frame, f) == byField))
                return i;
        }
        return -1;
    };
    struct Source
    {
        const Frame *frame;
        int key;
        QHash<QString, qsizetype> rowOf;
    };
    QList<Source> sources;
    for (const Frame &frame : frames) {
        const int k = keyFieldOf(frame);
        if (k < 0)
            continue; // Grafana drops frames without the join field
        Source s{&frame, k, {}};
        for (qsizetype r = 0; r < frame.rowCount(); ++r)
            s.rowOf.insert(keyOf(frame.fields().at(k), r), r);
        sources.push_back(std::move(s));
    }
    if (sources.isEmpty())
        return std::unexpected(optionError(QStringLiteral("joinByField"),
                                           byField.isEmpty() ? QStringLiteral("no frame has a time field to join on")
                                                             : QStringLiteral("no frame has a field \"%1\"").arg(byField)));
    // Keys in order: the union (outer) or intersection (inner), sorted.
    struct KeyRef
    {
        const Source *src;
        qsizetype row;
    };
    QList<KeyRef> keys;
    QSet<QString> seen;
    for (const Source &s : sources) {
        const Field &kf = s.frame->fields().at(s.key);
        for (qsizetype r = 0; r < kf.size(); ++r) {
            const QString k = keyOf(kf, r);
            if (seen.contains(k))
                continue;
            if (inner && !std::all_of(sources.begin(), sources.end(), [&](const Source &o) { return o.rowOf.contains(k); }))
                continue;
            seen.insert(k);
            keys.push_back({&s, r});
        }
    }
    std::stable_sort(keys.begin(), keys.end(), [](const KeyRef &a, const KeyRef &b) {
        const Field &fa = a.src->frame->fields().at(a.src->key);
        const Field &fb = b.src->frame->fields().at(b.src->key);
        if (fa.type() == FieldType::String || fb.type() == FieldType::String)
            return keyOf(fa, a.row) < keyOf(fb, b.row);
        return numberAt(fa, a.row) < numberAt(fb, b.row);
    });
    Frame out(QStringLiteral("joined"), frames.front().kind() == model::FrameKind::TimeSeries && byField.isEmpty()
                                              ? model::FrameKind::TimeSeries
                                              : model::FrameKind::Table);
    out.meta() = frames.front().meta();
    const Field &firstKey = sources.front().frame->fields().at(sources.front().key);
    Field keyField = emptyLike(firstKey);
    for (const KeyRef &k : keys)
        appendCell(keyField, &k.src->frame->fields().at(k.src->key), k.row);
    out.addField(keyField);
    for (const Source &s : sources) {
        for (int i = 0; i < s.frame->fields().size(); ++i) {
            if (i == s.key)
                continue;
            const Field &f = s.frame->fields().at(i);
            QList<qsizetype> rows;
            rows.reserve(keys.size());
            for (const KeyRef &k : keys)
                rows.push_back(s.rowOf.value(keyOf(k.src->frame->fields().at(k.src->key), k.row), -1));
            Field picked = pickRows(f, rows);
            // Keep the series name the frame carried (legend), since the joined
            // frame no longer names one series.
            if (numeric(f) && f.seriesLabels().isEmpty() && !s.frame->name().isEmpty() && sources.size() > 1)
                picked = renamedField(picked, displayName(*s.frame, f));
            out.addField(std::move(picked));
        }
    }
    return Frames{out};
}

// ---- filters ------------------------------------------------------------------

bool matchesValueFilter(const QString &id, const QJsonObject &opts, const Field &field, qsizetype row)
{
    const QJsonValue value = opts.value(QLatin1String("value"));
    const double x = numberAt(field, row);
    auto num = [](const QJsonValue &v) {
        if (v.isDouble())
            return v.toDouble();
        bool ok = false;
        const double d = v.toString().toDouble(&ok);
        return ok ? d : kNaN;
    };
    if (id == u"isNull")
        return isNullAt(field, row);
    if (id == u"isNotNull")
        return !isNullAt(field, row);
    if (id == u"greater")
        return x > num(value);
    if (id == u"greaterOrEqual")
        return x >= num(value);
    if (id == u"lower")
        return x < num(value);
    if (id == u"lowerOrEqual")
        return x <= num(value);
    if (id == u"equal")
        return numeric(field) ? x == num(value) : field.displayValue(row) == value.toVariant().toString();
    if (id == u"notEqual")
        return numeric(field) ? x != num(value) : field.displayValue(row) != value.toVariant().toString();
    if (id == u"range")
        return x >= num(opts.value(QLatin1String("from"))) && x <= num(opts.value(QLatin1String("to")));
    if (id == u"regex") {
        const QRegularExpression re(value.toString());
        return re.isValid() && re.match(field.displayValue(row)).hasMatch();
    }
    return false;
}

Result<Frames> filterByValueTransform(const Frames &frames, const QJsonObject &options)
{
    static const QStringList known = {QStringLiteral("isNull"), QStringLiteral("isNotNull"), QStringLiteral("greater"),
                                      QStringLiteral("greaterOrEqual"), QStringLiteral("lower"), QStringLiteral("lowerOrEqual"),
                                      QStringLiteral("equal"), QStringLiteral("notEqual"), QStringLiteral("range"),
                                      QStringLiteral("regex")};
    const bool include = options.value(QLatin1String("type")).toString(QStringLiteral("include")) == u"include";
    const bool matchAll = options.value(QLatin1String("match")).toString(QStringLiteral("any")) == u"all";
    const QJsonArray filters = options.value(QLatin1String("filters")).toArray();
    for (const QJsonValue &fv : filters) {
        const QString id = fv.toObject().value(QLatin1String("config")).toObject().value(QLatin1String("id")).toString();
        if (!known.contains(id))
            return std::unexpected(optionError(QStringLiteral("filterByValue"), QStringLiteral("unknown condition \"%1\"").arg(id)));
    }
    if (filters.isEmpty())
        return frames;
    Frames out;
    for (const Frame &frame : frames) {
        QList<qsizetype> keepRows;
        for (qsizetype r = 0; r < frame.rowCount(); ++r) {
            int matched = 0, applicable = 0;
            for (const QJsonValue &fv : filters) {
                const QJsonObject fo = fv.toObject();
                const QString fieldName = fo.value(QLatin1String("fieldName")).toString();
                const Field *field = nullptr;
                for (const Field &f : frame.fields())
                    if (f.name() == fieldName || displayName(frame, f) == fieldName)
                        field = &f;
                if (!field)
                    continue;
                ++applicable;
                const QJsonObject config = fo.value(QLatin1String("config")).toObject();
                if (matchesValueFilter(config.value(QLatin1String("id")).toString(),
                                       config.value(QLatin1String("options")).toObject(), *field, r))
                    ++matched;
            }
            const bool hit = applicable > 0 && (matchAll ? matched == applicable : matched > 0);
            if (applicable == 0 || hit == include)
                keepRows.push_back(r);
        }
        out.push_back(pickFrameRows(frame, keepRows));
    }
    return out;
}

Result<Frames> filterFieldsByNameTransform(const Frames &frames, const QJsonObject &options)
{
    const QJsonObject inc = options.value(QLatin1String("include")).toObject();
    const QJsonObject exc = options.value(QLatin1String("exclude")).toObject();
    auto names = [](const QJsonObject &o) {
        QStringList out;
        for (const QJsonValue &v : o.value(QLatin1String("names")).toArray())
            out << v.toString();
        return out;
    };
    const QStringList incNames = names(inc), excNames = names(exc);
    const QRegularExpression incRe = grafanaRegex(inc.value(QLatin1String("pattern")).toString());
    const QRegularExpression excRe = grafanaRegex(exc.value(QLatin1String("pattern")).toString());
    if (!incRe.isValid() || !excRe.isValid())
        return std::unexpected(optionError(QStringLiteral("filterFieldsByName"), QStringLiteral("invalid pattern")));
    const bool hasInclude = !incNames.isEmpty() || !incRe.pattern().isEmpty();
    Frames out;
    for (const Frame &frame : frames) {
        Frame f(frame.name(), frame.kind());
        f.meta() = frame.meta();
        for (const Field &field : frame.fields()) {
            const QString dn = displayName(frame, field);
            auto hit = [&](const QStringList &list, const QRegularExpression &re) {
                return list.contains(dn) || list.contains(field.name())
                    || (!re.pattern().isEmpty() && (re.match(dn).hasMatch() || re.match(field.name()).hasMatch()));
            };
            if (hasInclude && !hit(incNames, incRe))
                continue;
            if (hit(excNames, excRe))
                continue;
            f.addField(field);
        }
        out.push_back(std::move(f));
    }
    return out;
}

// ---- calculateField -------------------------------------------------------------

Result<Frames> calculateFieldTransform(const Frames &frames, const QJsonObject &options)
{
    const QString mode = options.value(QLatin1String("mode")).toString(QStringLiteral("reduceRow"));
    const bool replace = options.value(QLatin1String("replaceFields")).toBool();
    Frames out;
    for (const Frame &frame : frames) {
        const qsizetype n = frame.rowCount();
        QList<double> result(n, kNaN);
        QString alias = options.value(QLatin1String("alias")).toString();
        if (mode == u"binary") {
            const QJsonObject b = options.value(QLatin1String("binary")).toObject();
            const QString op = b.value(QLatin1String("operator")).toString(QStringLiteral("+"));
            auto operand = [&](const QString &name) -> std::function<double(qsizetype)> {
                for (const Field &f : frame.fields())
                    if (f.name() == name || displayName(frame, f) == name)
                        return [&f](qsizetype r) { return numberAt(f, r); };
                bool ok = false;
                const double c = name.toDouble(&ok);
                return [c, ok](qsizetype) { return ok ? c : kNaN; };
            };
            const QString ln = b.value(QLatin1String("left")).toString(), rn = b.value(QLatin1String("right")).toString();
            const auto left = operand(ln), right = operand(rn);
            if (!QStringList{QStringLiteral("+"), QStringLiteral("-"), QStringLiteral("*"), QStringLiteral("/"),
                             QStringLiteral("%"), QStringLiteral("^")}.contains(op))
                return std::unexpected(optionError(QStringLiteral("calculateField"), QStringLiteral("unknown operator \"%1\"").arg(op)));
            for (qsizetype r = 0; r < n; ++r) {
                const double a = left(r), c = right(r);
                result[r] = op == u"+" ? a + c : op == u"-" ? a - c : op == u"*" ? a * c : op == u"/" ? a / c
                          : op == u"%" ? std::fmod(a, c) : std::pow(a, c);
            }
            if (alias.isEmpty())
                alias = ln + u' ' + op + u' ' + rn;
        } else {
            const QJsonObject red = options.value(QLatin1String("reduce")).toObject();
            const QString rid = red.value(QLatin1String("reducer")).toString(QStringLiteral("sum"));
            const auto reducer = reducerFromId(rid);
            if (!reducer)
                return std::unexpected(optionError(QStringLiteral("calculateField"), QStringLiteral("unknown reducer \"%1\"").arg(rid)));
            QStringList include;
            for (const QJsonValue &v : red.value(QLatin1String("include")).toArray())
                include << v.toString();
            QList<const Field *> inputs;
            for (const Field &f : frame.fields())
                if (numeric(f) && (include.isEmpty() || include.contains(f.name()) || include.contains(displayName(frame, f))))
                    inputs << &f;
            for (qsizetype r = 0; r < n; ++r) {
                QList<double> row;
                for (const Field *f : inputs)
                    row << numberAt(*f, r);
                result[r] = reduce(*reducer, row);
            }
            if (alias.isEmpty())
                alias = reducerDisplayName(*reducer);
        }
        Frame f(frame.name(), frame.kind());
        f.meta() = frame.meta();
        for (const Field &field : frame.fields())
            if (!replace || field.type() == FieldType::Time)
                f.addField(field);
        f.addField(Field::float64(alias, result));
        out.push_back(std::move(f));
    }
    return out;
}

// ---- sortBy / limit / seriesToRows / groupBy -----------------------------------------

Result<Frames> sortByTransform(const Frames &frames, const QJsonObject &options)
{
    const QJsonArray sort = options.value(QLatin1String("sort")).toArray();
    if (sort.isEmpty())
        return frames;
    const QJsonObject s = sort.first().toObject();
    const QString name = s.value(QLatin1String("field")).toString();
    const bool desc = s.value(QLatin1String("desc")).toBool();
    Frames out;
    for (const Frame &frame : frames) {
        const Field *key = nullptr;
        for (const Field &f : frame.fields())
            if (f.name() == name || displayName(frame, f) == name)
                key = &f;
        if (!key) {
            out.push_back(frame);
            continue;
        }
        QList<qsizetype> rows(frame.rowCount());
        std::iota(rows.begin(), rows.end(), 0);
        std::stable_sort(rows.begin(), rows.end(), [&](qsizetype a, qsizetype b) {
            const int c = compareCells(*key, a, b);
            return desc ? c > 0 : c < 0;
        });
        out.push_back(pickFrameRows(frame, rows));
    }
    return out;
}

Result<Frames> limitTransform(const Frames &frames, const QJsonObject &options)
{
    const int limit = options.value(QLatin1String("limitField")).toInt(10);
    if (limit < 0)
        return std::unexpected(optionError(QStringLiteral("limit"), QStringLiteral("limit must not be negative")));
    Frames out;
    for (const Frame &frame : frames) {
        QList<qsizetype> rows(std::min<qsizetype>(limit, frame.rowCount()));
        std::iota(rows.begin(), rows.end(), 0);
        out.push_back(pickFrameRows(frame, rows));
    }
    return out;
}

Result<Frames> seriesToRowsTransform(const Frames &frames)
{
    struct Row
    {
        std::int64_t t;
        QString metric;
        double v;
    };
    QList<Row> rows;
    for (const Frame &frame : frames) {
        const Field *time = frame.firstOfType(FieldType::Time);
        if (!time)
            continue;
        for (const Field &f : frame.fields()) {
            if (!numeric(f))
                continue;
            const QString name = displayName(frame, f);
            for (qsizetype r = 0; r < f.size(); ++r)
                rows.push_back({time->int64s().at(r), name, numberAt(f, r)});
        }
    }
    std::stable_sort(rows.begin(), rows.end(), [](const Row &a, const Row &b) { return a.t > b.t; });
    QList<std::int64_t> t;
    QStringList m;
    QList<double> v;
    for (const Row &r : rows) {
        t << r.t;
        m << r.metric;
        v << r.v;
    }
    Frame out(QStringLiteral("series"), model::FrameKind::Table);
    if (!frames.isEmpty())
        out.meta() = frames.front().meta();
    out.addField(Field::time(QStringLiteral("Time"), t));
    out.addField(Field::string(QStringLiteral("Metric"), m));
    out.addField(Field::float64(QStringLiteral("Value"), v));
    return Frames{out};
}

Result<Frames> groupByTransform(const Frames &frames, const QJsonObject &options)
{
    const QJsonObject fields = options.value(QLatin1String("fields")).toObject();
    Frames out;
    for (const Frame &frame : frames) {
        QList<const Field *> groupFields;
        QList<QPair<const Field *, QList<Reducer>>> aggregates;
        for (const Field &f : frame.fields()) {
            const QString dn = displayName(frame, f);
            const QJsonObject o = fields.value(fields.contains(dn) ? dn : f.name()).toObject();
            const QString op = o.value(QLatin1String("operation")).toString();
            if (op == u"groupby") {
                groupFields << &f;
            } else if (op == u"aggregate") {
                QList<Reducer> reducers;
                for (const QJsonValue &v : o.value(QLatin1String("aggregations")).toArray()) {
                    auto r = reducerFromId(v.toString());
                    if (!r)
                        return std::unexpected(optionError(QStringLiteral("groupBy"), QStringLiteral("unknown aggregation \"%1\"").arg(v.toString())));
                    reducers << *r;
                }
                if (!reducers.isEmpty())
                    aggregates.push_back({&f, reducers});
            }
        }
        if (groupFields.isEmpty())
            continue; // Grafana shows nothing for a frame without group-by fields
        QStringList order;
        QHash<QString, QList<qsizetype>> groups;
        for (qsizetype r = 0; r < frame.rowCount(); ++r) {
            QString key;
            for (const Field *g : groupFields)
                key += keyOf(*g, r) + QChar(0x1f);
            if (!groups.contains(key))
                order << key;
            groups[key].push_back(r);
        }
        Frame f(frame.name(), model::FrameKind::Table);
        f.meta() = frame.meta();
        QList<qsizetype> firstRows;
        for (const QString &k : order)
            firstRows << groups.value(k).front();
        for (const Field *g : groupFields)
            f.addField(pickRows(*g, firstRows));
        for (const auto &[field, reducers] : aggregates) {
            for (Reducer r : reducers) {
                QList<double> col;
                for (const QString &k : order) {
                    QList<double> vals;
                    for (qsizetype row : groups.value(k))
                        vals << numberAt(*field, row);
                    col << reduce(r, vals);
                }
                f.addField(Field::float64(field->name() + QStringLiteral(" (") + reducerId(r) + u')', col, field->seriesLabels()));
            }
        }
        out.push_back(std::move(f));
    }
    return out;
}

} // namespace

Field pickRows(const Field &field, const QList<qsizetype> &rows)
{
    const bool hasNull = std::any_of(rows.begin(), rows.end(), [](qsizetype r) { return r < 0; });
    const FieldType type = hasNull && field.type() == FieldType::Int64 ? FieldType::Float64 : field.type();
    Field out(field.name(), type, field.seriesLabels());
    out.setUnit(field.unit());
    for (qsizetype r : rows)
        appendCell(out, r < 0 ? nullptr : &field, r);
    return out;
}

Field renamedField(const Field &field, const QString &name)
{
    Field out(name, field.type());
    out.setUnit(field.unit());
    switch (field.type()) {
    case FieldType::Time:
    case FieldType::Int64: out.int64s() = field.int64s(); break;
    case FieldType::Float64: out.doubles() = field.doubles(); break;
    case FieldType::String: out.strings() = field.strings(); break;
    case FieldType::Labels: out.labelSets() = field.labelSets(); break;
    }
    return out;
}

QStringList supportedTransformations()
{
    return {QStringLiteral("reduce"), QStringLiteral("organize"), QStringLiteral("merge"), QStringLiteral("labelsToFields"),
            QStringLiteral("joinByField"), QStringLiteral("seriesToColumns"), QStringLiteral("filterByValue"),
            QStringLiteral("filterFieldsByName"), QStringLiteral("calculateField"), QStringLiteral("sortBy"),
            QStringLiteral("limit"), QStringLiteral("seriesToRows"), QStringLiteral("renameByRegex"), QStringLiteral("groupBy")};
}

Result<Frames> applyTransformation(const Frames &frames, const QString &id, const QJsonObject &options)
{
    if (id == u"reduce")
        return reduceTransform(frames, options);
    if (id == u"organize")
        return organizeTransform(frames, options);
    if (id == u"merge")
        return mergeTransform(frames);
    if (id == u"labelsToFields")
        return labelsToFieldsTransform(frames, options);
    if (id == u"joinByField" || id == u"seriesToColumns")
        return joinTransform(frames, options);
    if (id == u"filterByValue")
        return filterByValueTransform(frames, options);
    if (id == u"filterFieldsByName")
        return filterFieldsByNameTransform(frames, options);
    if (id == u"calculateField")
        return calculateFieldTransform(frames, options);
    if (id == u"sortBy")
        return sortByTransform(frames, options);
    if (id == u"limit")
        return limitTransform(frames, options);
    if (id == u"seriesToRows")
        return seriesToRowsTransform(frames);
    if (id == u"renameByRegex")
        return renameByRegexTransform(frames, options);
    if (id == u"groupBy")
        return groupByTransform(frames, options);
    return std::unexpected(Error::invalid(QStringLiteral("transformation \"%1\" is not supported").arg(id)));
}

Result<Frames> applyTransformations(const Frames &frames, const QJsonArray &transformations)
{
    Frames current = frames;
    for (int i = 0; i < transformations.size(); ++i) {
        const QJsonObject t = transformations.at(i).toObject();
        if (t.value(QLatin1String("disabled")).toBool())
            continue;
        auto r = applyTransformation(current, t.value(QLatin1String("id")).toString(), t.value(QLatin1String("options")).toObject());
        if (!r) {
            Error e = r.error();
            e.message = QStringLiteral("transformation %1 of %2: %3").arg(i + 1).arg(transformations.size()).arg(e.message);
            return std::unexpected(e);
        }
        current = std::move(*r);
    }
    return current;
}

} // namespace spyglass::viz
