#pragma once

#include <QByteArray>
#include <QIODevice>
#include <memory>

namespace spyglass::formats {

// Read-only, sequential QIODevice that inflates a gzip (or zlib) stream read
// from another device, so importers can stream .gz files without unpacking
// them to disk first. Concatenated gzip members are read as one stream.
class GzipDevice : public QIODevice
{
public:
    explicit GzipDevice(QIODevice *source); // not owned; must be open for reading
    ~GzipDevice() override;

    bool open(OpenMode mode) override;
    void close() override;
    bool isSequential() const override { return true; }
    bool atEnd() const override;

    // Compressed bytes taken from the source so far (progress reporting).
    qint64 compressedBytesRead() const { return m_compressedRead; }

    // True when the data starts with the gzip magic bytes.
    static bool looksLikeGzip(const QByteArray &head);

protected:
    qint64 readData(char *data, qint64 maxSize) override;
    qint64 writeData(const char *, qint64) override { return -1; }

private:
    struct Stream;
    QIODevice *m_source;
    std::unique_ptr<Stream> m_stream;
    QByteArray m_in;
    qint64 m_compressedRead = 0;
    bool m_sourceAtEnd = false;
    bool m_finished = false;
};

} // namespace spyglass::formats
