#include "core/query/logql/line_template.h"

#include "core/query/logql/parser.h"

#include <QDateTime>
#include <QTimeZone>
#include <QHash>
#include <QUrl>
#include <re2/re2.h>

#include <cmath>

namespace spyglass::query::logql {

namespace {

struct Value
{
    enum class Kind { Nil, Str, Num, Bool, Time };
    Kind kind = Kind::Nil;
    QString s;
    double n = 0;
    bool isInt = false;
    bool b = false;
    std::int64_t t = 0; // ns

    static Value str(QString v) { Value x; x.kind = Kind::Str; x.s = std::move(v); return x; }
    static Value num(double v, bool integer) { Value x; x.kind = Kind::Num; x.n = v; x.isInt = integer; return x; }
    static Value boolean(bool v) { Value x; x.kind = Kind::Bool; x.b = v; return x; }
    static Value time(std::int64_t ns) { Value x; x.kind = Kind::Time; x.t = ns; return x; }

    bool truthy() const
    {
        switch (kind) {
        case Kind::Nil: return false;
        case Kind::Str: return !s.isEmpty();
        case Kind::Num: return n != 0;
        case Kind::Bool: return b;
        case Kind::Time: return true;
        }
        return false;
    }
    double toNum() const
    {
        switch (kind) {
        case Kind::Str: { bool ok = false; double v = s.trimmed().toDouble(&ok); return ok ? v : 0; }
        case Kind::Num: return n;
        case Kind::Bool: return b ? 1 : 0;
        case Kind::Time: return double(t) / 1e9;
        default: return 0;
        }
    }
};

QString goLayout(const QString &layout, const QDateTime &dt, std::int64_t ns)
{
    static const char *months[] = {"January", "February", "March", "April", "May", "June", "July",
                                   "August", "September", "October", "November", "December"};
    static const char *days[] = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};
    const QDate d = dt.date();
    const QTime tm = dt.time();
    QString out;
    qsizetype i = 0;
    auto starts = [&](const char *tok) { return layout.mid(i).startsWith(QLatin1String(tok)); };
    auto pad = [](int v, int w) { return QStringLiteral("%1").arg(v, w, 10, QLatin1Char('0')); };
    const std::int64_t frac = ((ns % 1'000'000'000) + 1'000'000'000) % 1'000'000'000;
    while (i < layout.size()) {
        if (starts("2006")) { out += pad(d.year(), 4); i += 4; }
        else if (starts("January")) { out += QLatin1String(months[d.month() - 1]); i += 7; }
        else if (starts("Jan")) { out += QLatin1String(months[d.month() - 1]).left(3); i += 3; }
        else if (starts("Monday")) { out += QLatin1String(days[d.dayOfWeek() - 1]); i += 6; }
        else if (starts("Mon")) { out += QLatin1String(days[d.dayOfWeek() - 1]).left(3); i += 3; }
        else if (starts("MST")) { out += QStringLiteral("UTC"); i += 3; }
        else if (starts("01")) { out += pad(d.month(), 2); i += 2; }
        else if (starts("02")) { out += pad(d.day(), 2); i += 2; }
        else if (starts("_2")) { out += QStringLiteral("%1").arg(d.day(), 2); i += 2; }
        else if (starts("06")) { out += pad(d.year() % 100, 2); i += 2; }
        else if (starts("15")) { out += pad(tm.hour(), 2); i += 2; }
        else if (starts("03")) { out += pad(tm.hour() % 12 == 0 ? 12 : tm.hour() % 12, 2); i += 2; }
        else if (starts("04")) { out += pad(tm.minute(), 2); i += 2; }
        else if (starts("05")) { out += pad(tm.second(), 2); i += 2; }
        else if (starts("PM")) { out += tm.hour() >= 12 ? QStringLiteral("PM") : QStringLiteral("AM"); i += 2; }
        else if (starts("pm")) { out += tm.hour() >= 12 ? QStringLiteral("pm") : QStringLiteral("am"); i += 2; }
        else if (starts("-07:00") || starts("Z07:00")) { out += starts("Z") ? QStringLiteral("Z") : QStringLiteral("+00:00"); i += 6; }
        else if (starts("-0700") || starts("Z0700")) { out += starts("Z") ? QStringLiteral("Z") : QStringLiteral("+0000"); i += 5; }
        else if (starts(".000") || starts(".999") || starts(",000")) {
            qsizetype n = 1;
            const QChar digit = layout[i + 1];
            while (i + n < layout.size() && layout[i + n] == digit)
                ++n;
            const int digits = int(n - 1);
            QString f = QStringLiteral("%1").arg(frac, 9, 10, QLatin1Char('0')).left(digits);
            if (digit == u'9') {
                while (f.endsWith(u'0'))
                    f.chop(1);
                if (!f.isEmpty())
                    out += u'.' + f;
            } else {
                out += layout[i] + f;
            }
            i += n;
        }
        else if (starts("1")) { out += QString::number(d.month()); i += 1; }
        else if (starts("2")) { out += QString::number(d.day()); i += 1; }
        else if (starts("3")) { out += QString::number(tm.hour() % 12 == 0 ? 12 : tm.hour() % 12); i += 1; }
        else if (starts("4")) { out += QString::number(tm.minute()); i += 1; }
        else if (starts("5")) { out += QString::number(tm.second()); i += 1; }
        else { out += layout[i]; ++i; }
    }
    return out;
}

QDateTime toDateTime(std::int64_t ns)
{
    std::int64_t ms = ns / 1'000'000;
    if (ns < 0 && ns % 1'000'000)
        --ms;
    return QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc());
}

QString formatFloat(double v)
{
    if (std::isinf(v))
        return v > 0 ? QStringLiteral("+Inf") : QStringLiteral("-Inf");
    if (std::isnan(v))
        return QStringLiteral("NaN");
    // Go's %v of a float64: shortest representation, exponent for big/small.
    const double a = std::fabs(v);
    if (a != 0 && (a < 1e-4 || a >= 1e21)) {
        QString s = QString::number(v, 'e', QLocale::FloatingPointShortest);
        return s;
    }
    return QString::number(v, 'f', QLocale::FloatingPointShortest);
}

QString toText(const Value &v)
{
    switch (v.kind) {
    case Value::Kind::Nil: return QStringLiteral("<no value>");
    case Value::Kind::Str: return v.s;
    case Value::Kind::Num: return v.isInt ? QString::number(std::int64_t(v.n)) : formatFloat(v.n);
    case Value::Kind::Bool: return v.b ? QStringLiteral("true") : QStringLiteral("false");
    case Value::Kind::Time: return goLayout(QStringLiteral("2006-01-02 15:04:05.999999999 -0700 MST"), toDateTime(v.t), v.t);
    }
    return {};
}

// Go's fmt.Sprintf for the verbs people use in line_format.
QString goSprintf(const QString &fmt, const QList<Value> &args)
{
    QString out;
    qsizetype ai = 0;
    for (qsizetype i = 0; i < fmt.size(); ++i) {
        if (fmt[i] != u'%') {
            out += fmt[i];
            continue;
        }
        qsizetype j = i + 1;
        QString flags;
        while (j < fmt.size() && QStringLiteral("-+ 0#").contains(fmt[j]))
            flags += fmt[j++];
        QString width;
        while (j < fmt.size() && fmt[j].isDigit())
            width += fmt[j++];
        QString prec;
        bool hasPrec = false;
        if (j < fmt.size() && fmt[j] == u'.') {
            hasPrec = true;
            ++j;
            while (j < fmt.size() && fmt[j].isDigit())
                prec += fmt[j++];
        }
        if (j >= fmt.size()) {
            out += QStringLiteral("%!(NOVERB)");
            break;
        }
        const QChar verb = fmt[j];
        i = j;
        if (verb == u'%') {
            out += u'%';
            continue;
        }
        if (ai >= args.size()) {
            out += QStringLiteral("%!") + verb + QStringLiteral("(MISSING)");
            continue;
        }
        const Value &a = args[ai++];
        QString s;
        const int w = width.toInt();
        const int p = prec.toInt();
        switch (verb.unicode()) {
        case 'd': s = QString::number(std::int64_t(a.toNum())); break;
        case 'f': case 'F': s = QString::number(a.toNum(), 'f', hasPrec ? p : 6); break;
        case 'e': s = QString::number(a.toNum(), 'e', hasPrec ? p : 6); break;
        case 'g': s = hasPrec ? QString::number(a.toNum(), 'g', p) : formatFloat(a.toNum()); break;
        case 'x': s = a.kind == Value::Kind::Str ? QString::fromLatin1(a.s.toUtf8().toHex()) : QString::number(std::int64_t(a.toNum()), 16); break;
        case 'X': s = (a.kind == Value::Kind::Str ? QString::fromLatin1(a.s.toUtf8().toHex()) : QString::number(std::int64_t(a.toNum()), 16)).toUpper(); break;
        case 'q': s = u'"' + QString(toText(a)).replace(u'\\', QStringLiteral("\\\\")).replace(u'"', QStringLiteral("\\\"")) + u'"'; break;
        case 't': s = a.truthy() ? QStringLiteral("true") : QStringLiteral("false"); break;
        case 'c': s = QChar(int(a.toNum())); break;
        default:
            s = toText(a);
            if (hasPrec && verb == u's')
                s = s.left(p);
        }
        if (flags.contains(u'+') && (verb == u'd' || verb == u'f') && a.toNum() >= 0)
            s.prepend(u'+');
        if (s.size() < w) {
            if (flags.contains(u'-'))
                s = s.leftJustified(w, u' ');
            else if (flags.contains(u'0') && verb != u's') {
                const bool neg = s.startsWith(u'-') || s.startsWith(u'+');
                s = neg ? s.left(1) + s.mid(1).rightJustified(w - 1, u'0') : s.rightJustified(w, u'0');
            } else
                s = s.rightJustified(w, u' ');
        }
        out += s;
    }
    if (ai < args.size()) {
        out += QStringLiteral("%!(EXTRA ");
        for (qsizetype k = ai; k < args.size(); ++k)
            out += (k > ai ? QStringLiteral(", ") : QString()) + toText(args[k]);
        out += u')';
    }
    return out;
}

} // namespace

// ---- template tree ----
struct LineTemplate::Node
{
    enum class Kind { List, Text, Action, If, Pipeline, Command, Field, Literal, Func, Dot };
    Kind kind = Kind::List;
    QString text;                         // Text, Field name, Func name
    Value literal;                        // Literal
    QList<std::shared_ptr<Node>> children; // List items, Pipeline commands, Command operands
    std::shared_ptr<Node> cond, thenList, elseList; // If
};

namespace {

using NodePtr = std::shared_ptr<LineTemplate::Node>;
using Node = LineTemplate::Node;

struct Ctx
{
    const TemplateContext &tc;
};

using Func = std::function<Result<Value>(const QList<Value> &)>;

Error tmplError(const QString &msg)
{
    return Error::invalid(QStringLiteral("template: %1").arg(msg));
}

Result<Value> needArgs(const QList<Value> &a, int n, const char *name)
{
    if (a.size() != n)
        return fail(tmplError(QStringLiteral("wrong number of args for %1: want %2 got %3")
                                  .arg(QLatin1String(name)).arg(n).arg(a.size())));
    return Value{};
}

const QHash<QString, Func> &functions()
{
    static const QHash<QString, Func> f = [] {
        QHash<QString, Func> m;
        auto str1 = [&m](const char *name, std::function<QString(const QString &)> fn) {
            m.insert(QLatin1String(name), [name, fn](const QList<Value> &a) -> Result<Value> {
                if (auto r = needArgs(a, 1, name); !r)
                    return r;
                return Value::str(fn(toText(a[0])));
            });
        };
        str1("ToUpper", [](const QString &s) { return s.toUpper(); });
        str1("ToLower", [](const QString &s) { return s.toLower(); });
        str1("upper", [](const QString &s) { return s.toUpper(); });
        str1("lower", [](const QString &s) { return s.toLower(); });
        str1("trim", [](const QString &s) { return s.trimmed(); });
        str1("trimSpace", [](const QString &s) { return s.trimmed(); });
        str1("title", [](const QString &s) {
            QString o = s;
            bool start = true;
            for (auto &c : o) {
                if (start && c.isLetter())
                    c = c.toUpper();
                start = c.isSpace();
            }
            return o;
        });
        str1("urlencode", [](const QString &s) { return QString::fromLatin1(QUrl::toPercentEncoding(s)); });
        str1("urldecode", [](const QString &s) { return QUrl::fromPercentEncoding(s.toUtf8()); });
        str1("b64enc", [](const QString &s) { return QString::fromLatin1(s.toUtf8().toBase64()); });
        str1("b64dec", [](const QString &s) { return QString::fromUtf8(QByteArray::fromBase64(s.toLatin1())); });
        m.insert(QStringLiteral("len"), [](const QList<Value> &a) -> Result<Value> {
            if (auto r = needArgs(a, 1, "len"); !r) return r;
            return Value::num(double(toText(a[0]).toUtf8().size()), true);
        });
        m.insert(QStringLiteral("default"), [](const QList<Value> &a) -> Result<Value> {
            if (auto r = needArgs(a, 2, "default"); !r) return r;
            return a[1].truthy() ? a[1] : a[0];
        });
        auto two = [&m](const char *name, std::function<QString(const QString &, const QString &)> fn) {
            m.insert(QLatin1String(name), [name, fn](const QList<Value> &a) -> Result<Value> {
                if (auto r = needArgs(a, 2, name); !r)
                    return r;
                return Value::str(fn(toText(a[0]), toText(a[1])));
            });
        };
        // Sprig's argument order: the string comes last (pipeline-friendly).
        two("trimAll", [](const QString &cut, const QString &s) {
            QString o = s;
            while (!cut.isEmpty() && !o.isEmpty() && cut.contains(o.front())) o.remove(0, 1);
            while (!cut.isEmpty() && !o.isEmpty() && cut.contains(o.back())) o.chop(1);
            return o;
        });
        two("trimLeft", [](const QString &cut, const QString &s) {
            QString o = s;
            while (!cut.isEmpty() && !o.isEmpty() && cut.contains(o.front())) o.remove(0, 1);
            return o;
        });
        two("trimRight", [](const QString &cut, const QString &s) {
            QString o = s;
            while (!cut.isEmpty() && !o.isEmpty() && cut.contains(o.back())) o.chop(1);
            return o;
        });
        two("trimPrefix", [](const QString &p, const QString &s) { return s.startsWith(p) ? s.mid(p.size()) : s; });
        two("trimSuffix", [](const QString &p, const QString &s) { return s.endsWith(p) ? s.left(s.size() - p.size()) : s; });
        two("repeat", [](const QString &n, const QString &s) { return s.repeated(n.toInt()); });
        auto pred = [&m](const char *name, std::function<bool(const QString &, const QString &)> fn) {
            m.insert(QLatin1String(name), [name, fn](const QList<Value> &a) -> Result<Value> {
                if (auto r = needArgs(a, 2, name); !r)
                    return r;
                return Value::boolean(fn(toText(a[0]), toText(a[1])));
            });
        };
        pred("contains", [](const QString &sub, const QString &s) { return s.contains(sub); });
        pred("hasPrefix", [](const QString &p, const QString &s) { return s.startsWith(p); });
        pred("hasSuffix", [](const QString &p, const QString &s) { return s.endsWith(p); });
        m.insert(QStringLiteral("replace"), [](const QList<Value> &a) -> Result<Value> {
            if (auto r = needArgs(a, 3, "replace"); !r) return r;
            return Value::str(QString(toText(a[2])).replace(toText(a[0]), toText(a[1])));
        });
        m.insert(QStringLiteral("substr"), [](const QList<Value> &a) -> Result<Value> {
            if (auto r = needArgs(a, 3, "substr"); !r) return r;
            const QString s = toText(a[2]);
            qsizetype start = qsizetype(a[0].toNum()), end = qsizetype(a[1].toNum());
            if (start < 0) start = 0;
            if (end < 0 || end > s.size()) end = s.size();
            return Value::str(start >= end ? QString() : s.mid(start, end - start));
        });
        m.insert(QStringLiteral("indent"), [](const QList<Value> &a) -> Result<Value> {
            if (auto r = needArgs(a, 2, "indent"); !r) return r;
            const QString pad(int(a[0].toNum()), u' ');
            return Value::str(pad + QString(toText(a[1])).replace(u'\n', u'\n' + pad));
        });
        m.insert(QStringLiteral("nindent"), [](const QList<Value> &a) -> Result<Value> {
            if (auto r = needArgs(a, 2, "nindent"); !r) return r;
            const QString pad(int(a[0].toNum()), u' ');
            return Value::str(u'\n' + pad + QString(toText(a[1])).replace(u'\n', u'\n' + pad));
        });
        auto regexFn = [&m](const char *name, bool literal) {
            m.insert(QLatin1String(name), [name, literal](const QList<Value> &a) -> Result<Value> {
                if (auto r = needArgs(a, 3, name); !r)
                    return r;
                RE2 re(toText(a[0]).toStdString(), RE2::Quiet);
                if (!re.ok())
                    return fail(tmplError(QStringLiteral("%1: invalid regex: %2").arg(QLatin1String(name), QString::fromStdString(re.error()))));
                std::string s = toText(a[1]).toStdString();
                std::string repl = toText(a[2]).toStdString();
                if (literal) {
                    std::string esc;
                    for (char c : repl) {
                        if (c == '\\')
                            esc += "\\\\";
                        else
                            esc += c;
                    }
                    repl = esc;
                } else {
                    // Go's $1 / ${name} -> RE2's \1 (named groups resolved to numbers).
                    std::string conv;
                    const auto &names = re.NamedCapturingGroups();
                    for (size_t i = 0; i < repl.size(); ++i) {
                        if (repl[i] == '\\') {
                            conv += "\\\\";
                        } else if (repl[i] == '$' && i + 1 < repl.size()) {
                            size_t j = i + 1;
                            std::string name2;
                            if (repl[j] == '{') {
                                const size_t close = repl.find('}', j);
                                if (close == std::string::npos) { conv += repl[i]; continue; }
                                name2 = repl.substr(j + 1, close - j - 1);
                                j = close + 1;
                            } else {
                                while (j < repl.size() && (std::isalnum(static_cast<unsigned char>(repl[j])) || repl[j] == '_'))
                                    ++j;
                                name2 = repl.substr(i + 1, j - i - 1);
                            }
                            if (name2.empty()) { conv += '$'; continue; }
                            if (std::all_of(name2.begin(), name2.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
                                conv += '\\';
                                conv += name2;
                            } else if (auto it = names.find(name2); it != names.end()) {
                                conv += '\\';
                                conv += std::to_string(it->second);
                            }
                            i = j - 1;
                        } else {
                            conv += repl[i];
                        }
                    }
                    repl = conv;
                }
                RE2::GlobalReplace(&s, re, repl);
                return Value::str(QString::fromStdString(s));
            });
        };
        regexFn("regexReplaceAll", false);
        regexFn("regexReplaceAllLiteral", true);
        m.insert(QStringLiteral("printf"), [](const QList<Value> &a) -> Result<Value> {
            if (a.isEmpty())
                return fail(tmplError(QStringLiteral("wrong number of args for printf: want at least 1 got 0")));
            return Value::str(goSprintf(toText(a[0]), a.mid(1)));
        });
        m.insert(QStringLiteral("int"), [](const QList<Value> &a) -> Result<Value> {
            if (auto r = needArgs(a, 1, "int"); !r) return r;
            return Value::num(std::trunc(a[0].toNum()), true);
        });
        m.insert(QStringLiteral("float64"), [](const QList<Value> &a) -> Result<Value> {
            if (auto r = needArgs(a, 1, "float64"); !r) return r;
            return Value::num(a[0].toNum(), false);
        });
        auto arith = [&m](const char *name, bool forceFloat, std::function<double(double, double)> fn) {
            m.insert(QLatin1String(name), [name, forceFloat, fn](const QList<Value> &a) -> Result<Value> {
                if (a.size() < 2)
                    return fail(tmplError(QStringLiteral("wrong number of args for %1").arg(QLatin1String(name))));
                double acc = forceFloat ? a[0].toNum() : std::trunc(a[0].toNum());
                for (qsizetype i = 1; i < a.size(); ++i)
                    acc = fn(acc, forceFloat ? a[i].toNum() : std::trunc(a[i].toNum()));
                return Value::num(forceFloat ? acc : std::trunc(acc), !forceFloat);
            });
        };
        arith("add", false, [](double x, double y) { return x + y; });
        arith("sub", false, [](double x, double y) { return x - y; });
        arith("mul", false, [](double x, double y) { return x * y; });
        arith("div", false, [](double x, double y) { return y == 0 ? 0 : x / y; });
        arith("mod", false, [](double x, double y) { return y == 0 ? 0 : std::fmod(x, y); });
        arith("addf", true, [](double x, double y) { return x + y; });
        arith("subf", true, [](double x, double y) { return x - y; });
        arith("mulf", true, [](double x, double y) { return x * y; });
        arith("divf", true, [](double x, double y) { return x / y; });
        arith("max", false, [](double x, double y) { return std::max(x, y); });
        arith("min", false, [](double x, double y) { return std::min(x, y); });
        arith("maxf", true, [](double x, double y) { return std::max(x, y); });
        arith("minf", true, [](double x, double y) { return std::min(x, y); });
        auto round1 = [&m](const char *name, double (*fn)(double)) {
            m.insert(QLatin1String(name), [name, fn](const QList<Value> &a) -> Result<Value> {
                if (auto r = needArgs(a, 1, name); !r) return r;
                return Value::num(fn(a[0].toNum()), false);
            });
        };
        round1("ceil", std::ceil);
        round1("floor", std::floor);
        m.insert(QStringLiteral("round"), [](const QList<Value> &a) -> Result<Value> {
            if (a.isEmpty()) return fail(tmplError(QStringLiteral("wrong number of args for round")));
            const double p = a.size() > 1 ? std::pow(10.0, a[1].toNum()) : 1;
            return Value::num(std::round(a[0].toNum() * p) / p, false);
        });
        auto cmp = [&m](const char *name, std::function<bool(int)> ok) {
            m.insert(QLatin1String(name), [name, ok](const QList<Value> &a) -> Result<Value> {
                if (auto r = needArgs(a, 2, name); !r)
                    return r;
                int c;
                if (a[0].kind == Value::Kind::Num || a[1].kind == Value::Kind::Num)
                    c = a[0].toNum() < a[1].toNum() ? -1 : a[0].toNum() > a[1].toNum() ? 1 : 0;
                else
                    c = toText(a[0]).compare(toText(a[1]));
                return Value::boolean(ok(c));
            });
        };
        cmp("eq", [](int c) { return c == 0; });
        cmp("ne", [](int c) { return c != 0; });
        cmp("lt", [](int c) { return c < 0; });
        cmp("le", [](int c) { return c <= 0; });
        cmp("gt", [](int c) { return c > 0; });
        cmp("ge", [](int c) { return c >= 0; });
        m.insert(QStringLiteral("and"), [](const QList<Value> &a) -> Result<Value> {
            for (const auto &v : a)
                if (!v.truthy())
                    return v;
            return a.isEmpty() ? Value{} : a.back();
        });
        m.insert(QStringLiteral("or"), [](const QList<Value> &a) -> Result<Value> {
            for (const auto &v : a)
                if (v.truthy())
                    return v;
            return a.isEmpty() ? Value{} : a.back();
        });
        m.insert(QStringLiteral("not"), [](const QList<Value> &a) -> Result<Value> {
            if (auto r = needArgs(a, 1, "not"); !r) return r;
            return Value::boolean(!a[0].truthy());
        });
        m.insert(QStringLiteral("count"), [](const QList<Value> &a) -> Result<Value> {
            if (auto r = needArgs(a, 2, "count"); !r) return r;
            RE2 re(toText(a[0]).toStdString(), RE2::Quiet);
            if (!re.ok()) return fail(tmplError(QStringLiteral("count: invalid regex")));
            const std::string s = toText(a[1]).toStdString();
            re2::StringPiece in(s);
            int n = 0;
            re2::StringPiece m0;
            while (!in.empty() && re.Match(in, 0, in.size(), RE2::UNANCHORED, &m0, 1)) {
                ++n;
                const size_t adv = size_t(m0.data() - in.data()) + std::max<size_t>(m0.size(), 1);
                in.remove_prefix(std::min(adv, in.size()));
            }
            return Value::num(n, true);
        });
        m.insert(QStringLiteral("alignLeft"), [](const QList<Value> &a) -> Result<Value> {
            if (auto r = needArgs(a, 2, "alignLeft"); !r) return r;
            const int n = int(a[0].toNum());
            return Value::str(toText(a[1]).left(n).leftJustified(n, u' '));
        });
        m.insert(QStringLiteral("alignRight"), [](const QList<Value> &a) -> Result<Value> {
            if (auto r = needArgs(a, 2, "alignRight"); !r) return r;
            const int n = int(a[0].toNum());
            const QString s = toText(a[1]);
            return Value::str(s.right(n).rightJustified(n, u' '));
        });
        m.insert(QStringLiteral("bytes"), [](const QList<Value> &a) -> Result<Value> {
            if (auto r = needArgs(a, 1, "bytes"); !r) return r;
            return Value::num(parseHumanBytes(toText(a[0])).value_or(0), true);
        });
        m.insert(QStringLiteral("duration"), [](const QList<Value> &a) -> Result<Value> {
            if (auto r = needArgs(a, 1, "duration"); !r) return r;
            return Value::num(parseGoDuration(toText(a[0])).value_or(0), false);
        });
        m.insert(QStringLiteral("duration_seconds"), m.value(QStringLiteral("duration")));
        m.insert(QStringLiteral("unixEpoch"), [](const QList<Value> &a) -> Result<Value> {
            if (auto r = needArgs(a, 1, "unixEpoch"); !r) return r;
            return Value::num(std::floor(double(a[0].t) / 1e9), true);
        });
        m.insert(QStringLiteral("unixEpochMillis"), [](const QList<Value> &a) -> Result<Value> {
            if (auto r = needArgs(a, 1, "unixEpochMillis"); !r) return r;
            return Value::num(double(a[0].t / 1'000'000), true);
        });
        m.insert(QStringLiteral("unixEpochNanos"), [](const QList<Value> &a) -> Result<Value> {
            if (auto r = needArgs(a, 1, "unixEpochNanos"); !r) return r;
            return Value::num(double(a[0].t), true);
        });
        m.insert(QStringLiteral("unixToTime"), [](const QList<Value> &a) -> Result<Value> {
            if (auto r = needArgs(a, 1, "unixToTime"); !r) return r;
            const QString s = toText(a[0]);
            const std::int64_t v = s.toLongLong();
            // seconds, ms, µs or ns by digit count, as Loki does
            const std::int64_t ns = s.size() <= 10 ? v * 1'000'000'000 : s.size() <= 13 ? v * 1'000'000
                                  : s.size() <= 16 ? v * 1'000 : v;
            return Value::time(ns);
        });
        m.insert(QStringLiteral("date"), [](const QList<Value> &a) -> Result<Value> {
            if (auto r = needArgs(a, 2, "date"); !r) return r;
            return Value::str(goLayout(toText(a[0]), toDateTime(a[1].t), a[1].t));
        });
        m.insert(QStringLiteral("toDate"), [](const QList<Value> &a) -> Result<Value> {
            if (auto r = needArgs(a, 2, "toDate"); !r) return r;
            // Only RFC 3339-like layouts are understood.
            QDateTime dt = QDateTime::fromString(toText(a[1]), Qt::ISODateWithMs);
            if (!dt.isValid())
                dt = QDateTime::fromString(toText(a[1]), QStringLiteral("yyyy-MM-dd"));
            dt.setTimeZone(QTimeZone::utc());
            return Value::time(dt.isValid() ? dt.toMSecsSinceEpoch() * 1'000'000 : 0);
        });
        return m;
    }();
    return f;
}

class TemplateParser
{
public:
    explicit TemplateParser(const QString &s) : m_s(s) {}

    Result<NodePtr> parse(bool &usesLine)
    {
        auto root = std::make_shared<Node>();
        QString stopWord;
        auto r = parseList(*root, stopWord);
        if (!r)
            return fail(r.error());
        if (!stopWord.isEmpty())
            return fail(tmplError(QStringLiteral("unexpected {{%1}}").arg(stopWord)));
        usesLine = m_usesLine;
        return root;
    }

private:
    // Parses nodes until end or an `{{else}}`/`{{end}}` action; its word
    // goes to `stop` (with the rest of an `else if` left to parse).
    Result<void> parseList(Node &list, QString &stop)
    {
        list.kind = Node::Kind::List;
        while (m_pos < m_s.size()) {
            qsizetype open = m_s.indexOf(QLatin1String("{{"), m_pos);
            if (open < 0) {
                addText(list, m_s.mid(m_pos));
                m_pos = m_s.size();
                break;
            }
            QString text = m_s.mid(m_pos, open - m_pos);
            qsizetype p = open + 2;
            if (p + 1 < m_s.size() && m_s[p] == u'-' && m_s[p + 1].isSpace()) {
                while (!text.isEmpty() && text.back().isSpace())
                    text.chop(1);
                ++p;
            }
            addText(list, text);
            const qsizetype close = findClose(p);
            if (close < 0)
                return fail(tmplError(QStringLiteral("unclosed action")));
            qsizetype end = close;
            bool trimRight = false;
            if (end > p && m_s[end - 1] == u'-' && end - 1 > p && m_s[end - 2].isSpace()) {
                trimRight = true;
                --end;
            }
            QString action = m_s.mid(p, end - p).trimmed();
            m_pos = close + 2;
            if (trimRight)
                while (m_pos < m_s.size() && m_s[m_pos].isSpace())
                    ++m_pos;
            if (action.startsWith(QLatin1String("/*")))
                continue; // comment
            if (action == u"end" || action == u"else" || action.startsWith(QLatin1String("else "))) {
                stop = action;
                return {};
            }
            if (action.startsWith(QLatin1String("if ")) || action.startsWith(QLatin1String("if("))) {
                auto ifNode = std::make_shared<Node>();
                auto r = parseIf(*ifNode, action.mid(2));
                if (!r)
                    return r;
                list.children.append(ifNode);
                continue;
            }
            auto pipe = parsePipeline(action);
            if (!pipe)
                return fail(pipe.error());
            auto act = std::make_shared<Node>();
            act->kind = Node::Kind::Action;
            act->children.append(*pipe);
            list.children.append(act);
        }
        return {};
    }

    Result<void> parseIf(Node &ifNode, const QString &condText)
    {
        ifNode.kind = Node::Kind::If;
        auto cond = parsePipeline(condText.trimmed());
        if (!cond)
            return fail(cond.error());
        ifNode.cond = *cond;
        ifNode.thenList = std::make_shared<Node>();
        QString stop;
        if (auto r = parseList(*ifNode.thenList, stop); !r)
            return r;
        if (stop.isEmpty())
            return fail(tmplError(QStringLiteral("unexpected EOF: missing {{end}}")));
        if (stop == u"end")
            return {};
        ifNode.elseList = std::make_shared<Node>();
        ifNode.elseList->kind = Node::Kind::List;
        if (stop.startsWith(QLatin1String("else if "))) {
            auto nested = std::make_shared<Node>();
            if (auto r = parseIf(*nested, stop.mid(7)); !r)
                return r;
            ifNode.elseList->children.append(nested);
            return {};
        }
        QString stop2;
        if (auto r = parseList(*ifNode.elseList, stop2); !r)
            return r;
        if (stop2 != u"end")
            return fail(tmplError(QStringLiteral("expected {{end}}")));
        return {};
    }

    qsizetype findClose(qsizetype from) const
    {
        QChar quote;
        for (qsizetype i = from; i + 1 < m_s.size(); ++i) {
            const QChar c = m_s[i];
            if (!quote.isNull()) {
                if (c == u'\\' && quote == u'"')
                    ++i;
                else if (c == quote)
                    quote = QChar();
                continue;
            }
            if (c == u'"' || c == u'`')
                quote = c;
            else if (c == u'}' && m_s[i + 1] == u'}')
                return i;
        }
        return -1;
    }

    static void addText(Node &list, const QString &t)
    {
        if (t.isEmpty())
            return;
        auto n = std::make_shared<Node>();
        n->kind = Node::Kind::Text;
        n->text = t;
        list.children.append(n);
    }

    // pipeline := command ('|' command)*
    Result<NodePtr> parsePipeline(const QString &text)
    {
        QList<QString> tokens;
        if (auto r = tokenize(text, tokens); !r)
            return fail(r.error());
        qsizetype pos = 0;
        auto p = parsePipelineTokens(tokens, pos);
        if (!p)
            return p;
        if (pos != tokens.size())
            return fail(tmplError(QStringLiteral("unexpected \"%1\" in command").arg(tokens[pos])));
        return p;
    }

    Result<NodePtr> parsePipelineTokens(const QList<QString> &t, qsizetype &pos)
    {
        auto pipe = std::make_shared<Node>();
        pipe->kind = Node::Kind::Pipeline;
        for (;;) {
            auto cmd = std::make_shared<Node>();
            cmd->kind = Node::Kind::Command;
            while (pos < t.size() && t[pos] != u"|" && t[pos] != u")") {
                auto op = parseOperand(t, pos);
                if (!op)
                    return fail(op.error());
                cmd->children.append(*op);
            }
            if (cmd->children.isEmpty())
                return fail(tmplError(QStringLiteral("missing value for command")));
            pipe->children.append(cmd);
            if (pos < t.size() && t[pos] == u"|") {
                ++pos;
                continue;
            }
            return pipe;
        }
    }

    Result<NodePtr> parseOperand(const QList<QString> &t, qsizetype &pos)
    {
        const QString tok = t[pos++];
        auto n = std::make_shared<Node>();
        if (tok == u"(") {
            auto inner = parsePipelineTokens(t, pos);
            if (!inner)
                return inner;
            if (pos >= t.size() || t[pos] != u")")
                return fail(tmplError(QStringLiteral("unclosed left paren")));
            ++pos;
            return inner;
        }
        if (tok.startsWith(u'"') || tok.startsWith(u'`')) {
            n->kind = Node::Kind::Literal;
            QString v = tok.mid(1, tok.size() - 2);
            if (tok.startsWith(u'"')) {
                QString un;
                for (qsizetype i = 0; i < v.size(); ++i) {
                    if (v[i] == u'\\' && i + 1 < v.size()) {
                        const QChar e = v[++i];
                        un += e == u'n' ? QChar(u'\n') : e == u't' ? QChar(u'\t') : e;
                    } else {
                        un += v[i];
                    }
                }
                v = un;
            }
            n->literal = Value::str(v);
            return n;
        }
        if (tok == u".") {
            n->kind = Node::Kind::Dot;
            return n;
        }
        if (tok.startsWith(u'.')) {
            n->kind = Node::Kind::Field;
            n->text = tok.mid(1);
            return n;
        }
        if (tok[0].isDigit() || tok[0] == u'-') {
            bool ok = false;
            const double v = tok.toDouble(&ok);
            if (!ok)
                return fail(tmplError(QStringLiteral("bad number syntax: %1").arg(tok)));
            n->kind = Node::Kind::Literal;
            n->literal = Value::num(v, !tok.contains(u'.') && !tok.contains(u'e'));
            return n;
        }
        if (tok == u"true" || tok == u"false") {
            n->kind = Node::Kind::Literal;
            n->literal = Value::boolean(tok == u"true");
            return n;
        }
        if (tok == u"nil") {
            n->kind = Node::Kind::Literal;
            return n;
        }
        if (tok == u"__line__" || tok == u"__timestamp__" || tok == u"now" || functions().contains(tok)) {
            if (tok == u"__line__")
                m_usesLine = true;
            n->kind = Node::Kind::Func;
            n->text = tok;
            return n;
        }
        return fail(tmplError(QStringLiteral("function \"%1\" not defined").arg(tok)));
    }

    static Result<void> tokenize(const QString &s, QList<QString> &out)
    {
        qsizetype i = 0;
        while (i < s.size()) {
            const QChar c = s[i];
            if (c.isSpace()) {
                ++i;
                continue;
            }
            if (c == u'|' || c == u'(' || c == u')') {
                out.append(QString(c));
                ++i;
                continue;
            }
            if (c == u'"' || c == u'`') {
                qsizetype j = i + 1;
                while (j < s.size() && s[j] != c) {
                    if (c == u'"' && s[j] == u'\\')
                        ++j;
                    ++j;
                }
                if (j >= s.size())
                    return fail(tmplError(QStringLiteral("unterminated quoted string")));
                out.append(s.mid(i, j - i + 1));
                i = j + 1;
                continue;
            }
            qsizetype j = i;
            while (j < s.size() && !s[j].isSpace() && s[j] != u'|' && s[j] != u'(' && s[j] != u')')
                ++j;
            out.append(s.mid(i, j - i));
            i = j;
        }
        return {};
    }

    const QString &m_s;
    qsizetype m_pos = 0;
    bool m_usesLine = false;
};

Result<Value> evalPipeline(const Node &pipe, const TemplateContext &tc);

Result<Value> evalOperand(const Node &n, const TemplateContext &tc, bool &isFunc)
{
    isFunc = false;
    switch (n.kind) {
    case Node::Kind::Literal: return n.literal;
    case Node::Kind::Field: return Value::str(tc.label(n.text));
    case Node::Kind::Dot: return Value::str(QString());
    case Node::Kind::Pipeline: return evalPipeline(n, tc);
    case Node::Kind::Func: isFunc = true; return Value{};
    default: return Value{};
    }
}

Result<Value> evalCommand(const Node &cmd, const TemplateContext &tc, const std::optional<Value> &piped)
{
    const Node &first = *cmd.children.front();
    if (first.kind == Node::Kind::Func) {
        QList<Value> args;
        for (qsizetype i = 1; i < cmd.children.size(); ++i) {
            bool f = false;
            auto v = evalOperand(*cmd.children[i], tc, f);
            if (!v)
                return v;
            if (f) {
                // A bare function name as an argument is a call without arguments.
                Node call;
                call.kind = Node::Kind::Command;
                call.children.append(cmd.children[i]);
                v = evalCommand(call, tc, std::nullopt);
                if (!v)
                    return v;
            }
            args.append(*v);
        }
        if (piped)
            args.append(*piped);
        if (first.text == u"__line__")
            return Value::str(tc.line);
        if (first.text == u"__timestamp__")
            return Value::time(tc.timeNs);
        if (first.text == u"now")
            return Value::time(QDateTime::currentMSecsSinceEpoch() * 1'000'000);
        return functions().value(first.text)(args);
    }
    if (cmd.children.size() > 1)
        return fail(tmplError(QStringLiteral("can't give argument to non-function")));
    if (piped)
        return fail(tmplError(QStringLiteral("can't give argument to non-function")));
    bool f = false;
    return evalOperand(first, tc, f);
}

Result<Value> evalPipeline(const Node &pipe, const TemplateContext &tc)
{
    std::optional<Value> v;
    for (const auto &cmd : pipe.children) {
        auto r = evalCommand(*cmd, tc, v);
        if (!r)
            return r;
        v = *r;
    }
    return v.value_or(Value{});
}

Result<void> renderList(const Node &list, const TemplateContext &tc, QString &out)
{
    for (const auto &n : list.children) {
        switch (n->kind) {
        case Node::Kind::Text:
            out += n->text;
            break;
        case Node::Kind::Action: {
            auto v = evalPipeline(*n->children.front(), tc);
            if (!v)
                return fail(v.error());
            // Go prints a missing map key as "<no value>"; Loki's label maps
            // give "" for an absent label, so nil prints as empty here.
            if (v->kind != Value::Kind::Nil)
                out += toText(*v);
            break;
        }
        case Node::Kind::If: {
            auto c = evalPipeline(*n->cond, tc);
            if (!c)
                return fail(c.error());
            if (c->truthy()) {
                if (auto r = renderList(*n->thenList, tc, out); !r)
                    return r;
            } else if (n->elseList) {
                if (auto r = renderList(*n->elseList, tc, out); !r)
                    return r;
            }
            break;
        }
        default:
            break;
        }
    }
    return {};
}

} // namespace

LineTemplate::LineTemplate() = default;
LineTemplate::~LineTemplate() = default;
LineTemplate::LineTemplate(const LineTemplate &) = default;
LineTemplate &LineTemplate::operator=(const LineTemplate &) = default;

Result<LineTemplate> LineTemplate::parse(const QString &text)
{
    TemplateParser p(text);
    bool usesLine = false;
    auto root = p.parse(usesLine);
    if (!root)
        return fail(root.error());
    LineTemplate t;
    t.m_root = *root;
    t.m_usesLine = usesLine;
    return t;
}

Result<QString> LineTemplate::render(const TemplateContext &ctx) const
{
    QString out;
    if (!m_root)
        return out;
    if (auto r = renderList(*m_root, ctx, out); !r)
        return fail(r.error());
    return out;
}

bool LineTemplate::usesLine() const
{
    return m_usesLine;
}

} // namespace spyglass::query::logql
