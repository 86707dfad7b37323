// OTLP profiles (development) into the profile store: the converter on
// hand-built requests (Pyroscope naming, inlined frames, links, malformed
// indices), then over real loopback: OTLP/HTTP protobuf and JSON, and
// OTLP/gRPC with the bearer-token check --listen-all turns on.

#include "core/api/http_server.h"
#include "core/ingest/blocking_http_client.h"
#include "core/ingest/http_ingest_receiver.h"
#include "core/ingest/otlp_grpc_receiver.h"
#include "core/ingest/otlp_profiles_converter.h"
#include "core/ingest/storage_sink.h"
#include "core/ingest/wire_encoder.h"
#include "core/proto/opentelemetry/proto/collector/profiles/v1development/profiles_service.grpc.pb.h"
#include "core/proto/opentelemetry/proto/collector/trace/v1/trace_service.grpc.pb.h"
#include "core/store/storage.h"

#include <grpcpp/grpcpp.h>

#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace spyglass;
using namespace spyglass::ingest;
namespace cp = opentelemetry::proto::collector::profiles::v1development;
namespace ct = opentelemetry::proto::collector::trace::v1;
namespace pp = opentelemetry::proto::profiles::v1development;

namespace {

constexpr std::uint64_t kTime = 1'700'000'000'000'000'000ULL;
const QString kCpu = QStringLiteral("process_cpu:cpu:nanoseconds:cpu:nanoseconds");

// A CPU profile of `service`: main -> handle -> parse (30) and main -> handle
// with `inlinedHelper` inlined into it (70, linked to a span).
cp::ExportProfilesServiceRequest cpuRequest(const std::string &service)
{
    cp::ExportProfilesServiceRequest r;
    auto *d = r.mutable_dictionary();
    for (const char *s : {"", "cpu", "nanoseconds", "main", "handle", "parse", "inlinedHelper", "thread"})
        d->add_string_table(s);
    d->add_function_table();
    for (int name : {3, 4, 5, 6})
        d->add_function_table()->set_name_strindex(name); // functions 1..4
    d->add_location_table();
    d->add_location_table()->add_lines()->set_function_index(1); // 1: main
    d->add_location_table()->add_lines()->set_function_index(2); // 2: handle
    d->add_location_table()->add_lines()->set_function_index(3); // 3: parse
    auto *inl = d->add_location_table();                         // 4: inlinedHelper inlined in handle
    inl->add_lines()->set_function_index(4);
    inl->add_lines()->set_function_index(2);
    d->add_stack_table();
    auto *s1 = d->add_stack_table(); // 1: parse <- handle <- main
    for (int l : {3, 2, 1})
        s1->add_location_indices(l);
    auto *s2 = d->add_stack_table(); // 2: inlinedHelper/handle <- main
    for (int l : {4, 1})
        s2->add_location_indices(l);
    d->add_link_table();
    auto *link = d->add_link_table();
    link->set_trace_id(std::string(16, '\x01'));
    link->set_span_id(std::string("\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11", 8));
    d->add_attribute_table();
    auto *attr = d->add_attribute_table();
    attr->set_key_strindex(7);
    attr->mutable_value()->set_string_value("worker-1");

    auto *rp = r.add_resource_profiles();
    auto *kv = rp->mutable_resource()->add_attributes();
    kv->set_key("service.name");
    kv->mutable_value()->set_string_value(service);
    kv = rp->mutable_resource()->add_attributes();
    kv->set_key("service.version");
    kv->mutable_value()->set_string_value("1.2.3");
    auto *p = rp->add_scope_profiles()->add_profiles();
    p->mutable_sample_type()->set_type_strindex(1);
    p->mutable_sample_type()->set_unit_strindex(2);
    p->mutable_period_type()->set_type_strindex(1);
    p->mutable_period_type()->set_unit_strindex(2);
    p->set_period(10'000'000);
    p->set_time_unix_nano(kTime);
    p->set_duration_nano(15'000'000'000ULL);
    auto *a = p->add_samples();
    a->set_stack_index(1);
    a->add_values(30);
    auto *b = p->add_samples();
    b->set_stack_index(2);
    b->add_values(70);
    b->set_link_index(1);
    b->add_attribute_indices(1);
    return r;
}

QByteArray bytes(const google::protobuf::Message &m)
{
    const std::string s = m.SerializeAsString();
    return QByteArray(s.data(), qsizetype(s.size()));
}

QStringList stackNames(const model::Profile &p, const model::Profile::Stack &s)
{
    QStringList out;
    for (auto f : s.functions)
        out << p.functionNames[f];
    return out;
}

model::LabelMatcher eq(const QString &n, const QString &v)
{
    return *model::LabelMatcher::create(model::LabelMatcher::Op::Equal, n, v);
}

} // namespace

class TestOtlpProfiles : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    std::unique_ptr<store::Storage> m_storage;
    std::unique_ptr<StorageSink> m_sink;

    std::int64_t storedTotal(const QString &service)
    {
        auto series = m_storage->profiles().selectSeries(kCpu, {eq(QStringLiteral("service_name"), service)});
        if (!series || series->isEmpty())
            return -1;
        QList<std::int64_t> ids;
        for (const auto &s : *series)
            ids.append(s.id);
        auto merged = m_storage->profiles().merge(ids, 0, std::numeric_limits<std::int64_t>::max());
        return merged ? merged->total() : -1;
    }

private slots:
    void initTestCase()
    {
        auto s = store::Storage::open(m_dir.path());
        QVERIFY(s);
        m_storage = std::move(*s);
        m_sink = std::make_unique<StorageSink>(*m_storage);
    }

    void convertsLikePyroscope()
    {
        const ProfilesConversion c = OtlpProfilesConverter::convert(cpuRequest("shop"));
        QCOMPARE(c.rejectedProfiles, 0);
        QCOMPARE(c.profiles.size(), 1);
        const model::Profile &p = c.profiles.front();
        QCOMPARE(p.typeId, kCpu);
        QCOMPARE(p.labels.value(u"service_name"), QStringLiteral("shop"));
        QCOMPARE(p.labels.value(u"service_version"), QStringLiteral("1.2.3"));
        QCOMPARE(p.time, model::TimestampNs(kTime));
        QCOMPARE(p.durationNs, 15'000'000'000LL);
        QCOMPARE(p.period, 10'000'000);
        QCOMPARE(p.stacks.size(), 2);
        QCOMPARE(stackNames(p, p.stacks[0]), (QStringList{QStringLiteral("parse"), QStringLiteral("handle"), QStringLiteral("main")}));
        QCOMPARE(p.stacks[0].value, 30);
        // Inlined lines expand innermost first.
        QCOMPARE(stackNames(p, p.stacks[1]), (QStringList{QStringLiteral("inlinedHelper"), QStringLiteral("handle"), QStringLiteral("main")}));
        QCOMPARE(p.stacks[1].value, 70);
        QCOMPARE(p.stacks[1].labels.value(u"span_id"), QStringLiteral("0a0b0c0d0e0f1011"));
        QCOMPARE(p.stacks[1].labels.value(u"thread"), QStringLiteral("worker-1"));
        QCOMPARE(p.total(), 100);
    }

    void profileNames()
    {
        QCOMPARE(OtlpProfilesConverter::profileName(QStringLiteral("cpu"), QStringLiteral("nanoseconds")),
                 QStringLiteral("process_cpu"));
        QCOMPARE(OtlpProfilesConverter::profileName(QStringLiteral("samples"), QStringLiteral("count")),
                 QStringLiteral("process_cpu"));
        QCOMPARE(OtlpProfilesConverter::profileName(QStringLiteral("alloc_space"), QStringLiteral("bytes")),
                 QStringLiteral("memory"));
        QCOMPARE(OtlpProfilesConverter::profileName(QStringLiteral("inuse_objects"), QStringLiteral("count")),
                 QStringLiteral("memory"));
        QCOMPARE(OtlpProfilesConverter::profileName(QStringLiteral("wall"), QStringLiteral("nanoseconds")),
                 QStringLiteral("wall"));
        QCOMPARE(OtlpProfilesConverter::profileName(QStringLiteral("contentions"), QStringLiteral("count")),
                 QStringLiteral("block"));
    }

    void malformedIndicesRejectTheProfile()
    {
        auto r = cpuRequest("bad");
        r.mutable_resource_profiles(0)->mutable_scope_profiles(0)->mutable_profiles(0)->mutable_samples(0)->set_stack_index(99);
        ProfilesConversion c = OtlpProfilesConverter::convert(r);
        QCOMPARE(c.profiles.size(), 0);
        QCOMPARE(c.rejectedProfiles, 1);
        QVERIFY2(c.problems.join(u' ').contains(QStringLiteral("stack_index 99")), qPrintable(c.problems.join(u' ')));

        auto r2 = cpuRequest("bad");
        r2.mutable_resource_profiles(0)->mutable_scope_profiles(0)->mutable_profiles(0)->mutable_sample_type()->set_type_strindex(500);
        c = OtlpProfilesConverter::convert(r2);
        QCOMPARE(c.rejectedProfiles, 1);
        QVERIFY(c.problems.join(u' ').contains(QStringLiteral("string_table")));

        auto bad = OtlpProfilesConverter::decode(QByteArray("\xff\xff\xff\xff", 4), PayloadEncoding::Protobuf);
        QVERIFY(!bad);
        QVERIFY(bad.error().message.contains(QStringLiteral("ExportProfilesServiceRequest")));
    }

    void wireEncoderRoundTrips()
    {
        const model::Profile original = OtlpProfilesConverter::convert(cpuRequest("rt")).profiles.front();
        cp::ExportProfilesServiceRequest again;
        const QByteArray wire = WireEncoder::otlpProfiles({original});
        QVERIFY(again.ParseFromArray(wire.constData(), int(wire.size())));
        const ProfilesConversion c = OtlpProfilesConverter::convert(again);
        QCOMPARE(c.profiles.size(), 1);
        const model::Profile &p = c.profiles.front();
        QCOMPARE(p.typeId, original.typeId);
        QCOMPARE(p.labels, original.labels);
        QCOMPARE(p.time, original.time);
        QCOMPARE(p.stacks.size(), original.stacks.size());
        for (qsizetype i = 0; i < p.stacks.size(); ++i) {
            QCOMPARE(stackNames(p, p.stacks[i]), stackNames(original, original.stacks[i]));
            QCOMPARE(p.stacks[i].value, original.stacks[i].value);
        }
        QCOMPARE(p.stacks[1].labels.value(u"span_id"), QStringLiteral("0a0b0c0d0e0f1011"));
    }

    void overHttpProtobufAndJson()
    {
        api::HttpServer server;
        HttpIngestReceiver::registerRoutes(server.router(), *m_sink);
        auto port = server.listen();
        QVERIFY(port);
        BlockingHttpClient http(QStringLiteral("127.0.0.1"), *port);

        auto reply = http.post("/v1development/profiles", "application/x-protobuf", bytes(cpuRequest("http-proto")));
        QVERIFY2(reply, qPrintable(reply ? QString() : reply.error().toString()));
        QCOMPARE(reply->status, 200);
        cp::ExportProfilesServiceResponse resp;
        QVERIFY(resp.ParseFromArray(reply->body.constData(), int(reply->body.size())));
        QCOMPARE(resp.partial_success().rejected_profiles(), 0);
        QCOMPARE(storedTotal(QStringLiteral("http-proto")), 100);

        const QByteArray json = R"({"resourceProfiles":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"http-json"}}]},
            "scopeProfiles":[{"profiles":[{"sampleType":{"typeStrindex":1,"unitStrindex":2},"periodType":{"typeStrindex":1,"unitStrindex":2},
            "period":"10000000","timeUnixNano":"1700000000000000000","durationNano":"15000000000",
            "samples":[{"stackIndex":1,"values":["42"]}],"someFutureField":true}]}]}],
            "dictionary":{"stringTable":["","cpu","nanoseconds","main","work"],
            "functionTable":[{},{"nameStrindex":3},{"nameStrindex":4}],
            "locationTable":[{},{"lines":[{"functionIndex":2}]},{"lines":[{"functionIndex":1}]}],
            "stackTable":[{},{"locationIndices":[1,2]}]}})";
        reply = http.post("/v1development/profiles", "application/json", json);
        QVERIFY(reply);
        QCOMPARE(reply->status, 200);
        QCOMPARE(reply->header("content-type"), QByteArray("application/json"));
        QVERIFY(!reply->body.contains("rejected"));
        QCOMPARE(storedTotal(QStringLiteral("http-json")), 42);

        // A rejected profile is reported with the reason, in the request's encoding.
        auto bad = cpuRequest("http-bad");
        bad.mutable_resource_profiles(0)->mutable_scope_profiles(0)->mutable_profiles(0)->mutable_samples(1)->set_stack_index(7);
        reply = http.post("/v1development/profiles", "application/x-protobuf", bytes(bad));
        QVERIFY(reply);
        QCOMPARE(reply->status, 200);
        QVERIFY(resp.ParseFromArray(reply->body.constData(), int(reply->body.size())));
        QCOMPARE(resp.partial_success().rejected_profiles(), 1);
        QVERIFY(QString::fromStdString(resp.partial_success().error_message()).contains(QStringLiteral("stack_index 7")));
        QCOMPARE(storedTotal(QStringLiteral("http-bad")), -1);

        // An undecodable body: 400 with a Status, nothing stored.
        reply = http.post("/v1development/profiles", "application/json", "{\"resourceProfiles\": 5}");
        QVERIFY(reply);
        QCOMPARE(reply->status, 400);
        QVERIFY(QJsonDocument::fromJson(reply->body).object().value(QStringLiteral("message")).toString().contains(
            QStringLiteral("resourceProfiles")));
        server.stop();
    }

    void overGrpcWithBearerToken()
    {
        OtlpGrpcOptions o;
        o.bearerToken = "s3cret";
        OtlpGrpcReceiver receiver(*m_sink, o);
        auto port = receiver.start();
        QVERIFY2(port, qPrintable(port ? QString() : port.error().toString()));
        auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(*port), grpc::InsecureChannelCredentials());
        auto profiles = cp::ProfilesService::NewStub(channel);
        auto traces = ct::TraceService::NewStub(channel);
        const auto deadline = [] { return std::chrono::system_clock::now() + std::chrono::seconds(30); };

        for (const char *auth : {"", "Bearer wrong", "Basic s3cret", "Bearer s3cret2"}) {
            grpc::ClientContext ctx;
            ctx.set_deadline(deadline());
            if (*auth)
                ctx.AddMetadata("authorization", auth);
            cp::ExportProfilesServiceResponse resp;
            const grpc::Status st = profiles->Export(&ctx, cpuRequest("grpc-denied"), &resp);
            QCOMPARE(int(st.error_code()), int(grpc::StatusCode::UNAUTHENTICATED));
            QVERIFY(st.error_message().find("bearer token") != std::string::npos);
        }
        {
            grpc::ClientContext ctx;
            ctx.set_deadline(deadline());
            ct::ExportTraceServiceResponse resp;
            QCOMPARE(int(traces->Export(&ctx, ct::ExportTraceServiceRequest(), &resp).error_code()),
                     int(grpc::StatusCode::UNAUTHENTICATED));
        }
        QCOMPARE(storedTotal(QStringLiteral("grpc-denied")), -1);
        {
            grpc::ClientContext ctx;
            ctx.set_deadline(deadline());
            ctx.AddMetadata("authorization", "Bearer s3cret");
            cp::ExportProfilesServiceResponse resp;
            const grpc::Status st = profiles->Export(&ctx, cpuRequest("grpc-shop"), &resp);
            QVERIFY2(st.ok(), st.error_message().c_str());
            QCOMPARE(resp.partial_success().rejected_profiles(), 0);
        }
        QCOMPARE(storedTotal(QStringLiteral("grpc-shop")), 100);
        receiver.stop();
    }

    void grpcWithoutTokenServesLoopbackOnly()
    {
        OtlpGrpcReceiver open(*m_sink);
        auto refused = open.start(QStringLiteral("0.0.0.0"), 0);
        QVERIFY(!refused);
        QVERIFY(refused.error().message.contains(QStringLiteral("bearer token")));
        QVERIFY(!open.isRunning());

        auto port = open.start();
        QVERIFY(port);
        auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(*port), grpc::InsecureChannelCredentials());
        auto profiles = cp::ProfilesService::NewStub(channel);
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
        cp::ExportProfilesServiceResponse resp;
        QVERIFY(profiles->Export(&ctx, cpuRequest("grpc-loopback"), &resp).ok());
        QCOMPARE(storedTotal(QStringLiteral("grpc-loopback")), 100);

        OtlpGrpcOptions o;
        o.bearerToken = "t";
        OtlpGrpcReceiver all(*m_sink, o);
        auto anyPort = all.start(QStringLiteral("0.0.0.0"), 0);
        QVERIFY2(anyPort, qPrintable(anyPort ? QString() : anyPort.error().toString()));
    }
};

QTEST_GUILESS_MAIN(TestOtlpProfiles)
#include "tst_otlp_profiles.moc"
