#include "core/query/traceql/evaluator.h"

#include <QSet>
#include <algorithm>
#include <cmath>
#include <re2/re2.h>

namespace spyglass::query::traceql {

using model::Span;

TraceView::TraceView(QList<model::Span> spans) : m_spans(std::move(spans))
{
    const auto n = m_spans.size();
    m_parent.fill(-1, n);
    m_children.resize(n);
    m_left.fill(0, n);
    m_right.fill(0, n);
    QHash<QByteArray, int> byId;
    byId.reserve(n);
    for (int i = 0; i < n; ++i)
        byId.insert(m_spans[i].spanId, i);
    if (n > 0) {
        m_start = m_spans[0].start;
        m_end = m_spans[0].end;
    }
    for (int i = 0; i < n; ++i) {
        const auto &s = m_spans[i];
        m_start = std::min(m_start, s.start);
        m_end = std::max(m_end, s.end);
        if (!s.parentSpanId.isEmpty()) {
            const int p = byId.value(s.parentSpanId, -1);
            if (p >= 0 && p != i) {
                m_parent[i] = p;
                m_children[p].push_back(i);
                continue;
            }
        }
        if (s.parentSpanId.isEmpty() && m_root < 0)
            m_root = i;
    }
    // Nested set numbers (Tempo's nestedSetLeft/Right): a pre/post-order
    // walk; iterative so a deep trace cannot overflow the stack.
    int counter = 1;
    QList<std::pair<int, int>> stack; // span, next child
    for (int r = 0; r < n; ++r) {
        if (m_parent[r] >= 0)
            continue;
        stack.push_back({r, 0});
        m_left[r] = counter++;
        while (!stack.isEmpty()) {
            auto &[s, next] = stack.back();
            if (next < m_children[s].size()) {
                const int c = m_children[s][next++];
                m_left[c] = counter++;
                stack.push_back({c, 0});
            } else {
                m_right[s] = counter++;
                stack.pop_back();
            }
        }
    }
}

namespace {

struct Ctx
{
    const TraceView &t;
    int span;
    int event = -1;
    int link = -1;
};

Value attributeValue(const model::Attributes &attrs, const QString &key)
{
    for (const auto &a : attrs)
        if (a.key == key)
            return Value::fromVariant(a.value);
    return Value::nil();
}

Value resolveAttribute(const FieldExpr &e, const Ctx &c)
{
    const Span &s = c.t.spans()[c.span];
    switch (e.scope) {
    case Scope::Span:
        return attributeValue(s.attributes, e.name);
    case Scope::Resource: {
        Value v = attributeValue(s.resourceAttributes, e.name);
        if (v.type == Value::Type::Nil && e.name == QLatin1String("service.name") && !s.serviceName.isEmpty())
            return Value::string(s.serviceName);
        return v;
    }
    case Scope::Unscoped: {
        Value v = attributeValue(s.attributes, e.name);
        if (v.type != Value::Type::Nil)
            return v;
        v = attributeValue(s.resourceAttributes, e.name);
        if (v.type == Value::Type::Nil && e.name == QLatin1String("service.name") && !s.serviceName.isEmpty())
            return Value::string(s.serviceName);
        return v;
    }
    case Scope::Event:
        return c.event >= 0 ? attributeValue(s.events[c.event].attributes, e.name) : Value::nil();
    case Scope::Link:
        return c.link >= 0 ? attributeValue(s.links[c.link].attributes, e.name) : Value::nil();
    case Scope::Instrumentation:
        return Value::nil(); // the model keeps no scope attributes
    }
    return Value::nil();
}

Value resolveIntrinsic(Intrinsic i, const Ctx &c)
{
    const TraceView &t = c.t;
    const Span &s = t.spans()[c.span];
    switch (i) {
    case Intrinsic::Name: return Value::string(s.name);
    case Intrinsic::Status: return Value::status(s.status);
    case Intrinsic::StatusMessage: return Value::string(s.statusMessage);
    case Intrinsic::Kind: return Value::kind(s.kind);
    case Intrinsic::Duration: return Value::duration(s.end - s.start);
    case Intrinsic::RootName: return t.root() >= 0 ? Value::string(t.spans()[t.root()].name) : Value::nil();
    case Intrinsic::RootServiceName:
        return t.root() >= 0 ? Value::string(t.spans()[t.root()].serviceName) : Value::nil();
    case Intrinsic::TraceDuration: return Value::duration(t.end() - t.start());
    case Intrinsic::SpanId: return Value::string(QString::fromLatin1(s.spanId.toHex()));
    case Intrinsic::TraceId: return Value::string(QString::fromLatin1(s.traceId.toHex()));
    case Intrinsic::ParentId:
        return s.parentSpanId.isEmpty() ? Value::nil() : Value::string(QString::fromLatin1(s.parentSpanId.toHex()));
    case Intrinsic::EventName: return c.event >= 0 ? Value::string(s.events[c.event].name) : Value::nil();
    case Intrinsic::EventTimeSinceStart:
        return c.event >= 0 ? Value::duration(s.events[c.event].time - s.start) : Value::nil();
    case Intrinsic::LinkTraceId:
        return c.link >= 0 ? Value::string(QString::fromLatin1(s.links[c.link].traceId.toHex())) : Value::nil();
    case Intrinsic::LinkSpanId:
        return c.link >= 0 ? Value::string(QString::fromLatin1(s.links[c.link].spanId.toHex())) : Value::nil();
    case Intrinsic::InstrumentationName: return s.scopeName.isEmpty() ? Value::nil() : Value::string(s.scopeName);
    case Intrinsic::InstrumentationVersion:
        return s.scopeVersion.isEmpty() ? Value::nil() : Value::string(s.scopeVersion);
    case Intrinsic::NestedSetLeft: return Value::integer(t.nestedLeft(c.span));
    case Intrinsic::NestedSetRight: return Value::integer(t.nestedRight(c.span));
    case Intrinsic::NestedSetParent:
        return Value::integer(t.parent(c.span) >= 0 ? t.nestedLeft(t.parent(c.span)) : -1);
    case Intrinsic::ChildCount: return Value::integer(t.children(c.span).size());
    }
    return Value::nil();
}

bool numericCompare(FieldExpr::Op op, double a, double b)
{
    switch (op) {
    case FieldExpr::Op::Eq: return a == b;
    case FieldExpr::Op::Neq: return a != b;
    case FieldExpr::Op::Lt: return a < b;
    case FieldExpr::Op::Lte: return a <= b;
    case FieldExpr::Op::Gt: return a > b;
    case FieldExpr::Op::Gte: return a >= b;
    default: return false;
    }
}

Value eval(const FieldExpr &e, const Ctx &c);

Value compare(const FieldExpr &e, const Ctx &c)
{
    const Value a = eval(*e.lhs, c);
    const Value b = eval(*e.rhs, c);
    using T = Value::Type;
    using Op = FieldExpr::Op;
    if (e.op == Op::Re || e.op == Op::Nre) {
        // The pattern is the literal side; the other side must be a string.
        const Value &subject = e.rhs->op == Op::Literal ? a : b;
        if (subject.type != T::String || !e.regex)
            return Value::boolean(false);
        const QByteArray u = subject.s.toUtf8();
        const bool hit = RE2::FullMatch(re2::StringPiece(u.constData(), size_t(u.size())), *e.regex);
        return Value::boolean(e.op == Op::Re ? hit : !hit);
    }
    if (a.type == T::Nil || b.type == T::Nil) {
        // Only a comparison with the literal nil tests presence; any other
        // comparison involving a missing value is false (Tempo's rule).
        const bool bothNil = a.type == T::Nil && b.type == T::Nil;
        auto isNilLiteral = [](const FieldExpr &x) {
            return x.op == Op::Literal && x.literal.type == T::Nil;
        };
        const bool withNil = isNilLiteral(*e.lhs) || isNilLiteral(*e.rhs);
        if (e.op == Op::Eq)
            return Value::boolean(bothNil && withNil);
        if (e.op == Op::Neq)
            return Value::boolean(!bothNil && withNil);
        return Value::boolean(false);
    }
    if (a.isNumeric() && b.isNumeric())
        return Value::boolean(numericCompare(e.op, a.num, b.num));
    if (a.type != b.type)
        return Value::boolean(false);
    switch (a.type) {
    case T::String: {
        const int r = a.s.compare(b.s);
        return Value::boolean(numericCompare(e.op, r, 0));
    }
    case T::Bool:
    case T::Status:
    case T::Kind: {
        if (e.op != Op::Eq && e.op != Op::Neq)
            return Value::boolean(false);
        const bool eq = a.type == T::Bool ? a.b == b.b : a.num == b.num;
        return Value::boolean(e.op == Op::Eq ? eq : !eq);
    }
    default:
        return Value::boolean(false);
    }
}

Value arithmetic(const FieldExpr &e, const Ctx &c)
{
    const Value a = eval(*e.lhs, c);
    const Value b = eval(*e.rhs, c);
    if (!a.isNumeric() || !b.isNumeric())
        return Value::nil();
    double r = 0;
    switch (e.op) {
    case FieldExpr::Op::Add: r = a.num + b.num; break;
    case FieldExpr::Op::Sub: r = a.num - b.num; break;
    case FieldExpr::Op::Mul: r = a.num * b.num; break;
    case FieldExpr::Op::Div:
        if (b.num == 0)
            return Value::nil();
        r = a.num / b.num;
        break;
    case FieldExpr::Op::Mod:
        if (b.num == 0)
            return Value::nil();
        r = std::fmod(a.num, b.num);
        break;
    case FieldExpr::Op::Pow: r = std::pow(a.num, b.num); break;
    default: return Value::nil();
    }
    using T = Value::Type;
    if (a.type == T::Duration || b.type == T::Duration)
        return Value::duration(std::int64_t(r));
    if (a.type == T::Int && b.type == T::Int && e.op != FieldExpr::Op::Div && e.op != FieldExpr::Op::Pow)
        return Value::integer(std::int64_t(r));
    return Value::floating(r);
}

Value eval(const FieldExpr &e, const Ctx &c)
{
    using Op = FieldExpr::Op;
    switch (e.op) {
    case Op::Literal: return e.literal;
    case Op::Attribute: return resolveAttribute(e, c);
    case Op::Intrinsic: return resolveIntrinsic(e.intrinsic, c);
    case Op::And: {
        const Value a = eval(*e.lhs, c);
        if (a.type != Value::Type::Bool || !a.b)
            return Value::boolean(false);
        const Value b = eval(*e.rhs, c);
        return Value::boolean(b.type == Value::Type::Bool && b.b);
    }
    case Op::Or: {
        const Value a = eval(*e.lhs, c);
        if (a.type == Value::Type::Bool && a.b)
            return Value::boolean(true);
        const Value b = eval(*e.rhs, c);
        return Value::boolean(b.type == Value::Type::Bool && b.b);
    }
    case Op::Not: {
        const Value a = eval(*e.lhs, c);
        return a.type == Value::Type::Bool ? Value::boolean(!a.b) : Value::boolean(false);
    }
    case Op::Neg: {
        Value a = eval(*e.lhs, c);
        if (!a.isNumeric())
            return Value::nil();
        a.num = -a.num;
        return a;
    }
    case Op::Eq: case Op::Neq: case Op::Lt: case Op::Lte: case Op::Gt: case Op::Gte: case Op::Re: case Op::Nre:
        return compare(e, c);
    case Op::Add: case Op::Sub: case Op::Mul: case Op::Div: case Op::Mod: case Op::Pow:
        return arithmetic(e, c);
    }
    return Value::nil();
}

void scopesUsed(const FieldExpr &e, bool &events, bool &links)
{
    if (e.op == FieldExpr::Op::Attribute) {
        events |= e.scope == Scope::Event;
        links |= e.scope == Scope::Link;
    } else if (e.op == FieldExpr::Op::Intrinsic) {
        events |= e.intrinsic == Intrinsic::EventName || e.intrinsic == Intrinsic::EventTimeSinceStart;
        links |= e.intrinsic == Intrinsic::LinkTraceId || e.intrinsic == Intrinsic::LinkSpanId;
    }
    if (e.lhs)
        scopesUsed(*e.lhs, events, links);
    if (e.rhs)
        scopesUsed(*e.rhs, events, links);
}

// Calls f(ctx) for each event/link combination the expression looks at,
// until f returns true: a condition on `event.` holds when one event meets
// all of its parts.
template <typename F>
bool anyContext(const FieldExpr &e, const TraceView &t, int span, F f)
{
    bool events = false, links = false;
    scopesUsed(e, events, links);
    const Span &s = t.spans()[span];
    const int nEvents = events ? std::max<int>(1, int(s.events.size())) : 1;
    const int nLinks = links ? std::max<int>(1, int(s.links.size())) : 1;
    for (int ev = 0; ev < nEvents; ++ev) {
        for (int li = 0; li < nLinks; ++li) {
            Ctx c{t, span, events && !s.events.isEmpty() ? ev : -1, links && !s.links.isEmpty() ? li : -1};
            if (f(c))
                return true;
        }
    }
    return false;
}

using IndexSet = QList<int>; // ascending span indices

IndexSet unite(const IndexSet &a, const IndexSet &b)
{
    IndexSet out;
    out.reserve(a.size() + b.size());
    std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
    return out;
}

IndexSet evalSpanset(const SpansetExpr &e, const TraceView &t, const IndexSet *universe);

IndexSet structural(SpansetOp op, const IndexSet &lhs, const IndexSet &rhs, const TraceView &t)
{
    const int n = int(t.size());
    QList<char> inL(n, 0), inR(n, 0);
    for (int i : lhs)
        inL[i] = 1;
    for (int i : rhs)
        inR[i] = 1;
    auto hasAncestorIn = [&](int i, const QList<char> &set) {
        for (int p = t.parent(i); p >= 0; p = t.parent(p))
            if (set[p])
                return true;
        return false;
    };
    auto hasChildIn = [&](int i, const QList<char> &set) {
        for (int c : t.children(i))
            if (set[c])
                return true;
        return false;
    };
    // Spans with a descendant in `set`: mark every ancestor of the set.
    auto ancestorsOf = [&](const IndexSet &set) {
        QList<char> marked(n, 0);
        for (int i : set)
            for (int p = t.parent(i); p >= 0 && !marked[p]; p = t.parent(p))
                marked[p] = 1;
        return marked;
    };
    auto hasSiblingIn = [&](int i, const QList<char> &set) {
        const QByteArray &parent = t.spans()[i].parentSpanId;
        if (parent.isEmpty())
            return false;
        const int p = t.parent(i);
        if (p >= 0) {
            for (int c : t.children(p))
                if (c != i && set[c])
                    return true;
            return false;
        }
        for (int j = 0; j < n; ++j) // orphans: compare parent ids
            if (j != i && set[j] && t.spans()[j].parentSpanId == parent)
                return true;
        return false;
    };
    auto select = [&](const IndexSet &from, auto pred) {
        IndexSet out;
        for (int i : from)
            if (pred(i))
                out.push_back(i);
        return out;
    };
    auto parentIn = [&](int i, const QList<char> &set) { return t.parent(i) >= 0 && set[t.parent(i)]; };
    switch (op) {
    case SpansetOp::Child: return select(rhs, [&](int i) { return parentIn(i, inL); });
    case SpansetOp::NotChild: return select(rhs, [&](int i) { return !parentIn(i, inL); });
    case SpansetOp::UnionChild:
        return unite(select(rhs, [&](int i) { return parentIn(i, inL); }),
                     select(lhs, [&](int i) { return hasChildIn(i, inR); }));
    case SpansetOp::Descendant: return select(rhs, [&](int i) { return hasAncestorIn(i, inL); });
    case SpansetOp::NotDescendant: return select(rhs, [&](int i) { return !hasAncestorIn(i, inL); });
    case SpansetOp::UnionDescendant: {
        const auto anc = ancestorsOf(rhs);
        return unite(select(rhs, [&](int i) { return hasAncestorIn(i, inL); }),
                     select(lhs, [&](int i) { return bool(anc[i]); }));
    }
    case SpansetOp::Parent: return select(rhs, [&](int i) { return hasChildIn(i, inL); });
    case SpansetOp::NotParent: return select(rhs, [&](int i) { return !hasChildIn(i, inL); });
    case SpansetOp::UnionParent:
        return unite(select(rhs, [&](int i) { return hasChildIn(i, inL); }),
                     select(lhs, [&](int i) { return parentIn(i, inR); }));
    case SpansetOp::Ancestor: {
        const auto anc = ancestorsOf(lhs);
        return select(rhs, [&](int i) { return bool(anc[i]); });
    }
    case SpansetOp::NotAncestor: {
        const auto anc = ancestorsOf(lhs);
        return select(rhs, [&](int i) { return !anc[i]; });
    }
    case SpansetOp::UnionAncestor: {
        const auto anc = ancestorsOf(lhs);
        return unite(select(rhs, [&](int i) { return bool(anc[i]); }),
                     select(lhs, [&](int i) { return hasAncestorIn(i, inR); }));
    }
    case SpansetOp::Sibling: return select(rhs, [&](int i) { return hasSiblingIn(i, inL); });
    case SpansetOp::NotSibling: return select(rhs, [&](int i) { return !hasSiblingIn(i, inL); });
    case SpansetOp::UnionSibling:
        return unite(select(rhs, [&](int i) { return hasSiblingIn(i, inL); }),
                     select(lhs, [&](int i) { return hasSiblingIn(i, inR); }));
    case SpansetOp::And:
    case SpansetOp::Or:
        break;
    }
    return {};
}

QList<SpanSet> runStages(QList<SpanSet> sets, const QList<Stage> &stages, const TraceView &t);

IndexSet evalSpanset(const SpansetExpr &e, const TraceView &t, const IndexSet *universe)
{
    switch (e.kind) {
    case SpansetExpr::Kind::Filter: {
        IndexSet out;
        auto test = [&](int i) {
            if (!e.filter || Evaluator::matches(*e.filter, t, i))
                out.push_back(i);
        };
        if (universe) {
            for (int i : *universe)
                test(i);
        } else {
            for (int i = 0; i < t.size(); ++i)
                test(i);
        }
        return out;
    }
    case SpansetExpr::Kind::Pipeline: {
        const QList<SpanSet> sets = Evaluator::evaluate(*e.pipeline, t);
        IndexSet out;
        for (const auto &s : sets)
            out = unite(out, s.spans);
        if (universe) {
            IndexSet limited;
            std::set_intersection(out.begin(), out.end(), universe->begin(), universe->end(),
                                  std::back_inserter(limited));
            return limited;
        }
        return out;
    }
    case SpansetExpr::Kind::Binary: {
        const IndexSet l = evalSpanset(*e.lhs, t, universe);
        if (e.op == SpansetOp::And) {
            if (l.isEmpty())
                return {};
            const IndexSet r = evalSpanset(*e.rhs, t, universe);
            return r.isEmpty() ? IndexSet{} : unite(l, r);
        }
        const IndexSet r = evalSpanset(*e.rhs, t, universe);
        if (e.op == SpansetOp::Or)
            return unite(l, r);
        return structural(e.op, l, r, t);
    }
    }
    return {};
}

bool aggregatePasses(const Stage &st, SpanSet &set, const TraceView &t)
{
    double acc = 0;
    int n = 0;
    Value::Type type = Value::Type::Float;
    if (st.aggregate == Aggregate::Count) {
        acc = double(set.spans.size());
        n = 1;
        type = Value::Type::Int;
    } else {
        for (int i : set.spans) {
            const Value v = Evaluator::value(*st.aggregateField, t, i);
            if (!v.isNumeric())
                continue;
            if (v.type == Value::Type::Duration)
                type = Value::Type::Duration;
            switch (st.aggregate) {
            case Aggregate::Min: acc = n == 0 ? v.num : std::min(acc, v.num); break;
            case Aggregate::Max: acc = n == 0 ? v.num : std::max(acc, v.num); break;
            default: acc += v.num; break;
            }
            ++n;
        }
        if (n == 0)
            return false;
        if (st.aggregate == Aggregate::Avg)
            acc /= n;
    }
    if (!numericCompare(st.compare, acc, st.threshold.num))
        return false;
    static const char *names[] = {"count", "avg", "min", "max", "sum"};
    QString label = QString::fromLatin1(names[int(st.aggregate)]) + u'(';
    if (st.aggregateField)
        label += st.aggregateField->text;
    label += u')';
    Value v;
    v.type = type;
    v.num = acc;
    set.attributes.push_back({label, v});
    return true;
}

QList<SpanSet> runStages(QList<SpanSet> sets, const QList<Stage> &stages, const TraceView &t)
{
    for (const Stage &st : stages) {
        if (sets.isEmpty())
            break;
        QList<SpanSet> next;
        switch (st.kind) {
        case Stage::Kind::Filter:
            for (auto &s : sets) {
                s.spans = evalSpanset(*st.filter, t, &s.spans);
                if (!s.spans.isEmpty())
                    next.push_back(std::move(s));
            }
            break;
        case Stage::Kind::AggregateFilter:
            for (auto &s : sets)
                if (aggregatePasses(st, s, t))
                    next.push_back(std::move(s));
            break;
        case Stage::Kind::By:
            for (const auto &s : sets) {
                QHash<QStringList, int> groups; // by values as text -> index in next
                for (int i : s.spans) {
                    NamedValues key;
                    QStringList keyText;
                    for (const auto &f : st.fields) {
                        const Value v = Evaluator::value(*f, t, i);
                        key.push_back({f->text, v});
                        keyText << QString::number(int(v.type)) + u':' + v.toString();
                    }
                    auto it = groups.constFind(keyText);
                    if (it == groups.cend()) {
                        SpanSet g;
                        g.attributes = s.attributes + key;
                        g.selected = s.selected;
                        it = groups.insert(keyText, int(next.size()));
                        next.push_back(std::move(g));
                    }
                    next[*it].spans.push_back(i);
                }
            }
            break;
        case Stage::Kind::Select:
            for (auto &s : sets) {
                s.selected += st.fields;
                next.push_back(std::move(s));
            }
            break;
        case Stage::Kind::Coalesce: {
            SpanSet all;
            for (const auto &s : sets) {
                all.spans = unite(all.spans, s.spans);
                for (const auto &f : s.selected)
                    if (!all.selected.contains(f))
                        all.selected.push_back(f);
            }
            next.push_back(std::move(all));
            break;
        }
        }
        sets = std::move(next);
    }
    return sets;
}

void collectFields(const FieldExpr &e, QList<FieldExprPtr> &out, const FieldExprPtr &self)
{
    if ((e.op == FieldExpr::Op::Attribute || e.op == FieldExpr::Op::Intrinsic) && self) {
        for (const auto &o : out)
            if (o->op == e.op && o->scope == e.scope && o->name == e.name)
                return;
        out.push_back(self);
        return;
    }
    if (e.lhs)
        collectFields(*e.lhs, out, e.lhs);
    if (e.rhs)
        collectFields(*e.rhs, out, e.rhs);
}

void collectSpanset(const SpansetExpr &e, QList<FieldExprPtr> &out)
{
    switch (e.kind) {
    case SpansetExpr::Kind::Filter:
        if (e.filter)
            collectFields(*e.filter, out, e.filter);
        break;
    case SpansetExpr::Kind::Binary:
        collectSpanset(*e.lhs, out);
        collectSpanset(*e.rhs, out);
        break;
    case SpansetExpr::Kind::Pipeline:
        collectSpanset(*e.pipeline->head, out);
        for (const auto &st : e.pipeline->stages)
            if (st.filter)
                collectSpanset(*st.filter, out);
        break;
    }
}

} // namespace

bool Evaluator::matches(const FieldExpr &e, const TraceView &t, int span)
{
    return anyContext(e, t, span, [&](const Ctx &c) {
        const Value v = eval(e, c);
        return v.type == Value::Type::Bool && v.b;
    });
}

Value Evaluator::value(const FieldExpr &e, const TraceView &t, int span)
{
    Value out;
    anyContext(e, t, span, [&](const Ctx &c) {
        out = eval(e, c);
        return out.type != Value::Type::Nil;
    });
    return out;
}

QList<SpanSet> Evaluator::evaluate(const Pipeline &p, const TraceView &t)
{
    IndexSet head = evalSpanset(*p.head, t, nullptr);
    if (head.isEmpty())
        return {};
    QList<SpanSet> sets;
    sets.push_back(SpanSet{std::move(head), {}, {}});
    return runStages(std::move(sets), p.stages, t);
}

QList<SpanSet> Evaluator::evaluate(const Query &q, const TraceView &t)
{
    return evaluate(q.pipeline, t);
}

QList<FieldExprPtr> Evaluator::referencedFields(const Query &q)
{
    QList<FieldExprPtr> out;
    collectSpanset(*q.pipeline.head, out);
    for (const auto &st : q.pipeline.stages)
        if (st.filter)
            collectSpanset(*st.filter, out);
    return out;
}

} // namespace spyglass::query::traceql
