#include "core/model/label_matcher.h"
#include "core/model/labels.h"

#include <QTest>

using namespace spyglass::model;

class TestLabels : public QObject
{
    Q_OBJECT
private slots:
    void sortsAndDeduplicates()
    {
        Labels l(QList<Label>{{QStringLiteral("b"), QStringLiteral("2")},
                              {QStringLiteral("a"), QStringLiteral("1")},
                              {QStringLiteral("b"), QStringLiteral("3")}});
        QCOMPARE(l.size(), 2);
        QCOMPARE(l.pairs()[0].name, QStringLiteral("a"));
        QCOMPARE(l.value(u"b"), QStringLiteral("3"));
    }
    void emptyValueIsAbsent()
    {
        Labels l{{QStringLiteral("a"), QString()}, {QStringLiteral("b"), QStringLiteral("x")}};
        QCOMPARE(l.size(), 1);
        QVERIFY(!l.has(u"a"));
        QCOMPARE(Labels(), Labels(QList<Label>{}));
        QCOMPARE(Labels().hash(), Labels(QList<Label>{}).hash());
    }
    void equalityAndHash()
    {
        Labels a{{QStringLiteral("job"), QStringLiteral("x")}, {QStringLiteral("i"), QStringLiteral("1")}};
        Labels b{{QStringLiteral("i"), QStringLiteral("1")}, {QStringLiteral("job"), QStringLiteral("x")}};
        Labels c{{QStringLiteral("i"), QStringLiteral("2")}, {QStringLiteral("job"), QStringLiteral("x")}};
        QCOMPARE(a, b);
        QCOMPARE(a.hash(), b.hash());
        QVERIFY(a != c);
        QVERIFY(a < c);
        QSet<Labels> set{a, b, c};
        QCOMPARE(set.size(), 2);
    }
    void toStringLikePrometheus()
    {
        Labels l{{QStringLiteral("__name__"), QStringLiteral("up")},
                 {QStringLiteral("job"), QStringLiteral("a\"b\\c\nd")}};
        QCOMPARE(l.toString(), QStringLiteral("up{job=\"a\\\"b\\\\c\\nd\"}"));
        QCOMPARE(Labels().toString(), QStringLiteral("{}"));
        QCOMPARE(l.withoutMetricName().toString(), QStringLiteral("{job=\"a\\\"b\\\\c\\nd\"}"));
    }
    void matchers()
    {
        Labels l{{QStringLiteral("code"), QStringLiteral("503")}, {QStringLiteral("job"), QStringLiteral("api")}};
        auto re = LabelMatcher::create(LabelMatcher::Op::RegexMatch, QStringLiteral("code"), QStringLiteral("5.."));
        QVERIFY(re.has_value());
        QVERIFY(re->matches(l));
        auto partial = LabelMatcher::create(LabelMatcher::Op::RegexMatch, QStringLiteral("code"), QStringLiteral("5"));
        QVERIFY(!partial->matches(l)); // anchored like Prometheus
        auto ne = LabelMatcher::create(LabelMatcher::Op::NotEqual, QStringLiteral("missing"), QStringLiteral("x"));
        QVERIFY(ne->matches(l));
        QVERIFY(ne->matchesEmpty());
        auto nre = LabelMatcher::create(LabelMatcher::Op::RegexNoMatch, QStringLiteral("job"), QStringLiteral("a.*"));
        QVERIFY(!nre->matches(l));
        auto dotnl = LabelMatcher::create(LabelMatcher::Op::RegexMatch, QStringLiteral("m"), QStringLiteral("a.b"));
        QVERIFY(dotnl->matches(QStringLiteral("a\nb")));
        auto bad = LabelMatcher::create(LabelMatcher::Op::RegexMatch, QStringLiteral("x"), QStringLiteral("(("));
        QVERIFY(!bad.has_value());
        QVERIFY(bad.error().message.contains(QStringLiteral("invalid regular expression")));
    }
};

QTEST_GUILESS_MAIN(TestLabels)
#include "tst_labels.moc"
