import fs from 'node:fs';
import path from 'node:path';
import protobuf from 'protobufjs';

/**
 * OTLP/HTTP trace export: decode ExportTraceServiceRequest bodies (binary protobuf or
 * OTLP/JSON), turn them into `otel_traces` rows the way the OpenTelemetry Collector's
 * ClickHouse exporter writes them, and encode ExportTraceServiceResponse bodies.
 *
 * Both encodings are read by one structural walker (`readRequest`) so they validate and
 * produce exactly the same `ExportTraceRequest`; only the leaves that the encodings spell
 * differently (ids, bytes) go through a per-format `Leaves`.
 */

// ---------------------------------------------------------------------------- types

/** An attribute value: one member, or none at all (an empty value). */
export type AnyValue =
  | { stringValue: string }
  | { boolValue: boolean }
  /** int64 as a decimal string: JavaScript numbers cannot hold every int64. */
  | { intValue: string }
  | { doubleValue: number }
  | { arrayValue: { values: AnyValue[] } }
  | { kvlistValue: { values: KeyValue[] } }
  | { bytesValue: Uint8Array }
  | Record<string, never>;

export interface KeyValue {
  key: string;
  value: AnyValue;
}

export interface InstrumentationScope {
  name: string;
  version: string;
  attributes: KeyValue[];
  droppedAttributesCount: number;
}

export interface Resource {
  attributes: KeyValue[];
  droppedAttributesCount: number;
}

export interface SpanEvent {
  /** Nanoseconds since the Unix epoch, as a decimal string (uint64). */
  timeUnixNano: string;
  name: string;
  attributes: KeyValue[];
  droppedAttributesCount: number;
}

export interface SpanLink {
  /** Lowercase hex. */
  traceId: string;
  spanId: string;
  traceState: string;
  attributes: KeyValue[];
  droppedAttributesCount: number;
  flags: number;
}

export interface SpanStatus {
  message: string;
  /** Status.StatusCode: 0 unset, 1 ok, 2 error (other values are kept, proto3 enums are open). */
  code: number;
}

export interface Span {
  /** 32 lowercase hex characters. */
  traceId: string;
  /** 16 lowercase hex characters. */
  spanId: string;
  traceState: string;
  /** '' for a root span, else 16 lowercase hex characters. */
  parentSpanId: string;
  flags: number;
  name: string;
  /** Span.SpanKind: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  /** Nanoseconds since the Unix epoch, as decimal strings (uint64). */
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: KeyValue[];
  droppedAttributesCount: number;
  events: SpanEvent[];
  droppedEventsCount: number;
  links: SpanLink[];
  droppedLinksCount: number;
  status: SpanStatus;
}

export interface ScopeSpans {
  scope: InstrumentationScope;
  spans: Span[];
  schemaUrl: string;
}

export interface ResourceSpans {
  resource: Resource;
  scopeSpans: ScopeSpans[];
  schemaUrl: string;
}

/** opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest, every field present. */
export interface ExportTraceRequest {
  resourceSpans: ResourceSpans[];
}

export type OtlpFormat = 'protobuf' | 'json';

/** The body is not a well-formed ExportTraceServiceRequest; the message says what and where. */
export class OtlpDecodeError extends Error {
  override readonly name = 'OtlpDecodeError';
}

// ---------------------------------------------------------------------------- schema

const PROTO_FILES = ['common.proto', 'resource.proto', 'trace.proto', 'trace_service.proto'] as const;
const REQUEST_TYPE = 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest';
const RESPONSE_TYPE = 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse';

/** Where the .proto files live; resolved from the working directory like the rest of the app (Next bundles move modules). */
const PROTO_DIR = path.join(process.cwd(), 'lib', 'traces', 'otlp');

let schema: { request: protobuf.Type; response: protobuf.Type } | null = null;

/**
 * Parses the .proto files once. Each file is parsed into one Root by hand, in dependency
 * order, instead of `protobuf.load`, so their `import` lines never need resolving on disk.
 */
function loadSchema(): { request: protobuf.Type; response: protobuf.Type } {
  if (schema) return schema;
  const root = new protobuf.Root();
  for (const file of PROTO_FILES) {
    protobuf.parse(fs.readFileSync(path.join(PROTO_DIR, file), 'utf8'), root, { keepCase: false });
  }
  root.resolveAll();
  schema = { request: root.lookupType(REQUEST_TYPE), response: root.lookupType(RESPONSE_TYPE) };
  return schema;
}

// ---------------------------------------------------------------------------- decoding

/** Decodes an OTLP/HTTP trace export body; throws OtlpDecodeError when it is malformed. */
export function decodeTraceRequest(body: Buffer, format: OtlpFormat): ExportTraceRequest {
  return format === 'protobuf' ? decodeProtobuf(body) : decodeJson(body);
}

function decodeProtobuf(body: Buffer): ExportTraceRequest {
  const { request } = loadSchema();
  let plain: unknown;
  try {
    // longs as strings: fixed64 nanoseconds exceed 2^53. bytes stay Uint8Array (ids are checked by length).
    plain = request.toObject(request.decode(body), { longs: String, enums: Number, bytes: Uint8Array, defaults: true });
  } catch (err) {
    throw new OtlpDecodeError(`protobuf: ${err instanceof Error ? err.message : String(err)}`);
  }
  return readRequest(plain, PROTOBUF_LEAVES);
}

function decodeJson(body: Buffer): ExportTraceRequest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new OtlpDecodeError(`invalid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  return readRequest(parsed, JSON_LEAVES);
}

/** The leaves the two encodings spell differently. */
interface Leaves {
  /** A trace or span id as lowercase hex; `allowEmpty` for parent span ids. */
  id(value: unknown, where: string, bytes: 16 | 8, allowEmpty: boolean): string;
  bytes(value: unknown, where: string): Uint8Array;
}

const PROTOBUF_LEAVES: Leaves = {
  id(value, where, bytes, allowEmpty) {
    const raw = value === undefined || value === null ? new Uint8Array(0) : value;
    if (!(raw instanceof Uint8Array)) fail(where, 'expected bytes');
    if (raw.length === 0 && allowEmpty) return '';
    if (raw.length !== bytes) fail(where, `expected ${bytes} bytes, got ${raw.length}`);
    return Buffer.from(raw).toString('hex');
  },
  bytes(value, where) {
    if (value === undefined || value === null) return new Uint8Array(0);
    if (!(value instanceof Uint8Array)) fail(where, 'expected bytes');
    // A copy, so the row does not keep the whole request body alive.
    return Uint8Array.from(value);
  },
};

const HEX = /^[0-9a-fA-F]*$/;
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** OTLP/JSON: ids are hex (not proto3 JSON's base64); other bytes fields are base64. */
const JSON_LEAVES: Leaves = {
  id(value, where, bytes, allowEmpty) {
    const text = value === undefined || value === null ? '' : value;
    if (typeof text !== 'string') fail(where, `expected a hex string, got ${describe(text)}`);
    if (text === '' && allowEmpty) return '';
    if (text.length !== bytes * 2 || !HEX.test(text)) fail(where, `expected ${bytes * 2} hex characters`);
    return text.toLowerCase();
  },
  bytes(value, where) {
    if (value === undefined || value === null) return new Uint8Array(0);
    if (typeof value !== 'string' || !BASE64.test(value) || value.replace(/=+$/, '').length % 4 === 1) {
      fail(where, 'expected a base64 string');
    }
    return new Uint8Array(Buffer.from(value, 'base64'));
  },
};

type Obj = Record<string, unknown>;

function fail(where: string, problem: string): never {
  throw new OtlpDecodeError(where ? `${where}: ${problem}` : problem);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}

function at(where: string, key: string): string {
  return where ? `${where}.${key}` : key;
}

/** A message: absent/null means every field at its default (proto3 JSON). */
function readObject(value: unknown, where: string): Obj {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value) || value instanceof Uint8Array) {
    fail(where || 'request', `expected an object, got ${describe(value)}`);
  }
  return value as Obj;
}

function readList<T>(value: unknown, where: string, item: (v: unknown, where: string) => T): T[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) fail(where, `expected an array, got ${describe(value)}`);
  return value.map((v: unknown, i) => item(v, `${where}[${i}]`));
}

function readString(value: unknown, where: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') fail(where, `expected a string, got ${describe(value)}`);
  return value;
}

function readBool(value: unknown, where: string): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') fail(where, `expected true or false, got ${describe(value)}`);
  return value;
}

const UINT64_MAX = (1n << 64n) - 1n;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const UINT32_MAX = 0xffffffffn;
const INT32_MIN = -(1n << 31n);
const INT32_MAX = (1n << 31n) - 1n;

/** An integer given as a JSON number or a decimal string (proto3 JSON accepts both). */
function readInteger(value: unknown, where: string, min: bigint, max: bigint): bigint {
  if (value === undefined || value === null) return 0n;
  let n: bigint;
  if (typeof value === 'number' && Number.isInteger(value)) n = BigInt(value);
  else if (typeof value === 'string' && /^-?\d+$/.test(value)) n = BigInt(value);
  else fail(where, `expected an integer, got ${describe(value)}`);
  if (n < min || n > max) fail(where, `integer ${n} out of range`);
  return n;
}

const readUint64 = (v: unknown, w: string): string => readInteger(v, w, 0n, UINT64_MAX).toString();
const readInt64 = (v: unknown, w: string): string => readInteger(v, w, INT64_MIN, INT64_MAX).toString();
const readUint32 = (v: unknown, w: string): number => Number(readInteger(v, w, 0n, UINT32_MAX));

function readDouble(value: unknown, where: string): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number') return value;
  // proto3 JSON spells the non-finite doubles as strings, and allows numbers as strings.
  if (value === 'NaN') return NaN;
  if (value === 'Infinity') return Infinity;
  if (value === '-Infinity') return -Infinity;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  fail(where, `expected a number, got ${describe(value)}`);
}

/** An enum given as its number (OTLP/JSON's rule) or, leniently, its name. */
function readEnum(value: unknown, where: string, names: readonly string[]): number {
  if (typeof value === 'string' && !/^-?\d+$/.test(value)) {
    const index = names.indexOf(value);
    if (index < 0) fail(where, `unknown enum value ${JSON.stringify(value)}`);
    return index;
  }
  return Number(readInteger(value, where, INT32_MIN, INT32_MAX));
}

const SPAN_KIND_NAMES = [
  'SPAN_KIND_UNSPECIFIED',
  'SPAN_KIND_INTERNAL',
  'SPAN_KIND_SERVER',
  'SPAN_KIND_CLIENT',
  'SPAN_KIND_PRODUCER',
  'SPAN_KIND_CONSUMER',
] as const;
const STATUS_CODE_NAMES = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'] as const;

function readRequest(value: unknown, leaves: Leaves): ExportTraceRequest {
  const o = readObject(value, '');
  return { resourceSpans: readList(o.resourceSpans, 'resourceSpans', (v, w) => readResourceSpans(v, w, leaves)) };
}

function readResourceSpans(value: unknown, where: string, leaves: Leaves): ResourceSpans {
  const o = readObject(value, where);
  const r = readObject(o.resource, at(where, 'resource'));
  return {
    resource: {
      attributes: readAttributes(r.attributes, at(where, 'resource.attributes'), leaves),
      droppedAttributesCount: readUint32(r.droppedAttributesCount, at(where, 'resource.droppedAttributesCount')),
    },
    scopeSpans: readList(o.scopeSpans, at(where, 'scopeSpans'), (v, w) => readScopeSpans(v, w, leaves)),
    schemaUrl: readString(o.schemaUrl, at(where, 'schemaUrl')),
  };
}

function readScopeSpans(value: unknown, where: string, leaves: Leaves): ScopeSpans {
  const o = readObject(value, where);
  const s = readObject(o.scope, at(where, 'scope'));
  return {
    scope: {
      name: readString(s.name, at(where, 'scope.name')),
      version: readString(s.version, at(where, 'scope.version')),
      attributes: readAttributes(s.attributes, at(where, 'scope.attributes'), leaves),
      droppedAttributesCount: readUint32(s.droppedAttributesCount, at(where, 'scope.droppedAttributesCount')),
    },
    spans: readList(o.spans, at(where, 'spans'), (v, w) => readSpan(v, w, leaves)),
    schemaUrl: readString(o.schemaUrl, at(where, 'schemaUrl')),
  };
}

function readSpan(value: unknown, where: string, leaves: Leaves): Span {
  const o = readObject(value, where);
  const status = readObject(o.status, at(where, 'status'));
  return {
    traceId: leaves.id(o.traceId, at(where, 'traceId'), 16, false),
    spanId: leaves.id(o.spanId, at(where, 'spanId'), 8, false),
    traceState: readString(o.traceState, at(where, 'traceState')),
    parentSpanId: leaves.id(o.parentSpanId, at(where, 'parentSpanId'), 8, true),
    flags: readUint32(o.flags, at(where, 'flags')),
    name: readString(o.name, at(where, 'name')),
    kind: readEnum(o.kind, at(where, 'kind'), SPAN_KIND_NAMES),
    startTimeUnixNano: readUint64(o.startTimeUnixNano, at(where, 'startTimeUnixNano')),
    endTimeUnixNano: readUint64(o.endTimeUnixNano, at(where, 'endTimeUnixNano')),
    attributes: readAttributes(o.attributes, at(where, 'attributes'), leaves),
    droppedAttributesCount: readUint32(o.droppedAttributesCount, at(where, 'droppedAttributesCount')),
    events: readList(o.events, at(where, 'events'), (v, w) => readEvent(v, w, leaves)),
    droppedEventsCount: readUint32(o.droppedEventsCount, at(where, 'droppedEventsCount')),
    links: readList(o.links, at(where, 'links'), (v, w) => readLink(v, w, leaves)),
    droppedLinksCount: readUint32(o.droppedLinksCount, at(where, 'droppedLinksCount')),
    status: {
      message: readString(status.message, at(where, 'status.message')),
      code: readEnum(status.code, at(where, 'status.code'), STATUS_CODE_NAMES),
    },
  };
}

function readEvent(value: unknown, where: string, leaves: Leaves): SpanEvent {
  const o = readObject(value, where);
  return {
    timeUnixNano: readUint64(o.timeUnixNano, at(where, 'timeUnixNano')),
    name: readString(o.name, at(where, 'name')),
    attributes: readAttributes(o.attributes, at(where, 'attributes'), leaves),
    droppedAttributesCount: readUint32(o.droppedAttributesCount, at(where, 'droppedAttributesCount')),
  };
}

function readLink(value: unknown, where: string, leaves: Leaves): SpanLink {
  const o = readObject(value, where);
  return {
    traceId: leaves.id(o.traceId, at(where, 'traceId'), 16, false),
    spanId: leaves.id(o.spanId, at(where, 'spanId'), 8, false),
    traceState: readString(o.traceState, at(where, 'traceState')),
    attributes: readAttributes(o.attributes, at(where, 'attributes'), leaves),
    droppedAttributesCount: readUint32(o.droppedAttributesCount, at(where, 'droppedAttributesCount')),
    flags: readUint32(o.flags, at(where, 'flags')),
  };
}

function readAttributes(value: unknown, where: string, leaves: Leaves): KeyValue[] {
  return readList(value, where, (v, w) => readKeyValue(v, w, leaves));
}

function readKeyValue(value: unknown, where: string, leaves: Leaves): KeyValue {
  const o = readObject(value, where);
  return { key: readString(o.key, at(where, 'key')), value: readAnyValue(o.value, at(where, 'value'), leaves) };
}

const ANY_VALUE_MEMBERS = [
  'stringValue',
  'boolValue',
  'intValue',
  'doubleValue',
  'arrayValue',
  'kvlistValue',
  'bytesValue',
] as const;

function readAnyValue(value: unknown, where: string, leaves: Leaves): AnyValue {
  const o = readObject(value, where);
  // A oneof: members set to null count as absent (proto3 JSON).
  const set = ANY_VALUE_MEMBERS.filter((m) => o[m] !== undefined && o[m] !== null);
  if (set.length > 1) fail(where, `more than one value set (${set.join(', ')})`);
  const member = set[0];
  if (member === undefined) return {};
  const v = o[member];
  const w = at(where, member);
  switch (member) {
    case 'stringValue':
      return { stringValue: readString(v, w) };
    case 'boolValue':
      return { boolValue: readBool(v, w) };
    case 'intValue':
      return { intValue: readInt64(v, w) };
    case 'doubleValue':
      return { doubleValue: readDouble(v, w) };
    case 'arrayValue':
      return { arrayValue: { values: readList(readObject(v, w).values, at(w, 'values'), (x, xw) => readAnyValue(x, xw, leaves)) } };
    case 'kvlistValue':
      return { kvlistValue: { values: readAttributes(readObject(v, w).values, at(w, 'values'), leaves) } };
    case 'bytesValue':
      return { bytesValue: leaves.bytes(v, w) };
  }
}

// ---------------------------------------------------------------------------- rows

/** One `otel_traces` row, column for column (Events.* and Links.* are the Nested columns). */
export interface SpanRow {
  /** 'YYYY-MM-DD hh:mm:ss.nnnnnnnnn', UTC. */
  Timestamp: string;
  TraceId: string;
  SpanId: string;
  ParentSpanId: string;
  TraceState: string;
  SpanName: string;
  SpanKind: string;
  ServiceName: string;
  ResourceAttributes: Record<string, string>;
  ScopeName: string;
  ScopeVersion: string;
  SpanAttributes: Record<string, string>;
  /** Nanoseconds, decimal string (UInt64). */
  Duration: string;
  StatusCode: string;
  StatusMessage: string;
  'Events.Timestamp': string[];
  'Events.Name': string[];
  'Events.Attributes': Record<string, string>[];
  'Links.TraceId': string[];
  'Links.SpanId': string[];
  'Links.TraceState': string[];
  'Links.Attributes': Record<string, string>[];
}

export interface SpanRows {
  rows: SpanRow[];
  /** Spans not turned into rows: ExportTracePartialSuccess.rejected_spans. */
  rejected: number;
  /** Why, one line per rejected span (the first MAX_ERRORS only). */
  errors: string[];
}

const MAX_ERRORS = 10;

/** Names as the collector's pdata SpanKind.String() / StatusCode.String() spell them ('' when unknown). */
const SPAN_KIND_LABELS = ['Unspecified', 'Internal', 'Server', 'Client', 'Producer', 'Consumer'] as const;
const STATUS_CODE_LABELS = ['Unset', 'Ok', 'Error'] as const;

const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_SPAN_ID = '0'.repeat(16);
/** DateTime64(9) is Int64 nanoseconds: later times would wrap in ClickHouse. */
const MAX_STORABLE_NANOS = INT64_MAX;

/** Rows for every valid span; invalid spans are counted, not fatal (OTLP partial success). */
export function toSpanRows(req: ExportTraceRequest): SpanRows {
  const out: SpanRows = { rows: [], rejected: 0, errors: [] };
  req.resourceSpans.forEach((rs, r) => {
    const resourceAttributes = flattenAttributes(rs.resource.attributes);
    const serviceName = serviceNameOf(rs.resource.attributes);
    rs.scopeSpans.forEach((ss, s) => {
      ss.spans.forEach((span, i) => {
        const problem = spanProblem(span);
        if (problem) {
          out.rejected += 1;
          if (out.errors.length < MAX_ERRORS) out.errors.push(`resourceSpans[${r}].scopeSpans[${s}].spans[${i}]: ${problem}`);
          return;
        }
        out.rows.push(spanRow(span, ss.scope, serviceName, resourceAttributes));
      });
    });
  });
  return out;
}

/** Why a decoded span cannot be stored, or null. Ids were length-checked by the decoder; requests built in code are checked again. */
function spanProblem(span: Span): string | null {
  if (!/^[0-9a-f]{32}$/.test(span.traceId)) return 'trace id must be 32 lowercase hex characters';
  if (span.traceId === ZERO_TRACE_ID) return 'trace id is all zeroes (invalid)';
  if (!/^[0-9a-f]{16}$/.test(span.spanId)) return 'span id must be 16 lowercase hex characters';
  if (span.spanId === ZERO_SPAN_ID) return 'span id is all zeroes (invalid)';
  if (span.parentSpanId !== '' && !/^[0-9a-f]{16}$/.test(span.parentSpanId)) {
    return 'parent span id must be empty or 16 lowercase hex characters';
  }
  for (const link of span.links) {
    if (!/^[0-9a-f]{32}$/.test(link.traceId) || !/^[0-9a-f]{16}$/.test(link.spanId)) return 'link has a malformed trace or span id';
  }
  // Semantically required by OTLP; a zero would file the span under 1970.
  if (span.startTimeUnixNano === '0') return 'start_time_unix_nano is missing';
  if (BigInt(span.startTimeUnixNano) > MAX_STORABLE_NANOS) return 'start_time_unix_nano is after 2262 (beyond DateTime64(9))';
  if (span.events.some((e) => BigInt(e.timeUnixNano) > MAX_STORABLE_NANOS)) return 'an event time is after 2262 (beyond DateTime64(9))';
  return null;
}

function spanRow(span: Span, scope: InstrumentationScope, serviceName: string, resourceAttributes: Record<string, string>): SpanRow {
  const start = BigInt(span.startTimeUnixNano);
  const duration = BigInt(span.endTimeUnixNano) - start;
  return {
    Timestamp: formatNanos(start),
    TraceId: span.traceId,
    SpanId: span.spanId,
    // The exporter writes all-zero ids as '' (TraceIDToHexOrEmptyString).
    ParentSpanId: span.parentSpanId === ZERO_SPAN_ID ? '' : span.parentSpanId,
    TraceState: span.traceState,
    SpanName: span.name,
    SpanKind: SPAN_KIND_LABELS[span.kind] ?? '',
    ServiceName: serviceName,
    ResourceAttributes: resourceAttributes,
    ScopeName: scope.name,
    ScopeVersion: scope.version,
    SpanAttributes: flattenAttributes(span.attributes),
    Duration: (duration > 0n ? duration : 0n).toString(),
    StatusCode: STATUS_CODE_LABELS[span.status.code] ?? '',
    StatusMessage: span.status.message,
    'Events.Timestamp': span.events.map((e) => formatNanos(BigInt(e.timeUnixNano))),
    'Events.Name': span.events.map((e) => e.name),
    'Events.Attributes': span.events.map((e) => flattenAttributes(e.attributes)),
    'Links.TraceId': span.links.map((l) => (l.traceId === ZERO_TRACE_ID ? '' : l.traceId)),
    'Links.SpanId': span.links.map((l) => (l.spanId === ZERO_SPAN_ID ? '' : l.spanId)),
    'Links.TraceState': span.links.map((l) => l.traceState),
    'Links.Attributes': span.links.map((l) => flattenAttributes(l.attributes)),
  };
}

/** The exporter reads service.name with Value.Str(): '' unless it is a string. */
function serviceNameOf(attributes: KeyValue[]): string {
  let name = '';
  for (const kv of attributes) {
    if (kv.key === 'service.name') name = 'stringValue' in kv.value ? kv.value.stringValue : '';
  }
  return name;
}

/** nanoseconds since the epoch → 'YYYY-MM-DD hh:mm:ss.nnnnnnnnn' UTC, without going through a lossy Number. */
export function formatNanos(nanos: bigint): string {
  const seconds = nanos / 1_000_000_000n;
  const fraction = (nanos % 1_000_000_000n).toString().padStart(9, '0');
  const whole = new Date(Number(seconds) * 1000).toISOString().slice(0, 19).replace('T', ' ');
  return `${whole}.${fraction}`;
}

// ------------------------------------------------------- attribute values as the exporter writes them

/** Attributes as a Map(String, String): duplicate keys keep the last value, like the exporter's Go map. */
export function flattenAttributes(attributes: KeyValue[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of attributes) out[kv.key] = valueAsString(kv.value);
  return out;
}

/** pdata's Value.AsString(): scalars as text, bytes as base64, arrays and maps as (Go) JSON. */
export function valueAsString(value: AnyValue): string {
  if ('stringValue' in value) return value.stringValue;
  if ('boolValue' in value) return String(value.boolValue);
  if ('intValue' in value) return value.intValue;
  if ('doubleValue' in value) {
    const f = value.doubleValue;
    // Go's float64AsString refuses what JSON cannot spell, with this exact text.
    if (!Number.isFinite(f)) return `json: unsupported value: ${Number.isNaN(f) ? 'NaN' : f > 0 ? '+Inf' : '-Inf'}`;
    return goFloat(f);
  }
  if ('bytesValue' in value) return Buffer.from(value.bytesValue).toString('base64');
  if ('arrayValue' in value || 'kvlistValue' in value) {
    try {
      return goJson(value);
    } catch {
      return ''; // Go's json.Marshal fails on NaN/Inf and AsString returns the empty result.
    }
  }
  return '';
}

/** Go's float formatting in JSON: ES6 Number-to-String, except that -0 keeps its sign. */
function goFloat(f: number): string {
  return Object.is(f, -0) ? '-0' : String(f);
}

/** encoding/json's Marshal of Value.AsRaw(): maps with sorted keys, HTML-safe string escaping. */
function goJson(value: AnyValue): string {
  if ('stringValue' in value) return goJsonString(value.stringValue);
  if ('boolValue' in value) return String(value.boolValue);
  if ('intValue' in value) return value.intValue;
  if ('doubleValue' in value) {
    if (!Number.isFinite(value.doubleValue)) throw new Error('unsupported value');
    return goFloat(value.doubleValue);
  }
  if ('bytesValue' in value) return goJsonString(Buffer.from(value.bytesValue).toString('base64'));
  if ('arrayValue' in value) return `[${value.arrayValue.values.map(goJson).join(',')}]`;
  if ('kvlistValue' in value) {
    const map = new Map<string, AnyValue>();
    for (const kv of value.kvlistValue.values) map.set(kv.key, kv.value);
    const keys = [...map.keys()].sort(compareUtf8);
    return `{${keys.map((k) => `${goJsonString(k)}:${goJson(map.get(k) ?? {})}`).join(',')}}`;
  }
  return 'null';
}

/** Go sorts map keys as byte strings (UTF-8), which differs from UTF-16 order beyond the BMP. */
function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

const GO_ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };

function goJsonString(s: string): string {
  // Control characters, HTML-significant characters and the JS line separators are \u-escaped by Go.
  const escaped = s.replace(/["\\\u0000-\u001f<>&\u2028\u2029]/g, (c) => GO_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `"${escaped}"`;
}

// ---------------------------------------------------------------------------- response

/** ExportTraceServiceResponse; partial_success only when some spans were rejected. */
export function encodeTraceResponse(format: 'protobuf', rejectedSpans: number, errorMessage: string): Buffer;
export function encodeTraceResponse(format: 'json', rejectedSpans: number, errorMessage: string): string;
export function encodeTraceResponse(format: OtlpFormat, rejectedSpans: number, errorMessage: string): Buffer | string;
export function encodeTraceResponse(format: OtlpFormat, rejectedSpans: number, errorMessage: string): Buffer | string {
  const partial = rejectedSpans > 0;
  if (format === 'json') {
    // int64 is a string in proto3 JSON.
    return partial ? JSON.stringify({ partialSuccess: { rejectedSpans: String(rejectedSpans), errorMessage } }) : '{}';
  }
  const { response } = loadSchema();
  const message = response.fromObject(partial ? { partialSuccess: { rejectedSpans, errorMessage } } : {});
  return Buffer.from(response.encode(message).finish());
}
