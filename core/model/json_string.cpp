#include "core/model/json_string.h"

#include <cstdio>

namespace spyglass {

void appendJsonString(QByteArray &out, QStringView s)
{
    out += '"';
    const QByteArray u = s.toUtf8();
    for (char ch : u) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                out += buf;
            } else {
                out += ch;
            }
        }
    }
    out += '"';
}

} // namespace spyglass
