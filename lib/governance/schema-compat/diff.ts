/**
 * The schema walker behind `compareSchemas`. It follows Confluent Schema Registry's JSON Schema
 * compatibility rules (io.confluent.kafka.schemaregistry.json.diff), but records every change with
 * both verdicts at once:
 *   backward — a reader on the NEW schema accepts data written with the OLD schema;
 *   forward  — a reader on the OLD schema accepts data written with the NEW schema.
 * The forward verdict of a change is always the backward verdict of the mirrored change (previous
 * and proposed swapped), which is how Confluent itself checks FORWARD.
 *
 * Rule of thumb: anything that lets fewer documents validate ("narrowing": a new enum restriction,
 * a lower maxLength, a property added to an open content model…) breaks BACKWARD but keeps
 * FORWARD; anything that lets more documents validate ("widening") is the other way round.
 */
import {
  asArray,
  asNumber,
  asRecord,
  asString,
  canonicalJson,
  deepEqual,
  escapePointerToken,
  isRecord,
  show,
  type JsonRecord,
} from './json';
import { resolveSchema } from './refs';
import type { SchemaChange } from './types';

interface Walk {
  prevRoot: unknown;
  nextRoot: unknown;
  /** ref-pair keys currently being compared, to stop on recursive schemas. */
  visiting: Set<string>;
}

interface Loc {
  /** JSON-pointer-ish path; '' is the root. */
  path: string;
  /** Human label of the data location, e.g. `lines[].quantity`; '' is the root. */
  label: string;
}

type Out = SchemaChange[];

const MAX_DEPTH = 96;

/** Keywords that only annotate: changing them never affects which documents validate. */
const ANNOTATIONS = new Set([
  'title',
  'description',
  'default',
  'examples',
  '$comment',
  'deprecated',
  'readOnly',
  'writeOnly',
  '$id',
  '$anchor',
  '$dynamicAnchor',
  'contentEncoding',
  'contentMediaType',
  'contentSchema',
]);

/** Keywords that are structural or handled elsewhere and are never diffed as such. */
const STRUCTURAL = new Set(['$schema', '$defs', 'definitions', '$ref', '$vocabulary']);

/** Keywords this checker compares with dedicated rules. */
const HANDLED = new Set([
  'type',
  'enum',
  'const',
  'format',
  'minLength',
  'maxLength',
  'pattern',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'properties',
  'required',
  'additionalProperties',
  'patternProperties',
  'minProperties',
  'maxProperties',
  'items',
  'prefixItems',
  'minItems',
  'maxItems',
  'uniqueItems',
  'additionalItems',
  'anyOf',
  'oneOf',
  'allOf',
]);

/** Validation keywords without a dedicated rule: any change is conservatively breaking. */
const UNMODELLED = new Set([
  'not',
  'if',
  'then',
  'else',
  'dependentRequired',
  'dependentSchemas',
  'dependencies',
  'contains',
  'minContains',
  'maxContains',
  'propertyNames',
  'unevaluatedProperties',
  'unevaluatedItems',
  '$dynamicRef',
  '$recursiveRef',
]);

const COMBINATORS = ['anyOf', 'oneOf', 'allOf'] as const;
type Combinator = (typeof COMBINATORS)[number];

// ---------------------------------------------------------------------------------------------
// Small helpers

function subject(label: string): string {
  return label ? `\`${label}\`` : 'the root value';
}

function childLoc(loc: Loc, pathTokens: string[], label: string): Loc {
  return { path: loc.path + pathTokens.map((t) => `/${escapePointerToken(t)}`).join(''), label };
}

function propertyLabel(parent: string, key: string): string {
  return parent ? `${parent}.${key}` : key;
}

function push(out: Out, loc: Loc, kind: string, description: string, backward: boolean, forward: boolean): void {
  out.push({ path: loc.path || '/', kind, description, backward, forward });
}

/** Change flags for a narrowing (fewer documents valid) and a widening. */
const NARROW = { backward: false, forward: true } as const;
const WIDEN = { backward: true, forward: false } as const;
const CHANGED = { backward: false, forward: false } as const;

function flag(out: Out, loc: Loc, kind: string, description: string, flags: { backward: boolean; forward: boolean }): void {
  push(out, loc, kind, description, flags.backward, flags.forward);
}

function allBackward(changes: Out): boolean {
  return changes.every((c) => c.backward);
}

function allForward(changes: Out): boolean {
  return changes.every((c) => c.forward);
}

function hasOwn(record: JsonRecord, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(record, key);
}

function typeSet(schema: JsonRecord): Set<string> | undefined {
  const t = schema.type;
  if (typeof t === 'string') return new Set([t]);
  if (Array.isArray(t)) return new Set(t.filter((x): x is string => typeof x === 'string'));
  return undefined;
}

/** Does `schema` admit values of JSON type `name` as far as its `type` keyword goes? */
function admits(types: Set<string> | undefined, name: string): boolean {
  if (!types) return true;
  if (types.has(name)) return true;
  return name === 'integer' && types.has('number');
}

/** Every value of the `inner` types is also of one of the `outer` types. */
function covers(outer: Set<string>, inner: Set<string>): boolean {
  return [...inner].every((t) => admits(outer, t));
}

function describeTypes(types: Set<string> | undefined): string {
  if (!types) return 'any type';
  const list = [...types].sort();
  return list.length === 0 ? 'no type' : list.join(' | ');
}

function describeValues(values: unknown[]): string {
  return values.map((v) => show(v, 40)).join(', ');
}

function isSchemaLike(value: unknown): value is boolean | JsonRecord {
  return typeof value === 'boolean' || isRecord(value);
}

/** Does a (resolved) schema carry a default value? */
function hasDefault(walkRoot: unknown, schema: unknown): boolean {
  const resolved = resolveSchema(walkRoot, schema);
  return resolved.kind === 'schema' && isRecord(resolved.schema) && hasOwn(resolved.schema, 'default');
}

/** Keywords of a schema that constrain data (i.e. everything but annotations and structure). */
function validationKeys(schema: JsonRecord): string[] {
  return Object.keys(schema).filter((k) => !ANNOTATIONS.has(k) && !STRUCTURAL.has(k) && !k.startsWith('x-') && (HANDLED.has(k) || UNMODELLED.has(k)));
}

function annotationsOf(schema: JsonRecord): JsonRecord {
  const out: JsonRecord = {};
  for (const [k, v] of Object.entries(schema)) {
    if (!STRUCTURAL.has(k) && !HANDLED.has(k) && !UNMODELLED.has(k)) out[k] = v;
  }
  return out;
}

function withoutAnnotations(schema: JsonRecord): JsonRecord {
  const out: JsonRecord = {};
  for (const [k, v] of Object.entries(schema)) {
    if (STRUCTURAL.has(k) || HANDLED.has(k) || UNMODELLED.has(k)) out[k] = v;
  }
  return out;
}

/** A schema that is only `anyOf`/`oneOf` (plus annotations): a plain union. */
function pureUnionKind(schema: JsonRecord): 'anyOf' | 'oneOf' | undefined {
  const keys = validationKeys(schema);
  if (keys.length !== 1) return undefined;
  const key = keys[0];
  if ((key === 'anyOf' || key === 'oneOf') && Array.isArray(schema[key])) return key;
  return undefined;
}

function hasCombinator(schema: JsonRecord): boolean {
  return COMBINATORS.some((c) => Array.isArray(schema[c]));
}

// ---------------------------------------------------------------------------------------------
// Entry points

export function diffDocuments(previous: unknown, proposed: unknown): Out {
  const walk: Walk = { prevRoot: previous, nextRoot: proposed, visiting: new Set() };
  const out: Out = [];
  diffSchema(walk, { path: '', label: '' }, previous, proposed, out, 0);
  return out;
}

function collect(walk: Walk, loc: Loc, prev: unknown, next: unknown, depth: number): Out {
  const out: Out = [];
  diffSchema(walk, loc, prev, next, out, depth);
  return out;
}

function diffSchema(walk: Walk, loc: Loc, prevRaw: unknown, nextRaw: unknown, out: Out, depth: number): void {
  if (depth > MAX_DEPTH) return;
  const prevResolved = resolveSchema(walk.prevRoot, prevRaw);
  const nextResolved = resolveSchema(walk.nextRoot, nextRaw);

  if (prevResolved.kind === 'unresolved' || nextResolved.kind === 'unresolved') {
    const prevRef = prevResolved.kind === 'unresolved' ? prevResolved.ref : undefined;
    const nextRef = nextResolved.kind === 'unresolved' ? nextResolved.ref : undefined;
    if (prevRef !== undefined && prevRef === nextRef) return;
    flag(
      out,
      loc,
      'ref.unresolved',
      `${subject(loc.label)} references a schema outside the document (${show(prevRef ?? nextRef)}) that changed; external references cannot be checked`,
      CHANGED,
    );
    return;
  }

  // Recursion guard: a pair of definitions already being compared further up is assumed equal.
  let guardKey: string | undefined;
  if (prevResolved.refs.length > 0 || nextResolved.refs.length > 0) {
    guardKey = `${prevResolved.refs.at(-1) ?? `@${loc.path}`}\u0000${nextResolved.refs.at(-1) ?? `@${loc.path}`}`;
    if (walk.visiting.has(guardKey)) return;
    walk.visiting.add(guardKey);
  }
  try {
    diffResolved(walk, loc, prevResolved.schema, nextResolved.schema, out, depth);
  } finally {
    if (guardKey !== undefined) walk.visiting.delete(guardKey);
  }
}

function normalizeBoolean(schema: boolean | JsonRecord): false | JsonRecord {
  if (schema === true) return {};
  if (schema === false) return false;
  if (isRecord(schema.not) && Object.keys(schema.not).length === 0 && Object.keys(schema).length === 1) return false;
  if (schema.not === true && Object.keys(schema).length === 1) return false;
  return schema;
}

function diffResolved(walk: Walk, loc: Loc, prevIn: boolean | JsonRecord, nextIn: boolean | JsonRecord, out: Out, depth: number): void {
  let prev = normalizeBoolean(prevIn);
  let next = normalizeBoolean(nextIn);

  if (prev === false && next === false) return;
  if (prev === false) {
    flag(out, loc, 'schema.opened', `${subject(loc.label)} previously accepted no value at all (false schema) and now accepts values`, WIDEN);
    return;
  }
  if (next === false) {
    flag(out, loc, 'schema.closed', `${subject(loc.label)} no longer accepts any value (false schema)`, NARROW);
    return;
  }

  // Singleton-union lifting (Confluent's special case): `X` ⇄ `anyOf: [X, Y]` is a union member change.
  const prevUnion = pureUnionKind(prev);
  const nextUnion = pureUnionKind(next);
  if (nextUnion && !hasCombinator(prev) && validationKeys(prev).length > 0) {
    prev = { ...annotationsOf(prev), [nextUnion]: [withoutAnnotations(prev)] };
  } else if (prevUnion && !hasCombinator(next) && validationKeys(next).length > 0) {
    next = { ...annotationsOf(next), [prevUnion]: [withoutAnnotations(next)] };
  }

  const prevTypes = typeSet(prev);
  const nextTypes = typeSet(next);
  compareTypes(loc, prevTypes, nextTypes, out);
  compareAllowedValues(loc, prev, next, out);

  const both = (name: string): boolean => admits(prevTypes, name) && admits(nextTypes, name);
  if (both('string')) compareStringKeywords(loc, prev, next, out);
  if (both('number') || both('integer')) compareNumberKeywords(loc, prev, next, out);
  if (both('object')) compareObjectKeywords(walk, loc, prev, next, out, depth);
  if (both('array')) compareArrayKeywords(walk, loc, prev, next, out, depth);
  compareCombinators(walk, loc, prev, next, out, depth);
  compareRemaining(loc, prev, next, out);
}

// ---------------------------------------------------------------------------------------------
// type, enum, const

function compareTypes(loc: Loc, prevTypes: Set<string> | undefined, nextTypes: Set<string> | undefined, out: Out): void {
  if (!prevTypes && !nextTypes) return;
  const from = describeTypes(prevTypes);
  const to = describeTypes(nextTypes);
  if (!prevTypes) {
    flag(out, loc, 'type.narrowed', `Type of ${subject(loc.label)} restricted from any type to ${to}`, NARROW);
    return;
  }
  if (!nextTypes) {
    flag(out, loc, 'type.widened', `Type of ${subject(loc.label)} widened from ${from} to any type`, WIDEN);
    return;
  }
  const widened = covers(nextTypes, prevTypes);
  const narrowed = covers(prevTypes, nextTypes);
  if (widened && narrowed) return; // e.g. ['number', 'integer'] vs 'number'
  if (widened) {
    flag(out, loc, 'type.widened', `Type of ${subject(loc.label)} widened from ${from} to ${to}; readers on the old schema reject the new values`, WIDEN);
  } else if (narrowed) {
    flag(out, loc, 'type.narrowed', `Type of ${subject(loc.label)} narrowed from ${from} to ${to}; existing data of the dropped type no longer validates`, NARROW);
  } else {
    flag(out, loc, 'type.changed', `Type of ${subject(loc.label)} changed from ${from} to ${to}`, CHANGED);
  }
}

/** The values permitted by `const`/`enum`, or undefined when unrestricted. */
function allowedValues(schema: JsonRecord): { keyword: 'const' | 'enum'; values: unknown[] } | undefined {
  const enumValues = asArray(schema.enum);
  if (hasOwn(schema, 'const')) {
    const c = schema.const;
    if (enumValues && !enumValues.some((v) => deepEqual(v, c))) return { keyword: 'const', values: [] };
    return { keyword: 'const', values: [c] };
  }
  if (enumValues) return { keyword: 'enum', values: enumValues };
  return undefined;
}

function compareAllowedValues(loc: Loc, prev: JsonRecord, next: JsonRecord, out: Out): void {
  const a = allowedValues(prev);
  const b = allowedValues(next);
  if (!a && !b) return;
  const who = subject(loc.label);
  if (!a && b) {
    const what = b.keyword === 'const' ? `the constant ${describeValues(b.values)}` : `the values ${describeValues(b.values)}`;
    flag(out, loc, `${b.keyword}.added`, `${who} is now restricted to ${what}; existing data with other values no longer validates`, NARROW);
    return;
  }
  if (a && !b) {
    flag(out, loc, `${a.keyword}.removed`, `${who} is no longer restricted to ${describeValues(a.values)}; readers on the old schema reject other values`, WIDEN);
    return;
  }
  if (!a || !b) return;
  const aKeys = new Map(a.values.map((v) => [canonicalJson(v), v]));
  const bKeys = new Map(b.values.map((v) => [canonicalJson(v), v]));
  const added = [...bKeys].filter(([k]) => !aKeys.has(k)).map(([, v]) => v);
  const removed = [...aKeys].filter(([k]) => !bKeys.has(k)).map(([, v]) => v);
  if (added.length === 0 && removed.length === 0) return;
  if (a.keyword === 'const' && b.keyword === 'const') {
    flag(out, loc, 'const.changed', `Constant of ${who} changed from ${describeValues(a.values)} to ${describeValues(b.values)}`, CHANGED);
    return;
  }
  if (removed.length === 0) {
    flag(out, loc, 'enum.values-added', `${who} accepts new value(s) ${describeValues(added)}; readers on the old schema reject them`, WIDEN);
  } else if (added.length === 0) {
    flag(out, loc, 'enum.values-removed', `${who} no longer accepts ${describeValues(removed)}; existing data using them no longer validates`, NARROW);
  } else {
    flag(
      out,
      loc,
      'enum.changed',
      `Allowed values of ${who} changed: added ${describeValues(added)}, removed ${describeValues(removed)}`,
      CHANGED,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Scalar limits

/**
 * Compare a single limit keyword. `side` says whether a larger value lets more documents through
 * ('upper': maxLength, maxItems…) or fewer ('lower': minLength, minItems…).
 */
function compareLimit(loc: Loc, keyword: string, side: 'upper' | 'lower', a: number | undefined, b: number | undefined, noun: string, out: Out): void {
  if (a === b) return;
  const who = subject(loc.label);
  if (a === undefined && b !== undefined) {
    flag(out, loc, `${keyword}.added`, `${who} gained ${keyword} ${b} (${noun}); existing data may exceed it`, NARROW);
  } else if (a !== undefined && b === undefined) {
    flag(out, loc, `${keyword}.removed`, `${keyword} ${a} removed from ${who} (${noun}); readers on the old schema still enforce it`, WIDEN);
  } else if (a !== undefined && b !== undefined) {
    const increased = b > a;
    const looser = side === 'upper' ? increased : !increased;
    flag(
      out,
      loc,
      `${keyword}.${increased ? 'increased' : 'decreased'}`,
      `${keyword} of ${who} ${increased ? 'increased' : 'decreased'} from ${a} to ${b} (${noun}) — ${looser ? 'looser: readers on the old schema may reject new data' : 'tighter: existing data may no longer validate'}`,
      looser ? WIDEN : NARROW,
    );
  }
}

function compareStringKeywords(loc: Loc, prev: JsonRecord, next: JsonRecord, out: Out): void {
  compareLimit(loc, 'maxLength', 'upper', asNumber(prev.maxLength), asNumber(next.maxLength), 'maximum string length', out);
  compareLimit(loc, 'minLength', 'lower', asNumber(prev.minLength), asNumber(next.minLength), 'minimum string length', out);
  const who = subject(loc.label);
  const pa = asString(prev.pattern);
  const pb = asString(next.pattern);
  if (pa !== pb) {
    if (pa === undefined) {
      flag(out, loc, 'pattern.added', `${who} must now match the pattern /${pb}/; existing data may not`, NARROW);
    } else if (pb === undefined) {
      flag(out, loc, 'pattern.removed', `Pattern /${pa}/ removed from ${who}; readers on the old schema still enforce it`, WIDEN);
    } else {
      flag(out, loc, 'pattern.changed', `Pattern of ${who} changed from /${pa}/ to /${pb}/; compatibility of regular expressions cannot be proven`, CHANGED);
    }
  }
  const fa = asString(prev.format);
  const fb = asString(next.format);
  if (fa !== fb) {
    if (fa === undefined) flag(out, loc, 'format.added', `${who} must now be a valid \`${fb}\``, NARROW);
    else if (fb === undefined) flag(out, loc, 'format.removed', `Format \`${fa}\` no longer enforced on ${who}`, WIDEN);
    else flag(out, loc, 'format.changed', `Format of ${who} changed from \`${fa}\` to \`${fb}\``, CHANGED);
  }
}

interface Bound {
  value: number;
  exclusive: boolean;
  keyword: string;
}

/** Effective numeric bound from `maximum`/`exclusiveMaximum` (or the minimum pair). */
function numericBound(schema: JsonRecord, side: 'upper' | 'lower'): Bound | undefined {
  const inclusiveKey = side === 'upper' ? 'maximum' : 'minimum';
  const exclusiveKey = side === 'upper' ? 'exclusiveMaximum' : 'exclusiveMinimum';
  const inclusive = asNumber(schema[inclusiveKey]);
  const exclusiveRaw = schema[exclusiveKey];
  const candidates: Bound[] = [];
  if (inclusive !== undefined) {
    // draft-04 style `exclusiveMaximum: true` turns `maximum` exclusive
    candidates.push({ value: inclusive, exclusive: exclusiveRaw === true, keyword: exclusiveRaw === true ? exclusiveKey : inclusiveKey });
  }
  const exclusive = asNumber(exclusiveRaw);
  if (exclusive !== undefined) candidates.push({ value: exclusive, exclusive: true, keyword: exclusiveKey });
  let best: Bound | undefined;
  for (const c of candidates) {
    if (!best || compareBoundTightness(c, best, side) < 0) best = c;
  }
  return best;
}

/** Negative when `a` is tighter (admits fewer numbers) than `b`. */
function compareBoundTightness(a: Bound, b: Bound, side: 'upper' | 'lower'): number {
  if (a.value !== b.value) {
    const aTighter = side === 'upper' ? a.value < b.value : a.value > b.value;
    return aTighter ? -1 : 1;
  }
  if (a.exclusive === b.exclusive) return 0;
  return a.exclusive ? -1 : 1;
}

function describeBound(bound: Bound, side: 'upper' | 'lower'): string {
  const op = side === 'upper' ? (bound.exclusive ? '<' : '≤') : bound.exclusive ? '>' : '≥';
  return `${op} ${bound.value}`;
}

function compareBound(loc: Loc, side: 'upper' | 'lower', prev: JsonRecord, next: JsonRecord, out: Out): void {
  const a = numericBound(prev, side);
  const b = numericBound(next, side);
  const noun = side === 'upper' ? 'upper bound' : 'lower bound';
  const who = subject(loc.label);
  if (!a && !b) return;
  if (!a && b) {
    flag(out, loc, `${b.keyword}.added`, `${who} gained an ${noun} (${b.keyword}: must be ${describeBound(b, side)}); existing data may fall outside it`, NARROW);
    return;
  }
  if (a && !b) {
    flag(out, loc, `${a.keyword}.removed`, `The ${noun} of ${who} (${describeBound(a, side)}) was removed; readers on the old schema still enforce it`, WIDEN);
    return;
  }
  if (!a || !b) return;
  const tightness = compareBoundTightness(b, a, side);
  if (tightness === 0) return;
  const tighter = tightness < 0;
  const verb = a.value === b.value ? (tighter ? 'tightened' : 'relaxed') : b.value > a.value ? 'increased' : 'decreased';
  flag(
    out,
    loc,
    `${b.keyword}.${verb}`,
    `The ${noun} of ${who} changed from ${describeBound(a, side)} to ${describeBound(b, side)} — ${tighter ? 'tighter: existing data may no longer validate' : 'looser: readers on the old schema may reject new data'}`,
    tighter ? NARROW : WIDEN,
  );
}

function isMultiple(value: number, divisor: number): boolean {
  if (divisor === 0) return false;
  const ratio = value / divisor;
  return Math.abs(ratio - Math.round(ratio)) < 1e-9 * Math.max(1, Math.abs(ratio));
}

function compareNumberKeywords(loc: Loc, prev: JsonRecord, next: JsonRecord, out: Out): void {
  compareBound(loc, 'upper', prev, next, out);
  compareBound(loc, 'lower', prev, next, out);
  const a = asNumber(prev.multipleOf);
  const b = asNumber(next.multipleOf);
  const who = subject(loc.label);
  if (a === b) return;
  if (a === undefined && b !== undefined) {
    flag(out, loc, 'multipleOf.added', `${who} must now be a multiple of ${b}`, NARROW);
  } else if (a !== undefined && b === undefined) {
    flag(out, loc, 'multipleOf.removed', `${who} no longer has to be a multiple of ${a}; readers on the old schema still enforce it`, WIDEN);
  } else if (a !== undefined && b !== undefined) {
    if (isMultiple(a, b)) {
      flag(out, loc, 'multipleOf.reduced', `multipleOf of ${who} relaxed from ${a} to ${b} (every multiple of ${a} is a multiple of ${b})`, WIDEN);
    } else if (isMultiple(b, a)) {
      flag(out, loc, 'multipleOf.increased', `multipleOf of ${who} tightened from ${a} to ${b}; existing data may no longer validate`, NARROW);
    } else {
      flag(out, loc, 'multipleOf.changed', `multipleOf of ${who} changed from ${a} to ${b}`, CHANGED);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Objects

type ContentModel = 'open' | 'closed' | 'partial';

function contentModel(schema: JsonRecord): ContentModel {
  const patterns = asRecord(schema.patternProperties);
  const ap = schema.additionalProperties;
  if (patterns && Object.keys(patterns).length > 0) return 'partial';
  if (ap === undefined || ap === true) return 'open';
  if (ap === false) return 'closed';
  return 'partial';
}

function safeRegExp(source: string): RegExp | undefined {
  try {
    return new RegExp(source, 'u');
  } catch {
    try {
      return new RegExp(source);
    } catch {
      return undefined;
    }
  }
}

/** Which schema governs an undeclared property `key` (patternProperties, then additionalProperties). */
function governingSchema(schema: JsonRecord, key: string): { schema: unknown; via: string } {
  const patterns = asRecord(schema.patternProperties);
  if (patterns) {
    for (const [source, sub] of Object.entries(patterns)) {
      if (safeRegExp(source)?.test(key)) return { schema: sub, via: `patternProperties /${source}/` };
    }
  }
  const ap = schema.additionalProperties;
  if (ap === undefined || ap === true) return { schema: true, via: 'open' };
  if (ap === false) return { schema: false, via: 'closed' };
  return { schema: ap, via: 'additionalProperties schema' };
}

function stringList(value: unknown): string[] {
  return (asArray(value) ?? []).filter((x): x is string => typeof x === 'string');
}

function compareObjectKeywords(walk: Walk, loc: Loc, prev: JsonRecord, next: JsonRecord, out: Out, depth: number): void {
  const prevProps = asRecord(prev.properties) ?? {};
  const nextProps = asRecord(next.properties) ?? {};
  const prevRequired = new Set(stringList(prev.required));
  const nextRequired = new Set(stringList(next.required));
  const keys = [...new Set([...Object.keys(prevProps), ...Object.keys(nextProps)])].sort();

  for (const key of keys) {
    const propLoc = childLoc(loc, ['properties', key], propertyLabel(loc.label, key));
    const inPrev = hasOwn(prevProps, key);
    const inNext = hasOwn(nextProps, key);
    if (inPrev && inNext) {
      diffSchema(walk, propLoc, prevProps[key], nextProps[key], out, depth + 1);
    } else if (inNext) {
      propertyAdded(walk, propLoc, key, prev, nextProps[key], out, depth);
    } else {
      propertyRemoved(walk, propLoc, key, prevProps[key], next, out, depth);
    }
  }

  // required
  const requiredKeys = [...new Set([...prevRequired, ...nextRequired])].sort();
  for (const key of requiredKeys) {
    const was = prevRequired.has(key);
    const is = nextRequired.has(key);
    if (was === is) continue;
    const propLoc = childLoc(loc, ['properties', key], propertyLabel(loc.label, key));
    const who = `Property \`${propLoc.label}\``;
    if (is) {
      const isNew = !hasOwn(prevProps, key);
      const withDefault = hasDefault(walk.nextRoot, nextProps[key]);
      const description = withDefault
        ? `${who} became required, with a default for data written without it`
        : isNew
          ? `New property \`${propLoc.label}\` is required without a default; data written with the old schema lacks it`
          : `${who} became required without a default; data written with the old schema may lack it`;
      push(out, propLoc, withDefault ? 'required.added-with-default' : 'required.added', description, withDefault, true);
    } else {
      const withDefault = hasDefault(walk.prevRoot, prevProps[key]);
      const gone = !hasOwn(nextProps, key);
      const description = gone
        ? `${who} was required and has been removed${withDefault ? ' (old readers fall back to its default)' : '; readers on the old schema still require it'}`
        : `${who} is no longer required${withDefault ? ' (old readers fall back to its default)' : '; readers on the old schema still require it'}`;
      push(out, propLoc, 'required.removed', description, true, withDefault);
    }
  }

  compareAdditionalProperties(walk, loc, prev, next, out, depth);
  comparePatternProperties(walk, loc, prev, next, out, depth);
  compareLimit(loc, 'maxProperties', 'upper', asNumber(prev.maxProperties), asNumber(next.maxProperties), 'maximum number of properties', out);
  compareLimit(loc, 'minProperties', 'lower', asNumber(prev.minProperties), asNumber(next.minProperties), 'minimum number of properties', out);
}

function modelPhrase(via: string): string {
  if (via === 'open') return 'an open content model';
  if (via === 'closed') return 'a closed content model (additionalProperties: false)';
  return `a partially open content model (covered by ${via})`;
}

/** How a new governing schema relates to the old one, in words. */
function coverageNote(backward: boolean, forward: boolean, newer: string, older: string): string {
  if (backward && forward) return `${newer} accepts the same values as ${older}`;
  if (backward) return `${newer} is wider than ${older}, so readers on the old schema may reject new values`;
  if (forward) return `${newer} is narrower than ${older}, so data written with the old schema may not validate`;
  return `${newer} is incompatible with ${older}`;
}

/**
 * A property only the proposed schema declares. Old data could carry the key only if the old
 * model let it through, under whatever schema governed undeclared keys; so the change is exactly
 * "governing schema → new property schema".
 */
function propertyAdded(walk: Walk, loc: Loc, key: string, prevObject: JsonRecord, nextSchema: unknown, out: Out, depth: number): void {
  const governing = governingSchema(prevObject, key);
  const sub = collect(walk, loc, governing.schema, nextSchema, depth + 1);
  const backward = allBackward(sub);
  const forward = allForward(sub);
  const who = `Property \`${loc.label}\``;
  let description: string;
  if (governing.via === 'closed') {
    description = `${who} added to ${modelPhrase(governing.via)}: readers on the old schema reject data that carries it`;
  } else if (governing.via === 'open') {
    description = backward
      ? `${who} added to ${modelPhrase(governing.via)} with an unconstrained schema`
      : `${who} added to ${modelPhrase(governing.via)}: data written with the old schema may already carry \`${key}\` with a value the new definition rejects`;
  } else {
    description = `${who} added to ${modelPhrase(governing.via)}; ${coverageNote(backward, forward, 'its declared schema', 'the schema that covered it before')}`;
  }
  push(out, loc, 'property.added', description, backward, forward);
}

/** A property only the previous schema declared: "old property schema → schema now governing the key". */
function propertyRemoved(walk: Walk, loc: Loc, key: string, prevSchema: unknown, nextObject: JsonRecord, out: Out, depth: number): void {
  const governing = governingSchema(nextObject, key);
  const sub = collect(walk, loc, prevSchema, governing.schema, depth + 1);
  const backward = allBackward(sub);
  const forward = allForward(sub);
  const who = `Property \`${loc.label}\``;
  let description: string;
  if (governing.via === 'closed') {
    description = backward
      ? `${who} (which accepted no value) removed from ${modelPhrase(governing.via)}`
      : `${who} removed from ${modelPhrase(governing.via)}: data written with the old schema that carries it no longer validates`;
  } else if (governing.via === 'open') {
    description = forward
      ? `${who} removed from ${modelPhrase(governing.via)}`
      : `${who} removed from ${modelPhrase(governing.via)}: new data may carry \`${key}\` with any value, which readers on the old schema would check against the removed definition`;
  } else {
    description = `${who} removed; it is now covered by ${governing.via}: ${coverageNote(backward, forward, 'that schema', 'its removed definition')}`;
  }
  push(out, loc, 'property.removed', description, backward, forward);
}

function compareAdditionalProperties(walk: Walk, loc: Loc, prev: JsonRecord, next: JsonRecord, out: Out, depth: number): void {
  const a = prev.additionalProperties;
  const b = next.additionalProperties;
  const apLoc = childLoc(loc, ['additionalProperties'], loc.label ? `${loc.label}.*` : '*');
  const aOpen = a === undefined || a === true;
  const bOpen = b === undefined || b === true;
  if (aOpen && bOpen) return;
  const who = subject(loc.label);
  if (isRecord(a) && isRecord(b)) {
    diffSchema(walk, apLoc, a, b, out, depth + 1);
    return;
  }
  if (a === false && b === false) return;
  const sub = collect(walk, apLoc, aOpen ? true : a, bOpen ? true : b, depth + 1);
  if (sub.length === 0) return;
  const backward = allBackward(sub);
  const forward = allForward(sub);
  let kind: string;
  let description: string;
  if (b === false) {
    kind = 'additionalProperties.removed';
    description = `${who} no longer allows additional properties (additionalProperties: false); data written with the old schema may carry undeclared properties`;
  } else if (a === false) {
    kind = 'additionalProperties.added';
    description = `${who} now allows additional properties; readers on the old schema (additionalProperties: false) reject them`;
  } else if (bOpen) {
    kind = 'additionalProperties.extended';
    description = `Undeclared properties of ${who} are no longer constrained by a schema`;
  } else {
    kind = 'additionalProperties.narrowed';
    description = `Undeclared properties of ${who} must now match an additionalProperties schema`;
  }
  push(out, apLoc, kind, description, backward, forward);
}

function comparePatternProperties(walk: Walk, loc: Loc, prev: JsonRecord, next: JsonRecord, out: Out, depth: number): void {
  const a = asRecord(prev.patternProperties) ?? {};
  const b = asRecord(next.patternProperties) ?? {};
  const patterns = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  const apOf = (schema: JsonRecord): unknown => (schema.additionalProperties === undefined ? true : schema.additionalProperties);
  for (const pattern of patterns) {
    const pLoc = childLoc(loc, ['patternProperties', pattern], `${loc.label ? `${loc.label}.` : ''}/${pattern}/`);
    const inA = hasOwn(a, pattern);
    const inB = hasOwn(b, pattern);
    if (inA && inB) {
      diffSchema(walk, pLoc, a[pattern], b[pattern], out, depth + 1);
      continue;
    }
    // Keys matching the pattern were (or become) governed by additionalProperties.
    const sub = inB ? collect(walk, pLoc, apOf(prev), b[pattern], depth + 1) : collect(walk, pLoc, a[pattern], apOf(next), depth + 1);
    if (sub.length === 0) continue;
    const who = subject(loc.label);
    push(
      out,
      pLoc,
      inB ? 'patternProperties.added' : 'patternProperties.removed',
      inB
        ? `Properties of ${who} matching /${pattern}/ are now governed by a pattern schema instead of additionalProperties`
        : `Pattern /${pattern}/ removed from ${who}; matching properties fall back to additionalProperties`,
      allBackward(sub),
      allForward(sub),
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Arrays

function tupleOf(schema: JsonRecord): unknown[] {
  const prefix = asArray(schema.prefixItems);
  if (prefix) return prefix;
  const items = asArray(schema.items); // draft 2019 and earlier tuple form
  return items ?? [];
}

function restItems(schema: JsonRecord): unknown {
  if (Array.isArray(schema.items)) {
    return schema.additionalItems === undefined ? true : schema.additionalItems;
  }
  return schema.items === undefined ? true : schema.items;
}

function compareArrayKeywords(walk: Walk, loc: Loc, prev: JsonRecord, next: JsonRecord, out: Out, depth: number): void {
  const prevTuple = tupleOf(prev);
  const nextTuple = tupleOf(next);
  const prevRest = restItems(prev);
  const nextRest = restItems(next);
  const tupleLength = Math.max(prevTuple.length, nextTuple.length);
  for (let i = 0; i < tupleLength; i += 1) {
    const itemLoc = childLoc(loc, ['prefixItems', String(i)], `${loc.label}[${i}]`);
    const a = i < prevTuple.length ? prevTuple[i] : prevRest;
    const b = i < nextTuple.length ? nextTuple[i] : nextRest;
    diffSchema(walk, itemLoc, a, b, out, depth + 1);
  }
  if (isSchemaLike(prevRest) && isSchemaLike(nextRest) && !(prevRest === true && nextRest === true)) {
    diffSchema(walk, childLoc(loc, ['items'], `${loc.label}[]`), prevRest, nextRest, out, depth + 1);
  }
  compareLimit(loc, 'maxItems', 'upper', asNumber(prev.maxItems), asNumber(next.maxItems), 'maximum number of items', out);
  compareLimit(loc, 'minItems', 'lower', asNumber(prev.minItems), asNumber(next.minItems), 'minimum number of items', out);
  const ua = prev.uniqueItems === true;
  const ub = next.uniqueItems === true;
  if (ua !== ub) {
    const who = subject(loc.label);
    if (ub) flag(out, loc, 'uniqueItems.added', `Items of ${who} must now be unique; existing data with duplicates no longer validates`, NARROW);
    else flag(out, loc, 'uniqueItems.removed', `Items of ${who} no longer have to be unique; readers on the old schema reject duplicates`, WIDEN);
  }
}

// ---------------------------------------------------------------------------------------------
// anyOf / oneOf / allOf

function memberSummary(member: unknown): string {
  if (isRecord(member)) {
    if (typeof member.title === 'string') return `\`${member.title}\``;
    if (typeof member.$ref === 'string') return `\`${member.$ref}\``;
  }
  return show(member, 70);
}

/** Can a `from` combinator be replaced by `to` without breaking readers on `to` (Confluent's rule)? */
function criterionBackwardOk(from: Combinator, to: Combinator, fromSize: number, toSize: number): boolean {
  if (from === to) return true;
  if (to === 'anyOf') return true;
  if (to === 'oneOf') return fromSize === 1;
  return fromSize === 1 && toSize === 1;
}

function compareCombinators(walk: Walk, loc: Loc, prev: JsonRecord, next: JsonRecord, out: Out, depth: number): void {
  const present = (schema: JsonRecord): Combinator[] => COMBINATORS.filter((c) => Array.isArray(schema[c]));
  const inPrev = present(prev);
  const inNext = present(next);
  const who = subject(loc.label);

  // A union switched combinator (e.g. oneOf → anyOf): compare criteria, then members.
  if (inPrev.length === 1 && inNext.length === 1 && inPrev[0] !== inNext[0]) {
    const from = inPrev[0] as Combinator;
    const to = inNext[0] as Combinator;
    const a = asArray(prev[from]) ?? [];
    const b = asArray(next[to]) ?? [];
    push(
      out,
      loc,
      'combinator.changed',
      `${who} switched from ${from} to ${to}`,
      criterionBackwardOk(from, to, a.length, b.length),
      criterionBackwardOk(to, from, b.length, a.length),
    );
    compareMembers(walk, loc, to, a, b, out, depth);
    return;
  }

  for (const keyword of COMBINATORS) {
    const a = asArray(prev[keyword]);
    const b = asArray(next[keyword]);
    if (!a && !b) continue;
    if (a && b) {
      compareMembers(walk, loc, keyword, a, b, out, depth);
    } else if (b) {
      flag(out, loc, `${keyword}.added`, `${who} must now also satisfy ${keyword} of ${b.length} schema(s)`, NARROW);
    } else if (a) {
      flag(out, loc, `${keyword}.removed`, `${who} no longer has to satisfy ${keyword} of ${a.length} schema(s)`, WIDEN);
    }
  }
}

interface Pairing {
  i: number;
  j: number;
  changes: Out;
}

function compareMembers(walk: Walk, loc: Loc, keyword: Combinator, a: unknown[], b: unknown[], out: Out, depth: number): void {
  const memberLoc = (j: number): Loc => childLoc(loc, [keyword, String(j)], `${loc.label}<${keyword}[${j}]>`);
  const candidates: Pairing[] = [];
  for (let i = 0; i < a.length; i += 1) {
    for (let j = 0; j < b.length; j += 1) {
      candidates.push({ i, j, changes: collect(walk, memberLoc(j), a[i], b[j], depth + 1) });
    }
  }
  const usedA = new Set<number>();
  const usedB = new Set<number>();
  const pairs: Pairing[] = [];
  // 1) identical members, 2) members that evolved compatibly in at least one direction.
  const ranked = candidates
    .filter((c) => c.changes.length === 0 || allBackward(c.changes) || allForward(c.changes))
    .sort((x, y) => x.changes.length - y.changes.length || Math.abs(x.i - x.j) - Math.abs(y.i - y.j) || x.i - y.i);
  for (const candidate of ranked) {
    if (usedA.has(candidate.i) || usedB.has(candidate.j)) continue;
    usedA.add(candidate.i);
    usedB.add(candidate.j);
    pairs.push(candidate);
  }
  pairs.sort((x, y) => x.j - y.j);
  for (const pair of pairs) out.push(...pair.changes);

  const sum = keyword !== 'allOf';
  const who = subject(loc.label);
  for (let j = 0; j < b.length; j += 1) {
    if (usedB.has(j)) continue;
    flag(
      out,
      memberLoc(j),
      `${keyword}.member-added`,
      sum
        ? `${who} accepts a new ${keyword} alternative ${memberSummary(b[j])}; readers on the old schema reject data of that shape`
        : `${who} must now also satisfy ${memberSummary(b[j])} (allOf)`,
      sum ? WIDEN : NARROW,
    );
  }
  for (let i = 0; i < a.length; i += 1) {
    if (usedA.has(i)) continue;
    flag(
      out,
      childLoc(loc, [keyword, String(i)], `${loc.label}<${keyword}[${i}]>`),
      `${keyword}.member-removed`,
      sum
        ? `${keyword} alternative ${memberSummary(a[i])} of ${who} was removed; existing data of that shape no longer validates`
        : `${who} no longer has to satisfy ${memberSummary(a[i])} (allOf)`,
      sum ? NARROW : WIDEN,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Everything else: annotations (always compatible) and unmodelled validation keywords (breaking).

function compareRemaining(loc: Loc, prev: JsonRecord, next: JsonRecord, out: Out): void {
  const keys = [...new Set([...Object.keys(prev), ...Object.keys(next)])].sort();
  const annotations: string[] = [];
  for (const key of keys) {
    if (STRUCTURAL.has(key) || HANDLED.has(key)) continue;
    if (deepEqual(prev[key], next[key])) continue;
    if (UNMODELLED.has(key)) {
      flag(
        out,
        loc,
        `${key}.changed`,
        `\`${key}\` of ${subject(loc.label)} changed; Plumbline does not model this keyword, so the change is treated as breaking`,
        CHANGED,
      );
    } else {
      annotations.push(key);
    }
  }
  if (annotations.length > 0) {
    push(
      out,
      loc,
      'annotation.changed',
      `Annotations of ${subject(loc.label)} changed (${annotations.join(', ')}); validation is unaffected`,
      true,
      true,
    );
  }
}

