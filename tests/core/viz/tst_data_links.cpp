#include "core/viz/data_links.h"

#include <QTest>

using namespace spyglass;
using namespace spyglass::viz;

class TestDataLinks : public QObject
{
    Q_OBJECT
private slots:
    void interpolatesFieldRowAndData()
    {
        model::Frame f(QStringLiteral("traces"), model::FrameKind::Table);
        f.addField(model::Field::time(QStringLiteral("Time"), {1000, 2000}));
        f.addField(model::Field::string(QStringLiteral("traceID"), {QStringLiteral("abc"), QStringLiteral("def")}));
        f.addField(model::Field::float64(QStringLiteral("Value"), {1.5, 2.5},
                                         model::Labels{{QStringLiteral("service"), QStringLiteral("cart")},
                                                       {QStringLiteral("env"), QStringLiteral("prod")}}));
        DataLinkContext ctx{&f, &f.fields().at(2), 1, QStringLiteral("cart latency")};
        QCOMPARE(interpolateDataLink(QStringLiteral("/d/x?var-svc=${__field.labels.service}&v=${__value.raw}"), ctx),
                 QStringLiteral("/d/x?var-svc=cart&v=2.5"));
        QCOMPARE(interpolateDataLink(QStringLiteral("/explore?trace=${__data.fields.traceID}&t=${__value.time}"), ctx),
                 QStringLiteral("/explore?trace=def&t=2000"));
        QCOMPARE(interpolateDataLink(QStringLiteral("${__data.fields[1]}|${__data.fields[\"traceID\"]}"), ctx),
                 QStringLiteral("def|def"));
        QCOMPARE(interpolateDataLink(QStringLiteral("${__field.name} / ${__field.displayName}"), ctx),
                 QStringLiteral("Value / cart latency"));
        QCOMPARE(interpolateDataLink(QStringLiteral("q=${__field.labels:percentencode}"), ctx),
                 QStringLiteral("q=%7Benv%3D%22prod%22%2C%20service%3D%22cart%22%7D"));
        // Unknown variables stay for the dashboard to handle; missing labels are empty.
        QCOMPARE(interpolateDataLink(QStringLiteral("${__unknown}x${__field.labels.nope}"), ctx), QStringLiteral("${__unknown}x"));
        QCOMPARE(interpolateDataLink(QStringLiteral("${__data.fields.missing}"), ctx), QString());
    }
};

QTEST_GUILESS_MAIN(TestDataLinks)
#include "tst_data_links.moc"
