// A plugin the registry must refuse from its metadata alone. If its code is
// ever mapped, the static initialiser below leaves a mark the test checks.
#include "core/datasource/datasource.h"

#include <QObject>

[[maybe_unused]] static const bool s_loadedMark = [] {
    qputenv("SPYGLASS_TESTPLUGIN_LOADED_wrongiid", "1");
    return true;
}();

class BadFactory_wrongiid : public QObject
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID "org.spyglass.DatasourceFactory/0.9" FILE "testplugin_wrongiid.json")
};

#include "testplugin_wrongiid.moc"
