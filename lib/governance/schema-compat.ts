/**
 * JSON Schema (2020-12) compatibility checking for interface contracts, following the rules
 * Confluent Schema Registry applies to JSON Schema subjects.
 *
 *   backward — a reader on the NEW (proposed) schema can read data written with the OLD one;
 *   forward  — a reader on the OLD (previous) schema can read data written with the NEW one.
 *
 * Narrowing changes (removing an enum value, adding maxLength, adding a property to an open
 * content model, closing additionalProperties…) break BACKWARD but keep FORWARD; widening changes
 * do the opposite. Local `$ref`s (`#/$defs/…`, `#/definitions/…`, JSON pointers, anchors) are
 * resolved before comparing, with a guard against recursive definitions. Pure module: no I/O.
 */
import { diffDocuments } from './schema-compat/diff';
import type { CompatibilityLevel, CompatibilityReport, JsonSchema, SchemaChange } from './schema-compat/types';
import { validateSchemaDocument, type SchemaDocumentValidation } from './schema-compat/validate';

export type {
  CompatibilityLevel,
  CompatibilityReport,
  JsonSchema,
  JsonSchemaObject,
  JsonSchemaTypeName,
  SchemaChange,
} from './schema-compat/types';
export type { SchemaDocumentValidation } from './schema-compat/validate';

/** Overall level for a list of changes (NONE_CHANGED only when the list is empty). */
export function levelOf(changes: readonly SchemaChange[]): CompatibilityLevel {
  if (changes.length === 0) return 'NONE_CHANGED';
  const backward = changes.every((c) => c.backward);
  const forward = changes.every((c) => c.forward);
  if (backward && forward) return 'FULL';
  if (backward) return 'BACKWARD';
  if (forward) return 'FORWARD';
  return 'BREAKING';
}

/** Compare the registered `previous` schema with a `proposed` replacement. */
export function compareSchemas(previous: JsonSchema, proposed: JsonSchema): CompatibilityReport {
  const changes = diffDocuments(previous, proposed);
  return { level: levelOf(changes), changes };
}

/**
 * Does a report satisfy a Confluent-style compatibility mode? BACKWARD needs every change to be
 * backward compatible, FORWARD every change forward compatible, FULL both; NONE accepts anything.
 */
export function satisfiesMode(report: CompatibilityReport, mode: 'BACKWARD' | 'FORWARD' | 'FULL' | 'NONE'): boolean {
  switch (mode) {
    case 'NONE':
      return true;
    case 'BACKWARD':
      return report.changes.every((c) => c.backward);
    case 'FORWARD':
      return report.changes.every((c) => c.forward);
    case 'FULL':
      return report.changes.every((c) => c.backward && c.forward);
  }
}

/**
 * Check that `doc` is a usable JSON Schema 2020-12 document: it conforms to the meta-schema and
 * Ajv can compile it (so `$ref`s resolve and patterns are valid regular expressions). A string is
 * parsed as JSON first. Errors are short human-readable sentences.
 */
export function validateJsonSchemaDocument(doc: unknown): SchemaDocumentValidation {
  return validateSchemaDocument(doc);
}
