/** Local `$ref` resolution (`#`, `#/$defs/…`, `#/definitions/…`, any JSON pointer, `#anchor`). */
import { isRecord, unescapePointerToken, type JsonRecord } from './json';

export type Resolved =
  | { kind: 'schema'; schema: boolean | JsonRecord; refs: string[] }
  | { kind: 'unresolved'; ref: string; refs: string[] };

const MAX_REF_HOPS = 64;

function walkPointer(root: unknown, pointer: string): unknown {
  if (pointer === '') return root;
  if (!pointer.startsWith('/')) return undefined;
  let node: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    let token: string;
    try {
      token = unescapePointerToken(decodeURIComponent(raw));
    } catch {
      token = unescapePointerToken(raw);
    }
    if (Array.isArray(node)) {
      const index = Number(token);
      if (!Number.isInteger(index) || index < 0 || index >= node.length) return undefined;
      node = node[index];
    } else if (isRecord(node) && Object.prototype.hasOwnProperty.call(node, token)) {
      node = node[token];
    } else {
      return undefined;
    }
  }
  return node;
}

function findAnchor(node: unknown, anchor: string, seen: Set<unknown>): unknown {
  if (Array.isArray(node)) {
    for (const item of node) {
      const hit = findAnchor(item, anchor, seen);
      if (hit !== undefined) return hit;
    }
    return undefined;
  }
  if (!isRecord(node) || seen.has(node)) return undefined;
  seen.add(node);
  if (node.$anchor === anchor || node.$dynamicAnchor === anchor) return node;
  for (const value of Object.values(node)) {
    const hit = findAnchor(value, anchor, seen);
    if (hit !== undefined) return hit;
  }
  return undefined;
}

/** Look a local reference up in `root`; undefined when it is not local or does not exist. */
export function lookupRef(root: unknown, ref: string): unknown {
  let fragment: string;
  const rootId = isRecord(root) && typeof root.$id === 'string' ? root.$id : undefined;
  if (ref.startsWith('#')) {
    fragment = ref.slice(1);
  } else if (rootId && ref.startsWith(`${rootId.replace(/#$/, '')}#`)) {
    fragment = ref.slice(rootId.replace(/#$/, '').length + 1);
  } else if (rootId && ref === rootId) {
    fragment = '';
  } else {
    return undefined;
  }
  if (fragment === '' || fragment.startsWith('/')) return walkPointer(root, fragment);
  return findAnchor(root, fragment, new Set());
}

/**
 * Follow `$ref` chains of `schema` within `root`. Sibling keywords next to `$ref` are merged over
 * the referenced schema (an approximation of 2020-12's "both apply", good enough for diffing).
 */
export function resolveSchema(root: unknown, schema: unknown): Resolved {
  const refs: string[] = [];
  let current: unknown = schema === undefined ? true : schema;
  const overlays: JsonRecord[] = [];
  for (let hop = 0; hop <= MAX_REF_HOPS; hop += 1) {
    if (!isRecord(current) || typeof current.$ref !== 'string') break;
    const ref = current.$ref;
    const { $ref: _dropped, ...siblings } = current;
    if (refs.includes(ref)) {
      // A pure reference loop (`a` → `b` → `a`) constrains nothing.
      current = true;
      break;
    }
    refs.push(ref);
    overlays.push(siblings);
    const target = lookupRef(root, ref);
    if (target === undefined) return { kind: 'unresolved', ref, refs };
    current = target;
  }
  if (typeof current === 'boolean') {
    if (current === false || overlays.every((o) => Object.keys(o).length === 0)) {
      return { kind: 'schema', schema: current, refs };
    }
    current = {};
  }
  if (!isRecord(current)) return { kind: 'schema', schema: true, refs };
  let merged: JsonRecord = current;
  // overlays[0] is the outermost (the schema the caller handed us): it wins over inner ones.
  for (let i = overlays.length - 1; i >= 0; i -= 1) {
    const overlay = overlays[i];
    if (overlay && Object.keys(overlay).length > 0) merged = { ...merged, ...overlay };
  }
  return { kind: 'schema', schema: merged, refs };
}
