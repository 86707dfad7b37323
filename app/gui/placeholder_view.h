#pragma once

#include <QWidget>

namespace spyglass::gui {

// A page whose feature is not built yet: says plainly what will appear
// there and how to get to it, instead of showing made-up content.
class PlaceholderView : public QWidget
{
    Q_OBJECT
public:
    PlaceholderView(const QString &title, const QString &explanation, QWidget *parent = nullptr);
    QString explanation() const { return m_explanation; }

private:
    QString m_explanation;
};

} // namespace spyglass::gui
