#include "app/gui/flamegraph/call_tree.h"
#include "app/gui/flamegraph/flame_graph_builder.h"
#include "flame_fixtures.h"

#include <QRegularExpression>
#include <QTest>

using namespace spyglass;
using namespace spyglass::gui::flamegraph;
using spyglass::test::folded;

namespace {

const char *kBasic = "main;a;b 3\n"
                     "main;a;c 2\n"
                     "main;a 1\n"
                     "main;d;b 4\n";

CallTree treeOf(const model::Profile &p)
{
    return CallTree::build(StackSet::fromProfile(p));
}

int nodeAt(const CallTree &t, const char *path)
{
    return t.findPath(QString::fromLatin1(path).split(u';', Qt::SkipEmptyParts));
}

std::int64_t totalAt(const CallTree &t, const char *path)
{
    const int n = nodeAt(t, path);
    return n < 0 ? -1 : t.node(n).total;
}

std::int64_t selfAt(const CallTree &t, const char *path)
{
    const int n = nodeAt(t, path);
    return n < 0 ? -1 : t.node(n).self;
}

const FunctionStat *statOf(const QList<FunctionStat> &stats, const CallTree &t, const QString &name)
{
    for (const auto &s : stats)
        if (t.functionName(s.name) == name)
            return &s;
    return nullptr;
}

} // namespace

class TestCallTree : public QObject
{
    Q_OBJECT
private slots:
    void buildsTotalsAndSelf()
    {
        const CallTree t = treeOf(folded(kBasic));
        QCOMPARE(t.total(), 10);
        QCOMPARE(t.size(), 7); // root, main, a, b, c, d, d;b
        QCOMPARE(t.maxDepth(), 3);
        QCOMPARE(totalAt(t, "main"), 10);
        QCOMPARE(selfAt(t, "main"), 0);
        QCOMPARE(totalAt(t, "main;a"), 6);
        QCOMPARE(selfAt(t, "main;a"), 1);
        QCOMPARE(totalAt(t, "main;a;b"), 3);
        QCOMPARE(totalAt(t, "main;a;c"), 2);
        QCOMPARE(totalAt(t, "main;d;b"), 4);
        QCOMPARE(selfAt(t, "main;d;b"), 4);
        QCOMPARE(nodeAt(t, "main;b"), -1);
        QCOMPARE(t.name(0), QStringLiteral("total"));
    }

    void preorderAndLayout()
    {
        const CallTree t = treeOf(folded(kBasic));
        // Preorder: a subtree is the contiguous range [i, end); children sorted by name.
        const int main = nodeAt(t, "main");
        QCOMPARE(t.children(main).size(), 2);
        QCOMPARE(t.name(t.children(main)[0]), QStringLiteral("a"));
        QCOMPARE(t.name(t.children(main)[1]), QStringLiteral("d"));
        QCOMPARE(t.node(0).end, t.size());
        for (int i = 1; i < t.size(); ++i) {
            QVERIFY(t.contains(t.node(i).parent, i));
            QCOMPARE(t.node(i).depth, t.node(t.node(i).parent).depth + 1);
        }
        // Widths are shares of the root; siblings follow each other.
        const int a = nodeAt(t, "main;a"), d = nodeAt(t, "main;d");
        QCOMPARE(t.node(a).start, 0.0);
        QCOMPARE(t.node(a).width, 0.6);
        QCOMPARE(t.node(d).start, 0.6);
        QCOMPARE(t.node(d).width, 0.4);
        const int c = nodeAt(t, "main;a;c");
        QCOMPARE(t.node(c).start, 0.3);
        QCOMPARE(t.ancestors(c), (QList<int>{0, main, a}));
    }

    void deterministicAcrossInputOrder()
    {
        const CallTree t1 = treeOf(folded("x;z 1\nx;y 2\n"));
        const CallTree t2 = treeOf(folded("x;y 2\nx;z 1\n"));
        QCOMPARE(t1.size(), t2.size());
        for (int i = 0; i < t1.size(); ++i) {
            QCOMPARE(t1.name(i), t2.name(i));
            QCOMPARE(t1.node(i).total, t2.node(i).total);
        }
    }

    void emptyProfile()
    {
        const CallTree t = treeOf(model::Profile{});
        QVERIFY(t.isEmpty());
        QCOMPARE(t.total(), 0);
        QCOMPARE(t.node(0).width, 0.0);
        QVERIFY(functionStats(t).isEmpty());
        QCOMPARE(searchTree(t, QRegularExpression(QStringLiteral("a"))).matchedNodes, 0);
    }

    void badFunctionIndexKeepsTheSample()
    {
        model::Profile p;
        p.functionNames = {QStringLiteral("main")};
        p.stacks.push_back({{7, 0}, 5, {}}); // 7 is out of range
        const CallTree t = treeOf(p);
        QCOMPARE(t.total(), 5);
        QCOMPARE(selfAt(t, "main"), 5);
    }

    void collapsesRecursion()
    {
        const auto p = folded("main;f;f;f;g 5\n"
                              "main;f;g;f 2\n"
                              "main;f 1\n");
        const CallTree plain = treeOf(p);
        QCOMPARE(plain.maxDepth(), 5);
        const CallTree t = CallTree::build(collapseRecursion(StackSet::fromProfile(p)));
        QCOMPARE(totalAt(t, "main;f"), 8);
        QCOMPARE(selfAt(t, "main;f"), 1);
        QCOMPARE(totalAt(t, "main;f;g"), 7);
        QCOMPARE(selfAt(t, "main;f;g"), 5);
        // Indirect recursion stays: f;g;f is not direct.
        QCOMPARE(totalAt(t, "main;f;g;f"), 2);
        QCOMPARE(nodeAt(t, "main;f;f"), -1);
        QCOMPARE(t.total(), plain.total());
    }

    void focusOnFunction()
    {
        const auto set = StackSet::fromProfile(folded("main;a;b;c 3\n"
                                                      "main;d;b 4\n"
                                                      "main;e 5\n"
                                                      "main;b;x;b;y 1\n"));
        const CallTree t = CallTree::build(calleesOf(set, std::uint32_t(set.functionId(QStringLiteral("b")))));
        // Every stack through b, rooted at b's outermost call.
        QCOMPARE(t.total(), 8);
        QCOMPARE(t.children(0).size(), 1);
        QCOMPARE(totalAt(t, "b"), 8);
        QCOMPARE(selfAt(t, "b"), 4);
        QCOMPARE(totalAt(t, "b;c"), 3);
        QCOMPARE(totalAt(t, "b;x;b;y"), 1);
        QCOMPARE(nodeAt(t, "main"), -1);
    }

    void hideFunction()
    {
        const auto set = StackSet::fromProfile(folded("main;mid;leaf 3\n"
                                                      "main;mid 2\n"
                                                      "main;other;mid;leaf 1\n"));
        const CallTree t =
            CallTree::build(hideFunctions(set, {std::uint32_t(set.functionId(QStringLiteral("mid")))}));
        QCOMPARE(t.total(), 6);
        // mid's callees move up to its caller; mid's own self goes to the caller.
        QCOMPARE(totalAt(t, "main;leaf"), 3);
        QCOMPARE(selfAt(t, "main"), 2);
        QCOMPARE(totalAt(t, "main;other;leaf"), 1);
        for (int i = 1; i < t.size(); ++i)
            QVERIFY(t.name(i) != QStringLiteral("mid"));
    }

    void sandwichCallersAndCallees()
    {
        const auto set = StackSet::fromProfile(folded("main;a;work;x 3\n"
                                                      "main;b;work 2\n"
                                                      "main;b;work;y 1\n"
                                                      "main;c 4\n"));
        const auto work = std::uint32_t(set.functionId(QStringLiteral("work")));
        const CallTree callers = CallTree::build(callersOf(set, work));
        QCOMPARE(callers.total(), 6);
        QCOMPARE(totalAt(callers, "work"), 6);
        QCOMPARE(totalAt(callers, "work;a"), 3);
        QCOMPARE(totalAt(callers, "work;b"), 3);
        QCOMPARE(totalAt(callers, "work;b;main"), 3);
        QCOMPARE(selfAt(callers, "work;b;main"), 3);
        const CallTree callees = CallTree::build(calleesOf(set, work));
        QCOMPARE(callees.total(), 6);
        QCOMPARE(selfAt(callees, "work"), 2);
        QCOMPARE(totalAt(callees, "work;x"), 3);
        QCOMPARE(totalAt(callees, "work;y"), 1);
    }

    void builderAppliesTransformsInOrder()
    {
        FlameGraphRequest r;
        r.profile = std::make_shared<model::Profile>(folded("main;f;h;f;g 4\n"
                                                            "main;k 1\n"));
        r.hiddenFunctions = {QStringLiteral("h")};
        r.collapseRecursion = true; // f;h;f becomes f;f after hiding, then f
        r.focusFunction = QStringLiteral("f");
        r.sandwichFunction = QStringLiteral("g");
        const FlameGraphResult out = buildFlameGraphs(r);
        QVERIFY(out.tree && out.callers && out.callees);
        QVERIFY(!out.diff);
        QCOMPARE(out.tree->total(), 4);
        QCOMPARE(totalAt(*out.tree, "f;g"), 4);
        QCOMPARE(totalAt(*out.callers, "g;f;main"), 4);
        QCOMPARE(out.callers->name(0), QStringLiteral("callers of g"));
        // A focus on a function that is not there leaves an empty tree.
        r.focusFunction = QStringLiteral("nope");
        QVERIFY(buildFlameGraphs(r).tree->isEmpty());
    }

    void searchCountsEachSubtreeOnce()
    {
        const CallTree t = treeOf(folded("main;json.decode;json.value;json.decode 4\n"
                                         "main;json.encode 2\n"
                                         "main;other 4\n"));
        const SearchResult r = searchTree(t, QRegularExpression(QStringLiteral("^json\\.")));
        QCOMPARE(r.matchedNodes, 4);
        QCOMPARE(r.matchedTotal, 6); // the nested matches are inside the first
        QCOMPARE(r.share, 0.6);
        QVERIFY(r.matched.testBit(nodeAt(t, "main;json.encode")));
        QVERIFY(!r.matched.testBit(nodeAt(t, "main;other")));
        QVERIFY(!r.matched.testBit(0));
        // Invalid and empty patterns match nothing.
        QCOMPARE(searchTree(t, QRegularExpression(QStringLiteral("(("))).matchedNodes, 0);
        QCOMPARE(searchTree(t, QRegularExpression()).matchedTotal, 0);
    }

    void functionStatsCountRecursionOnce()
    {
        const CallTree t = treeOf(folded("main;f;g;f 3\n"
                                         "main;f 2\n"
                                         "main;g 5\n"));
        const auto stats = functionStats(t);
        QCOMPARE(stats.size(), 3);
        const FunctionStat *f = statOf(stats, t, QStringLiteral("f"));
        QVERIFY(f);
        QCOMPARE(f->total, 5); // not 8: the inner f is inside the outer
        QCOMPARE(f->self, 5);
        const FunctionStat *g = statOf(stats, t, QStringLiteral("g"));
        QCOMPARE(g->total, 8);
        QCOMPARE(g->self, 5);
        QCOMPARE(statOf(stats, t, QStringLiteral("main"))->total, 10);
    }

    void diffNormalisesByTotal()
    {
        // A: 100 samples, B: 200 samples (twice as long a recording).
        const auto a = folded("main;work 50\nmain;idle 50\n");
        const auto b = folded("main;work 160\nmain;fresh 40\n");
        const CallTree t = CallTree::build(StackSet::diff(a, b));
        QVERIFY(t.isDiff());
        QCOMPARE(t.total(), 200);
        QCOMPARE(t.baseTotal(), 100);
        QCOMPARE(t.baseScale(), 2.0);
        const int work = nodeAt(t, "main;work"), idle = nodeAt(t, "main;idle"), fresh = nodeAt(t, "main;fresh");
        QCOMPARE(t.node(work).baseTotal, 50);
        QCOMPARE(t.node(work).total, 160);
        QVERIFY(qFuzzyCompare(t.shareDelta(work), 0.8 - 0.5));
        QVERIFY(qFuzzyCompare(t.shareDelta(idle), -0.5));
        QVERIFY(qFuzzyCompare(t.shareDelta(fresh), 0.2));
        // Only in A / only in B.
        QCOMPARE(t.node(idle).total, 0);
        QCOMPARE(t.node(fresh).baseTotal, 0);
        // Layout weighs both profiles, the baseline scaled: idle stays visible.
        QVERIFY(qFuzzyCompare(t.node(idle).width, 100.0 / 400.0));
        QVERIFY(qFuzzyCompare(t.node(work).width, 260.0 / 400.0));
        const auto stats = functionStats(t);
        const FunctionStat *w = statOf(stats, t, QStringLiteral("work"));
        QCOMPARE(w->baseSelf, 50);
        QCOMPARE(w->self, 160);
    }

    void diffMatchesFunctionsByName()
    {
        // Different function tables (ids) for the same names.
        model::Profile a = folded("x;y 1\n");
        model::Profile b = folded("q 1\ny;x 1\nx;y 3\n");
        const StackSet set = StackSet::diff(a, b);
        QCOMPARE(set.names.size(), 3);
        const CallTree t = CallTree::build(set);
        QCOMPARE(t.node(nodeAt(t, "x;y")).baseTotal, 1);
        QCOMPARE(t.node(nodeAt(t, "x;y")).total, 3);
        QCOMPARE(t.node(nodeAt(t, "y;x")).baseTotal, 0);
    }
};

QTEST_GUILESS_MAIN(TestCallTree)
#include "tst_call_tree.moc"
