#include "core/model/label_matcher.h"
#include "core/store/label_index.h"
#include "core/store/storage.h"

#include <QTemporaryDir>
#include <QTest>

using namespace spyglass;
using namespace spyglass::store;
using model::LabelMatcher;
using model::Labels;
using Op = LabelMatcher::Op;

namespace {

LabelMatcher m(Op op, const char *name, const char *value)
{
    auto r = LabelMatcher::create(op, QString::fromUtf8(name), QString::fromUtf8(value));
    Q_ASSERT(r.has_value());
    return *r;
}

Labels L(std::initializer_list<std::pair<const char *, const char *>> pairs)
{
    QList<model::Label> out;
    for (const auto &[n, v] : pairs)
        out.push_back({QString::fromUtf8(n), QString::fromUtf8(v)});
    return Labels(out);
}

using Ids = LabelIndex::Postings;

} // namespace

class TestLabelIndex : public QObject
{
    Q_OBJECT

    LabelIndex m_idx;

private slots:
    void initTestCase()
    {
        // 1: http 200 job a   2: http 500 job a   3: http 503 job b
        // 4: http 404 job b (no instance)   5: up job a   6: up (no job)
        m_idx.add(1, L({{"__name__", "http"}, {"code", "200"}, {"job", "a"}, {"instance", "x"}}));
        m_idx.add(2, L({{"__name__", "http"}, {"code", "500"}, {"job", "a"}, {"instance", "y"}}));
        m_idx.add(3, L({{"__name__", "http"}, {"code", "503"}, {"job", "b"}, {"instance", "x"}}));
        m_idx.add(4, L({{"__name__", "http"}, {"code", "404"}, {"job", "b"}}));
        m_idx.add(5, L({{"__name__", "up"}, {"job", "a"}, {"instance", "x"}}));
        m_idx.add(6, L({{"__name__", "up"}, {"instance", "z"}}));
    }

    void equal()
    {
        QCOMPARE(m_idx.select({m(Op::Equal, "job", "a")}), (Ids{1, 2, 5}));
        QCOMPARE(m_idx.select({m(Op::Equal, "__name__", "http"), m(Op::Equal, "job", "b")}),
                 (Ids{3, 4}));
        QCOMPARE(m_idx.select({m(Op::Equal, "job", "nope")}), Ids{});
        QCOMPARE(m_idx.select({m(Op::Equal, "nolabel", "x")}), Ids{});
    }

    void notEqualIncludesSeriesWithoutTheLabel()
    {
        // `job!="a"` also matches series 6, which has no job label.
        QCOMPARE(m_idx.select({m(Op::NotEqual, "job", "a")}), (Ids{3, 4, 6}));
        QCOMPARE(m_idx.select({m(Op::Equal, "__name__", "up"), m(Op::NotEqual, "job", "a")}),
                 (Ids{6}));
        QCOMPARE(m_idx.select({m(Op::NotEqual, "nolabel", "x")}), (Ids{1, 2, 3, 4, 5, 6}));
    }

    void regex()
    {
        QCOMPARE(m_idx.select({m(Op::RegexMatch, "code", "5..")}), (Ids{2, 3}));
        QCOMPARE(m_idx.select({m(Op::Equal, "job", "a"), m(Op::RegexMatch, "code", "5..")}),
                 (Ids{2}));
        // Anchored: "50" does not match "500".
        QCOMPARE(m_idx.select({m(Op::RegexMatch, "code", "50")}), Ids{});
        QCOMPARE(m_idx.select({m(Op::RegexMatch, "code", "200|404")}), (Ids{1, 4}));
    }

    void regexNoMatch()
    {
        // `code!~"5.."` keeps series without a code label (5, 6).
        QCOMPARE(m_idx.select({m(Op::RegexNoMatch, "code", "5..")}), (Ids{1, 4, 5, 6}));
        QCOMPARE(m_idx.select(
                     {m(Op::Equal, "__name__", "http"), m(Op::RegexNoMatch, "code", "5..|2..")}),
                 (Ids{4}));
    }

    void emptyMatchingMatchers()
    {
        // `instance=""` selects series WITHOUT the label.
        QCOMPARE(m_idx.select({m(Op::Equal, "instance", "")}), (Ids{4}));
        // `instance=~".*"` matches everything, present or not.
        QCOMPARE(m_idx.select({m(Op::RegexMatch, "instance", ".*")}), (Ids{1, 2, 3, 4, 5, 6}));
        // `instance=~"x|"`: value x or absent.
        QCOMPARE(m_idx.select({m(Op::RegexMatch, "instance", "x|")}), (Ids{1, 3, 4, 5}));
        // `instance!=""`: label present.
        QCOMPARE(m_idx.select({m(Op::NotEqual, "instance", "")}), (Ids{1, 2, 3, 5, 6}));
        // `job=~".+"`: present.
        QCOMPARE(m_idx.select({m(Op::RegexMatch, "job", ".+")}), (Ids{1, 2, 3, 4, 5}));
        QCOMPARE(m_idx.select({m(Op::Equal, "__name__", "up"), m(Op::Equal, "job", "")}), (Ids{6}));
        // No matchers at all: everything (the query layer forbids this).
        QCOMPARE(m_idx.select({}), (Ids{1, 2, 3, 4, 5, 6}));
    }

    void findAndLabels()
    {
        QCOMPARE(m_idx.find(L({{"__name__", "up"}, {"instance", "z"}})),
                 std::optional<SeriesId>(6));
        QVERIFY(!m_idx.find(L({{"__name__", "up"}})).has_value());
        QCOMPARE(*m_idx.labels(4), L({{"__name__", "http"}, {"code", "404"}, {"job", "b"}}));
        QVERIFY(m_idx.labels(99) == nullptr);
        QCOMPARE(m_idx.seriesCount(), 6);
        QCOMPARE(m_idx.maxId(), 6);
    }

    void addingOldIdIsIgnored()
    {
        LabelIndex idx;
        idx.add(3, L({{"a", "1"}}));
        idx.add(2, L({{"a", "2"}})); // not above maxId: a duplicate refresh
        idx.add(3, L({{"a", "1"}}));
        QCOMPARE(idx.seriesCount(), 1);
        QCOMPARE(idx.labelValues(QStringLiteral("a")), QStringList{QStringLiteral("1")});
    }

    void namesAndValues()
    {
        QCOMPARE(m_idx.labelNames(),
                 (QStringList{QStringLiteral("__name__"), QStringLiteral("code"),
                              QStringLiteral("instance"), QStringLiteral("job")}));
        QCOMPARE(m_idx.labelValues(QStringLiteral("code")),
                 (QStringList{QStringLiteral("200"), QStringLiteral("404"), QStringLiteral("500"),
                              QStringLiteral("503")}));
        QVERIFY(m_idx.labelValues(QStringLiteral("nope")).isEmpty());
    }

    void manySeries()
    {
        // 20k series; check the selections against a brute-force scan.
        LabelIndex idx;
        QList<Labels> all;
        for (int i = 1; i <= 20000; ++i) {
            QList<model::Label> l{
                {QStringLiteral("__name__"), QStringLiteral("m%1").arg(i % 7)},
                {QStringLiteral("pod"), QStringLiteral("pod-%1").arg(i)},
                {QStringLiteral("code"), QString::number(200 + (i % 5) * 100 + i % 3)}};
            if (i % 4)
                l.push_back({QStringLiteral("zone"), QStringLiteral("z%1").arg(i % 3)});
            all.push_back(Labels(l));
            idx.add(i, all.back());
        }
        const QList<model::LabelMatchers> queries{
            {m(Op::Equal, "__name__", "m3"), m(Op::RegexMatch, "code", "5..")},
            {m(Op::RegexMatch, "pod", "pod-1.*5"), m(Op::NotEqual, "zone", "z1")},
            {m(Op::Equal, "zone", ""), m(Op::RegexNoMatch, "code", "2..|3..")},
            {m(Op::RegexMatch, "pod", "pod-(17|18|19)"), m(Op::RegexMatch, "zone", "z0|")},
        };
        for (const auto &q : queries) {
            Ids expected;
            for (int i = 0; i < all.size(); ++i)
                if (model::matchesAll(q, all[i]))
                    expected.push_back(i + 1);
            QCOMPARE(idx.select(q), expected);
            QVERIFY(!expected.empty());
        }
        QCOMPARE(idx.labelValues(QStringLiteral("zone")).size(), 3);
        QCOMPARE(idx.labelValues(QStringLiteral("pod")).size(), 20000);
    }

    void storeLabelNamesAndValues()
    {
        // The same look-ups through the store, including after a reopen
        // (the index is rebuilt from the catalog).
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        {
            auto storage = Storage::open(dir.path());
            QVERIFY2(storage.has_value(),
                     qPrintable(storage ? QString() : storage.error().message));
            SampleBatch b;
            b.series.push_back({L({{"__name__", "up"}, {"job", "api"}}), {{1000, 1}}});
            b.series.push_back(
                {L({{"__name__", "up"}, {"job", "db"}, {"zone", "eu"}}), {{1000, 0}}});
            b.series.push_back(
                {L({{"__name__", "http"}, {"job", "api"}, {"path", "/a \"b\"\n"}}), {{1000, 5}}});
            QVERIFY((*storage)->metrics().append(b).has_value());
        }
        auto storage = Storage::open(dir.path());
        QVERIFY(storage.has_value());
        MetricStore &ms = (*storage)->metrics();
        QCOMPARE(*ms.labelNames(), (QStringList{QStringLiteral("__name__"), QStringLiteral("job"),
                                                QStringLiteral("path"), QStringLiteral("zone")}));
        QCOMPARE(*ms.labelValues(QStringLiteral("job")),
                 (QStringList{QStringLiteral("api"), QStringLiteral("db")}));
        QCOMPARE(*ms.labelValues(QStringLiteral("path")),
                 (QStringList{QStringLiteral("/a \"b\"\n")}));
        QVERIFY(ms.labelValues(QStringLiteral("nope"))->isEmpty());
        auto sel = ms.select({m(Op::Equal, "job", "api")});
        QVERIFY(sel.has_value());
        QCOMPARE(sel->size(), 2);
        // Sorted by labels: http < up.
        QCOMPARE(sel->at(0).labels.metricName(), QStringLiteral("http"));
        QCOMPARE(sel->at(1).labels, L({{"__name__", "up"}, {"job", "api"}}));
        auto noZone = ms.select({m(Op::Equal, "__name__", "up"), m(Op::Equal, "zone", "")});
        QCOMPARE(noZone->size(), 1);
        QCOMPARE(noZone->at(0).labels.value(u"job"), QStringLiteral("api"));
    }
};

QTEST_GUILESS_MAIN(TestLabelIndex)
#include "tst_label_index.moc"
