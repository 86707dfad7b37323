#include "app/gui/panels/flame_graph_panel.h"

#include "app/gui/flamegraph/call_tree.h"
#include "app/gui/flamegraph/flame_graph_view.h"

#include <QHash>
#include <QVBoxLayout>

namespace spyglass::gui::panels {

namespace {
std::int64_t intAt(const model::Field *f, qsizetype r)
{
    if (!f)
        return 0;
    if (f->type() == model::FieldType::Float64)
        return std::int64_t(f->doubles().at(r));
    if (f->type() == model::FieldType::Int64)
        return f->int64s().at(r);
    return f->displayValue(r).toLongLong();
}
} // namespace

flamegraph::StackSet stacksFromProfileFrame(const model::Frame &frame)
{
    flamegraph::StackSet set;
    const model::Field *level = frame.field(u"level");
    const model::Field *value = frame.field(u"value");
    const model::Field *self = frame.field(u"self");
    const model::Field *label = frame.field(u"label");
    if (!level || !value || !label)
        return set;
    QHash<QString, std::uint32_t> ids;
    QList<std::uint32_t> path;
    for (qsizetype r = 0; r < frame.rowCount(); ++r) {
        const int depth = int(intAt(level, r));
        const QString name = label->displayValue(r);
        std::int64_t selfValue = self ? intAt(self, r) : 0;
        if (!self) {
            // Without a self column: total minus the children's totals.
            selfValue = intAt(value, r);
            for (qsizetype c = r + 1; c < frame.rowCount() && intAt(level, c) > depth; ++c)
                if (intAt(level, c) == depth + 1)
                    selfValue -= intAt(value, c);
        }
        path.resize(std::max(0, depth - 1));
        // Level 0 is the synthetic root ("total"); CallTree adds its own.
        if (depth > 0) {
            auto it = ids.constFind(name);
            if (it == ids.constEnd()) {
                it = ids.insert(name, std::uint32_t(set.names.size()));
                set.names.push_back(name);
            }
            path.push_back(*it);
        }
        if (selfValue > 0 && !path.isEmpty())
            set.stacks.push_back({path, selfValue, 0});
    }
    return set;
}

FlameGraphPanel::FlameGraphPanel(QWidget *parent) : FramePanel(parent), m_view(new flamegraph::FlameGraphView(this))
{
    auto *l = new QVBoxLayout(this);
    l->setContentsMargins(0, 0, 0, 0);
    l->addWidget(m_view);
    // Grafana's panel draws the root on top (icicle).
    m_view->setOrientation(flamegraph::FlameGraphView::Orientation::Icicle);
}

void FlameGraphPanel::rebuild()
{
    for (const model::Frame &f : frames())
        if (f.field(u"level") && f.field(u"label")) {
            const flamegraph::StackSet set = stacksFromProfileFrame(f);
            const model::Field *value = f.field(u"value");
            const flamegraph::ValueUnit unit = value && (value->unit() == u"ns" || value->unit() == u"nanoseconds") ? flamegraph::ValueUnit::Nanoseconds
                                             : value && value->unit() == u"bytes" ? flamegraph::ValueUnit::Bytes
                                                                                  : flamegraph::ValueUnit::Count;
            m_view->setTree(std::make_shared<const flamegraph::CallTree>(flamegraph::CallTree::build(set)), unit);
            return;
        }
    m_view->setTree(std::make_shared<const flamegraph::CallTree>(flamegraph::CallTree::build({})));
}

} // namespace spyglass::gui::panels
