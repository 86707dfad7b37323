#pragma once

// Reading the third-party captures in SPYGLASS_CORPUS_DIR/captures for the
// ingest tests: files, request indexes, and undoing gzip / gRPC framing.

#include "core/api/gzip_codec.h"

#include <QByteArray>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace spyglass::ingest::testing {

inline QString capturePath(const QString &rel)
{
    return QStringLiteral(SPYGLASS_CORPUS_DIR "/captures/") + rel;
}

inline QByteArray readCapture(const QString &rel)
{
    QFile f(capturePath(rel));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read corpus file %s", qPrintable(f.fileName()));
    return f.readAll();
}

inline QByteArray gunzip(const QByteArray &data)
{
    auto r = api::GzipCodec::decompress(data, 1 << 30);
    if (!r)
        qFatal("gunzip failed: %s", qPrintable(r.error().message));
    return *r;
}

// The serialized message of a captured unary gRPC request body (5-byte
// prefix: compressed flag, big-endian length), gunzipped when flagged.
inline QByteArray grpcMessage(const QByteArray &body)
{
    if (body.size() < 5)
        qFatal("short gRPC body");
    const bool compressed = body[0] != 0;
    const quint32 len = (quint32(quint8(body[1])) << 24) | (quint32(quint8(body[2])) << 16)
                        | (quint32(quint8(body[3])) << 8) | quint32(quint8(body[4]));
    const QByteArray msg = body.mid(5, len);
    return compressed ? gunzip(msg) : msg;
}

// requests.jsonl of a capture folder, one object per request.
inline QList<QJsonObject> captureRequests(const QString &folder)
{
    QList<QJsonObject> out;
    for (const QByteArray &line : readCapture(folder + QStringLiteral("/requests.jsonl")).split('\n'))
        if (!line.trimmed().isEmpty())
            out.append(QJsonDocument::fromJson(line).object());
    return out;
}

} // namespace spyglass::ingest::testing
