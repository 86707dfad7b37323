#!/usr/bin/env python3
"""Writes the example captures in this folder (run from anywhere; needs protoc).

Every file is small, hand-written for Spyglass and looks like what the real
producer writes: one moment of the mythical beasts shop (the Lab's demo
system) on 2026-11-24 around 10:00 UTC, seen through each format.
"""
import gzip, json, os, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
PROTO = os.path.join(HERE, '..', '..', 'core', 'proto')
T0 = 1795514400  # 2026-11-24T10:00:00Z
NS = 1_000_000_000
TRACE = '5b8efff798038103d269b633813fc60c'
TRACE2 = '0af7651916cd43dd8448eb211c80319c'

def write(name, data, mode='w'):
    with open(os.path.join(HERE, name), mode) as f:
        f.write(data)

def encode(proto, msg, text):
    return subprocess.run(['protoc', '-I', PROTO, '--encode=' + msg, proto], input=text.encode(),
                          capture_output=True, check=True).stdout

def hexb(h):  # protobuf text-format bytes literal
    return ''.join('\\x' + h[i:i+2] for i in range(0, len(h), 2))

def kv(k, v):
    if isinstance(v, bool):
        return 'attributes { key: "%s" value { bool_value: %s } }' % (k, 'true' if v else 'false')
    if isinstance(v, int):
        return 'attributes { key: "%s" value { int_value: %d } }' % (k, v)
    return 'attributes { key: "%s" value { string_value: "%s" } }' % (k, v)

RESOURCE = 'resource { %s %s %s }' % (kv('service.name', 'mythical-server'), kv('service.version', '2.0.0'),
                                       kv('service.instance.id', 'mythical-server-2:4000'))

# ---- OTLP protobuf ----------------------------------------------------------
spans = [
    ('1a2b3c4d5e6f7081', '', 'GET /unicorn', 2, 0, 42, [('http.method', 'GET'), ('http.target', '/unicorn'), ('http.status_code', 200)], 1),
    ('2b3c4d5e6f708192', '1a2b3c4d5e6f7081', 'pg.query:SELECT', 3, 3, 31, [('db.system', 'postgresql'), ('db.statement', 'SELECT name FROM unicorn')], 0),
    ('3c4d5e6f708192a3', '', 'POST /owlbear', 2, 100, 160, [('http.method', 'POST'), ('http.target', '/owlbear'), ('http.status_code', 500)], 2),
]
span_txt = ''
for sid, parent, name, kind, start_ms, end_ms, attrs, status in spans:
    trace = TRACE if sid != '3c4d5e6f708192a3' else TRACE2
    span_txt += 'spans { trace_id: "%s" span_id: "%s" %s name: "%s" kind: %d start_time_unix_nano: %d end_time_unix_nano: %d %s %s %s }\n' % (
        hexb(trace), hexb(sid), ('parent_span_id: "%s"' % hexb(parent)) if parent else '', name, kind,
        T0 * NS + start_ms * 1_000_000, T0 * NS + end_ms * 1_000_000, ' '.join(kv(k, v) for k, v in attrs),
        ('status { code: %d message: "%s" }' % (status, 'duplicate key value violates unique constraint' if status == 2 else '')) if status else '',
        ('events { time_unix_nano: %d name: "exception" %s }' % (T0 * NS + 150_000_000, kv('exception.type', 'UniqueViolation'))) if status == 2 else '')
traces_txt = 'resource_spans { %s scope_spans { scope { name: "@opentelemetry/instrumentation-http" version: "0.45.0" } %s } }' % (RESOURCE, span_txt)
write('otlp-traces.binpb', encode('opentelemetry/proto/collector/trace/v1/trace_service.proto',
      'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest', traces_txt), 'wb')

metrics_txt = '''resource_metrics { %s scope_metrics { scope { name: "mythical" }
 metrics { name: "mythical.requests" unit: "{request}" sum { aggregation_temporality: AGGREGATION_TEMPORALITY_CUMULATIVE is_monotonic: true
   data_points { %s %s start_time_unix_nano: %d time_unix_nano: %d as_int: 1234 } } }
 metrics { name: "mythical_request_times" unit: "ms" histogram { aggregation_temporality: AGGREGATION_TEMPORALITY_CUMULATIVE
   data_points { %s start_time_unix_nano: %d time_unix_nano: %d count: 20 sum: 910.5
     bucket_counts: [2, 6, 8, 3, 1, 0] explicit_bounds: [10, 20, 50, 100, 200]
     exemplars { time_unix_nano: %d as_double: 42.0 trace_id: "%s" span_id: "%s" } } } }
 metrics { name: "process.memory.usage" unit: "By" gauge { data_points { time_unix_nano: %d as_double: 91234567 } } }
} }''' % (RESOURCE, kv('beast', 'unicorn'), kv('method', 'GET'), (T0 - 600) * NS, T0 * NS, kv('beast', 'unicorn'),
          (T0 - 600) * NS, T0 * NS, T0 * NS - 5 * NS, hexb(TRACE), hexb('1a2b3c4d5e6f7081'), T0 * NS)
write('otlp-metrics.binpb', encode('opentelemetry/proto/collector/metrics/v1/metrics_service.proto',
      'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest', metrics_txt), 'wb')

logs_txt = '''resource_logs { %s scope_logs { scope { name: "mythical" }
 log_records { time_unix_nano: %d severity_number: SEVERITY_NUMBER_INFO severity_text: "INFO" body { string_value: "GET /unicorn 200 42ms" } %s trace_id: "%s" span_id: "%s" }
 log_records { time_unix_nano: %d severity_number: SEVERITY_NUMBER_ERROR severity_text: "ERROR" body { string_value: "POST /owlbear failed: duplicate key value violates unique constraint" } %s trace_id: "%s" span_id: "%s" }
} }''' % (RESOURCE, T0 * NS + 42_000_000, kv('beast', 'unicorn'), hexb(TRACE), hexb('1a2b3c4d5e6f7081'),
          T0 * NS + 160_000_000, kv('beast', 'owlbear'), hexb(TRACE2), hexb('3c4d5e6f708192a3'))
write('otlp-logs.binpb', encode('opentelemetry/proto/collector/logs/v1/logs_service.proto',
      'opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest', logs_txt), 'wb')

profiles_txt = '''dictionary {
  mapping_table {} location_table {} function_table {} link_table {} attribute_table {} stack_table {}
  string_table: ["", "cpu", "nanoseconds", "main", "handleRequest", "beasts.validateName", "pg.query"]
  function_table { name_strindex: 3 } function_table { name_strindex: 4 } function_table { name_strindex: 5 } function_table { name_strindex: 6 }
  location_table { lines { function_index: 1 } } location_table { lines { function_index: 2 } }
  location_table { lines { function_index: 3 } } location_table { lines { function_index: 4 } }
  stack_table { location_indices: [3, 2, 1] } stack_table { location_indices: [4, 2, 1] }
}
resource_profiles { %s scope_profiles { profiles {
  sample_type { type_strindex: 1 unit_strindex: 2 } period_type { type_strindex: 1 unit_strindex: 2 } period: 10000000
  time_unix_nano: %d duration_nano: 15000000000
  samples { stack_index: 1 values: [120000000] } samples { stack_index: 2 values: [30000000] } } } }''' % (RESOURCE, (T0 - 15) * NS)
write('otlp-profiles.binpb', encode('opentelemetry/proto/collector/profiles/v1development/profiles_service.proto',
      'opentelemetry.proto.collector.profiles.v1development.ExportProfilesServiceRequest', profiles_txt), 'wb')

# ---- OTLP JSON ---------------------------------------------------------------
def jattr(k, v):
    if isinstance(v, int):
        return {'key': k, 'value': {'intValue': str(v)}}
    return {'key': k, 'value': {'stringValue': v}}
JRES = {'attributes': [jattr('service.name', 'mythical-requester'), jattr('service.version', '1.9.2')]}
jtraces = {'resourceSpans': [{'resource': JRES, 'scopeSpans': [{'scope': {'name': '@opentelemetry/instrumentation-http'}, 'spans': [
    {'traceId': TRACE, 'spanId': '0102030405060708', 'name': 'HTTP GET', 'kind': 3,
     'startTimeUnixNano': str(T0 * NS - 1_000_000), 'endTimeUnixNano': str(T0 * NS + 44_000_000),
     'attributes': [jattr('http.method', 'GET'), jattr('http.url', 'http://mythical-server:4000/unicorn'), jattr('http.status_code', 200)]}]}]}]}
jmetrics = {'resourceMetrics': [{'resource': JRES, 'scopeMetrics': [{'scope': {'name': 'mythical'}, 'metrics': [
    {'name': 'http.client.request.duration', 'unit': 's', 'histogram': {'aggregationTemporality': 2, 'dataPoints': [
        {'attributes': [jattr('http.request.method', 'GET')], 'startTimeUnixNano': str((T0 - 600) * NS), 'timeUnixNano': str(T0 * NS),
         'count': '10', 'sum': 0.52, 'bucketCounts': ['3', '5', '2', '0'], 'explicitBounds': [0.025, 0.05, 0.1]}]}},
    {'name': 'vus', 'unit': '{user}', 'gauge': {'dataPoints': [{'timeUnixNano': str(T0 * NS), 'asInt': '4'}]}}]}]}]}
jlogs = {'resourceLogs': [{'resource': JRES, 'scopeLogs': [{'scope': {'name': 'mythical'}, 'logRecords': [
    {'timeUnixNano': str(T0 * NS + 44_000_000), 'severityNumber': 9, 'severityText': 'INFO',
     'body': {'stringValue': 'requested /unicorn: 200'}, 'traceId': TRACE, 'spanId': '0102030405060708',
     'attributes': [jattr('beast', 'unicorn')]}]}]}]}
jprofiles = {'dictionary': {'stringTable': ['', 'cpu', 'nanoseconds', 'main', 'makeRequest'],
                            'functionTable': [{}, {'nameStrindex': 3}, {'nameStrindex': 4}],
                            'locationTable': [{}, {'lines': [{'functionIndex': 1}]}, {'lines': [{'functionIndex': 2}]}],
                            'stackTable': [{}, {'locationIndices': [2, 1]}]},
             'resourceProfiles': [{'resource': JRES, 'scopeProfiles': [{'profiles': [{
                 'sampleType': {'typeStrindex': 1, 'unitStrindex': 2}, 'periodType': {'typeStrindex': 1, 'unitStrindex': 2},
                 'period': '10000000', 'timeUnixNano': str((T0 - 15) * NS), 'durationNano': str(15 * NS),
                 'samples': [{'stackIndex': 1, 'values': ['50000000']}]}]}]}]}
for name, obj in [('traces', jtraces), ('metrics', jmetrics), ('logs', jlogs), ('profiles', jprofiles)]:
    write('otlp-%s.json' % name, json.dumps(obj, indent=1) + '\n')
# The Collector's file exporter: one request per line, any signal.
write('otlp-collector-export.jsonl', '\n'.join(json.dumps(o) for o in [jtraces, jlogs, jmetrics]) + '\n')
write('otlp-logs.json.gz', gzip.compress((json.dumps(jlogs) + '\n').encode(), mtime=0), 'wb')

# ---- other trace formats -------------------------------------------------------
zipkin = [
    {'traceId': TRACE, 'id': '1111111111111111', 'name': 'get /beholder', 'kind': 'SERVER', 'timestamp': T0 * 1_000_000,
     'duration': 23000, 'localEndpoint': {'serviceName': 'mythical-server', 'ipv4': '10.0.0.2', 'port': 4000},
     'tags': {'http.method': 'GET', 'http.path': '/beholder', 'http.status_code': '200'}},
    {'traceId': TRACE, 'id': '2222222222222222', 'parentId': '1111111111111111', 'name': 'select beholder', 'kind': 'CLIENT',
     'timestamp': T0 * 1_000_000 + 2000, 'duration': 15000, 'localEndpoint': {'serviceName': 'mythical-server'},
     'remoteEndpoint': {'serviceName': 'postgres'}, 'tags': {'db.statement': 'SELECT name FROM beholder'}}]
write('zipkin-v2.json', json.dumps(zipkin, indent=1) + '\n')

jaeger = {'data': [{'traceID': TRACE2, 'spans': [
    {'traceID': TRACE2, 'spanID': 'aaaaaaaaaaaaaaa1', 'operationName': 'POST /manticore', 'references': [],
     'startTime': T0 * 1_000_000, 'duration': 87000, 'flags': 1, 'processID': 'p1', 'warnings': None,
     'tags': [{'key': 'span.kind', 'type': 'string', 'value': 'server'}, {'key': 'http.method', 'type': 'string', 'value': 'POST'},
              {'key': 'http.status_code', 'type': 'int64', 'value': 500}, {'key': 'error', 'type': 'bool', 'value': True}],
     'logs': [{'timestamp': T0 * 1_000_000 + 80000, 'fields': [{'key': 'event', 'type': 'string', 'value': 'exception'},
                                                              {'key': 'exception.message', 'type': 'string', 'value': 'duplicate key'}]}]},
    {'traceID': TRACE2, 'spanID': 'aaaaaaaaaaaaaaa2', 'operationName': 'pg.query:INSERT',
     'references': [{'refType': 'CHILD_OF', 'traceID': TRACE2, 'spanID': 'aaaaaaaaaaaaaaa1'}],
     'startTime': T0 * 1_000_000 + 5000, 'duration': 70000, 'flags': 1, 'processID': 'p1',
     'tags': [{'key': 'span.kind', 'type': 'string', 'value': 'client'},
              {'key': 'db.statement', 'type': 'string', 'value': 'INSERT INTO manticore(name) VALUES ($1)'}], 'logs': []},
    {'traceID': TRACE2, 'spanID': 'aaaaaaaaaaaaaaa3', 'operationName': 'beasts process',
     'references': [{'refType': 'FOLLOWS_FROM', 'traceID': TRACE2, 'spanID': 'aaaaaaaaaaaaaaa1'}],
     'startTime': T0 * 1_000_000 + 90000, 'duration': 4000, 'flags': 1, 'processID': 'p2',
     'tags': [{'key': 'span.kind', 'type': 'string', 'value': 'consumer'}], 'logs': []}],
    'processes': {'p1': {'serviceName': 'mythical-server', 'tags': [{'key': 'service.version', 'type': 'string', 'value': '2.0.0'}]},
                  'p2': {'serviceName': 'mythical-recorder', 'tags': []}}, 'warnings': None}],
    'total': 0, 'limit': 0, 'offset': 0, 'errors': None}
write('jaeger-trace.json', json.dumps(jaeger, indent=1) + '\n')

tempo = {'batches': [{'resource': {'attributes': [jattr('service.name', 'mythical-recorder')]},
                      'instrumentationLibrarySpans': [{'instrumentationLibrary': {'name': 'amqplib'}, 'spans': [
                          {'traceId': 'cccccccccccccccccccccccccccccccc', 'spanId': 'dddddddddddddddd', 'name': 'beasts process', 'kind': 'SPAN_KIND_CONSUMER',
                           'startTimeUnixNano': str(T0 * NS), 'endTimeUnixNano': str(T0 * NS + 3_000_000),
                           'attributes': [jattr('messaging.system', 'rabbitmq')]}]}]}]}
write('tempo-batches.json', json.dumps(tempo, indent=1) + '\n')

chrome = {'traceEvents': [
    {'name': 'process_name', 'ph': 'M', 'pid': 1, 'tid': 1, 'args': {'name': 'mythical-server'}},
    {'name': 'thread_name', 'ph': 'M', 'pid': 1, 'tid': 1, 'args': {'name': 'main'}},
    {'name': 'handleRequest', 'cat': 'http', 'ph': 'X', 'pid': 1, 'tid': 1, 'ts': 1000, 'dur': 42000, 'args': {'beast': 'unicorn'}},
    {'name': 'validateName', 'cat': 'app', 'ph': 'X', 'pid': 1, 'tid': 1, 'ts': 2000, 'dur': 8000},
    {'name': 'query', 'cat': 'db', 'ph': 'B', 'pid': 1, 'tid': 1, 'ts': 11000},
    {'name': 'query', 'cat': 'db', 'ph': 'E', 'pid': 1, 'tid': 1, 'ts': 40000},
    {'name': 'gc', 'cat': 'v8', 'ph': 'i', 'pid': 1, 'tid': 1, 'ts': 30000, 's': 't'}],
    'displayTimeUnit': 'ms'}
write('chrome-trace.json', json.dumps(chrome, indent=1) + '\n')

# ---- logs -------------------------------------------------------------------------
def iso(sec, ms):
    import datetime
    return datetime.datetime.fromtimestamp(T0 + sec, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%S') + '.%03dZ' % ms
write('mythical-server.log', ''.join([
    '%s INFO  server listening on :4000 (version 2.0.0)\n' % iso(0, 0),
    '%s INFO  GET /unicorn 200 42ms\n' % iso(1, 120),
    '%s WARN  slow query on owlbear: 812ms\n' % iso(2, 5),
    '%s ERROR POST /owlbear 500: duplicate key value violates unique constraint "owlbear_name_key"\n' % iso(3, 777),
    '    at Query.run (/app/node_modules/pg/lib/query.js:83:24)\n',
    '    at Server.handle (/app/server.js:141:11)\n',
    '%s DEBUG pool: 4 idle, 1 busy\n' % iso(4, 0)]))
write('mythical-requester-logfmt.log', ''.join([
    'ts=%s level=info msg="requested beast" beast=unicorn http.method=GET status=OK traceID=%s\n' % (iso(0, 500), TRACE),
    'ts=%s level=error msg="request failed" beast=owlbear http.method=POST status=Error traceID=%s\n' % (iso(1, 250), TRACE2),
    'ts=%s level=info msg="requested beast" beast=beholder http.method=DELETE status=OK\n' % iso(2, 0)]))
write('mythical-recorder.jsonl.log', ''.join(json.dumps(o) + '\n' for o in [
    {'time': iso(0, 10), 'level': 'info', 'msg': 'consumed message', 'queue': 'beasts', 'beast': 'manticore'},
    {'time': iso(0, 900), 'level': 'warn', 'msg': 'redelivered message', 'queue': 'beasts', 'attempt': 2},
    {'time': T0 + 2, 'level': 'error', 'msg': 'cannot record beast: connection reset'}]))

loki = {'status': 'success', 'data': {'resultType': 'streams', 'result': [
    {'stream': {'service_name': 'mythical-server', 'job': 'alloy', 'level': 'error', 'beast': 'owlbear'},
     'values': [[str(T0 * NS + 160_000_000), 'level=error msg="POST /owlbear failed" status=Error traceID=%s' % TRACE2, {'trace_id': TRACE2}]]},
    {'stream': {'service_name': 'mythical-server', 'job': 'alloy', 'level': 'info', 'beast': 'unicorn'},
     'values': [[str(T0 * NS + 42_000_000), 'level=info msg="GET /unicorn" status=OK traceID=%s' % TRACE],
                [str(T0 * NS + 1_042_000_000), 'level=info msg="GET /unicorn" status=OK']]}],
    'stats': {}}}
write('loki-export.json', json.dumps(loki, indent=1) + '\n')

# ---- metrics text ----------------------------------------------------------------------
write('mythical-server.prom', '''# HELP mythical_request_times Response times of the mythical server (ms)
# TYPE mythical_request_times histogram
mythical_request_times_bucket{beast="unicorn",method="GET",status="200",le="10"} 2 %(t)d
mythical_request_times_bucket{beast="unicorn",method="GET",status="200",le="50"} 16 %(t)d
mythical_request_times_bucket{beast="unicorn",method="GET",status="200",le="+Inf"} 20 %(t)d
mythical_request_times_sum{beast="unicorn",method="GET",status="200"} 910.5 %(t)d
mythical_request_times_count{beast="unicorn",method="GET",status="200"} 20 %(t)d
# HELP process_resident_memory_bytes Resident memory size in bytes.
# TYPE process_resident_memory_bytes gauge
process_resident_memory_bytes 9.1234567e+07 %(t)d
''' % {'t': T0 * 1000})
write('mythical-server.openmetrics.txt', '''# TYPE mythical_requests counter
# HELP mythical_requests Requests served.
mythical_requests_total{beast="unicorn"} 1234 %(t)d
mythical_requests_created{beast="unicorn"} %(c)d
# TYPE mythical_request_times histogram
mythical_request_times_bucket{beast="owlbear",le="100.0"} 3 %(t)d # {traceID="%(tr)s"} 42.0 %(t)d
mythical_request_times_bucket{beast="owlbear",le="+Inf"} 4 %(t)d
mythical_request_times_sum{beast="owlbear"} 1500.0 %(t)d
mythical_request_times_count{beast="owlbear"} 4 %(t)d
# EOF
''' % {'t': T0, 'c': T0 - 600, 'tr': TRACE})

# ---- profiles -------------------------------------------------------------------------
pprof_txt = '''sample_type { type: 1 unit: 2 } sample_type { type: 3 unit: 4 }
sample { location_id: [3, 2, 1] value: [12, 120000000] }
sample { location_id: [4, 2, 1] value: [3, 30000000] }
mapping { id: 1 memory_start: 4194304 memory_limit: 8388608 filename: 9 }
location { id: 1 mapping_id: 1 address: 4198400 line { function_id: 1 line: 10 } }
location { id: 2 mapping_id: 1 address: 4198500 line { function_id: 2 line: 141 } }
location { id: 3 mapping_id: 1 address: 4198600 line { function_id: 3 line: 27 } }
location { id: 4 mapping_id: 1 address: 4198700 line { function_id: 4 line: 83 } }
function { id: 1 name: 5 system_name: 5 filename: 10 }
function { id: 2 name: 6 system_name: 6 filename: 10 }
function { id: 3 name: 7 system_name: 7 filename: 10 }
function { id: 4 name: 8 system_name: 8 filename: 10 }
string_table: ["", "samples", "count", "cpu", "nanoseconds", "main", "server.handle", "beasts.validateName", "pg.Query.run", "/app/server", "server.go"]
time_nanos: %d duration_nanos: 15000000000 period_type { type: 3 unit: 4 } period: 10000000''' % ((T0 - 15) * NS)
write('mythical-server.pprof.gz', gzip.compress(encode('pprof/profile.proto', 'perftools.profiles.Profile', pprof_txt), mtime=0), 'wb')
write('mythical-server.folded', '''main;server.handle;beasts.validateName 120
main;server.handle;pg.Query.run 30
main;timers.listOnTimeout;gc 7
''')
write('mythical-server.perf-script.txt', '''node 4242  1000.000100:   10101010 cpu-clock:ppp:
	          41c0a0 beasts.validateName+0x20 (/app/server)
	          41b0f0 server.handle+0x50 (/app/server)
	          4010aa main+0x1a (/app/server)

node 4242  1000.010200:   10101010 cpu-clock:ppp:
	          41d000 pg.Query.run+0x10 (/app/server)
	          41b0f0 server.handle+0x50 (/app/server)
	          4010aa main+0x1a (/app/server)

node 4242  1000.020300:   10101010 cpu-clock:ppp:
	          41c0a0 beasts.validateName+0x20 (/app/server)
	          41b0f0 server.handle+0x50 (/app/server)
	          4010aa main+0x1a (/app/server)

''')
cpuprofile = {'nodes': [
    {'id': 1, 'callFrame': {'functionName': '(root)', 'scriptId': '0', 'url': '', 'lineNumber': -1, 'columnNumber': -1}, 'hitCount': 0, 'children': [2]},
    {'id': 2, 'callFrame': {'functionName': 'handleRequest', 'scriptId': '42', 'url': 'file:///app/server.js', 'lineNumber': 140, 'columnNumber': 4}, 'hitCount': 2, 'children': [3, 4]},
    {'id': 3, 'callFrame': {'functionName': 'validateName', 'scriptId': '42', 'url': 'file:///app/beasts.js', 'lineNumber': 26, 'columnNumber': 2}, 'hitCount': 9},
    {'id': 4, 'callFrame': {'functionName': 'query', 'scriptId': '51', 'url': 'file:///app/node_modules/pg/lib/client.js', 'lineNumber': 500, 'columnNumber': 8}, 'hitCount': 4}],
    'startTime': 1000000, 'endTime': 1150000, 'samples': [3, 3, 4, 2, 3, 3, 3, 4, 4, 3, 3, 2, 3, 4, 3],
    'timeDeltas': [10000] * 15}
write('mythical-server.cpuprofile', json.dumps(cpuprofile) + '\n')
print('samples written to', HERE)
