#include "core/datasource/plugin_registry.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
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

const QString kTestPluginDir = QStringLiteral(SPYGLASS_TESTPLUGIN_DIR);

QString pluginFile(const QString &name)
{
    return QDir(kTestPluginDir).canonicalPath() + QStringLiteral("/lib") + name + QStringLiteral(".so");
}

const PluginInfo *byFile(const PluginRegistry &r, const QString &path)
{
    for (const PluginInfo &p : r.plugins())
        if (p.filePath == path)
            return &p;
    return nullptr;
}

QJsonObject json(const char *text)
{
    return QJsonDocument::fromJson(QByteArray(text)).object();
}

} // namespace

class TestPluginRegistry : public QObject
{
    Q_OBJECT
private slots:
    void goodPluginLoadsAndCreatesDatasource()
    {
        PluginRegistry reg;
        reg.setSearchPaths({kTestPluginDir});
        QCOMPARE(reg.scan(), 1);
        QCOMPARE(reg.loadedIds(), QStringList{QStringLiteral("test.good")});

        const PluginInfo *info = reg.plugin(QStringLiteral("test.good"));
        QVERIFY(info);
        QCOMPARE(info->state, PluginInfo::State::Loaded);
        QCOMPARE(info->name, QStringLiteral("Test plugin (good)"));
        QCOMPARE(info->version, QStringLiteral("1.2.3"));
        QCOMPARE(info->compatVersion, QStringLiteral("1.0"));
        QCOMPARE(info->kinds, Capability::Metrics | Capability::Logs);
        QCOMPARE(info->filePath, pluginFile(QStringLiteral("testplugin_good")));
        QVERIFY(info->errorString.isEmpty());
        QVERIFY(info->description.startsWith(QStringLiteral("A datasource")));

        DatasourceFactory *factory = reg.factory(QStringLiteral("test.good"));
        QVERIFY(factory);
        DatasourceSettings s;
        s.uid = QStringLiteral("c1");
        s.name = QStringLiteral("Constant");
        s.type = QStringLiteral("test.good");
        s.jsonData.insert(QStringLiteral("value"), QStringLiteral("42"));
        auto ds = factory->create(s, {});
        QVERIFY2(ds.has_value(), errorText(ds).constData());
        QCOMPARE((*ds)->settings().uid, QStringLiteral("c1"));
        QCOMPARE((*ds)->capabilities(), Capability::Metrics | Capability::Logs);

        QueryRequest req;
        req.expr = QStringLiteral("up");
        req.from = 1000;
        req.to = 2000;
        auto frames = (*ds)->query(req, {});
        QVERIFY(frames.has_value());
        QCOMPARE(frames->size(), 1);
        const model::Frame &f = frames->front();
        QCOMPARE(f.kind(), model::FrameKind::TimeSeries);
        QCOMPARE(f.seriesLabels().metricName(), QStringLiteral("up"));
        QCOMPARE(f.fields()[0].int64s(), (QList<std::int64_t>{1000, 2000}));
        QCOMPARE(f.fields()[1].doubles(), (QList<double>{42.0, 43.0}));
        QCOMPARE((*ds)->checkHealth({}).value(), QStringLiteral("constant at 42"));

        CancelToken cancel;
        cancel.cancel();
        auto cancelled = (*ds)->query(req, cancel);
        QVERIFY(!cancelled);
        QCOMPARE(cancelled.error().kind, Error::Kind::Cancelled);

        s.jsonData.insert(QStringLiteral("fail"), true);
        auto refused = factory->create(s, {});
        QVERIFY(!refused);
        QCOMPARE(refused.error().message, QStringLiteral("asked to fail"));
    }

    void datasourceOutlivesTheRegistry()
    {
        std::unique_ptr<Datasource> ds;
        {
            PluginRegistry reg;
            reg.setSearchPaths({kTestPluginDir});
            reg.scan();
            DatasourceSettings s;
            s.type = QStringLiteral("test.good");
            auto created = reg.factory(QStringLiteral("test.good"))->create(s, {});
            QVERIFY(created.has_value());
            ds = std::move(*created);
        }
        // The plugin's code is still mapped: calling into it is safe.
        QueryRequest req;
        req.expr = QStringLiteral("still_here");
        auto frames = ds->query(req, {});
        QVERIFY(frames.has_value());
        QCOMPARE(frames->front().seriesLabels().metricName(), QStringLiteral("still_here"));
    }

    void badPluginsAreListedAsFailedAndNeverLoaded_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("error");
        QTest::newRow("no id") << QStringLiteral("testplugin_noid")
                               << QStringLiteral("manifest has no \"id\" (expected a non-empty string, got missing)");
        QTest::newRow("unknown kind") << QStringLiteral("testplugin_badkind")
                                      << QStringLiteral("manifest of plugin \"test.badkind\" has an unknown kind "
                                                        "\"telepathy\" (known: metrics, logs, traces, profiles)");
        QTest::newRow("wrong IID") << QStringLiteral("testplugin_wrongiid")
                                   << QStringLiteral("built for datasource interface 0.9, this Spyglass provides 1.0");
    }
    void badPluginsAreListedAsFailedAndNeverLoaded()
    {
        QFETCH(QString, file);
        QFETCH(QString, error);
        PluginRegistry reg;
        reg.setSearchPaths({kTestPluginDir});
        reg.scan();
        QCOMPARE(reg.plugins().size(), 4);
        const PluginInfo *info = byFile(reg, pluginFile(file));
        QVERIFY2(info, qPrintable(file));
        QCOMPARE(info->state, PluginInfo::State::Failed);
        QCOMPARE(info->errorString, error);
        if (!info->id.isEmpty())
            QVERIFY(!reg.factory(info->id));
        // The plugin's static initialiser would have set this had its code been mapped.
        const QString kind = file.mid(QStringLiteral("testplugin_").size());
        QVERIFY(!qEnvironmentVariableIsSet(qPrintable(QStringLiteral("SPYGLASS_TESTPLUGIN_LOADED_") + kind)));
    }

    void nonPluginFilesAreReportedNotFatal()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        auto write = [&](const QString &name, const QByteArray &content) {
            QFile f(dir.filePath(name));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(content);
        };
        write(QStringLiteral("libfoo.so"), "this is not a shared library\n");
        write(QStringLiteral("libempty.so"), QByteArray());
        write(QStringLiteral("README.txt"), "not even named like a library\n");
        QDir(dir.path()).mkdir(QStringLiteral("libdir.so")); // a directory named like a library

        PluginRegistry reg;
        reg.setSearchPaths({dir.path(), dir.path() + QStringLiteral("/does-not-exist")});
        QCOMPARE(reg.scan(), 0);
        QCOMPARE(reg.plugins().size(), 2);
        for (const PluginInfo &p : reg.plugins()) {
            QCOMPARE(p.state, PluginInfo::State::Failed);
            QCOMPARE(p.errorString, QStringLiteral("not a Qt plugin (no plugin metadata found)"));
            QVERIFY(p.filePath.endsWith(QStringLiteral("libfoo.so")) || p.filePath.endsWith(QStringLiteral("libempty.so")));
        }
        QVERIFY(reg.loadedIds().isEmpty());
    }

    void duplicateIdFirstWins()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString copy = dir.filePath(QStringLiteral("libtestplugin_good_copy.so"));
        QVERIFY(QFile::copy(pluginFile(QStringLiteral("testplugin_good")), copy));

        PluginRegistry reg;
        reg.setSearchPaths({kTestPluginDir, dir.path()});
        QCOMPARE(reg.scan(), 1);
        const PluginInfo *dup = byFile(reg, QFileInfo(copy).canonicalFilePath());
        QVERIFY(dup);
        QCOMPARE(dup->state, PluginInfo::State::Failed);
        QVERIFY2(dup->errorString.startsWith(QStringLiteral("duplicate plugin id \"test.good\"")),
                 qPrintable(dup->errorString));
        QVERIFY(dup->errorString.contains(pluginFile(QStringLiteral("testplugin_good"))));
        // Look-ups give the one that works.
        QCOMPARE(reg.plugin(QStringLiteral("test.good"))->state, PluginInfo::State::Loaded);
        QVERIFY(reg.factory(QStringLiteral("test.good")));
    }

    void sameDirectoryTwiceAndRescanAreHarmless()
    {
        PluginRegistry reg;
        reg.setSearchPaths({kTestPluginDir, kTestPluginDir + QStringLiteral("/.")});
        QCOMPARE(reg.scan(), 1);
        QCOMPARE(reg.plugins().size(), 4);
        QCOMPARE(reg.scan(), 0);
        QCOMPARE(reg.plugins().size(), 4);
    }

    void disabledPluginIsNotLoaded()
    {
        PluginRegistry reg;
        reg.setSearchPaths({kTestPluginDir});
        reg.setDisabledIds({QStringLiteral("test.good")});
        QCOMPARE(reg.scan(), 0);
        const PluginInfo *info = reg.plugin(QStringLiteral("test.good"));
        QVERIFY(info);
        QCOMPARE(info->state, PluginInfo::State::Disabled);
        QVERIFY(!reg.factory(QStringLiteral("test.good")));
        QVERIFY(reg.loadedIds().isEmpty());
    }

    void defaultSearchPaths()
    {
        qputenv("SPYGLASS_PLUGIN_PATH", "/opt/a::/opt/b");
        const QStringList dirs = PluginRegistry::defaultSearchPaths();
        qunsetenv("SPYGLASS_PLUGIN_PATH");
        QVERIFY(dirs.size() >= 5);
        QCOMPARE(dirs[0], QStringLiteral("/opt/a"));
        QCOMPARE(dirs[1], QStringLiteral("/opt/b"));
        const QString exeDir = QCoreApplication::applicationDirPath();
        QVERIFY(dirs.contains(exeDir + QStringLiteral("/../plugins")));
        QVERIFY(dirs.contains(exeDir + QStringLiteral("/../lib/spyglass/plugins")));
        QVERIFY(dirs.last().endsWith(QStringLiteral("/plugins")));
        QDir().mkpath(QStringLiteral(SPYGLASS_PLUGIN_DIR));
        QVERIFY(PluginRegistry::defaultSearchPaths().contains(QStringLiteral(SPYGLASS_PLUGIN_DIR)));
    }

    void parseManifest_data()
    {
        QTest::addColumn<QByteArray>("manifest");
        QTest::addColumn<QString>("error"); // empty = valid
        const QByteArray ok = R"({"id":"x","name":"X","version":"1.0.0","compatVersion":"1.0","kinds":["metrics"]})";
        QTest::newRow("valid") << ok << QString();
        QTest::newRow("valid, no name") << QByteArray(R"({"id":"x","version":"2","compatVersion":"1.0","kinds":["traces","profiles"]})")
                                        << QString();
        QTest::newRow("id empty") << QByteArray(R"({"id":"","version":"1","compatVersion":"1.0","kinds":["metrics"]})")
                                  << QStringLiteral("manifest has no \"id\" (expected a non-empty string, got a string)");
        QTest::newRow("id number") << QByteArray(R"({"id":3,"version":"1","compatVersion":"1.0","kinds":["metrics"]})")
                                   << QStringLiteral("manifest has no \"id\" (expected a non-empty string, got a number)");
        QTest::newRow("id with slash") << QByteArray(R"({"id":"a/b","version":"1","compatVersion":"1.0","kinds":["metrics"]})")
                                       << QStringLiteral("manifest id \"a/b\" may only contain letters, digits, '-', '_' and '.'");
        QTest::newRow("no version") << QByteArray(R"({"id":"x","compatVersion":"1.0","kinds":["metrics"]})")
                                    << QStringLiteral("manifest of plugin \"x\" has no \"version\" string (got missing)");
        QTest::newRow("bad version") << QByteArray(R"({"id":"x","version":"1.0-beta","compatVersion":"1.0","kinds":["metrics"]})")
                                     << QStringLiteral("manifest of plugin \"x\" has a bad version \"1.0-beta\" (expected digits like 1.2.3)");
        QTest::newRow("four-part version") << QByteArray(R"({"id":"x","version":"1.2.3.4","compatVersion":"1.0","kinds":["metrics"]})")
                                           << QStringLiteral("manifest of plugin \"x\" has a bad version \"1.2.3.4\" (expected digits like 1.2.3)");
        QTest::newRow("no compatVersion") << QByteArray(R"({"id":"x","version":"1","kinds":["metrics"]})")
                                          << QStringLiteral("manifest of plugin \"x\" has no \"compatVersion\" string (the plugin API version it was built for, e.g. \"1.0\"; got missing)");
        QTest::newRow("newer API major") << QByteArray(R"({"id":"x","version":"1","compatVersion":"2.0","kinds":["metrics"]})")
                                         << QStringLiteral("plugin \"x\" needs plugin API 2.0, this Spyglass provides 1.0");
        QTest::newRow("newer API minor") << QByteArray(R"({"id":"x","version":"1","compatVersion":"1.1","kinds":["metrics"]})")
                                         << QStringLiteral("plugin \"x\" needs plugin API 1.1, this Spyglass provides 1.0");
        QTest::newRow("older API major") << QByteArray(R"({"id":"x","version":"1","compatVersion":"0.9","kinds":["metrics"]})")
                                         << QStringLiteral("plugin \"x\" needs plugin API 0.9, this Spyglass provides 1.0");
        QTest::newRow("no kinds") << QByteArray(R"({"id":"x","version":"1","compatVersion":"1.0"})")
                                  << QStringLiteral("manifest of plugin \"x\" needs \"kinds\": a non-empty array of metrics, logs, traces, profiles (got missing)");
        QTest::newRow("empty kinds") << QByteArray(R"({"id":"x","version":"1","compatVersion":"1.0","kinds":[]})")
                                     << QStringLiteral("manifest of plugin \"x\" needs \"kinds\": a non-empty array of metrics, logs, traces, profiles (got an empty array)");
        QTest::newRow("kind not a string") << QByteArray(R"({"id":"x","version":"1","compatVersion":"1.0","kinds":[1]})")
                                           << QStringLiteral("manifest of plugin \"x\" has an unknown kind \"a number\" (known: metrics, logs, traces, profiles)");
        QTest::newRow("name not a string") << QByteArray(R"({"id":"x","name":[],"version":"1","compatVersion":"1.0","kinds":["logs"]})")
                                           << QStringLiteral("manifest \"name\" of plugin \"x\" must be a string, got an array");
    }
    void parseManifest()
    {
        QFETCH(QByteArray, manifest);
        QFETCH(QString, error);
        auto r = PluginRegistry::parseManifest(QJsonDocument::fromJson(manifest).object());
        if (error.isEmpty()) {
            QVERIFY2(r.has_value(), errorText(r).constData());
            QCOMPARE(r->id, QStringLiteral("x"));
            QVERIFY(!r->name.isEmpty());
            QVERIFY(r->kinds != Capabilities());
        } else {
            QVERIFY(!r.has_value());
            QCOMPARE(r.error().message, error);
        }
    }

    void checkMetaData()
    {
        auto empty = PluginRegistry::checkMetaData({});
        QCOMPARE(empty.error().message, QStringLiteral("not a Qt plugin (no plugin metadata found)"));
        auto foreign = PluginRegistry::checkMetaData(json(R"({"IID":"org.qt-project.Qt.QPA","MetaData":{}})"));
        QCOMPARE(foreign.error().message,
                 QStringLiteral("not a Spyglass datasource plugin (interface \"org.qt-project.Qt.QPA\", expected "
                                "\"org.spyglass.DatasourceFactory/1.0\")"));
        auto newer = PluginRegistry::checkMetaData(json(R"({"IID":"org.spyglass.DatasourceFactory/2.0"})"));
        QCOMPARE(newer.error().message, QStringLiteral("built for datasource interface 2.0, this Spyglass provides 1.0"));
        auto noManifest = PluginRegistry::checkMetaData(json(R"({"IID":"org.spyglass.DatasourceFactory/1.0"})"));
        QCOMPARE(noManifest.error().message,
                 QStringLiteral("plugin has no manifest (Q_PLUGIN_METADATA needs FILE \"<id>.json\")"));
        auto good = PluginRegistry::checkMetaData(json(
            R"({"IID":"org.spyglass.DatasourceFactory/1.0","MetaData":{"id":"y","version":"1","compatVersion":"1.0","kinds":["logs"]}})"));
        QVERIFY(good.has_value());
        QCOMPARE(good->kinds, Capabilities(Capability::Logs));
    }

    void registerStaticFactory()
    {
        struct NullFactory : DatasourceFactory
        {
            Result<std::unique_ptr<Datasource>> create(const DatasourceSettings &, const DatasourceContext &) override
            {
                return fail(Error::invalid(QStringLiteral("null")));
            }
        } nullFactory;
        PluginRegistry reg;
        reg.setSearchPaths({kTestPluginDir});
        const QJsonObject manifest = json(R"({"id":"test.good","version":"1","compatVersion":"1.0","kinds":["metrics"]})");
        QVERIFY(reg.registerStatic(manifest, &nullFactory).has_value());
        QCOMPARE(reg.factory(QStringLiteral("test.good")), &nullFactory);
        auto again = reg.registerStatic(manifest, &nullFactory);
        QCOMPARE(again.error().message, QStringLiteral("duplicate plugin id \"test.good\""));
        QVERIFY(!reg.registerStatic(json(R"({"id":"z"})"), &nullFactory));
        QVERIFY(!reg.registerStatic(json(R"({"id":"w","version":"1","compatVersion":"1.0","kinds":["logs"]})"), nullptr));
        // The file plugin with the same id now loses to the built-in one.
        QCOMPARE(reg.scan(), 0);
        const PluginInfo *dup = byFile(reg, pluginFile(QStringLiteral("testplugin_good")));
        QVERIFY(dup);
        QCOMPARE(dup->errorString, QStringLiteral("duplicate plugin id \"test.good\" (already provided by the program)"));
        QCOMPARE(reg.factory(QStringLiteral("test.good")), &nullFactory);
    }
};

QTEST_GUILESS_MAIN(TestPluginRegistry)
#include "tst_plugin_registry.moc"
