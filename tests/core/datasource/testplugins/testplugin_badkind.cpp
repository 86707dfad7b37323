// A plugin the registry must refuse from its metadata alone. If its code is
// ever mapped, the static initialiser below leaves a mark the test checks.
#include "core/datasource/datasource.h"

#include <QObject>

[[maybe_unused]] static const bool s_loadedMark = [] {
    qputenv("SPYGLASS_TESTPLUGIN_LOADED_badkind", "1");
    return true;
}();

class BadFactory_badkind : public QObject
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID SPYGLASS_DATASOURCE_FACTORY_IID FILE "testplugin_badkind.json")
};

#include "testplugin_badkind.moc"
