#pragma once

#include "app/gui/flamegraph/flame_graph_builder.h"
#include "app/gui/flamegraph/flame_graph_view.h"
#include "core/model/profile.h"

#include <QWidget>
#include <memory>

class QCheckBox;
class QComboBox;
class QHBoxLayout;
class QLabel;
class QLineEdit;
class QScrollArea;
class QSortFilterProxyModel;
class QTabWidget;
class QTableView;

namespace spyglass::store {
class Storage;
}

namespace spyglass::gui::flamegraph {

class ProfileRangeDiffPanel;
class TopTableModel;

// The Profiles page: a flame graph with its top table, a sandwich view and a
// diff view of one profile (or two, for the diff).
//
// Trees are built on the thread pool (buildFlameGraphs); each rebuild gets a
// job id and results of superseded jobs are dropped. The top table and the
// graph are linked both ways: selecting a row highlights that function's
// frames, clicking a frame selects its row (and zooms into the frame).
class FlameGraphPage : public QWidget
{
    Q_OBJECT
public:
    enum Tab { FlameTab = 0, SandwichTab = 1, DiffTab = 2 };

    explicit FlameGraphPage(QWidget *parent = nullptr);
    ~FlameGraphPage() override;

    void setProfile(const model::Profile &profile, const QString &title = {});
    // A pprof file gives one profile per sample type: the user picks one.
    void setProfiles(const QList<model::Profile> &profiles, const QString &title = {});
    void setDiffProfiles(const model::Profile &baseline, const model::Profile &comparison,
                         const QString &title = {});
    // Reads and parses off the GUI thread; loadFinished tells how it went.
    void openFile(const QString &path);
    // Opens two files as baseline (A) and comparison (B) of a diff.
    void openDiffFiles(const QString &baselinePath, const QString &comparisonPath);

    void setCollapseRecursion(bool on);
    void setFocusFunction(const QString &function); // empty: whole profile
    void hideFunction(const QString &function);
    void clearHiddenFunctions();
    void showSandwich(const QString &function);
    void setSearchText(const QString &pattern);

    QString focusFunction() const { return m_request.focusFunction; }
    QStringList hiddenFunctions() const { return m_request.hiddenFunctions; }
    QString sandwichFunction() const { return m_request.sandwichFunction; }
    bool isBusy() const { return m_busy; }
    int lastJobId() const { return m_jobId; }
    QString title() const { return m_title; }

    // The parts, for tests and the main window.
    FlameGraphView *flameView() const { return m_flame; }
    FlameGraphView *callersView() const { return m_callers; }
    FlameGraphView *calleesView() const { return m_callees; }
    FlameGraphView *diffView() const { return m_diff; }
    QTableView *topTable() const { return m_topTable; }
    TopTableModel *topModel() const { return m_topModel; }
    QSortFilterProxyModel *topProxy() const { return m_topProxy; }
    QLineEdit *topFilter() const { return m_topFilter; }
    QTableView *regressionsTable() const { return m_regressionsTable; }
    TopTableModel *regressionsModel() const { return m_regressionsModel; }
    QLineEdit *searchEdit() const { return m_search; }
    QLabel *searchStatus() const { return m_searchStatus; }
    QWidget *breadcrumbBar() const { return m_breadcrumbBar; }
    QStringList breadcrumbLabels() const;
    QTabWidget *tabs() const { return m_tabs; }
    QComboBox *orientationCombo() const { return m_orientation; }
    QComboBox *colorCombo() const { return m_colorMode; }
    QComboBox *diffPaletteCombo() const { return m_diffPalette; }
    QComboBox *profileTypeCombo() const { return m_profileType; }
    QCheckBox *collapseRecursionBox() const { return m_collapse; }

    bool exportPng(const QString &path);
    bool exportSvg(const QString &path);
    bool exportFolded(const QString &path);
    // The shown profile as gzip'd pprof (readable by `go tool pprof`, Pyroscope, this program).
    bool exportPprof(const QString &path);

    // With a store, the Diff tab also compares two time ranges of a stored
    // series (ProfileRangeDiffPanel). `storage` must outlive the page.
    void setStorage(store::Storage *storage);
    ProfileRangeDiffPanel *rangeDiffPanel() const { return m_rangeDiff; }

signals:
    // The latest job's trees are shown.
    void layoutReady(int jobId);
    void loadFinished(bool ok, const QString &message);

private:
    void rebuild();
    void applyResult(const FlameGraphResult &result);
    void selectProfileType(int index);
    void updateBreadcrumb();
    void updateSearchStatus();
    void onTopRowChanged(const QModelIndex &current);
    void onFrameClicked(int node);
    void showFrameMenu(FlameGraphView *view, int node, const QPoint &globalPos);
    void showExportMenu();
    void setStatusText(const QString &text);

    FlameGraphRequest m_request;
    QList<model::Profile> m_profiles;
    QString m_title;
    int m_jobId = 0;
    int m_loadId = 0;
    bool m_busy = false;

    QLabel *m_titleLabel;
    QComboBox *m_profileType;
    QLineEdit *m_search;
    QLabel *m_searchStatus;
    QComboBox *m_orientation;
    QComboBox *m_colorMode;
    QComboBox *m_diffPalette;
    QCheckBox *m_collapse;
    QWidget *m_breadcrumbBar;
    QHBoxLayout *m_breadcrumbLayout;
    QTabWidget *m_tabs;
    FlameGraphView *m_flame;
    QScrollArea *m_flameScroll;
    QTableView *m_topTable;
    TopTableModel *m_topModel;
    QSortFilterProxyModel *m_topProxy;
    QLineEdit *m_topFilter;
    QLabel *m_sandwichLabel;
    FlameGraphView *m_callers;
    FlameGraphView *m_callees;
    FlameGraphView *m_diff;
    QLabel *m_diffLegend;
    QTableView *m_regressionsTable;
    TopTableModel *m_regressionsModel;
    QSortFilterProxyModel *m_regressionsProxy;
    QLabel *m_status;
    QWidget *m_diffPane = nullptr;
    ProfileRangeDiffPanel *m_rangeDiff = nullptr;
};

} // namespace spyglass::gui::flamegraph
