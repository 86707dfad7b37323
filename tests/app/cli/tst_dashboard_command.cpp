#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

namespace {

struct Run
{
    int exitCode = -1;
    QString out;
    QString err;
};

Run runCore(const QStringList &args)
{
    QProcess p;
    p.start(QStringLiteral(SPYGLASS_BINARY_DIR "/app/cli/spyglass-core"), args);
    Run r;
    if (!p.waitForFinished(60'000))
        return r;
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

QString corpus(const char *rel) { return QStringLiteral(SPYGLASS_CORPUS_DIR "/intro-to-mltp/grafana/") + QLatin1String(rel); }

} // namespace

class TestDashboardCommand : public QObject
{
    Q_OBJECT
private slots:
    void checkCorpusDashboards()
    {
        const QStringList files{corpus("definitions/mlt.json"), corpus("definitions/mlt-erroring-endpoints.json"),
                                corpus("definitions/traces-in-dashboards.json"), corpus("definitions/k6.json")};
        const Run r = runCore(QStringList{QStringLiteral("dashboard"), QStringLiteral("check")} + files);
        QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));
        QVERIFY(r.out.contains(QStringLiteral("\"MLT Dashboard\"")));
        QVERIFY(r.out.contains(QStringLiteral("8 panels, 0 unsupported")));
        QVERIFY(r.out.contains(QStringLiteral("18 panels, 0 unsupported"))); // k6
        QVERIFY(r.out.contains(QStringLiteral("ok          #")));
        QVERIFY(r.out.contains(QStringLiteral("\"Autologged Errors\" type=logs datasource=loki (loki): supported")));
        QVERIFY(!r.out.contains(QStringLiteral("UNSUPPORTED")));
        // 8 + 3 + 4 + 18 panel lines.
        QCOMPARE(r.out.count(QStringLiteral("\n  ok ")), 33);
    }

    void checkWithProvisioning()
    {
        const Run r = runCore({QStringLiteral("dashboard"), QStringLiteral("check"), QStringLiteral("--datasources"),
                               corpus("provisioning/datasources/datasources.yaml"), corpus("definitions/mlt.json")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains(QStringLiteral("datasource=mimir (prometheus) -> mimir")), qPrintable(r.out));
    }

    void checkFailsOnUnsupportedAndUnreadable()
    {
        QTemporaryDir dir;
        const QString bad = dir.filePath(QStringLiteral("bad.json"));
        QFile f(bad);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"J({"title": "Old", "panels": [{"id": 1, "type": "grafana-worldmap-panel", "title": "Map"},
                    {"id": 2, "type": "graph", "title": "Legacy"}]})J");
        f.close();
        Run r = runCore({QStringLiteral("dashboard"), QStringLiteral("check"), bad});
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.out.contains(QStringLiteral("UNSUPPORTED #1 \"Map\" type=grafana-worldmap-panel")));
        QVERIFY(r.out.contains(QStringLiteral("unsupported panel type \"grafana-worldmap-panel\"")));
        QVERIFY(r.out.contains(QStringLiteral("migrated: panel 2 \"Legacy\": graph -> timeseries")));

        r = runCore({QStringLiteral("dashboard"), QStringLiteral("check"), dir.filePath(QStringLiteral("missing.json"))});
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.err.contains(QStringLiteral("cannot read")));

        const QString broken = dir.filePath(QStringLiteral("broken.json"));
        QFile g(broken);
        QVERIFY(g.open(QIODevice::WriteOnly));
        g.write("{\n \"panels\": [\n");
        g.close();
        r = runCore({QStringLiteral("dashboard"), QStringLiteral("check"), broken});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(broken + QStringLiteral(":3:")), qPrintable(r.err));

        r = runCore({QStringLiteral("dashboard"), QStringLiteral("frobnicate")});
        QCOMPARE(r.exitCode, 2);
    }

    void normalizeRoundTrips()
    {
        const Run r = runCore({QStringLiteral("dashboard"), QStringLiteral("normalize"), corpus("definitions/k6.json")});
        QCOMPARE(r.exitCode, 0);
        QFile f(corpus("definitions/k6.json"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QJsonObject original = QJsonDocument::fromJson(f.readAll()).object();
        const QJsonObject normalized = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(normalized, original);
        QVERIFY(r.err.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestDashboardCommand)
#include "tst_dashboard_command.moc"
