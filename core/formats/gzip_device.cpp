#include "core/formats/gzip_device.h"

#include <zlib.h>

namespace spyglass::formats {

struct GzipDevice::Stream
{
    z_stream z{};
    bool initialised = false;
};

GzipDevice::GzipDevice(QIODevice *source) : m_source(source), m_stream(std::make_unique<Stream>()) {}

GzipDevice::~GzipDevice()
{
    if (m_stream->initialised)
        inflateEnd(&m_stream->z);
}

bool GzipDevice::looksLikeGzip(const QByteArray &head)
{
    return head.size() >= 2 && static_cast<unsigned char>(head[0]) == 0x1f
        && static_cast<unsigned char>(head[1]) == 0x8b;
}

bool GzipDevice::open(OpenMode mode)
{
    if ((mode & WriteOnly) || !m_source || !m_source->isReadable()) {
        setErrorString(QStringLiteral("gzip device is read-only and needs a readable source"));
        return false;
    }
    m_stream->z = z_stream{};
    // 15 + 32: largest window, and detect gzip or zlib headers automatically.
    if (inflateInit2(&m_stream->z, 15 + 32) != Z_OK) {
        setErrorString(QStringLiteral("cannot initialise zlib"));
        return false;
    }
    m_stream->initialised = true;
    m_finished = false;
    m_sourceAtEnd = false;
    m_compressedRead = 0;
    return QIODevice::open(mode);
}

void GzipDevice::close()
{
    if (m_stream->initialised) {
        inflateEnd(&m_stream->z);
        m_stream->initialised = false;
    }
    QIODevice::close();
}

bool GzipDevice::atEnd() const
{
    return m_finished && QIODevice::atEnd();
}

qint64 GzipDevice::readData(char *data, qint64 maxSize)
{
    if (m_finished || maxSize <= 0)
        return 0;
    z_stream &z = m_stream->z;
    z.next_out = reinterpret_cast<Bytef *>(data);
    z.avail_out = uInt(std::min<qint64>(maxSize, 1 << 30));
    const uInt wanted = z.avail_out;
    while (z.avail_out == wanted) { // until at least one byte came out
        if (z.avail_in == 0 && !m_sourceAtEnd) {
            m_in.resize(256 * 1024);
            const qint64 n = m_source->read(m_in.data(), m_in.size());
            if (n < 0) {
                setErrorString(QStringLiteral("read error: ") + m_source->errorString());
                return -1;
            }
            m_in.resize(n);
            m_compressedRead += n;
            if (n == 0)
                m_sourceAtEnd = true;
            z.next_in = reinterpret_cast<Bytef *>(m_in.data());
            z.avail_in = uInt(n);
        }
        if (z.avail_in == 0 && m_sourceAtEnd) {
            // A stream cut short is an error; an empty source is simply empty.
            if (z.total_in > 0) {
                setErrorString(QStringLiteral("unexpected end of gzip data (file truncated?)"));
                return -1;
            }
            m_finished = true;
            break;
        }
        const int rc = inflate(&z, Z_NO_FLUSH);
        if (rc == Z_STREAM_END) {
            if (z.avail_in > 0 || !m_source->atEnd()) {
                // Another gzip member follows (as `cat a.gz b.gz` makes).
                inflateReset(&z);
                continue;
            }
            m_finished = true;
            break;
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            setErrorString(QStringLiteral("corrupt gzip data: %1")
                               .arg(QString::fromLatin1(z.msg ? z.msg : "unknown zlib error")));
            return -1;
        }
    }
    return qint64(wanted - z.avail_out);
}

} // namespace spyglass::formats
