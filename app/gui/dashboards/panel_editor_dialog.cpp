#include "app/gui/dashboards/panel_editor_dialog.h"

#include "app/gui/dashboards/dashboard_view.h"
#include "app/gui/panels/panel_view.h"
#include "core/dashboard/datasource_mapper.h"
#include "core/viz/panel_types.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QSplitter>
#include <QTimer>
#include <QVBoxLayout>

namespace spyglass::gui::dashboards {

namespace {

QString str(const char *s) { return QString::fromLatin1(s); }

// The key holding a target's query text.
QString queryKey(const QJsonObject &target, const QString &grafanaType)
{
    if (target.contains(QLatin1String("expr")))
        return str("expr");
    if (target.contains(QLatin1String("query")) || grafanaType == u"tempo")
        return str("query");
    return str("expr");
}

} // namespace

PanelEditorDialog::PanelEditorDialog(DashboardView *dashboard, const QJsonObject &panel,
                                     const QList<datasource::DatasourceSettings> &datasources, QWidget *parent)
    : QDialog(parent),
      m_dashboard(dashboard),
      m_original(panel),
      m_title(new QLineEdit(this)),
      m_description(new QLineEdit(this)),
      m_type(new QComboBox(this)),
      m_unit(new QComboBox(this)),
      m_decimals(new QSpinBox(this)),
      m_previewBox(new QVBoxLayout),
      m_queriesBox(new QVBoxLayout),
      m_previewStatus(new QLabel(this)),
      m_debounce(new QTimer(this))
{
    Q_UNUSED(datasources);
    setWindowTitle(tr("Edit panel: %1").arg(panel.value(u"title").toString()));
    resize(1200, 760);
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(400);
    connect(m_debounce, &QTimer::timeout, this, &PanelEditorDialog::refreshPreview);

    auto *layout = new QVBoxLayout(this);
    auto *split = new QSplitter(Qt::Horizontal, this);

    // Left: preview on top, queries below.
    auto *left = new QSplitter(Qt::Vertical, split);
    auto *previewHost = new QWidget(left);
    previewHost->setLayout(m_previewBox);
    m_previewBox->setContentsMargins(0, 0, 0, 0);
    m_previewStatus->setStyleSheet(QStringLiteral("color: #8e8e8e;"));
    m_previewStatus->setWordWrap(true);
    m_previewBox->addWidget(m_previewStatus);
    auto *queriesScroll = new QScrollArea(left);
    queriesScroll->setWidgetResizable(true);
    auto *queriesHost = new QWidget(queriesScroll);
    queriesHost->setLayout(m_queriesBox);
    queriesScroll->setWidget(queriesHost);
    left->addWidget(previewHost);
    left->addWidget(queriesScroll);
    left->setStretchFactor(0, 3);
    left->setStretchFactor(1, 2);
    queriesScroll->setMinimumHeight(200);
    left->setSizes({460, 240});

    const QString dsType = dashboard::DatasourceRef::fromJson(panel.value(u"datasource")).type;
    for (const QJsonValue &t : panel.value(u"targets").toArray())
        addTargetEditor(t.toObject());
    auto *addQuery = new QPushButton(tr("+ Query"), queriesHost);
    connect(addQuery, &QPushButton::clicked, this, [this, dsType] {
        const QString refId = QString(QChar(u'A' + char16_t(m_targets.size() % 26)));
        addTargetEditor(QJsonObject{{str("refId"), refId}, {queryKey({}, dsType), QString()}});
    });
    m_queriesBox->addWidget(addQuery, 0, Qt::AlignLeft);
    m_queriesBox->addStretch();

    // Right: options.
    auto *options = new QWidget(split);
    auto *form = new QFormLayout(options);
    for (const QString &t : viz::supportedPanelTypes())
        if (t != u"row")
            m_type->addItem(t, t);
    const QString type = panel.value(u"type").toString();
    if (m_type->findData(type) < 0)
        m_type->addItem(type, type);
    m_type->setCurrentIndex(m_type->findData(type));
    m_title->setText(panel.value(u"title").toString());
    m_description->setText(panel.value(u"description").toString());
    const QJsonObject defaults = panel.value(u"fieldConfig").toObject().value(u"defaults").toObject();
    m_unit->setEditable(true);
    for (const char *u : {"", "short", "none", "percent", "percentunit", "s", "ms", "\u00b5s", "ns", "bytes",
                          "decbytes", "bps", "Bps", "reqps", "ops", "rps", "wps", "dateTimeAsIso"})
        m_unit->addItem(QString::fromUtf8(u));
    m_unit->setCurrentText(defaults.value(u"unit").toString());
    m_decimals->setRange(-1, 10);
    m_decimals->setSpecialValueText(tr("auto"));
    m_decimals->setValue(defaults.contains(u"decimals") && !defaults.value(u"decimals").isNull()
                             ? defaults.value(u"decimals").toInt()
                             : -1);
    form->addRow(tr("Visualisation"), m_type);
    form->addRow(tr("Title"), m_title);
    form->addRow(tr("Description"), m_description);
    form->addRow(tr("Unit"), m_unit);
    form->addRow(tr("Decimals"), m_decimals);
    auto *dsLabel = new QLabel(dashboard::DatasourceRef::fromJson(panel.value(u"datasource")).displayText(), options);
    form->addRow(tr("Datasource"), dsLabel);
    split->addWidget(left);
    split->addWidget(options);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    layout->addWidget(split, 1);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Apply | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Apply)->setText(tr("Apply"));
    connect(buttons->button(QDialogButtonBox::Apply), &QPushButton::clicked, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);

    for (QLineEdit *e : {m_title, m_description})
        connect(e, &QLineEdit::textChanged, this, &PanelEditorDialog::schedulePreview);
    connect(m_type, &QComboBox::currentIndexChanged, this, &PanelEditorDialog::schedulePreview);
    connect(m_unit, &QComboBox::currentTextChanged, this, &PanelEditorDialog::schedulePreview);
    connect(m_decimals, &QSpinBox::valueChanged, this, &PanelEditorDialog::schedulePreview);
    rebuildPreviewView();
}

void PanelEditorDialog::addTargetEditor(const QJsonObject &target)
{
    const QString dsType = dashboard::DatasourceRef::fromJson(m_original.value(u"datasource")).type;
    const QString key = queryKey(target, dsType);
    auto *box = new QGroupBox(QStringLiteral("%1  \u2014  %2")
                                  .arg(target.value(u"refId").toString(str("A")),
                                       dashboard::DatasourceRef::fromJson(target.value(u"datasource").isUndefined()
                                                                              ? m_original.value(u"datasource")
                                                                              : target.value(u"datasource"))
                                           .displayText()));
    auto *l = new QVBoxLayout(box);
    auto *edit = new QPlainTextEdit(target.value(key).toString(), box);
    QFont mono(QStringLiteral("monospace"));
    mono.setStyleHint(QFont::Monospace);
    edit->setFont(mono);
    edit->setMinimumHeight(64);
    edit->setMaximumHeight(110);
    edit->setPlaceholderText(key == u"query" ? tr("TraceQL query") : tr("query"));
    l->addWidget(edit);
    connect(edit, &QPlainTextEdit::textChanged, this, &PanelEditorDialog::schedulePreview);
    m_targets.append(target);
    m_queryEdits.append(edit);
    // Before the "+ Query" button and the stretch, when they exist.
    const int count = m_queriesBox->count();
    m_queriesBox->insertWidget(count >= 2 ? count - 2 : count, box);
}

QJsonObject PanelEditorDialog::panelJson() const
{
    QJsonObject p = m_original;
    p[str("title")] = m_title->text();
    if (!m_description->text().isEmpty() || p.contains(u"description"))
        p[str("description")] = m_description->text();
    p[str("type")] = m_type->currentData().toString();
    QJsonObject fc = p.value(u"fieldConfig").toObject();
    QJsonObject defaults = fc.value(u"defaults").toObject();
    if (m_unit->currentText().isEmpty())
        defaults.remove(QLatin1String("unit"));
    else
        defaults[str("unit")] = m_unit->currentText();
    if (m_decimals->value() < 0)
        defaults.remove(QLatin1String("decimals"));
    else
        defaults[str("decimals")] = m_decimals->value();
    fc[str("defaults")] = defaults;
    if (!fc.contains(u"overrides"))
        fc[str("overrides")] = QJsonArray();
    p[str("fieldConfig")] = fc;
    const QString dsType = dashboard::DatasourceRef::fromJson(m_original.value(u"datasource")).type;
    QJsonArray targets;
    for (qsizetype i = 0; i < m_targets.size(); ++i) {
        QJsonObject t = m_targets[i];
        t[queryKey(t, dsType)] = m_queryEdits[i]->toPlainText();
        targets.append(t);
    }
    p[str("targets")] = targets;
    return p;
}

void PanelEditorDialog::schedulePreview() { m_debounce->start(); }

void PanelEditorDialog::rebuildPreviewView()
{
    const QString type = m_type->currentData().toString();
    if (m_preview && type == m_previewType)
        return;
    delete m_preview;
    m_preview = panels::createPanelView(type, this);
    m_previewType = type;
    if (m_preview) {
        m_preview->setMinimumHeight(260);
        m_previewBox->insertWidget(0, m_preview, 1);
    }
}

void PanelEditorDialog::refreshPreview()
{
    rebuildPreviewView();
    const QJsonObject json = panelJson();
    if (m_preview)
        m_preview->setPanelJson(json);
    m_previewStatus->setText(tr("Running the queries\u2026"));
    const int width = m_preview ? std::max(m_preview->width(), 300) : 800;
    m_dashboard->runPreview(json, width, this, [this, json](const PanelQueryResult &r) {
        ++m_previewRuns;
        if (m_preview) {
            m_preview->setPanelJson(json);
            m_preview->setFrames(r.frames, r.from, r.to);
        }
        m_previewStatus->setText(r.errors.isEmpty()
                                     ? tr("%n frames", nullptr, int(r.frames.size()))
                                     : r.errors.join(QLatin1Char('\n')));
        m_previewStatus->setStyleSheet(r.errors.isEmpty() ? QStringLiteral("color: #8e8e8e;") : QStringLiteral("color: #ff7383;"));
        emit previewFinished();
    });
}

} // namespace spyglass::gui::dashboards
