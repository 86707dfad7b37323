#include "core/store/span_store.h"
#include "core/store/span_store_codec.h"
#include "core/store/storage.h"

#include <QTemporaryDir>
#include <QTest>
#include <cmath>

using namespace spyglass;
using namespace spyglass::store;
using model::Span;

namespace {

constexpr std::int64_t kMs = 1'000'000;
constexpr std::int64_t kT0 = 1'700'000'000'000'000'000LL;

QByteArray tid(int n)
{
    QByteArray b(16, '\0');
    b[15] = char(n);
    b[0] = char(0xab);
    return b;
}

QByteArray sid(int n)
{
    QByteArray b(8, '\0');
    b[7] = char(n);
    b[0] = char(0x5a);
    return b;
}

Span makeSpan(int trace, int id, int parent, const char *service, const char *name,
              std::int64_t startMs, std::int64_t durMs)
{
    Span s;
    s.traceId = tid(trace);
    s.spanId = sid(id);
    if (parent >= 0)
        s.parentSpanId = sid(parent);
    s.serviceName = QString::fromUtf8(service);
    s.name = QString::fromUtf8(name);
    s.start = kT0 + startMs * kMs;
    s.end = s.start + durMs * kMs;
    s.resourceAttributes = {{QStringLiteral("service.name"), s.serviceName}};
    return s;
}

QStringList ids(const QList<TraceSummary> &l)
{
    QStringList out;
    for (const auto &t : l)
        out << QString::number(quint8(t.traceId[15]));
    return out;
}

} // namespace

class TestSpanStore : public QObject
{
    Q_OBJECT

    QList<Span> sampleTraces()
    {
        // trace 1: frontend GET /checkout (server) -> cart (client->server), error in payment
        QList<Span> out;
        Span root = makeSpan(1, 1, -1, "frontend", "GET /checkout", 0, 120);
        root.kind = Span::Kind::Server;
        root.attributes = {{QStringLiteral("http.method"), QStringLiteral("GET")},
                           {QStringLiteral("http.status_code"), QVariant::fromValue<qlonglong>(500)}};
        out << root;
        Span child = makeSpan(1, 2, 1, "cart", "GetCart", 10, 30);
        child.kind = Span::Kind::Server;
        out << child;
        Span pay = makeSpan(1, 3, 1, "payment", "Charge", 50, 60);
        pay.status = Span::Status::Error;
        pay.statusMessage = QStringLiteral("card declined");
        pay.attributes = {{QStringLiteral("retry"), true}};
        out << pay;
        // trace 2: frontend GET /, fast, later
        Span r2 = makeSpan(2, 1, -1, "frontend", "GET /", 1000, 5);
        r2.attributes = {{QStringLiteral("http.method"), QStringLiteral("GET")},
                         {QStringLiteral("http.status_code"), QVariant::fromValue<qlonglong>(200)}};
        out << r2;
        // trace 3: batch job, oldest
        out << makeSpan(3, 1, -1, "worker", "process", -5000, 2000);
        return out;
    }

private slots:
    void roundTripKeepsEverything()
    {
        QTemporaryDir dir;
        auto storage = Storage::open(dir.path());
        QVERIFY2(storage, storage ? "" : qPrintable(storage.error().toString()));
        Span s = makeSpan(7, 1, -1, "svc", "op", 0, 42);
        s.kind = Span::Kind::Client;
        s.status = Span::Status::Ok;
        s.statusMessage = QStringLiteral("fine");
        s.scopeName = QStringLiteral("io.opentelemetry.jdbc");
        s.scopeVersion = QStringLiteral("1.2.3");
        s.attributes = {{QStringLiteral("s"), QStringLiteral("text ü")},
                        {QStringLiteral("i"), QVariant::fromValue<qlonglong>(-12345678901LL)},
                        {QStringLiteral("d"), 2.5},
                        {QStringLiteral("b"), false},
                        {QStringLiteral("raw"), QByteArray("\x00\x01\x02", 3)},
                        {QStringLiteral("arr"), QVariantList{1, QStringLiteral("x"), true}}};
        s.resourceAttributes << model::Attribute{QStringLiteral("host.name"), QStringLiteral("h1")};
        s.events = {{s.start + 5 * kMs, QStringLiteral("exception"),
                     {{QStringLiteral("exception.message"), QStringLiteral("boom")}}}};
        s.links = {{tid(9), sid(3), {{QStringLiteral("why"), QStringLiteral("batch")}}}};
        auto r = (*storage)->traces().append({s});
        QVERIFY2(r, r ? "" : qPrintable(r.error().toString()));
        QCOMPARE(r->spans, 1);
        QCOMPARE(r->newTraces, 1);

        auto t = (*storage)->traces().trace(tid(7));
        QVERIFY(t);
        QCOMPARE(t->size(), 1);
        const Span &g = t->front();
        QCOMPARE(g.traceId, s.traceId);
        QCOMPARE(g.spanId, s.spanId);
        QVERIFY(g.parentSpanId.isEmpty());
        QCOMPARE(g.start, s.start);
        QCOMPARE(g.end, s.end);
        QCOMPARE(g.kind, Span::Kind::Client);
        QCOMPARE(g.status, Span::Status::Ok);
        QCOMPARE(g.statusMessage, QStringLiteral("fine"));
        QCOMPARE(g.scopeName, s.scopeName);
        QCOMPARE(g.scopeVersion, s.scopeVersion);
        QCOMPARE(g.serviceName, QStringLiteral("svc"));
        QCOMPARE(g.attributes.size(), 6);
        QCOMPARE(g.attributes[0].value.toString(), QStringLiteral("text ü"));
        QCOMPARE(g.attributes[1].value.typeId(), int(QMetaType::LongLong));
        QCOMPARE(g.attributes[1].value.toLongLong(), -12345678901LL);
        QCOMPARE(g.attributes[2].value.typeId(), int(QMetaType::Double));
        QCOMPARE(g.attributes[2].value.toDouble(), 2.5);
        QCOMPARE(g.attributes[3].value.typeId(), int(QMetaType::Bool));
        QCOMPARE(g.attributes[3].value.toBool(), false);
        QCOMPARE(g.attributes[4].value.toByteArray(), QByteArray("\x00\x01\x02", 3));
        const QVariantList arr = g.attributes[5].value.toList();
        QCOMPARE(arr.size(), 3);
        QCOMPARE(arr[0].toLongLong(), 1);
        QCOMPARE(arr[1].toString(), QStringLiteral("x"));
        QCOMPARE(arr[2].toBool(), true);
        QCOMPARE(g.resourceAttributes.size(), 2);
        QCOMPARE(g.resourceAttributes[1].value.toString(), QStringLiteral("h1"));
        QCOMPARE(g.events.size(), 1);
        QCOMPARE(g.events[0].time, s.start + 5 * kMs);
        QCOMPARE(g.events[0].name, QStringLiteral("exception"));
        QCOMPARE(g.events[0].attributes[0].value.toString(), QStringLiteral("boom"));
        QCOMPARE(g.links.size(), 1);
        QCOMPARE(g.links[0].traceId, tid(9));
        QCOMPARE(g.links[0].spanId, sid(3));
        QCOMPARE(g.links[0].attributes[0].key, QStringLiteral("why"));

        auto unknown = (*storage)->traces().trace(tid(99));
        QVERIFY(unknown);
        QVERIFY(unknown->isEmpty());
        auto sum = (*storage)->traces().traceSummary(tid(99));
        QVERIFY(!sum);
        QCOMPARE(sum.error().kind, Error::Kind::NotFound);
    }

    void corruptRecordIsAnError()
    {
        Span s;
        QByteArray good = SpanStoreCodec::encode(makeSpan(1, 1, -1, "a", "b", 0, 1));
        QVERIFY(SpanStoreCodec::decode(good, s));
        QVERIFY(!SpanStoreCodec::decode(good.left(good.size() - 1), s));
        QByteArray wrongVersion = good;
        wrongVersion[0] = char(99);
        auto r = SpanStoreCodec::decode(wrongVersion, s);
        QVERIFY(!r);
        QVERIFY(r.error().message.contains(QStringLiteral("version 99")));
    }

    void duplicatesAndBadIds()
    {
        QTemporaryDir dir;
        auto storage = Storage::open(dir.path());
        QVERIFY(storage);
        SpanStore &st = (*storage)->traces();
        auto r = st.append(sampleTraces());
        QVERIFY(r);
        QCOMPARE(r->spans, 5);
        QCOMPARE(r->traces, 3);
        QCOMPARE(r->newTraces, 3);
        auto again = st.append(sampleTraces().mid(0, 2));
        QVERIFY(again);
        QCOMPARE(again->spans, 0);
        QCOMPARE(again->duplicates, 2);
        auto sum = st.traceSummary(tid(1));
        QVERIFY(sum);
        QCOMPARE(sum->spanCount, 3);
        QCOMPARE(sum->errorCount, 1);

        Span bad = makeSpan(5, 1, -1, "x", "y", 0, 1);
        bad.traceId = QByteArray(3, 'x');
        auto refused = st.append({makeSpan(6, 1, -1, "x", "y", 0, 1), bad});
        QVERIFY(!refused);
        QVERIFY2(refused.error().message.contains(QStringLiteral("span 1")), qPrintable(refused.error().message));
        auto none = st.trace(tid(6));
        QVERIFY(none && none->isEmpty()); // all or nothing
    }

    void rootArrivesLaterAndSurvivesReopen()
    {
        QTemporaryDir dir;
        {
            auto storage = Storage::open(dir.path());
            QVERIFY(storage);
            QVERIFY((*storage)->traces().append({makeSpan(4, 2, 1, "db", "SELECT", 10, 5)}));
            auto sum = (*storage)->traces().traceSummary(tid(4));
            QVERIFY(sum);
            QVERIFY(sum->rootServiceName.isEmpty());
            QVERIFY((*storage)->traces().append({makeSpan(4, 1, -1, "api", "GET /users", 0, 30)}));
            QVERIFY((*storage)->traces().append({makeSpan(4, 3, 1, "cache", "get", 40, 10)}));
        }
        QVERIFY(QFile::exists(dir.filePath(QStringLiteral("traces.db"))));
        auto storage = Storage::open(dir.path());
        QVERIFY(storage);
        auto sum = (*storage)->traces().traceSummary(tid(4));
        QVERIFY(sum);
        QCOMPARE(sum->rootServiceName, QStringLiteral("api"));
        QCOMPARE(sum->rootSpanName, QStringLiteral("GET /users"));
        QCOMPARE(sum->spanCount, 3);
        QCOMPARE(sum->start, kT0);
        QCOMPARE(sum->end, kT0 + 50 * kMs);
        auto t = (*storage)->traces().trace(tid(4));
        QVERIFY(t);
        QCOMPARE(t->size(), 3);
        QCOMPARE(t->at(0).name, QStringLiteral("GET /users")); // by start time
        QCOMPARE(t->at(2).name, QStringLiteral("get"));
    }

    void refusesForeignDatabase()
    {
        QTemporaryDir dir;
        QFile f(dir.filePath(QStringLiteral("x.db")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("this is not sqlite at all, just some bytes that fill a header.....................");
        f.close();
        auto r = SpanStore::open(dir.filePath(QStringLiteral("x.db")));
        QVERIFY(!r);
    }

    void search()
    {
        QTemporaryDir dir;
        auto storage = Storage::open(dir.path());
        QVERIFY(storage);
        SpanStore &st = (*storage)->traces();
        QVERIFY(st.append(sampleTraces()));

        auto all = st.findTraces({});
        QVERIFY(all);
        QCOMPARE(ids(*all), (QStringList{QStringLiteral("2"), QStringLiteral("1"), QStringLiteral("3")}));

        TraceQuery q;
        q.predicates = {SpanPredicate::service(QStringLiteral("frontend"))};
        QCOMPARE(ids(*st.findTraces(q)), (QStringList{QStringLiteral("2"), QStringLiteral("1")}));
        q.limit = 1;
        QCOMPARE(ids(*st.findTraces(q)), (QStringList{QStringLiteral("2")}));
        q.limit = 0;
        q.predicates << SpanPredicate::attribute(AttributeScope::Span, QStringLiteral("http.status_code"),
                                                 QStringLiteral("500"));
        QCOMPARE(ids(*st.findTraces(q)), (QStringList{QStringLiteral("1")}));

        // Conditions may be met by different spans of the trace.
        q.predicates = {SpanPredicate::service(QStringLiteral("cart")),
                        SpanPredicate::withStatus(Span::Status::Error)};
        QCOMPARE(ids(*st.findTraces(q)), (QStringList{QStringLiteral("1")}));
        q.predicates = {SpanPredicate::attribute(AttributeScope::Span, QStringLiteral("retry"), QStringLiteral("true"))};
        QCOMPARE(ids(*st.findTraces(q)), (QStringList{QStringLiteral("1")}));
        q.predicates = {SpanPredicate::name(QStringLiteral("process"))};
        QCOMPARE(ids(*st.findTraces(q)), (QStringList{QStringLiteral("3")}));
        q.predicates = {SpanPredicate::duration(50 * kMs, 100 * kMs)};
        QCOMPARE(ids(*st.findTraces(q)), (QStringList{QStringLiteral("1")}));
        q.predicates = {SpanPredicate::service(QStringLiteral("nobody"))};
        QVERIFY(st.findTraces(q)->isEmpty());

        // Time range and trace duration.
        TraceQuery tq;
        tq.start = kT0 + 500 * kMs;
        QCOMPARE(ids(*st.findTraces(tq)), (QStringList{QStringLiteral("2")}));
        tq.start = kT0 - 10'000 * kMs;
        tq.end = kT0 - 4000 * kMs;
        QCOMPARE(ids(*st.findTraces(tq)), (QStringList{QStringLiteral("3")}));
        TraceQuery dq;
        dq.minTraceDurationNs = 100 * kMs;
        dq.maxTraceDurationNs = 1000 * kMs;
        QCOMPARE(ids(*st.findTraces(dq)), (QStringList{QStringLiteral("1")}));
        dq.predicates = {SpanPredicate::service(QStringLiteral("frontend"))};
        QCOMPARE(ids(*st.findTraces(dq)), (QStringList{QStringLiteral("1")}));

        auto keys = st.attributeKeys(AttributeScope::Span);
        QVERIFY(keys);
        QCOMPARE(*keys, (QStringList{QStringLiteral("http.method"), QStringLiteral("http.status_code"),
                                     QStringLiteral("retry")}));
        auto rkeys = st.attributeKeys(AttributeScope::Resource);
        QCOMPARE(*rkeys, QStringList{QStringLiteral("service.name")});
        auto values = st.attributeValues(AttributeScope::Span, QStringLiteral("http.status_code"));
        QVERIFY(values);
        QCOMPARE(values->size(), 2);
        QCOMPARE(values->at(0).value, QStringLiteral("200"));
        QCOMPARE(values->at(0).type, QStringLiteral("int"));
        auto services = st.attributeValues(AttributeScope::Resource, QStringLiteral("service.name"));
        QCOMPARE(services->size(), 4);
        QCOMPARE(services->at(0).value, QStringLiteral("cart"));
        auto names = st.spanNames();
        QCOMPARE(names->size(), 5);
    }

    void retention()
    {
        QTemporaryDir dir;
        auto storage = Storage::open(dir.path());
        QVERIFY(storage);
        SpanStore &st = (*storage)->traces();
        QVERIFY(st.append(sampleTraces()));
        // Age: trace 3 ended at T0-3000ms; now = T0+2000ms with 4s max age removes it.
        auto r = st.applyRetention({4000 * kMs, 0}, kT0 + 2000 * kMs);
        QVERIFY2(r, r ? "" : qPrintable(r.error().toString()));
        QCOMPARE(r->traces, 1);
        QCOMPARE(r->spans, 1);
        QVERIFY(st.trace(tid(3))->isEmpty());
        QCOMPARE(st.findTraces({})->size(), 2);
        auto names = st.attributeValues(AttributeScope::Resource, QStringLiteral("service.name"));
        QVERIFY(!names->isEmpty());
        for (const auto &v : *names)
            QVERIFY(v.value != QStringLiteral("worker")); // index cleaned too

        // Size: keep only as much as the newest trace needs.
        auto newest = st.traceSummary(tid(2));
        QVERIFY(newest);
        r = st.applyRetention({0, newest->bytes}, kT0);
        QVERIFY(r);
        QCOMPARE(r->traces, 1);
        QCOMPARE(ids(*st.findTraces({})), QStringList{QStringLiteral("2")});
        auto s = st.stats();
        QVERIFY(s);
        QCOMPARE(s->traces, 1);
        QCOMPARE(s->spans, 1);
        QVERIFY(s->fileBytes > 0);
        // Nothing to do is not an error.
        r = st.applyRetention({0, 0}, kT0);
        QVERIFY(r);
        QCOMPARE(r->traces, 0);
    }
};

QTEST_GUILESS_MAIN(TestSpanStore)
#include "tst_span_store.moc"
