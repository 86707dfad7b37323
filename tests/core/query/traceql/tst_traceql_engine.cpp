#include "core/query/traceql/engine.h"
#include "core/query/traceql/parser.h"
#include "core/store/storage.h"
#include "trace_fixture.h"

#include <QTemporaryDir>
#include <QTest>

using namespace spyglass;
using namespace spyglass::query::traceql;
using store::SpanPredicate;

class TestTraceqlEngine : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<store::Storage> m_storage;

    QStringList traceIds(const SearchResponse &r)
    {
        QStringList out;
        for (const auto &t : r.traces)
            out << QString::number(int(t.summary.traceId[15]));
        return out;
    }

private slots:
    void initTestCase()
    {
        auto s = store::Storage::open(m_dir.path());
        QVERIFY2(s, s ? "" : qPrintable(s.error().toString()));
        m_storage = std::move(*s);
        // Trace 1 arrives in two batches, root last.
        auto t1 = fixture::trace1();
        QVERIFY(m_storage->traces().append(t1.mid(1)));
        QVERIFY(m_storage->traces().append(t1.mid(0, 1)));
        QVERIFY(m_storage->traces().append(fixture::trace2()));
        // Filler traces the index must skip.
        QList<model::Span> filler;
        for (int i = 10; i < 40; ++i)
            filler << fixture::span(i, 1, 0, "batch", "job", model::Span::Kind::Internal, model::Span::Status::Unset,
                                    -100'000 + i, 5);
        QVERIFY(m_storage->traces().append(filler));
    }

    void pushdownIsASuperset()
    {
        auto preds = [](const char *q) {
            auto parsed = TraceqlParser::parse(QString::fromUtf8(q));
            if (!parsed)
                qFatal("%s", qPrintable(parsed.error().toString()));
            return TraceqlEngine::pushdown(*parsed);
        };
        auto p = preds("{ resource.service.name = \"a\" && duration > 1s } >> { status = error && name = \"n\" }");
        QCOMPARE(p.size(), 4);
        QCOMPARE(p[0].kind, SpanPredicate::Kind::Attribute);
        QCOMPARE(p[0].scope, store::AttributeScope::Resource);
        QCOMPARE(p[1].kind, SpanPredicate::Kind::Duration);
        QCOMPARE(p[1].minDurationNs, 1'000'000'001LL);
        QCOMPARE(p[2].kind, SpanPredicate::Kind::Status);
        QCOMPARE(p[3].kind, SpanPredicate::Kind::Name);
        QCOMPARE(preds("{ .a = \"x\" || span.b = \"y\" }").size(), 0);
        QCOMPARE(preds("{ .a = \"x\" }").size(), 0);  // unscoped: span or resource
        QCOMPARE(preds("{ span.a = 1.5 }").size(), 0); // float text is ambiguous
        QCOMPARE(preds("{ span.a = 5 } || { }").size(), 0);
        QCOMPARE(preds("{ span.a = 5 } !> { span.b = true }").size(), 1);
        QCOMPARE(preds("{ span.a = 5 } !> { span.b = true }")[0].value, QStringLiteral("true"));
        QCOMPARE(preds("{ 100ms <= duration }")[0].minDurationNs, 100'000'000LL);
        QCOMPARE(preds("{ } | { span.x = \"y\" }").size(), 1);
    }

    void search()
    {
        TraceqlEngine engine(m_storage->traces());
        SearchRequest req;
        req.query = QStringLiteral("{ resource.service.name = \"productcatalog\" && status = error }");
        auto r = engine.search(req);
        QVERIFY2(r, r ? "" : qPrintable(r.error().toString()));
        QCOMPARE(traceIds(*r), QStringList{QStringLiteral("1")});
        QCOMPARE(r->inspectedTraces, 1); // the index found the one candidate
        const auto &t = r->traces[0];
        QCOMPARE(t.summary.rootServiceName, QStringLiteral("frontend"));
        QCOMPARE(t.summary.rootSpanName, QStringLiteral("GET /api/products"));
        QCOMPARE(t.summary.durationNs(), 200 * fixture::kMs);
        QCOMPARE(t.spanSets.size(), 1);
        QCOMPARE(t.spanSets[0].matched, 1);
        QCOMPARE(t.spanSets[0].spans[0].span.name, QStringLiteral("SELECT"));
        QCOMPARE(t.spanSets[0].spans[0].span.events.size(), 1);

        // Structural query across services, evaluated on whole traces.
        req.query = QStringLiteral("{ rootServiceName = \"checkout\" } > { kind = server }");
        r = engine.search(req);
        QVERIFY(r);
        QCOMPARE(traceIds(*r), QStringList{QStringLiteral("2")});

        // Empty query: every trace, newest first, limited.
        req.query.clear();
        req.limit = 3;
        r = engine.search(req);
        QVERIFY(r);
        QCOMPARE(traceIds(*r), (QStringList{QStringLiteral("2"), QStringLiteral("1"), QStringLiteral("39")}));

        // Time range and trace duration.
        req.limit = 20;
        req.start = fixture::kT0 + 500 * fixture::kMs;
        r = engine.search(req);
        QCOMPARE(traceIds(*r), QStringList{QStringLiteral("2")});
        req.start = 0;
        req.minDurationNs = 100 * fixture::kMs;
        req.maxDurationNs = 300 * fixture::kMs;
        r = engine.search(req);
        QCOMPARE(traceIds(*r), QStringList{QStringLiteral("1")});

        // Legacy tags search.
        SearchRequest tags;
        tags.extraPredicates = {SpanPredicate::attribute(store::AttributeScope::Span, QStringLiteral("db.system"),
                                                         QStringLiteral("mysql"))};
        r = engine.search(tags);
        QCOMPARE(traceIds(*r), QStringList{QStringLiteral("2")});

        // Errors: parse errors keep their position; metrics are refused.
        req = {};
        req.query = QStringLiteral("{ status = }");
        r = engine.search(req);
        QVERIFY(!r);
        QCOMPARE(r.error().column, 12);
        req.query = QStringLiteral("{ } | rate()");
        r = engine.search(req);
        QVERIFY(!r);
        QVERIFY(r.error().message.contains(QStringLiteral("metrics query")));

        CancelToken cancel;
        cancel.cancel();
        req.query = QStringLiteral("{ }");
        r = engine.search(req, cancel);
        QVERIFY(!r);
        QCOMPARE(r.error().kind, Error::Kind::Cancelled);
    }

    void frames()
    {
        TraceqlEngine engine(m_storage->traces());
        SearchRequest req;
        req.query = QStringLiteral("{ status = error }");
        auto r = engine.search(req);
        QVERIFY(r);
        const model::Frame table = TraceqlEngine::searchResultFrame(*r);
        QVERIFY(table.isConsistent());
        QCOMPARE(table.kind(), model::FrameKind::Table);
        QCOMPARE(table.rowCount(), 2);
        QCOMPARE(table.field(u"traceID")->strings()[0], QStringLiteral("10000000000000000000000000000002"));
        QCOMPARE(table.field(u"rootServiceName")->strings()[0], QStringLiteral("checkout"));
        QCOMPARE(table.field(u"traceDuration")->doubles()[0], 600.0);
        QCOMPARE(table.field(u"matched")->int64s(), (QList<std::int64_t>{2, 1}));

        auto spans = m_storage->traces().trace(fixture::traceId(1));
        QVERIFY(spans);
        const model::Frame sf = TraceqlEngine::spansFrame(*spans);
        QVERIFY(sf.isConsistent());
        QCOMPARE(sf.kind(), model::FrameKind::Spans);
        QCOMPARE(sf.rowCount(), 6);
        QCOMPARE(sf.field(u"operationName")->strings()[0], QStringLiteral("GET /api/products"));
        QCOMPARE(sf.field(u"parentSpanID")->strings()[0], QString());
        QCOMPARE(sf.field(u"duration")->doubles()[0], 200.0);
        QVERIFY(sf.field(u"tags")->strings()[0].contains(QStringLiteral("\"http.method\"")));
    }

    void metricsQueryRange()
    {
        TraceqlEngine engine(m_storage->traces());
        MetricsRequest req;
        req.query = QStringLiteral("{ status = error } | count_over_time() by (resource.service.name)");
        req.start = fixture::kT0;
        req.end = fixture::kT0 + 2000 * fixture::kMs;
        req.stepNs = 1000 * fixture::kMs;
        auto r = engine.queryRange(req);
        QVERIFY2(r, r ? "" : qPrintable(r.error().toString()));
        QCOMPARE(r->size(), 3); // checkout, payment, productcatalog
        QCOMPARE(r->at(0).seriesLabels().value(u"resource.service.name"), QStringLiteral("checkout"));
        QCOMPARE(r->at(0).fields()[1].doubles(), (QList<double>{0, 1}));
        QCOMPARE(r->at(2).seriesLabels().value(u"resource.service.name"), QStringLiteral("productcatalog"));
        QCOMPARE(r->at(2).fields()[1].doubles(), (QList<double>{1, 0}));
        QCOMPARE(r->at(2).fields()[0].int64s()[0], fixture::kT0 / 1'000'000);

        req.query = QStringLiteral("{ }");
        QVERIFY(!engine.queryRange(req));
        req.query = QStringLiteral("{ } | rate()");
        req.stepNs = 0;
        QVERIFY(!engine.queryRange(req));
        req.stepNs = 1;
        auto many = engine.queryRange(req);
        QVERIFY(!many);
        QVERIFY(many.error().message.contains(QStringLiteral("too many points")));
    }
};

QTEST_GUILESS_MAIN(TestTraceqlEngine)
#include "tst_traceql_engine.moc"
