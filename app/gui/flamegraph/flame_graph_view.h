#pragma once

#include "app/gui/flamegraph/call_tree.h"
#include "app/gui/flamegraph/frame_palette.h"
#include "app/gui/flamegraph/value_format.h"

#include <QBitArray>
#include <QWidget>
#include <memory>

namespace spyglass::gui::flamegraph {

// Paints a CallTree as a flame graph (root at the bottom) or icicle (root at
// the top). Cost follows pixels, not frames: a subtree narrower than two
// pixels is skipped whole, only frames of at least kMinLabelWidth px get a
// label, and elided labels are cached per frame until its width changes.
//
// Click a frame to zoom into it (its ancestors stay, full width, as the way
// back); hover for a tooltip with total, self, and shares of the total and of
// the parent. A search pattern or a highlighted function dims every other
// frame. A diff tree is coloured by the change of each frame's share of its
// profile; frames only in the baseline are hatched one way, frames only in
// the comparison the other.
class FlameGraphView : public QWidget
{
    Q_OBJECT
public:
    enum class Orientation { Flame, Icicle };
    enum class ColorMode { Package, SelfShare };

    static constexpr double kMinFrameWidth = 2.0;
    static constexpr int kMinLabelWidth = 24;

    explicit FlameGraphView(QWidget *parent = nullptr);
    ~FlameGraphView() override;

    void setTree(std::shared_ptr<const CallTree> tree, ValueUnit unit = ValueUnit::Count);
    const CallTree *tree() const { return m_tree.get(); }
    std::shared_ptr<const CallTree> sharedTree() const { return m_tree; }
    ValueUnit unit() const { return m_unit; }

    void setOrientation(Orientation orientation);
    Orientation orientation() const { return m_orientation; }
    void setColorMode(ColorMode mode);
    ColorMode colorMode() const { return m_colorMode; }
    void setDiffPalette(DiffPalette palette);
    DiffPalette diffPalette() const { return m_diffPalette; }

    // Regex over function names; empty clears. Returns false when invalid.
    bool setSearchPattern(const QString &pattern);
    QString searchPattern() const { return m_searchPattern; }
    const SearchResult &searchResult() const { return m_search; }
    // A function id of the tree (from the top table), or -1 for none.
    void setHighlightedFunction(int function);
    int highlightedFunction() const { return m_highlightFunction; }

    void zoomTo(int node);
    void resetZoom() { zoomTo(0); }
    int zoomNode() const { return m_zoom; }
    // Root first, ending with the zoomed node: the breadcrumb's entries.
    QList<int> breadcrumb() const;

    int rowHeight() const { return m_rowHeight; }
    int nodeAt(const QPoint &pos) const;
    // Where a frame is drawn at the current size and zoom; empty when it is
    // not drawn (outside the zoomed range or narrower than kMinFrameWidth).
    QRectF frameRect(int node) const;
    QString toolTipText(int node) const;
    // Frames and labels drawn by the last paint (tests and benchmarks).
    int paintedFrameCount() const { return m_paintedFrames; }
    int paintedLabelCount() const { return m_paintedLabels; }
    QColor frameColor(int node) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

signals:
    void frameClicked(int node);
    void zoomChanged(int node);
    void frameContextMenuRequested(int node, const QPoint &globalPos);

protected:
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void leaveEvent(QEvent *event) override;
    void contextMenuEvent(QContextMenuEvent *event) override;
    void changeEvent(QEvent *event) override;
    bool event(QEvent *event) override;

private:
    // Horizontal extent in pixels at the current zoom; false when not drawn.
    bool frameSpan(int node, double &x0, double &x1) const;
    double rowTop(int depth) const;
    void updateGeometryForTree();
    void recomputeColors();
    const QString &elidedLabel(int node, int pixels);

    std::shared_ptr<const CallTree> m_tree;
    ValueUnit m_unit = ValueUnit::Count;
    Orientation m_orientation = Orientation::Flame;
    ColorMode m_colorMode = ColorMode::Package;
    DiffPalette m_diffPalette = DiffPalette::RedBlue;
    int m_zoom = 0;
    int m_hover = -1;
    int m_rowHeight = 20;
    QString m_searchPattern;
    SearchResult m_search;
    int m_highlightFunction = -1;
    QBitArray m_highlighted;
    QList<QColor> m_nameColors; // package colour per function id
    std::int64_t m_maxSelf = 0;
    QList<QString> m_elided;
    QList<int> m_elidedWidth;
    int m_paintedFrames = 0;
    int m_paintedLabels = 0;
};

} // namespace spyglass::gui::flamegraph
