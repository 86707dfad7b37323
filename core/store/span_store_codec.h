#pragma once

#include "core/model/result.h"
#include "core/model/span.h"

#include <QByteArray>
#include <QByteArrayView>

namespace spyglass::store {

// The compact binary encoding of the parts of a span that are not columns of
// the `spans` table (status message, scope, attributes of all scopes, events,
// links); byte layout in FORMAT.md, "traces.db". Attribute values keep their
// OTLP type: string, bool, int64, double, bytes and (nested) arrays.
class SpanStoreCodec
{
public:
    static constexpr quint8 kVersion = 1;

    static QByteArray encode(const model::Span &span);
    // Fills the blob's fields of `span`; the column fields are left alone.
    static Result<void> decode(QByteArrayView data, model::Span &span);

    // Attribute lists alone (used by tests and the OTLP writer).
    static void encodeAttributes(QByteArray &out, const model::Attributes &attrs);
};

} // namespace spyglass::store
