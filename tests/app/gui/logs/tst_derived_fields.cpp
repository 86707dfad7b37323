#include "app/gui/logs/derived_fields.h"

#include <QTest>

using namespace spyglass::gui::logs;

class TestDerivedFields : public QObject
{
    Q_OBJECT
private slots:
    void defaultTraceIdRule()
    {
        const DerivedFields d;
        const QString line = QStringLiteral("level=info traceID=4bf92f3577b34da6 msg=ok traceId=abc123 TRACEID=no");
        const auto links = d.extract(line);
        QCOMPARE(links.size(), 2);
        QCOMPARE(links[0].name, QStringLiteral("traceID"));
        QCOMPARE(links[0].value, QStringLiteral("4bf92f3577b34da6"));
        QCOMPARE(line.mid(links[0].start, links[0].length), links[0].value);
        QCOMPARE(links[1].value, QStringLiteral("abc123"));
        QCOMPARE(links[1].start, line.indexOf(QStringLiteral("abc123")));
        QVERIFY(d.extract(u"no ids here").isEmpty());
        QVERIFY(d.extract(u"traceID=").isEmpty());
    }

    void customRulesAndOrder()
    {
        const DerivedFields d({{QStringLiteral("user"), QStringLiteral(R"(user=(\w+))")},
                               {QStringLiteral("traceID"), QStringLiteral(R"re("trace_id":"(\w+)")re")}});
        const auto links = d.extract(uR"({"trace_id":"ff00","x":1} user=bob)");
        QCOMPARE(links.size(), 2);
        // Sorted by position, whatever the rule order.
        QCOMPARE(links[0].value, QStringLiteral("ff00"));
        QCOMPARE(links[1].name, QStringLiteral("user"));
        QCOMPARE(links[1].value, QStringLiteral("bob"));
    }

    void invalidRuleIsReported()
    {
        const DerivedFields d({{QStringLiteral("bad"), QStringLiteral("(unclosed")}, DerivedFieldRule{}});
        QCOMPARE(d.errors().size(), 1);
        QVERIFY(d.errors().front().contains(QStringLiteral("bad")));
        // The other rule still works.
        QCOMPARE(d.extract(u"traceID=a1").size(), 1);
    }
};

QTEST_GUILESS_MAIN(TestDerivedFields)
#include "tst_derived_fields.moc"
