#include "app/gui/theme.h"

#include <QApplication>
#include <QPalette>
#include <QStyleFactory>

namespace spyglass::gui {

void applyDarkTheme(QApplication &app)
{
    app.setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    // Grafana's dark theme colours: canvas, panels, borders, text, accent.
    const QColor canvas(0x11, 0x12, 0x17);
    const QColor panel(0x18, 0x1b, 0x1f);
    const QColor raised(0x22, 0x25, 0x2b);
    const QColor text(0xcc, 0xcc, 0xdc);
    const QColor dimText(0x8e, 0x8e, 0x9e);
    const QColor accent(0x3d, 0x71, 0xd9);

    QPalette p;
    p.setColor(QPalette::Window, canvas);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, panel);
    p.setColor(QPalette::AlternateBase, QColor(0x1d, 0x20, 0x25));
    p.setColor(QPalette::ToolTipBase, raised);
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, dimText);
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, raised);
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, QColor(0xff, 0xff, 0xff));
    p.setColor(QPalette::Light, QColor(0x34, 0x38, 0x40));
    p.setColor(QPalette::Midlight, QColor(0x2c, 0x30, 0x37));
    p.setColor(QPalette::Mid, QColor(0x24, 0x27, 0x2d));
    p.setColor(QPalette::Dark, QColor(0x0b, 0x0c, 0x0e));
    p.setColor(QPalette::Shadow, QColor(0x00, 0x00, 0x00));
    p.setColor(QPalette::Highlight, accent);
    p.setColor(QPalette::HighlightedText, QColor(0xff, 0xff, 0xff));
    p.setColor(QPalette::Link, QColor(0x6e, 0x9f, 0xff));
    p.setColor(QPalette::Disabled, QPalette::Text, dimText);
    p.setColor(QPalette::Disabled, QPalette::WindowText, dimText);
    p.setColor(QPalette::Disabled, QPalette::ButtonText, dimText);
    app.setPalette(p);

    app.setStyleSheet(QStringLiteral(
        "QToolTip { color: #ccccdc; background: #22252b; border: 1px solid #34383e; padding: 4px; }"
        "QListWidget#sidebar { background: #181b1f; border: none; border-right: 1px solid #24272d;"
        "  padding-top: 6px; outline: 0; }"
        "QListWidget#sidebar::item { border-left: 3px solid transparent; padding-left: 12px; color: #ccccdc; }"
        "QListWidget#sidebar::item:selected { background: #22252b; color: #ffffff;"
        "  border-left: 3px solid #f55f3e; }"
        "QToolBar { background: #181b1f; border-bottom: 1px solid #24272d; spacing: 6px; padding: 3px; }"
        "QStatusBar { background: #181b1f; border-top: 1px solid #24272d; }"
        "QPushButton#runQueryButton { background: #3d71d9; color: white; border: none;"
        "  border-radius: 2px; padding: 5px 14px; }"
        "QPushButton#runQueryButton:hover { background: #5a8ae6; }"
        "QHeaderView::section { background: #22252b; color: #ccccdc; border: none;"
        "  border-right: 1px solid #2c3037; padding: 4px 6px; }"
        "QTableView { gridline-color: #24272d; border: 1px solid #24272d; }"
        "QPlainTextEdit, QLineEdit { border: 1px solid #34383e; border-radius: 2px; background: #111217; }"
        "QPlainTextEdit:focus, QLineEdit:focus { border: 1px solid #3d71d9; }"
        "QSplitter::handle { background: #111217; }"));
}

} // namespace spyglass::gui
