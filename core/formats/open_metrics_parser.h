#pragma once

#include "core/model/labels.h"
#include "core/model/result.h"
#include "core/model/sample.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QSet>
#include <QString>
#include <memory>
#include <optional>

class QIODevice;

namespace spyglass::formats {

enum class MetricsFormat {
    Auto,           // sniff: OpenMetrics when it ends in "# EOF" or uses OpenMetrics-only syntax
    PrometheusText, // text exposition format 0.0.4
    OpenMetrics,    // OpenMetrics 1.0 text
};

enum class MetricType { Unknown, Counter, Gauge, Histogram, GaugeHistogram, Summary, Info, StateSet };

QString metricTypeName(MetricType type);

// One thing the parser yields: a family's metadata line or a sample.
struct MetricsEntry
{
    enum class Kind { Help, Type, Unit, Sample };

    Kind kind = Kind::Sample;
    int line = 0; // 1-based line the entry was read from

    // Help/Type/Unit: the family the line describes. Sample: the family the
    // sample belongs to (its TYPE line's name when the name fits that type's
    // suffixes, otherwise the sample's own name).
    QString family;
    MetricType type = MetricType::Unknown; // Type entries, and the family type of samples
    QString text;                          // Help (unescaped) and Unit

    // Sample only.
    model::Labels labels; // includes __name__
    double value = 0;
    bool hasTimestamp = false;
    model::TimestampMs timestamp = 0;
    std::optional<model::Exemplar> exemplar;
};

// Pull parser for the Prometheus text format 0.0.4 and OpenMetrics 1.0.
// Reads the device in blocks and keeps only the current line (and a bounded
// cache of recently seen label sets), so file size does not matter. The first
// error is sticky: every later next() returns it again.
class OpenMetricsParser
{
public:
    // `sourceName` (a file name usually) is what error positions refer to.
    // The device must be open for reading and outlive the parser. With Auto
    // the parser sniffs the start of the data (and the end, for random-access
    // devices) before the first entry.
    OpenMetricsParser(QIODevice *device, QString sourceName,
                      MetricsFormat format = MetricsFormat::Auto);
    ~OpenMetricsParser();
    OpenMetricsParser(const OpenMetricsParser &) = delete;
    OpenMetricsParser &operator=(const OpenMetricsParser &) = delete;

    // true and fills `entry` when one was read; false at the (valid) end.
    Result<bool> next(MetricsEntry &entry);

    MetricsFormat format() const { return m_format; } // resolved once next() ran
    qint64 bytesConsumed() const { return m_bytesConsumed; } // through the last line returned
    int currentLine() const { return m_lineNo; }
    const QString &sourceName() const { return m_source; }

    // Convenience for small inputs (tests, scrape bodies): every entry of `data`.
    static Result<QList<MetricsEntry>> parseAll(const QByteArray &data, const QString &sourceName,
                                                MetricsFormat format = MetricsFormat::Auto);

    // Format detection on a prefix of the data (and optionally its tail).
    static MetricsFormat sniff(const QByteArray &head, const QByteArray &tail = {});

private:
    struct FamilyState
    {
        QString name;
        MetricType type = MetricType::Unknown;
    };

    Result<void> detectFormat();
    // Next raw line without its terminator; false at end of data.
    Result<bool> readLine(const char *&begin, const char *&end);
    Result<bool> parseLine(const char *begin, const char *end, MetricsEntry &entry);
    Result<bool> parseComment(const char *begin, const char *end, MetricsEntry &entry);
    Result<void> parseSample(const char *begin, const char *end, MetricsEntry &entry);
    Error errorAt(const char *lineBegin, const char *at, QString message) const;
    Error errorAtLine(int line, int column, QString message) const;
    void resolveFamily(const QString &sampleName, MetricsEntry &entry) const;

    QIODevice *m_device;
    QString m_source;
    MetricsFormat m_format;
    bool m_detected = false;
    std::optional<Error> m_error;

    QByteArray m_buffer; // unread bytes start at m_pos
    qsizetype m_pos = 0;
    bool m_deviceAtEnd = false;
    qint64 m_bytesConsumed = 0;
    int m_lineNo = 0;
    int m_lastLineLength = 0; // characters, for the end-of-file position
    bool m_lastLineTerminated = true;
    bool m_seenEof = false;

    FamilyState m_family; // from the most recent TYPE line
    QSet<QString> m_typed, m_helped, m_united;

    // Raw series text ("name{a=\"b\"}") -> parsed labels: most files repeat
    // the same series many times, and building Labels is the costly part.
    QHash<QByteArray, model::Labels> m_labelCache;
    std::string m_scratch;
};

} // namespace spyglass::formats
