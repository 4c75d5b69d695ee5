import { beforeAll, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { context, trace, SpanKind, SpanStatusCode, type HrTime } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import protobuf from 'protobufjs';
import {
  decodeTraceRequest,
  encodeTraceResponse,
  OtlpDecodeError,
  toSpanRows,
  valueAsString,
  type ExportTraceRequest,
  type OtlpFormat,
  type SpanRow,
} from '@/lib/traces/otlp/decode';

// --------------------------------------------------------------- spans from the real SDK

/** 2026-01-01T00:00:00Z plus nanoseconds that a double-based path would round away. */
const T0: HrTime = [1_767_225_600, 123_456_789];
const at = (ms: number, extraNanos = 0): HrTime => [T0[0] + Math.floor(ms / 1000), T0[1] + (ms % 1000) * 1_000_000 + extraNanos];
const nanos = (t: HrTime): bigint => BigInt(t[0]) * 1_000_000_000n + BigInt(t[1]);

const LINKED = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 };

function recordSpans(): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      'service.name': 'rentaldesk-sync',
      'deployment.environment': 'test',
      'host.cpu.count': 8,
      'odoo.companies': ['Plumbline Builders', 'Plumbline Rentals'],
    }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('plumbline.ingest', '1.4.2');

  const root = tracer.startSpan(
    'POST /api/invoices',
    {
      kind: SpanKind.SERVER,
      startTime: T0,
      attributes: {
        'http.method': 'POST',
        'http.status_code': 500,
        'invoice.amount': 1234.56,
        'invoice.paid': false,
        'invoice.lines': [3, 4, 5],
        'invoice.tags': ['rental', 'crane'],
        'invoice.flags': [true, false],
        'invoice.rates': [0.5, 1.25],
        'html.text': '<b>&"quoted"</b>',
      },
      links: [{ context: LINKED, attributes: { 'link.reason': 'retry of', 'link.attempt': 2 } }],
    },
  );
  root.addEvent('validation started', { 'rule.count': 12 }, at(5, 7));
  root.addEvent('odoo rejected', { 'odoo.error': 'Journal locked', 'odoo.retryable': true }, at(40, 1));

  const child = tracer.startSpan(
    'odoo account.move create',
    { kind: SpanKind.CLIENT, startTime: at(10, 3), attributes: { 'rpc.system': 'jsonrpc' } },
    trace.setSpan(context.active(), root),
  );
  child.setStatus({ code: SpanStatusCode.OK });
  child.end(at(35, 11));

  const internal = tracer.startSpan('map invoice', { kind: SpanKind.INTERNAL, startTime: at(2) }, trace.setSpan(context.active(), root));
  internal.end(at(3));

  const producer = tracer.startSpan('queue retry', { kind: SpanKind.PRODUCER, startTime: at(41) }, trace.setSpan(context.active(), root));
  producer.end(at(42));

  root.setStatus({ code: SpanStatusCode.ERROR, message: 'Odoo rejected the invoice' });
  root.end(at(50, 999));
  return exporter.getFinishedSpans();
}

function serialise(spans: ReadableSpan[], format: OtlpFormat): Buffer {
  const bytes = (format === 'protobuf' ? ProtobufTraceSerializer : JsonTraceSerializer).serializeRequest(spans);
  assert.ok(bytes, 'the serializer produced a body');
  return Buffer.from(bytes);
}

/** What the collector exporter would write for one SDK span, derived independently of decode.ts. */
function expectedRow(span: ReadableSpan): Partial<SpanRow> {
  const kinds: Record<SpanKind, string> = {
    [SpanKind.INTERNAL]: 'Internal',
    [SpanKind.SERVER]: 'Server',
    [SpanKind.CLIENT]: 'Client',
    [SpanKind.PRODUCER]: 'Producer',
    [SpanKind.CONSUMER]: 'Consumer',
  };
  const codes: Record<SpanStatusCode, string> = { [SpanStatusCode.UNSET]: 'Unset', [SpanStatusCode.OK]: 'Ok', [SpanStatusCode.ERROR]: 'Error' };
  return {
    TraceId: span.spanContext().traceId,
    SpanId: span.spanContext().spanId,
    ParentSpanId: span.parentSpanContext?.spanId ?? '',
    SpanName: span.name,
    SpanKind: kinds[span.kind],
    ServiceName: 'rentaldesk-sync',
    ScopeName: 'plumbline.ingest',
    ScopeVersion: '1.4.2',
    Duration: (nanos(span.endTime) - nanos(span.startTime)).toString(),
    StatusCode: codes[span.status.code],
    StatusMessage: span.status.message ?? '',
    'Events.Name': span.events.map((e) => e.name),
    'Links.TraceId': span.links.map((l) => l.context.traceId),
    'Links.SpanId': span.links.map((l) => l.context.spanId),
  };
}

function pick(row: SpanRow, keys: readonly (keyof SpanRow)[]): Partial<SpanRow> {
  return Object.fromEntries(keys.map((k) => [k, row[k]]));
}

describe('OTLP trace requests from the OpenTelemetry JS SDK', () => {
  let spans: ReadableSpan[] = [];
  beforeAll(() => {
    spans = recordSpans();
    assert.equal(spans.length, 4);
  });

  for (const format of ['protobuf', 'json'] as const) {
    describe(`${format} (otlp-transformer serializer)`, () => {
      let rows: SpanRow[] = [];
      beforeAll(() => {
        const result = toSpanRows(decodeTraceRequest(serialise(spans, format), format));
        assert.equal(result.rejected, 0);
        assert.deepEqual(result.errors, []);
        rows = result.rows;
      });

      const rowFor = (name: string): SpanRow => {
        const row = rows.find((r) => r.SpanName === name);
        assert.ok(row, `row for ${name}`);
        return row;
      };

      it('has one row per span, with the identity, kind, status and duration of each', () => {
        assert.equal(rows.length, spans.length);
        for (const span of spans) {
          const expected = expectedRow(span);
          const keys = Object.keys(expected) as (keyof SpanRow)[];
          assert.deepEqual(pick(rowFor(span.name), keys), expected, span.name);
        }
        assert.deepEqual(rows.map((r) => r.SpanKind).sort(), ['Client', 'Internal', 'Producer', 'Server']);
      });

      it('keeps nanosecond timestamps and durations exactly', () => {
        const root = rowFor('POST /api/invoices');
        assert.equal(root.Timestamp, '2026-01-01 00:00:00.123456789');
        assert.equal(root.Duration, '50000999');
        assert.deepEqual(root['Events.Timestamp'], ['2026-01-01 00:00:00.128456796', '2026-01-01 00:00:00.163456790']);
        const child = rowFor('odoo account.move create');
        assert.equal(child.Timestamp, '2026-01-01 00:00:00.133456792');
        assert.equal(child.Duration, '25000008');
        assert.equal(child.ParentSpanId, root.SpanId);
        assert.equal(child.TraceId, root.TraceId);
        assert.equal(root.ParentSpanId, '');
      });

      it('flattens attributes of every type the way the collector exporter does', () => {
        const root = rowFor('POST /api/invoices');
        assert.deepEqual(root.SpanAttributes, {
          'http.method': 'POST',
          'http.status_code': '500',
          'invoice.amount': '1234.56',
          'invoice.paid': 'false',
          'invoice.lines': '[3,4,5]',
          'invoice.tags': '["rental","crane"]',
          'invoice.flags': '[true,false]',
          'invoice.rates': '[0.5,1.25]',
          'html.text': '<b>&"quoted"</b>',
        });
        assert.equal(root.ResourceAttributes['service.name'], 'rentaldesk-sync');
        assert.equal(root.ResourceAttributes['deployment.environment'], 'test');
        assert.equal(root.ResourceAttributes['host.cpu.count'], '8');
        assert.equal(root.ResourceAttributes['odoo.companies'], '["Plumbline Builders","Plumbline Rentals"]');
        // Whatever else the SDK put on the resource (defaults vary by version) is carried too.
        assert.deepEqual(Object.keys(root.ResourceAttributes).sort(), Object.keys(spans[0]?.resource.attributes ?? {}).sort());
      });

      it('carries events and links', () => {
        const root = rowFor('POST /api/invoices');
        assert.deepEqual(root['Events.Name'], ['validation started', 'odoo rejected']);
        assert.deepEqual(root['Events.Attributes'], [{ 'rule.count': '12' }, { 'odoo.error': 'Journal locked', 'odoo.retryable': 'true' }]);
        assert.deepEqual(root['Links.TraceId'], [LINKED.traceId]);
        assert.deepEqual(root['Links.SpanId'], [LINKED.spanId]);
        assert.deepEqual(root['Links.TraceState'], ['']);
        assert.deepEqual(root['Links.Attributes'], [{ 'link.reason': 'retry of', 'link.attempt': '2' }]);
        assert.equal(root.StatusCode, 'Error');
        assert.equal(root.StatusMessage, 'Odoo rejected the invoice');
      });
    });
  }

  it('decodes both encodings of the same spans to the same request', () => {
    const fromProto = decodeTraceRequest(serialise(spans, 'protobuf'), 'protobuf');
    const fromJson = decodeTraceRequest(serialise(spans, 'json'), 'json');
    assert.deepEqual(toSpanRows(fromProto), toSpanRows(fromJson));
    const span = fromProto.resourceSpans[0]?.scopeSpans[0]?.spans[0];
    assert.ok(span);
    assert.match(span.traceId, /^[0-9a-f]{32}$/);
    assert.match(span.startTimeUnixNano, /^\d+$/);
  });
});

// --------------------------------------------------------------- hand-written OTLP/JSON

const TRACE_ID = '5B8EFFF798038103D269B633813FC60C';
const SPAN_ID = 'EEE19B7EC3C1B174';

function jsonRequest(span: Record<string, unknown>, extra: Record<string, unknown> = {}): Buffer {
  return Buffer.from(
    JSON.stringify({
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'fleettrack' } }] },
          scopeSpans: [{ scope: { name: 'fleettrack.export' }, spans: [span] }],
          ...extra,
        },
      ],
    }),
  );
}

const baseSpan = {
  traceId: TRACE_ID,
  spanId: SPAN_ID,
  name: 'export maintenance.equipment',
  kind: 'SPAN_KIND_CONSUMER',
  startTimeUnixNano: 1_767_225_600_000_000_000,
  endTimeUnixNano: '1767225600000000001',
};

describe('OTLP/JSON rules', () => {
  it('accepts uppercase hex ids, enum names or numbers, int64 as numbers or strings, and ignores unknown fields', () => {
    const req = decodeTraceRequest(
      jsonRequest({ ...baseSpan, status: { code: 2, message: 'boom' }, someFutureField: { x: 1 }, dropped_attributes_count: 'not read' }),
      'json',
    );
    const { rows, rejected } = toSpanRows(req);
    assert.equal(rejected, 0);
    const row = rows[0];
    assert.ok(row);
    assert.equal(row.TraceId, TRACE_ID.toLowerCase());
    assert.equal(row.SpanId, SPAN_ID.toLowerCase());
    assert.equal(row.SpanKind, 'Consumer');
    assert.equal(row.StatusCode, 'Error');
    assert.equal(row.Timestamp, '2026-01-01 00:00:00.000000000');
    assert.equal(row.Duration, '1');
    assert.equal(row.ServiceName, 'fleettrack');
    assert.equal(row.ScopeVersion, '');
  });

  it('flattens kvlists, bytes, nested arrays and empty values like pdata Value.AsString()', () => {
    const req = decodeTraceRequest(
      jsonRequest({
        ...baseSpan,
        attributes: [
          { key: 'map', value: { kvlistValue: { values: [{ key: 'z', value: { intValue: '9007199254740993' } }, { key: 'a', value: { doubleValue: 1e21 } }, { key: 'm', value: {} }] } } },
          { key: 'bytes', value: { bytesValue: 'AQID' } },
          { key: 'nested', value: { arrayValue: { values: [{ stringValue: 'x<y' }, { arrayValue: { values: [{ boolValue: true }] } }, { bytesValue: 'AQID' }] } } },
          { key: 'empty', value: {} },
          { key: 'nan', value: { doubleValue: 'NaN' } },
          { key: 'small', value: { doubleValue: 1.5e-7 } },
          { key: 'dup', value: { stringValue: 'first' } },
          { key: 'dup', value: { stringValue: 'last' } },
        ],
      }),
      'json',
    );
    const row = toSpanRows(req).rows[0];
    assert.ok(row);
    assert.deepEqual(row.SpanAttributes, {
      map: '{"a":1e+21,"m":null,"z":9007199254740993}',
      bytes: 'AQID',
      nested: '["x\\u003cy",[true],"AQID"]',
      empty: '',
      nan: 'json: unsupported value: NaN',
      small: '1.5e-7',
      dup: 'last',
    });
    assert.equal(valueAsString({ doubleValue: -0 }), '-0');
  });

  it('rejects malformed JSON with a clear error', () => {
    assert.throws(() => decodeTraceRequest(Buffer.from('{"resourceSpans": ['), 'json'), (err: unknown) => {
      assert.ok(err instanceof OtlpDecodeError);
      assert.match(err.message, /^invalid JSON: /);
      return true;
    });
    assert.throws(() => decodeTraceRequest(Buffer.from('[]'), 'json'), /request: expected an object, got an array/);
    assert.throws(() => decodeTraceRequest(Buffer.from('{"resourceSpans":{}}'), 'json'), /resourceSpans: expected an array, got an object/);
  });

  it('names the exact field that is wrong', () => {
    const bad = (span: Record<string, unknown>) => () => decodeTraceRequest(jsonRequest(span), 'json');
    const where = 'resourceSpans[0].scopeSpans[0].spans[0]';
    assert.throws(bad({ ...baseSpan, traceId: TRACE_ID.slice(2) }), new OtlpDecodeError(`${where}.traceId: expected 32 hex characters`));
    assert.throws(bad({ ...baseSpan, traceId: 'W2ZfIs1ZtjOBP8YM/rBxdA==' }), new OtlpDecodeError(`${where}.traceId: expected 32 hex characters`));
    assert.throws(bad({ ...baseSpan, spanId: '' }), new OtlpDecodeError(`${where}.spanId: expected 16 hex characters`));
    assert.throws(bad({ ...baseSpan, parentSpanId: 'abc' }), new OtlpDecodeError(`${where}.parentSpanId: expected 16 hex characters`));
    assert.throws(bad({ ...baseSpan, kind: 'SERVER' }), new OtlpDecodeError(`${where}.kind: unknown enum value "SERVER"`));
    assert.throws(bad({ ...baseSpan, startTimeUnixNano: -1 }), new OtlpDecodeError(`${where}.startTimeUnixNano: integer -1 out of range`));
    assert.throws(bad({ ...baseSpan, startTimeUnixNano: '1.5' }), new OtlpDecodeError(`${where}.startTimeUnixNano: expected an integer, got string "1.5"`));
    assert.throws(
      bad({ ...baseSpan, attributes: [{ key: 'k', value: { stringValue: 'a', intValue: 1 } }] }),
      new OtlpDecodeError(`${where}.attributes[0].value: more than one value set (stringValue, intValue)`),
    );
    assert.throws(
      bad({ ...baseSpan, links: [{ traceId: TRACE_ID, spanId: '00' }] }),
      new OtlpDecodeError(`${where}.links[0].spanId: expected 16 hex characters`),
    );
    assert.throws(
      bad({ ...baseSpan, attributes: [{ key: 'b', value: { bytesValue: 'not base64!' } }] }),
      new OtlpDecodeError(`${where}.attributes[0].value.bytesValue: expected a base64 string`),
    );
  });
});

// --------------------------------------------------------------- protobuf edge cases

describe('OTLP protobuf edge cases', () => {
  it('decodes an empty body as an empty request', () => {
    assert.deepEqual(decodeTraceRequest(Buffer.alloc(0), 'protobuf'), { resourceSpans: [] });
  });

  it('rejects truncated and garbage protobuf with an OtlpDecodeError', () => {
    const spans = recordSpans();
    const body = Buffer.from(ProtobufTraceSerializer.serializeRequest(spans) ?? new Uint8Array());
    for (const broken of [body.subarray(0, body.length - 7), Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f]), Buffer.from([0x0f])]) {
      assert.throws(() => decodeTraceRequest(broken, 'protobuf'), (err: unknown) => {
        assert.ok(err instanceof OtlpDecodeError);
        assert.match(err.message, /^protobuf: /);
        return true;
      });
    }
  });

  it('checks id lengths, naming the span', () => {
    // Hand-built with a protobufjs schema of just the fields involved: field numbers from the OTLP spec.
    const root = protobuf.Root.fromJSON({
      nested: {
        Req: { fields: { resourceSpans: { rule: 'repeated', type: 'RS', id: 1 } } },
        RS: { fields: { scopeSpans: { rule: 'repeated', type: 'SS', id: 2 } } },
        SS: { fields: { spans: { rule: 'repeated', type: 'Sp', id: 2 } } },
        Sp: { fields: { traceId: { type: 'bytes', id: 1 }, spanId: { type: 'bytes', id: 2 }, startTimeUnixNano: { type: 'fixed64', id: 7 } } },
      },
    });
    const Req = root.lookupType('Req');
    const encode = (traceId: Buffer) =>
      Buffer.from(
        Req.encode(
          Req.fromObject({
            resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: Buffer.alloc(16, 1), spanId: Buffer.alloc(8, 2), startTimeUnixNano: 1 }, { traceId, spanId: Buffer.alloc(8, 2) }] }] }],
          }),
        ).finish(),
      );
    assert.throws(
      () => decodeTraceRequest(encode(Buffer.alloc(15, 1)), 'protobuf'),
      new OtlpDecodeError('resourceSpans[0].scopeSpans[0].spans[1].traceId: expected 16 bytes, got 15'),
    );
    const ok = decodeTraceRequest(encode(Buffer.alloc(16, 0xab)), 'protobuf');
    assert.equal(ok.resourceSpans[0]?.scopeSpans[0]?.spans[1]?.traceId, 'ab'.repeat(16));
    // The second span has no start time: counted as rejected, the first one stored.
    const { rows, rejected, errors } = toSpanRows(ok);
    assert.equal(rows.length, 1);
    assert.equal(rejected, 1);
    assert.deepEqual(errors, ['resourceSpans[0].scopeSpans[0].spans[1]: start_time_unix_nano is missing']);
  });
});

// --------------------------------------------------------------- partial success

describe('toSpanRows partial success', () => {
  it('counts invalid spans as rejected and keeps the valid ones', () => {
    const req = decodeTraceRequest(jsonRequest(baseSpan), 'json');
    const scope = req.resourceSpans[0]?.scopeSpans[0];
    const good = scope?.spans[0];
    assert.ok(scope && good);
    scope.spans.push(
      { ...good, traceId: '0'.repeat(32) },
      { ...good, spanId: '0'.repeat(16) },
      { ...good, traceId: 'abc' }, // a request built in code, not by the decoder
      { ...good, startTimeUnixNano: '9223372036854775808' },
      { ...good, parentSpanId: '0'.repeat(16), endTimeUnixNano: '1' }, // all-zero parent = root; end before start
    );
    const { rows, rejected, errors } = toSpanRows(req);
    assert.equal(rejected, 4);
    assert.deepEqual(errors, [
      'resourceSpans[0].scopeSpans[0].spans[1]: trace id is all zeroes (invalid)',
      'resourceSpans[0].scopeSpans[0].spans[2]: span id is all zeroes (invalid)',
      'resourceSpans[0].scopeSpans[0].spans[3]: trace id must be 32 lowercase hex characters',
      'resourceSpans[0].scopeSpans[0].spans[4]: start_time_unix_nano is after 2262 (beyond DateTime64(9))',
    ]);
    assert.equal(rows.length, 2);
    assert.equal(rows[1]?.ParentSpanId, '');
    assert.equal(rows[1]?.Duration, '0');
  });

  it('has no rows and nothing rejected for an empty request', () => {
    const empty: ExportTraceRequest = { resourceSpans: [] };
    assert.deepEqual(toSpanRows(empty), { rows: [], rejected: 0, errors: [] });
  });
});

// --------------------------------------------------------------- responses

describe('encodeTraceResponse', () => {
  it('writes an empty response on full success', () => {
    assert.equal(encodeTraceResponse('json', 0, ''), '{}');
    const bytes = encodeTraceResponse('protobuf', 0, 'ignored');
    assert.equal(bytes.length, 0);
    assert.deepEqual(ProtobufTraceSerializer.deserializeResponse(bytes), {});
  });

  it('writes partial_success that the SDK exporters can read', () => {
    const json = encodeTraceResponse('json', 3, 'trace id is all zeroes');
    assert.equal(json, '{"partialSuccess":{"rejectedSpans":"3","errorMessage":"trace id is all zeroes"}}');
    assert.deepEqual(JsonTraceSerializer.deserializeResponse(Buffer.from(json)), {
      partialSuccess: { rejectedSpans: '3', errorMessage: 'trace id is all zeroes' },
    });
    const proto = encodeTraceResponse('protobuf', 3, 'trace id is all zeroes');
    const decoded = ProtobufTraceSerializer.deserializeResponse(proto);
    assert.equal(Number(decoded.partialSuccess?.rejectedSpans), 3);
    assert.equal(decoded.partialSuccess?.errorMessage, 'trace id is all zeroes');
  });
});
