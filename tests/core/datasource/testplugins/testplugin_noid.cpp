// A plugin the registry must refuse from its metadata alone. If its code is
// ever mapped, the static initialiser below leaves a mark the test checks.
#include "core/datasource/datasource.h"

#include <QObject>

[[maybe_unused]] static const bool s_loadedMark = [] {
    qputenv("SPYGLASS_TESTPLUGIN_LOADED_noid", "1");
    return true;
}();

class BadFactory_noid : public QObject
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID SPYGLASS_DATASOURCE_FACTORY_IID FILE "testplugin_noid.json")
};

#include "testplugin_noid.moc"
