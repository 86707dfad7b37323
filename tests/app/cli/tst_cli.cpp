// End-to-end test of `spyglass-core import` and `query`: a realistic
// OpenMetrics file from the shared benchmark generator is imported, then
// selectors at random instants and ranges must return exactly the file's
// values with Prometheus's 5-minute lookback. Expected values come from a
// deliberately naive reader of the generator's output, not from our parser.

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>
#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>
#include <map>

namespace {

struct Point
{
    qint64 tMs;
    double v;
};

const qint64 kLookbackMs = 5 * 60 * 1000;

QString corePath() { return QStringLiteral(SPYGLASS_BINARY_DIR "/app/cli/spyglass-core"); }

struct Run
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Run runCore(const QStringList &args)
{
    QProcess p;
    p.start(corePath(), args);
    Run r;
    if (!p.waitForFinished(300'000)) {
        p.kill();
        r.err = "timed out";
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

// `name{a="b",c="d"}` -> canonical sorted `a="b",c="d",__name__=...` key,
// matching how we rebuild keys from the JSON "metric" objects.
QString keyFromSeriesText(const QString &s)
{
    const qsizetype brace = s.indexOf(u'{');
    const QString name = brace < 0 ? s : s.left(brace);
    QStringList parts{QStringLiteral("__name__=") + name};
    if (brace >= 0) {
        const QString inner = s.mid(brace + 1, s.size() - brace - 2);
        for (const QString &kv : inner.split(u',', Qt::SkipEmptyParts)) {
            const qsizetype eq = kv.indexOf(u'=');
            parts << kv.left(eq) + QLatin1Char('=') + kv.mid(eq + 2, kv.size() - eq - 3);
        }
    }
    parts.sort();
    return parts.join(u',');
}

QString keyFromJsonMetric(const QJsonObject &m)
{
    QStringList parts;
    for (auto it = m.begin(); it != m.end(); ++it)
        parts << it.key() + QLatin1Char('=') + it.value().toString();
    parts.sort();
    return parts.join(u',');
}

QString selectorFromKey(const QString &key)
{
    QString name;
    QStringList matchers;
    for (const QString &kv : key.split(u',')) {
        const qsizetype eq = kv.indexOf(u'=');
        if (kv.left(eq) == u"__name__")
            name = kv.mid(eq + 1);
        else
            matchers << kv.left(eq) + QStringLiteral("=\"") + kv.mid(eq + 1) + QLatin1Char('"');
    }
    return name + QLatin1Char('{') + matchers.join(u',') + QLatin1Char('}');
}

// The value Prometheus returns at `t`: the latest sample in (t - 5m, t].
std::optional<double> valueAt(const QList<Point> &pts, qint64 t)
{
    auto it = std::upper_bound(pts.begin(), pts.end(), t,
                               [](qint64 x, const Point &p) { return x < p.tMs; });
    if (it == pts.begin())
        return std::nullopt;
    --it;
    if (t - it->tMs >= kLookbackMs)
        return std::nullopt;
    return it->v;
}

} // namespace

class TestCli : public QObject
{
    Q_OBJECT

    QTemporaryDir m_tmp;
    QString m_data;
    QString m_file;
    std::map<QString, QList<Point>> m_series;
    qint64 m_minT = 0;
    qint64 m_maxT = 0;
    QList<QString> m_keys;

    QJsonObject queryJson(const QStringList &args, int expectExit = 0)
    {
        Run r = runCore(QStringList{QStringLiteral("query"), QStringLiteral("--data"), m_data} + args);
        if (r.exitCode != expectExit)
            qWarning() << "exit" << r.exitCode << r.out.left(500) << r.err.left(500);
        [&] { QCOMPARE(r.exitCode, expectExit); }();
        return QJsonDocument::fromJson(r.out).object();
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_tmp.isValid());
        QVERIFY2(QFile::exists(corePath()), qPrintable(corePath()));
        m_data = m_tmp.filePath(QStringLiteral("data"));
        m_file = m_tmp.filePath(QStringLiteral("gen.om"));
        const QString gen = QStringLiteral(SPYGLASS_CORPUS_DIR "/../bench/gen_om.py");
        QVERIFY2(QFile::exists(gen), qPrintable(gen));
        QProcess py;
        py.start(QStringLiteral("python3"), {gen, QStringLiteral("-n"), QStringLiteral("1000"),
                                              QStringLiteral("-t"), QStringLiteral("1000"),
                                              QStringLiteral("--seed"), QStringLiteral("7"),
                                              QStringLiteral("-o"), m_file});
        QVERIFY(py.waitForFinished(120'000));
        QCOMPARE(py.exitCode(), 0);

        QFile f(m_file);
        QVERIFY(f.open(QIODevice::ReadOnly));
        qint64 samples = 0;
        while (!f.atEnd()) {
            const QByteArray line = f.readLine().trimmed();
            if (line.isEmpty() || line.startsWith('#'))
                continue;
            const QList<QByteArray> parts = line.split(' ');
            QCOMPARE(parts.size(), 3);
            const qint64 t = qint64(parts[2].toDouble() * 1000.0);
            m_series[keyFromSeriesText(QString::fromUtf8(parts[0]))].push_back({t, parts[1].toDouble()});
            m_minT = samples == 0 ? t : std::min(m_minT, t);
            m_maxT = std::max(m_maxT, t);
            ++samples;
        }
        QCOMPARE(samples, qint64(1'000'000));
        QCOMPARE(qsizetype(m_series.size()), qsizetype(1000));
        for (const auto &[k, v] : m_series)
            m_keys.push_back(k);
    }

    void importReportsWhatItStored()
    {
        Run r = runCore({QStringLiteral("import"), QStringLiteral("--data"), m_data, m_file});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QString out = QString::fromUtf8(r.out);
        QVERIFY2(out.contains(QStringLiteral("1000000 samples")), qPrintable(out));
        QVERIFY2(out.contains(QStringLiteral("1000 series")), qPrintable(out));
        qInfo().noquote() << out.trimmed();
    }

    void instantQueriesReturnFileValues()
    {
        QRandomGenerator rng(42);
        for (int i = 0; i < 25; ++i) {
            const QString key = m_keys[rng.bounded(int(m_keys.size()))];
            // Between samples, exactly on samples, before the first and past the lookback.
            qint64 t = m_minT - 60'000 + rng.bounded(int(m_maxT - m_minT + 8 * 60'000));
            if (i % 5 == 0)
                t -= t % 15'000;
            const QJsonObject doc = queryJson({QStringLiteral("--time"),
                                               QString::number(double(t) / 1000.0, 'f', 3),
                                               selectorFromKey(key)});
            QCOMPARE(doc.value(u"status").toString(), QStringLiteral("success"));
            const QJsonObject data = doc.value(u"data").toObject();
            QCOMPARE(data.value(u"resultType").toString(), QStringLiteral("vector"));
            const QJsonArray result = data.value(u"result").toArray();
            const auto expected = valueAt(m_series[key], t);
            QCOMPARE(result.size(), expected ? 1 : 0);
            if (!expected)
                continue;
            const QJsonObject s = result[0].toObject();
            QCOMPARE(keyFromJsonMetric(s.value(u"metric").toObject()), key);
            const QJsonArray value = s.value(u"value").toArray();
            QCOMPARE(qint64(std::llround(value[0].toDouble() * 1000)), t);
            QCOMPARE(value[1].toString().toDouble(), *expected);
        }
    }

    void rangeQueriesReturnFileValues()
    {
        QRandomGenerator rng(7);
        for (int i = 0; i < 6; ++i) {
            const QString key = m_keys[rng.bounded(int(m_keys.size()))];
            const qint64 step = QList<qint64>{10'000, 15'000, 60'000, 7'000}[i % 4];
            const qint64 start = m_minT - 120'000 + rng.bounded(int(m_maxT - m_minT));
            const qint64 end = std::min(start + 200 * step, m_maxT + 400'000);
            const QJsonObject doc = queryJson(
                {QStringLiteral("--start"), QString::number(start / 1000.0, 'f', 3),
                 QStringLiteral("--end"), QString::number(end / 1000.0, 'f', 3),
                 QStringLiteral("--step"), QString::number(step / 1000) + QLatin1Char('s'),
                 selectorFromKey(key)});
            QCOMPARE(doc.value(u"status").toString(), QStringLiteral("success"));
            const QJsonArray result = doc.value(u"data").toObject().value(u"result").toArray();
            QCOMPARE(result.size(), 1);
            const QJsonArray values = result[0].toObject().value(u"values").toArray();
            qsizetype idx = 0;
            for (qint64 t = start; t <= end; t += step) {
                const auto expected = valueAt(m_series[key], t);
                if (!expected)
                    continue;
                QVERIFY2(idx < values.size(), "fewer points than expected");
                const QJsonArray pt = values[idx++].toArray();
                QCOMPARE(qint64(std::llround(pt[0].toDouble() * 1000)), t);
                QCOMPARE(pt[1].toString().toDouble(), *expected);
            }
            QCOMPARE(idx, values.size());
        }
    }

    void matchersSelectTheRightSeries()
    {
        const qint64 t = m_minT + 3'600'000;
        struct Case
        {
            QString expr;
            std::function<bool(const QString &)> wants;
        };
        const QList<Case> cases{
            {QStringLiteral("http_requests_total{service=\"svc-03\"}"),
             [](const QString &k) {
                 return k.contains(QStringLiteral("__name__=http_requests_total,")) &&
                        k.contains(QStringLiteral("service=svc-03"));
             }},
            {QStringLiteral("http_requests_total{status=~\"5..\",service!=\"svc-01\"}"),
             [](const QString &k) {
                 return k.contains(QStringLiteral("__name__=http_requests_total,")) &&
                        (k.contains(QStringLiteral("status=500")) || k.contains(QStringLiteral("status=503"))) &&
                        !k.contains(QStringLiteral("service=svc-01"));
             }},
            {QStringLiteral("{__name__=~\"node_.*|process_.*\",service!~\"svc-0.\"}"),
             [](const QString &k) {
                 return (k.contains(QStringLiteral("__name__=node_")) ||
                         k.contains(QStringLiteral("__name__=process_"))) &&
                        !k.contains(QRegularExpression(QStringLiteral("service=svc-0.(,|$)")));
             }},
        };
        for (const auto &c : cases) {
            const QJsonObject doc = queryJson({QStringLiteral("--time"), QString::number(t / 1000), c.expr});
            const QJsonArray result = doc.value(u"data").toObject().value(u"result").toArray();
            QSet<QString> got;
            for (const auto &r : result) {
                const QString key = keyFromJsonMetric(r.toObject().value(u"metric").toObject());
                got.insert(key);
                QCOMPARE(r.toObject().value(u"value").toArray()[1].toString().toDouble(),
                         *valueAt(m_series[key], t));
            }
            QSet<QString> want;
            for (const auto &k : m_keys)
                if (c.wants(k) && valueAt(m_series[k], t))
                    want.insert(k);
            QVERIFY2(!want.isEmpty(), qPrintable(c.expr));
            QCOMPARE(got, want);
        }
    }

    void malformedFileIsRefusedAndDataKept()
    {
        const QString bad = m_tmp.filePath(QStringLiteral("bad.prom"));
        QFile f(bad);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("# TYPE extra_metric gauge\nextra_metric{a=\"1\"} 5 1700000000000\n"
                "extra_metric{a=\"2\" 6 1700000000000\n");
        f.close();
        Run r = runCore({QStringLiteral("import"), QStringLiteral("--data"), m_data, bad});
        QVERIFY(r.exitCode != 0);
        const QString err = QString::fromUtf8(r.err);
        QVERIFY2(err.contains(QStringLiteral("bad.prom:3:")), qPrintable(err));

        // Nothing of the bad file, everything from before.
        const qint64 t = m_minT + 1'800'000;
        QJsonObject doc = queryJson({QStringLiteral("--time"), QStringLiteral("1700000000"),
                                     QStringLiteral("extra_metric")});
        QCOMPARE(doc.value(u"data").toObject().value(u"result").toArray().size(), 0);
        doc = queryJson({QStringLiteral("--time"), QString::number(t / 1000),
                         QStringLiteral("{__name__=~\".+\"}")});
        QCOMPARE(doc.value(u"data").toObject().value(u"result").toArray().size(), 1000);
    }

    void promqltestRunsScripts()
    {
        Run ok = runCore({QStringLiteral("promqltest"),
                          QStringLiteral(SPYGLASS_CORPUS_DIR "/promqltest/selectors.test")});
        QVERIFY2(ok.exitCode == 0, ok.out.right(2000).constData());
        const QList<QByteArray> lines = ok.out.trimmed().split('\n');
        QVERIFY(lines.last().endsWith(" passed, 0 failed"));
        QVERIFY(lines.last().split(' ').first().toInt() > 10);

        const QString script = m_tmp.filePath(QStringLiteral("mine.test"));
        QFile f(script);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("load 5m\n  m{a=\"x\"} 1+1x4\n\n"
                "eval instant at 10m m\n  m{a=\"x\"} 3\n\n"
                "eval instant at 10m m\n  m{a=\"x\"} 99\n");
        f.close();
        Run bad = runCore({QStringLiteral("promqltest"), script});
        QCOMPARE(bad.exitCode, 1);
        const QString out = QString::fromUtf8(bad.out);
        QVERIFY2(out.contains(QStringLiteral("mine.test:7: FAIL")), qPrintable(out));
        QVERIFY2(out.trimmed().endsWith(QStringLiteral("1 passed, 1 failed")), qPrintable(out));
    }

    void queryErrorsLookLikePrometheus()
    {
        QJsonObject doc = queryJson({QStringLiteral("--time"), QStringLiteral("1700000000"),
                                     QStringLiteral("up{")}, 1);
        QCOMPARE(doc.value(u"status").toString(), QStringLiteral("error"));
        QCOMPARE(doc.value(u"errorType").toString(), QStringLiteral("bad_data"));
        QVERIFY(doc.value(u"error").toString().contains(QStringLiteral("parse error")));
        doc = queryJson({QStringLiteral("--time"), QStringLiteral("tomorrow"), QStringLiteral("up")}, 1);
        QCOMPARE(doc.value(u"errorType").toString(), QStringLiteral("bad_data"));
        Run r = runCore({QStringLiteral("query"), QStringLiteral("up")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains("--data"));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
