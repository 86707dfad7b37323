#include "core/datasource/datasource_registry.h"
#include "core/datasource/plugin_registry.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace spyglass;
using namespace spyglass::datasource;

namespace {

// QVERIFY2 builds its message even on success, so never touch error() of a value.
template <typename T>
QByteArray errorText(const Result<T> &r)
{
    return r ? QByteArray("ok") : r.error().toString().toUtf8();
}

DatasourceSettings constant(const QString &uid, const QString &name, bool isDefault = false)
{
    DatasourceSettings s;
    s.uid = uid;
    s.name = name;
    s.type = QStringLiteral("test.good");
    s.isDefault = isDefault;
    return s;
}

void writeFile(const QString &path, const QByteArray &content)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(content);
}

} // namespace

class TestDatasourceRegistry : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        m_plugins.setSearchPaths({QStringLiteral(SPYGLASS_TESTPLUGIN_DIR)});
        m_plugins.scan();
        QVERIFY(m_plugins.factory(QStringLiteral("test.good")));
    }

    void addCreatesInstances()
    {
        DatasourceRegistry reg(m_plugins);
        auto a = reg.add(constant(QStringLiteral("a"), QStringLiteral("Alpha")));
        QVERIFY2(a.has_value(), errorText(a).constData());
        QCOMPARE((*a)->settings().name, QStringLiteral("Alpha"));
        QCOMPARE(reg.datasource(QStringLiteral("a")), *a);
        QCOMPARE(reg.datasourceByName(QStringLiteral("Alpha")), *a);
        QCOMPARE(reg.find(QStringLiteral("Alpha")).value(), *a);
        QCOMPARE(reg.find(QStringLiteral("a")).value(), *a);
        QVERIFY(reg.errorString(QStringLiteral("a")).isEmpty());
        QCOMPARE(reg.find(QStringLiteral("nope")).error().kind, Error::Kind::NotFound);

        // No uid: one is generated and kept.
        auto generated = reg.add(constant(QString(), QStringLiteral("Gamma")));
        QVERIFY(generated.has_value());
        QVERIFY(!(*generated)->settings().uid.isEmpty());
        QCOMPARE(reg.settingsList().size(), 2);

        // Same uid replaces, keeping the position.
        auto replaced = reg.add(constant(QStringLiteral("a"), QStringLiteral("Alpha 2")));
        QVERIFY(replaced.has_value());
        QCOMPARE(reg.settingsList().size(), 2);
        QCOMPARE(reg.settingsList().front().name, QStringLiteral("Alpha 2"));
        // A query still running on the old instance keeps it alive.
        QCOMPARE((*a)->settings().name, QStringLiteral("Alpha"));

        QVERIFY(reg.remove(QStringLiteral("a")));
        QVERIFY(!reg.remove(QStringLiteral("a")));
        QVERIFY(!reg.datasource(QStringLiteral("a")));
        QCOMPARE(reg.settingsList().size(), 1);
    }

    void defaultDatasource()
    {
        DatasourceRegistry reg(m_plugins);
        QVERIFY(!reg.defaultDatasource());
        QVERIFY(reg.defaultUid().isEmpty());
        reg.add(constant(QStringLiteral("a"), QStringLiteral("A")));
        reg.add(constant(QStringLiteral("b"), QStringLiteral("B")));
        QCOMPARE(reg.defaultUid(), QStringLiteral("a")); // first usable when none is marked
        reg.add(constant(QStringLiteral("c"), QStringLiteral("C"), true));
        QCOMPARE(reg.defaultUid(), QStringLiteral("c"));
        QCOMPARE(reg.defaultDatasource(), reg.datasource(QStringLiteral("c")));
        reg.add(constant(QStringLiteral("d"), QStringLiteral("D"), true)); // a new default clears the old flag
        QCOMPARE(reg.defaultUid(), QStringLiteral("d"));
        QVERIFY(!reg.settings(QStringLiteral("c"))->isDefault);
        QVERIFY(reg.setDefault(QStringLiteral("b")));
        QVERIFY(!reg.setDefault(QStringLiteral("zz")));
        QCOMPARE(reg.defaultUid(), QStringLiteral("b"));
        int defaults = 0;
        for (const auto &s : reg.settingsList())
            defaults += s.isDefault ? 1 : 0;
        QCOMPARE(defaults, 1);
    }

    void missingPluginIsAReadableErrorAndSettingsAreKept()
    {
        DatasourceRegistry reg(m_plugins);
        DatasourceSettings prom;
        prom.uid = QStringLiteral("prom");
        prom.name = QStringLiteral("Prometheus");
        prom.type = QStringLiteral("prometheus");
        prom.url = QStringLiteral("http://127.0.0.1:9090");
        prom.isDefault = true;
        auto r = reg.add(prom);
        QVERIFY(!r.has_value());
        const QString expected =
            QStringLiteral("datasource \"Prometheus\" needs the \"prometheus\" plugin, which is not installed");
        QCOMPARE(r.error().message, expected);
        QCOMPARE(reg.errorString(QStringLiteral("prom")), expected);
        QVERIFY(!reg.datasource(QStringLiteral("prom")));
        QCOMPARE(reg.find(QStringLiteral("Prometheus")).error().kind, Error::Kind::Unavailable);
        QCOMPARE(reg.find(QStringLiteral("Prometheus")).error().message, expected);
        QCOMPARE(reg.settingsList().size(), 1);
        QCOMPARE(reg.settings(QStringLiteral("prom"))->url, QStringLiteral("http://127.0.0.1:9090"));

        // The marked default cannot be used: the first usable one serves instead.
        QVERIFY(!reg.defaultDatasource());
        reg.add(constant(QStringLiteral("a"), QStringLiteral("A")));
        QCOMPARE(reg.defaultUid(), QStringLiteral("a"));

        // A plugin that failed to load says so, with its reason.
        DatasourceSettings bad = constant(QStringLiteral("k"), QStringLiteral("Kinds"));
        bad.type = QStringLiteral("test.badkind");
        QCOMPARE(reg.add(bad).error().message,
                 QStringLiteral("datasource \"Kinds\" needs the \"test.badkind\" plugin, which failed to load: "
                                "manifest of plugin \"test.badkind\" has an unknown kind \"telepathy\" (known: "
                                "metrics, logs, traces, profiles)"));

        // A factory refusing the settings.
        DatasourceSettings refused = constant(QStringLiteral("f"), QStringLiteral("Failing"));
        refused.jsonData.insert(QStringLiteral("fail"), true);
        QCOMPARE(reg.add(refused).error().message,
                 QStringLiteral("datasource \"Failing\" (test.good) could not be created: asked to fail"));
    }

    void saveLoadRoundTrip()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("config/datasources.json"));

        DatasourceRegistry reg(m_plugins);
        DatasourceSettings a = constant(QStringLiteral("a"), QStringLiteral("Alpha"));
        a.url = QStringLiteral("http://127.0.0.1:1234/x");
        a.jsonData.insert(QStringLiteral("value"), QStringLiteral("7"));
        a.jsonData.insert(QStringLiteral("timeoutSeconds"), 30);
        a.jsonData.insert(QStringLiteral("nested"), QVariantMap{{QStringLiteral("k"), true}});
        a.secureJsonData.insert(QStringLiteral("token"), QStringLiteral("s3cret"));
        reg.add(a);
        reg.add(constant(QStringLiteral("b"), QStringLiteral("Beta"), true));
        DatasourceSettings missing = constant(QStringLiteral("m"), QStringLiteral("Missing"));
        missing.type = QStringLiteral("loki");
        reg.add(missing);
        QVERIFY(reg.save(path).has_value());
        QCOMPARE(QFile(path).permissions() & (QFileDevice::ReadOther | QFileDevice::ReadGroup), QFileDevice::Permissions());

        DatasourceRegistry loaded(m_plugins);
        loaded.add(constant(QStringLiteral("old"), QStringLiteral("Replaced by load")));
        auto n = loaded.load(path);
        QVERIFY2(n.has_value(), errorText(n).constData());
        QCOMPARE(*n, 3);
        const auto list = loaded.settingsList();
        QCOMPARE(list.size(), 3);
        QCOMPARE(list[0].uid, QStringLiteral("a"));
        QCOMPARE(list[0].name, QStringLiteral("Alpha"));
        QCOMPARE(list[0].type, QStringLiteral("test.good"));
        QCOMPARE(list[0].url, QStringLiteral("http://127.0.0.1:1234/x"));
        QCOMPARE(list[0].isDefault, false);
        QCOMPARE(list[0].jsonData.value(QStringLiteral("value")).toString(), QStringLiteral("7"));
        QCOMPARE(list[0].jsonData.value(QStringLiteral("timeoutSeconds")).toInt(), 30);
        QCOMPARE(list[0].jsonData.value(QStringLiteral("nested")).toMap().value(QStringLiteral("k")).toBool(), true);
        QCOMPARE(list[0].secureJsonData.value(QStringLiteral("token")).toString(), QStringLiteral("s3cret"));
        QCOMPARE(list[1].uid, QStringLiteral("b"));
        QCOMPARE(list[1].isDefault, true);
        QCOMPARE(list[2].type, QStringLiteral("loki"));
        QVERIFY(!loaded.datasource(QStringLiteral("old")));
        QCOMPARE(loaded.defaultUid(), QStringLiteral("b"));
        QCOMPARE(loaded.datasource(QStringLiteral("a"))->checkHealth({}).value(), QStringLiteral("constant at 7"));
        QVERIFY(!loaded.datasource(QStringLiteral("m")));
        QVERIFY(loaded.errorString(QStringLiteral("m")).contains(QStringLiteral("\"loki\" plugin, which is not installed")));

        // Saving again gives the same bytes: nothing is lost or reordered.
        const QString path2 = dir.filePath(QStringLiteral("again.json"));
        QVERIFY(loaded.save(path2).has_value());
        QFile f1(path), f2(path2);
        QVERIFY(f1.open(QIODevice::ReadOnly) && f2.open(QIODevice::ReadOnly));
        QCOMPARE(f2.readAll(), f1.readAll());
    }

    void loadMissingFileIsEmpty()
    {
        QTemporaryDir dir;
        DatasourceRegistry reg(m_plugins);
        reg.add(constant(QStringLiteral("a"), QStringLiteral("A")));
        auto n = reg.load(dir.filePath(QStringLiteral("none.json")));
        QVERIFY(n.has_value());
        QCOMPARE(*n, 0);
        QVERIFY(reg.settingsList().isEmpty());
    }

    void loadRejectsMalformedFilesAndKeepsConfiguration_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("error");
        QTest::newRow("not json") << QByteArray("{\"datasources\": [") << QStringLiteral("not valid JSON");
        QTest::newRow("array root") << QByteArray("[]") << QStringLiteral("expected an object with a \"datasources\" list");
        QTest::newRow("no list") << QByteArray(R"({"version":1})") << QStringLiteral("\"datasources\" must be a list");
        QTest::newRow("newer") << QByteArray(R"({"version":9,"datasources":[]})")
                               << QStringLiteral("written by a newer Spyglass (format version 9, this one reads up to 1)");
        QTest::newRow("entry not object") << QByteArray(R"({"datasources":[1]})") << QStringLiteral("datasource #1 is not an object");
        QTest::newRow("no uid") << QByteArray(R"({"datasources":[{"name":"x","type":"local"}]})")
                                << QStringLiteral("datasource #1: datasource \"x\" has no uid");
        QTest::newRow("no type") << QByteArray(R"({"datasources":[{"uid":"u"}]})")
                                 << QStringLiteral("datasource #1: datasource \"u\" has no type");
        QTest::newRow("uid not string") << QByteArray(R"({"datasources":[{"uid":5,"type":"local"}]})")
                                        << QStringLiteral("datasource #1: datasource field \"uid\" must be a string");
        QTest::newRow("bad isDefault") << QByteArray(R"({"datasources":[{"uid":"u","type":"local","isDefault":"yes"}]})")
                                       << QStringLiteral("datasource #1: datasource \"u\": isDefault must be true or false");
        QTest::newRow("bad jsonData") << QByteArray(R"({"datasources":[{"uid":"u","type":"local","jsonData":[]}]})")
                                      << QStringLiteral("datasource #1: datasource \"u\": jsonData must be an object");
        QTest::newRow("duplicate uid") << QByteArray(R"({"datasources":[{"uid":"u","type":"local"},{"uid":"u","type":"x"}]})")
                                       << QStringLiteral("datasource #2: duplicate uid \"u\"");
    }
    void loadRejectsMalformedFilesAndKeepsConfiguration()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, error);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("ds.json"));
        writeFile(path, content);
        DatasourceRegistry reg(m_plugins);
        reg.add(constant(QStringLiteral("keep"), QStringLiteral("Keep")));
        auto r = reg.load(path);
        QVERIFY(!r.has_value());
        QVERIFY2(r.error().message.startsWith(error), qPrintable(r.error().message));
        QCOMPARE(r.error().source, path);
        QVERIFY(r.error().toString().startsWith(path + QStringLiteral(": ")));
        QCOMPARE(reg.settingsList().size(), 1);
        QVERIFY(reg.datasource(QStringLiteral("keep")));
    }

    void saveToUnwritablePathFails()
    {
        QTemporaryDir dir;
        const QString blocker = dir.filePath(QStringLiteral("file"));
        writeFile(blocker, "x");
        DatasourceRegistry reg(m_plugins);
        auto r = reg.save(blocker + QStringLiteral("/sub/ds.json"));
        QVERIFY(!r.has_value());
        QCOMPARE(r.error().kind, Error::Kind::Io);
        QVERIFY(r.error().message.contains(blocker));
    }

    void ensureLocalReportsMissingPlugin()
    {
        DatasourceRegistry reg(m_plugins);
        auto r = reg.ensureLocal();
        QVERIFY(!r.has_value());
        QCOMPARE(r.error().message,
                 QStringLiteral("datasource \"Local store\" needs the \"local\" plugin, which is not installed"));
        const auto s = reg.settings(QStringLiteral("local"));
        QVERIFY(s.has_value());
        QCOMPARE(s->type, QStringLiteral("local"));
        QVERIFY(s->isDefault);
        // Asking again does not add a second one.
        QVERIFY(!reg.ensureLocal().has_value());
        QCOMPARE(reg.settingsList().size(), 1);
    }

private:
    PluginRegistry m_plugins;
};

QTEST_GUILESS_MAIN(TestDatasourceRegistry)
#include "tst_datasource_registry.moc"
