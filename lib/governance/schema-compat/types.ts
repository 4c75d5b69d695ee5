/** Public types of the JSON Schema compatibility checker (see `lib/governance/schema-compat.ts`). */

export type JsonSchemaTypeName = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'null';

/**
 * A JSON Schema (draft 2020-12) document or subschema. The well-known keywords are typed for
 * convenience; anything else is allowed (extension keywords, annotations) and is read defensively.
 */
export interface JsonSchemaObject {
  $schema?: string;
  $id?: string;
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  definitions?: Record<string, JsonSchema>;
  title?: string;
  description?: string;
  default?: unknown;
  type?: JsonSchemaTypeName | JsonSchemaTypeName[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  multipleOf?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema;
  patternProperties?: Record<string, JsonSchema>;
  minProperties?: number;
  maxProperties?: number;
  items?: JsonSchema;
  prefixItems?: JsonSchema[];
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  [keyword: string]: unknown;
}

export type JsonSchema = boolean | JsonSchemaObject;

/**
 * Overall verdict, Confluent Schema Registry style:
 * - NONE_CHANGED: the schemas are equivalent (no change detected at all);
 * - FULL: every change is both backward and forward compatible (e.g. only descriptions changed);
 * - BACKWARD: readers on the new schema can read data written with the old one;
 * - FORWARD: readers on the old schema can read data written with the new one;
 * - BREAKING: neither.
 */
export type CompatibilityLevel = 'FULL' | 'BACKWARD' | 'FORWARD' | 'BREAKING' | 'NONE_CHANGED';

export interface SchemaChange {
  /** JSON-pointer-ish location in the (ref-resolved) schema, e.g. `/properties/lines/items/properties/quantity`; the root is `/`. */
  path: string;
  /** Machine-readable change kind, e.g. `property.added`, `enum.values-removed`, `maxLength.decreased`. */
  kind: string;
  /** Human-readable explanation. */
  description: string;
  /** A reader using the NEW schema can read data written with the OLD schema. */
  backward: boolean;
  /** A reader using the OLD schema can read data written with the NEW schema. */
  forward: boolean;
}

export interface CompatibilityReport {
  level: CompatibilityLevel;
  changes: SchemaChange[];
}
