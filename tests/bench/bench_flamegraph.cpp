// Flame-graph costs at 53 k and 88 k frames: tree building/layout, first paint
// (labels elided and cached), repaint (cache warm), zoomed paint, search.
// A QBENCHMARK executable, not a CTest test: run it by hand, e.g.
//   QT_QPA_PLATFORM=offscreen ./bench_flamegraph
#include "app/gui/flamegraph/call_tree.h"
#include "app/gui/flamegraph/flame_graph_view.h"
#include "tests/app/gui/flamegraph/flame_fixtures.h"

#include <QImage>
#include <QPainter>
#include <QRegularExpression>
#include <QTest>

using namespace spyglass;
using namespace spyglass::gui::flamegraph;

class BenchFlameGraph : public QObject
{
    Q_OBJECT
    QHash<QString, model::Profile> m_profiles;
    QHash<QString, std::shared_ptr<const CallTree>> m_trees;

    static void profiles()
    {
        QTest::addColumn<QString>("name");
        QTest::newRow("wide") << QStringLiteral("wide");
        QTest::newRow("bushy") << QStringLiteral("bushy");
    }

private slots:
    void initTestCase()
    {
        // wide: 53 k frames, nearly all under 2 px; bushy: 88 k frames, many drawn.
        m_profiles.insert(QStringLiteral("wide"), test::wideProfile(230));
        m_profiles.insert(QStringLiteral("bushy"), test::bushyProfile(3, 10));
        for (auto it = m_profiles.cbegin(); it != m_profiles.cend(); ++it) {
            auto tree = std::make_shared<CallTree>(CallTree::build(StackSet::fromProfile(it.value())));
            QImage img(1400, 800, QImage::Format_ARGB32_Premultiplied);
            FlameGraphView view;
            view.resize(img.size());
            view.setTree(tree);
            view.render(&img);
            qInfo("%s: %lld stacks, %d frames, depth %d; 1400x800 paint draws %d frames, %d labels",
                  qPrintable(it.key()), qlonglong(it.value().stacks.size()), tree->size(), tree->maxDepth(),
                  view.paintedFrameCount(), view.paintedLabelCount());
            m_trees.insert(it.key(), tree);
        }
    }

    void buildTree_data() { profiles(); }
    void buildTree()
    {
        QFETCH(QString, name);
        const model::Profile &p = m_profiles[name];
        QBENCHMARK {
            const CallTree t = CallTree::build(StackSet::fromProfile(p));
            QVERIFY(t.size() > 50'000);
        }
    }

    void firstPaint_data() { profiles(); }
    void firstPaint()
    {
        QFETCH(QString, name);
        QImage img(1400, 800, QImage::Format_ARGB32_Premultiplied);
        QBENCHMARK {
            FlameGraphView view; // cold label cache each time
            view.resize(img.size());
            view.setTree(m_trees[name]);
            view.render(&img);
        }
    }

    void repaint_data() { profiles(); }
    void repaint()
    {
        QFETCH(QString, name);
        QImage img(1400, 800, QImage::Format_ARGB32_Premultiplied);
        FlameGraphView view;
        view.resize(img.size());
        view.setTree(m_trees[name]);
        view.render(&img);
        QBENCHMARK {
            view.render(&img);
        }
    }

    void zoomAndPaint_data() { profiles(); }
    void zoomAndPaint()
    {
        QFETCH(QString, name);
        const auto &tree = m_trees[name];
        QImage img(1400, 800, QImage::Format_ARGB32_Premultiplied);
        FlameGraphView view;
        view.resize(img.size());
        view.setTree(tree);
        const QList<int> targets = tree->children(tree->children(0).first());
        int i = 0;
        QBENCHMARK {
            view.zoomTo(targets[i++ % targets.size()]); // new widths: labels elided again
            view.render(&img);
        }
    }

    void search_data() { profiles(); }
    void search()
    {
        QFETCH(QString, name);
        const QRegularExpression re(QStringLiteral("(compute1[0-9]|Worker1)"));
        const auto &tree = m_trees[name];
        QBENCHMARK {
            const SearchResult r = searchTree(*tree, re);
            QVERIFY(r.matchedNodes > 0);
        }
    }
};

QTEST_MAIN(BenchFlameGraph)
#include "bench_flamegraph.moc"
