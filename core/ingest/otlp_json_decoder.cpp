#include "core/ingest/otlp_json_decoder.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/reflection.h>
#include <simdjson.h>

#include <QByteArray>
#include <QString>

#include <charconv>
#include <cmath>
#include <limits>
#include <string>
#include <string_view>

namespace spyglass::ingest {

namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;
namespace dom = simdjson::dom;

// Nesting deeper than any OTLP message, still far from stack trouble.
constexpr int kMaxDepth = 64;

struct Ctx
{
    std::string path;
    QString error;
};

QString describe(const Ctx &c, const QString &what)
{
    return QStringLiteral("OTLP/JSON %1: %2")
        .arg(c.path.empty() ? QStringLiteral("(top level)") : QString::fromStdString(c.path), what);
}

bool isHexIdField(const FieldDescriptor *f)
{
    const std::string &n = f->name();
    return n == "trace_id" || n == "span_id" || n == "parent_span_id" || n == "profile_id";
}

bool hexDecode(std::string_view s, std::string &out)
{
    if (s.size() % 2 != 0)
        return false;
    out.clear();
    out.reserve(s.size() / 2);
    auto nib = [](char c) -> int {
        if (c >= '0' && c <= '9')
            return c - '0';
        if (c >= 'a' && c <= 'f')
            return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
            return c - 'A' + 10;
        return -1;
    };
    for (size_t i = 0; i < s.size(); i += 2) {
        const int hi = nib(s[i]), lo = nib(s[i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        out.push_back(char(hi << 4 | lo));
    }
    return true;
}

template <typename T>
bool integerFrom(dom::element e, T &out)
{
    switch (e.type()) {
    case dom::element_type::INT64: {
        const int64_t v = int64_t(e);
        if constexpr (std::is_unsigned_v<T>) {
            if (v < 0)
                return false;
        }
        if (v < int64_t(std::numeric_limits<T>::min()) && std::is_signed_v<T>)
            return false;
        if (uint64_t(v) > uint64_t(std::numeric_limits<T>::max()) && v > 0)
            return false;
        out = T(v);
        return true;
    }
    case dom::element_type::UINT64: {
        const uint64_t v = uint64_t(e);
        if (v > uint64_t(std::numeric_limits<T>::max()))
            return false;
        out = T(v);
        return true;
    }
    case dom::element_type::DOUBLE: {
        const double d = double(e);
        if (d != std::floor(d) || d < double(std::numeric_limits<T>::min())
            || d > double(std::numeric_limits<T>::max()))
            return false;
        out = T(d);
        return true;
    }
    case dom::element_type::STRING: {
        const std::string_view s = std::string_view(e);
        const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
        return r.ec == std::errc() && r.ptr == s.data() + s.size();
    }
    default:
        return false;
    }
}

bool doubleFrom(dom::element e, double &out)
{
    switch (e.type()) {
    case dom::element_type::INT64: out = double(int64_t(e)); return true;
    case dom::element_type::UINT64: out = double(uint64_t(e)); return true;
    case dom::element_type::DOUBLE: out = double(e); return true;
    case dom::element_type::STRING: {
        const std::string_view s = std::string_view(e);
        if (s == "NaN") {
            out = std::numeric_limits<double>::quiet_NaN();
            return true;
        }
        if (s == "Infinity") {
            out = std::numeric_limits<double>::infinity();
            return true;
        }
        if (s == "-Infinity") {
            out = -std::numeric_limits<double>::infinity();
            return true;
        }
        const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
        return r.ec == std::errc() && r.ptr == s.data() + s.size();
    }
    default:
        return false;
    }
}

bool decodeObject(dom::object obj, Message &msg, Ctx &c, int depth);

// One value of field `f` (a list element when the field is repeated).
bool setValue(dom::element e, Message &msg, const FieldDescriptor *f, Ctx &c, int depth)
{
    const Reflection *r = msg.GetReflection();
    const bool rep = f->is_repeated();
    auto bad = [&](const char *expected) {
        c.error = describe(c, QStringLiteral("expected %1").arg(QLatin1String(expected)));
        return false;
    };
    switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_MESSAGE: {
        if (e.type() != dom::element_type::OBJECT)
            return bad("an object");
        Message *sub = rep ? r->AddMessage(&msg, f) : r->MutableMessage(&msg, f);
        return decodeObject(dom::object(e), *sub, c, depth + 1);
    }
    case FieldDescriptor::CPPTYPE_INT32: {
        int32_t v;
        if (!integerFrom(e, v))
            return bad("a 32-bit integer");
        rep ? r->AddInt32(&msg, f, v) : r->SetInt32(&msg, f, v);
        return true;
    }
    case FieldDescriptor::CPPTYPE_INT64: {
        int64_t v;
        if (!integerFrom(e, v))
            return bad("a 64-bit integer (number or decimal string)");
        rep ? r->AddInt64(&msg, f, v) : r->SetInt64(&msg, f, v);
        return true;
    }
    case FieldDescriptor::CPPTYPE_UINT32: {
        uint32_t v;
        if (!integerFrom(e, v))
            return bad("an unsigned 32-bit integer");
        rep ? r->AddUInt32(&msg, f, v) : r->SetUInt32(&msg, f, v);
        return true;
    }
    case FieldDescriptor::CPPTYPE_UINT64: {
        uint64_t v;
        if (!integerFrom(e, v))
            return bad("an unsigned 64-bit integer (number or decimal string)");
        rep ? r->AddUInt64(&msg, f, v) : r->SetUInt64(&msg, f, v);
        return true;
    }
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT: {
        double v;
        if (!doubleFrom(e, v))
            return bad("a number");
        if (f->cpp_type() == FieldDescriptor::CPPTYPE_FLOAT)
            rep ? r->AddFloat(&msg, f, float(v)) : r->SetFloat(&msg, f, float(v));
        else
            rep ? r->AddDouble(&msg, f, v) : r->SetDouble(&msg, f, v);
        return true;
    }
    case FieldDescriptor::CPPTYPE_BOOL: {
        if (e.type() != dom::element_type::BOOL)
            return bad("true or false");
        rep ? r->AddBool(&msg, f, bool(e)) : r->SetBool(&msg, f, bool(e));
        return true;
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
        int v = 0;
        if (e.type() == dom::element_type::STRING) {
            const auto *ev = f->enum_type()->FindValueByName(std::string(std::string_view(e)));
            if (!ev)
                return bad("a known enum name or an integer");
            v = ev->number();
        } else if (!integerFrom(e, v)) {
            return bad("an enum integer");
        }
        // proto3 enums are open: unknown numbers are kept, as on the wire.
        rep ? r->AddEnumValue(&msg, f, v) : r->SetEnumValue(&msg, f, v);
        return true;
    }
    case FieldDescriptor::CPPTYPE_STRING: {
        if (e.type() != dom::element_type::STRING)
            return bad("a string");
        const std::string_view s = std::string_view(e);
        std::string value;
        if (f->type() == FieldDescriptor::TYPE_BYTES) {
            if (isHexIdField(f)) {
                if (!hexDecode(s, value))
                    return bad("a hex string");
            } else {
                const QByteArray b64 = QByteArray::fromRawData(s.data(), qsizetype(s.size()));
                auto decoded = QByteArray::fromBase64Encoding(
                    b64, QByteArray::AbortOnBase64DecodingErrors);
                if (!decoded) {
                    decoded = QByteArray::fromBase64Encoding(
                        b64, QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
                    if (!decoded)
                        return bad("a base64 string");
                }
                value.assign(decoded.decoded.constData(), size_t(decoded.decoded.size()));
            }
        } else {
            value.assign(s);
        }
        rep ? r->AddString(&msg, f, std::move(value)) : r->SetString(&msg, f, std::move(value));
        return true;
    }
    }
    return bad("a supported value");
}

bool decodeObject(dom::object obj, Message &msg, Ctx &c, int depth)
{
    if (depth > kMaxDepth) {
        c.error = describe(c, QStringLiteral("nested more than %1 levels deep").arg(kMaxDepth));
        return false;
    }
    const Descriptor *d = msg.GetDescriptor();
    for (auto [key, value] : obj) {
        const std::string k(key);
        const FieldDescriptor *f = d->FindFieldByName(k);
        if (!f)
            f = d->FindFieldByCamelcaseName(k);
        if (!f || value.type() == dom::element_type::NULL_VALUE)
            continue; // unknown fields are ignored, as the OTLP spec asks
        const size_t pathLen = c.path.size();
        if (!c.path.empty())
            c.path += '.';
        c.path += k;
        if (f->is_repeated()) {
            if (value.type() != dom::element_type::ARRAY) {
                c.error = describe(c, QStringLiteral("expected an array"));
                return false;
            }
            size_t i = 0;
            for (dom::element item : dom::array(value)) {
                const size_t itemLen = c.path.size();
                c.path += '[' + std::to_string(i++) + ']';
                if (!setValue(item, msg, f, c, depth))
                    return false;
                c.path.resize(itemLen);
            }
        } else if (!setValue(value, msg, f, c, depth)) {
            return false;
        }
        c.path.resize(pathLen);
    }
    return true;
}

} // namespace

Result<void> OtlpJsonDecoder::decode(QByteArrayView json, google::protobuf::Message &out)
{
    out.Clear();
    dom::parser parser;
    dom::element root;
    // padded_string copies once; the input views need no padding then.
    const simdjson::padded_string padded(json.data(), size_t(json.size()));
    if (const auto err = parser.parse(padded).get(root); err != simdjson::SUCCESS)
        return fail(Error::badData(
            QStringLiteral("OTLP/JSON: not valid JSON: %1").arg(QLatin1String(simdjson::error_message(err)))));
    if (root.type() != dom::element_type::OBJECT)
        return fail(Error::badData(QStringLiteral("OTLP/JSON: the body must be a JSON object")));
    Ctx c;
    if (!decodeObject(dom::object(root), out, c, 0))
        return fail(Error::badData(c.error));
    return {};
}

} // namespace spyglass::ingest
