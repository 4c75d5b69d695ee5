import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import {
  compareSchemas,
  levelOf,
  satisfiesMode,
  validateJsonSchemaDocument,
  type CompatibilityLevel,
  type JsonSchema,
  type JsonSchemaObject,
  type SchemaChange,
} from '@/lib/governance/schema-compat';

// ---------------------------------------------------------------------------------------------
// Fixtures: realistic Odoo payloads as published by construction-site integrations.

/** Odoo `account.move` (customer/vendor invoice) as pushed by the subcontractor billing sync. Closed model. */
const INVOICE: JsonSchemaObject = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://plumbline.example/schemas/odoo/account.move.json',
  title: 'Odoo account.move',
  type: 'object',
  additionalProperties: false,
  required: ['move_type', 'partner_id', 'invoice_date', 'currency', 'amount_total', 'lines'],
  properties: {
    name: { type: 'string', maxLength: 64, pattern: '^(INV|BILL|RINV)/\\d{4}/\\d{5}$' },
    move_type: { enum: ['out_invoice', 'in_invoice', 'out_refund'] },
    state: { const: 'posted' },
    partner_id: { type: 'integer', minimum: 1 },
    invoice_date: { type: 'string', format: 'date' },
    currency: { type: 'string', minLength: 3, maxLength: 3 },
    payment_reference: { type: 'string' },
    amount_total: { type: 'number', minimum: 0, multipleOf: 0.01 },
    retention_pct: { type: 'number', minimum: 0, exclusiveMaximum: 100 },
    analytic_distribution: {
      description: 'analytic account id → percentage',
      type: 'object',
      additionalProperties: { type: 'number', minimum: 0, maximum: 100 },
    },
    lines: { type: 'array', minItems: 1, maxItems: 500, items: { $ref: '#/$defs/line' } },
  },
  $defs: {
    line: {
      type: 'object',
      additionalProperties: false,
      required: ['product_id', 'quantity', 'price_unit'],
      properties: {
        product_id: { type: 'integer' },
        name: { type: 'string' },
        quantity: { type: 'number', exclusiveMinimum: 0 },
        price_unit: { type: 'number' },
        tax_ids: { type: 'array', items: { type: 'integer' }, uniqueItems: true },
        analytic_distribution: { $ref: '#/$defs/analyticDistribution' },
      },
    },
    analyticDistribution: {
      type: 'object',
      additionalProperties: false,
      patternProperties: { '^[0-9]+(,[0-9]+)*$': { type: 'number', minimum: 0, maximum: 100 } },
    },
  },
};

/** Equipment telemetry event from the FleetTrack webhook (open content model: additionalProperties absent). */
const EQUIPMENT_EVENT: JsonSchemaObject = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'maintenance.equipment telemetry',
  type: 'object',
  required: ['equipment_id', 'recorded_at'],
  properties: {
    equipment_id: { type: 'integer' },
    recorded_at: { type: 'string', format: 'date-time' },
    site_code: { type: 'string', maxLength: 12 },
    fuel_level: { type: 'number', minimum: 0, maximum: 1 },
  },
};

/** Odoo `project.task` with sub-tasks: recursive through `$defs`. */
const TASK_TREE: JsonSchemaObject = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $ref: '#/$defs/task',
  $defs: {
    task: {
      type: 'object',
      required: ['id', 'name'],
      properties: {
        id: { type: 'integer' },
        name: { type: 'string' },
        stage: { enum: ['todo', 'in_progress', 'done'] },
        child_ids: { type: 'array', items: { $ref: '#/$defs/task' } },
      },
    },
  },
};

// ---------------------------------------------------------------------------------------------
// Helpers

function isObject(value: unknown): value is JsonSchemaObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Navigate to a nested subschema (asserting it exists) so tests can mutate a clone. */
function at(schema: JsonSchema, ...path: string[]): JsonSchemaObject {
  let node: unknown = schema;
  for (const key of path) {
    assert.ok(isObject(node), `no object at ${path.join('/')}`);
    node = node[key];
  }
  assert.ok(isObject(node), `no object at ${path.join('/')}`);
  return node;
}

function variant(base: JsonSchemaObject, mutate: (schema: JsonSchemaObject) => void): JsonSchemaObject {
  const copy = structuredClone(base);
  mutate(copy);
  return copy;
}

function openEvent(mutate: (schema: JsonSchemaObject) => void): JsonSchemaObject {
  return variant(EQUIPMENT_EVENT, mutate);
}

function invoice(mutate: (schema: JsonSchemaObject) => void): JsonSchemaObject {
  return variant(INVOICE, mutate);
}

const LINE = ['$defs', 'line', 'properties'] as const;

interface Case {
  name: string;
  previous: JsonSchema;
  proposed: JsonSchema;
  /** verdict of compareSchemas(previous, proposed) */
  level: CompatibilityLevel;
  /** verdict with previous/proposed swapped */
  mirrored: CompatibilityLevel;
  /** `kind@path` entries that must appear in the forward comparison */
  expect?: string[];
  /** `kind@path` entries that must appear in the mirrored comparison */
  expectMirrored?: string[];
}

function keys(changes: SchemaChange[]): string[] {
  return changes.map((c) => `${c.kind}@${c.path}`);
}

const CASES: Case[] = [
  // --- no change / annotations
  { name: 'identical invoice schema', previous: INVOICE, proposed: structuredClone(INVOICE), level: 'NONE_CHANGED', mirrored: 'NONE_CHANGED' },
  {
    name: 'only a description changes',
    previous: INVOICE,
    proposed: invoice((s) => {
      at(s, 'properties', 'amount_total').description = 'Total incl. VAT in company currency';
    }),
    level: 'FULL',
    mirrored: 'FULL',
    expect: ['annotation.changed@/properties/amount_total'],
  },
  {
    name: 'extension keyword (x-odoo-model) changes are annotations',
    previous: INVOICE,
    proposed: invoice((s) => {
      s['x-odoo-model'] = 'account.move';
    }),
    level: 'FULL',
    mirrored: 'FULL',
  },

  // --- properties in closed / open / partially open content models
  {
    name: 'optional property added to a closed model',
    previous: INVOICE,
    proposed: invoice((s) => {
      at(s, 'properties').retention_amount = { type: 'number', minimum: 0 };
    }),
    level: 'BACKWARD',
    mirrored: 'FORWARD',
    expect: ['property.added@/properties/retention_amount'],
    expectMirrored: ['property.removed@/properties/retention_amount'],
  },
  {
    name: 'optional property added to an open model',
    previous: EQUIPMENT_EVENT,
    proposed: openEvent((s) => {
      at(s, 'properties').engine_hours = { type: 'number', minimum: 0 };
    }),
    level: 'FORWARD',
    mirrored: 'BACKWARD',
    expect: ['property.added@/properties/engine_hours'],
    expectMirrored: ['property.removed@/properties/engine_hours'],
  },
  {
    name: 'property with an empty schema added to an open model',
    previous: EQUIPMENT_EVENT,
    proposed: openEvent((s) => {
      at(s, 'properties').raw_payload = {};
    }),
    level: 'FULL',
    mirrored: 'FULL',
  },
  {
    name: 'property with a false schema removed from a closed model',
    previous: invoice((s) => {
      at(s, 'properties').legacy_journal_code = false;
    }),
    proposed: INVOICE,
    level: 'FULL',
    mirrored: 'FULL',
  },
  {
    name: 'required property without default added to a closed model',
    previous: INVOICE,
    proposed: invoice((s) => {
      at(s, 'properties').project_id = { type: 'integer' };
      s.required = [...(s.required ?? []), 'project_id'];
    }),
    level: 'BREAKING',
    mirrored: 'BREAKING',
    expect: ['property.added@/properties/project_id', 'required.added@/properties/project_id'],
    expectMirrored: ['property.removed@/properties/project_id', 'required.removed@/properties/project_id'],
  },
  {
    name: 'existing property becomes required without a default',
    previous: INVOICE,
    proposed: invoice((s) => {
      s.required = [...(s.required ?? []), 'analytic_distribution'];
    }),
    level: 'FORWARD',
    mirrored: 'BACKWARD',
    expect: ['required.added@/properties/analytic_distribution'],
    expectMirrored: ['required.removed@/properties/analytic_distribution'],
  },
  {
    name: 'existing property becomes required with a default',
    previous: INVOICE,
    proposed: invoice((s) => {
      s.required = [...(s.required ?? []), 'payment_reference'];
      at(s, 'properties', 'payment_reference').default = '';
    }),
    level: 'FULL',
    mirrored: 'FULL',
    expect: ['required.added-with-default@/properties/payment_reference'],
  },
  {
    name: 'nested line property becomes required (through $ref)',
    previous: INVOICE,
    proposed: invoice((s) => {
      at(s, '$defs', 'line').required = ['product_id', 'quantity', 'price_unit', 'tax_ids'];
    }),
    level: 'FORWARD',
    mirrored: 'BACKWARD',
    expect: ['required.added@/properties/lines/items/properties/tax_ids'],
  },
  {
    name: 'property added to a partially open model, covered by a compatible pattern',
    previous: invoice((s) => {
      s.patternProperties = { '^x_': { type: 'string' } };
    }),
    proposed: invoice((s) => {
      s.patternProperties = { '^x_': { type: 'string' } };
      at(s, 'properties').x_site_code = { type: 'string' };
    }),
    level: 'FULL',
    mirrored: 'FULL',
    expect: ['property.added@/properties/x_site_code'],
  },
  {
    name: 'property added to a partially open model with a narrower schema than the pattern',
    previous: invoice((s) => {
      s.patternProperties = { '^x_': { type: 'string' } };
    }),
    proposed: invoice((s) => {
      s.patternProperties = { '^x_': { type: 'string' } };
      at(s, 'properties').x_site_code = { type: 'string', maxLength: 10 };
    }),
    level: 'FORWARD',
    mirrored: 'BACKWARD',
  },

  // --- additionalProperties
  {
    name: 'open model closed (additionalProperties absent → false)',
    previous: EQUIPMENT_EVENT,
    proposed: openEvent((s) => {
      s.additionalProperties = false;
    }),
    level: 'FORWARD',
    mirrored: 'BACKWARD',
    expect: ['additionalProperties.removed@/additionalProperties'],
    expectMirrored: ['additionalProperties.added@/additionalProperties'],
  },
  {
    name: 'additionalProperties true → false',
    previous: openEvent((s) => {
      s.additionalProperties = true;
    }),
    proposed: openEvent((s) => {
      s.additionalProperties = false;
    }),
    level: 'FORWARD',
    mirrored: 'BACKWARD',
  },
  {
    name: 'additionalProperties absent ≡ true',
    previous: EQUIPMENT_EVENT,
    proposed: openEvent((s) => {
      s.additionalProperties = true;
    }),
    level: 'NONE_CHANGED',
    mirrored: 'NONE_CHANGED',
  },
  {
    name: 'closed invoice opened (additionalProperties false → true)',
    previous: INVOICE,
    proposed: invoice((s) => {
      s.additionalProperties = true;
    }),
    level: 'BACKWARD',
    mirrored: 'FORWARD',
    expect: ['additionalProperties.added@/additionalProperties'],
  },
  {
    name: 'additionalProperties schema tightened (analytic percentage max)',
    previous: INVOICE,
    proposed: invoice((s) => {
      at(s, 'properties', 'analytic_distribution', 'additionalProperties').maximum = 50;
    }),
    level: 'FORWARD',
    mirrored: 'BACKWARD',
    expect: ['maximum.decreased@/properties/analytic_distribution/additionalProperties'],
  },
  {
    name: 'open model gains an additionalProperties schema',
    previous: EQUIPMENT_EVENT,
    proposed: openEvent((s) => {
      s.additionalProperties = { type: 'number' };
    }),
    level: 'FORWARD',
    mirrored: 'BACKWARD',
    expect: ['additionalProperties.narrowed@/additionalProperties'],
    expectMirrored: ['additionalProperties.extended@/additionalProperties'],
  },
  {
    name: 'patternProperties added to an open model',
    previous: EQUIPMENT_EVENT,
    proposed: openEvent((s) => {
      s.patternProperties = { '^sensor_': { type: 'number' } };
    }),
    level: 'FORWARD',
    mirrored: 'BACKWARD',
    expect: ['patternProperties.added@/patternProperties/^sensor_'],
  },
  {
    name: 'patternProperties schema widened inside the $ref’d line analytic distribution',
    previous: INVOICE,
    proposed: invoice((s) => {
      at(s, '$defs', 'analyticDistribution', 'patternProperties', '^[0-9]+(,[0-9]+)*$').maximum = 1000;
    }),
    level: 'BACKWARD',
    mirrored: 'FORWARD',
    expect: ['maximum.increased@/properties/lines/items/properties/analytic_distribution/patternProperties/^[0-9]+(,[0-9]+)*$'],
  },

  // --- types
  {
    name: 'integer widened to number',
    previous: INVOICE,
    proposed: invoice((s) => {
      at(s, 'properties', 'partner_id').type = 'number';
    }),
    level: 'BACKWARD',
    mirrored: 'FORWARD',
    expect: ['type.widened@/properties/partner_id'],
    expectMirrored: ['type.narrowed@/properties/partner_id'],
  },
  {
    name: 'type array gains null',
    previous: INVOICE,
    proposed: invoice((s) => {
      at(s, 'properties', 'payment_reference').type = ['string', 'null'];
    }),
    level: 'BACKWARD',
    mirrored: 'FORWARD',
  },
  {
    name: 'type replaced (string → integer)',
    previous: INVOICE,
    proposed: invoice((s) => {
      at(s, 'properties', 'payment_reference').type = 'integer';
    }),
    level: 'BREAKING',
    mirrored: 'BREAKING',
    expect: ['type.changed@/properties/payment_reference'],
  },
  {
    name: '[number, integer] is the same as number',
    previous: INVOICE,
    proposed: invoice((s) => {
      at(s, 'properties', 'amount_total').type = ['number', 'integer'];
    }),
    level: 'NONE_CHANGED',
    mirrored: 'NONE_CHANGED',
  },
  {
    name: 'type added where there was none',
    previous: INVOICE,
    proposed: invoice((s) => {
      at(s, 'properties', 'move_type').type = 'string';
    }),
    level: 'FORWARD',
    mirrored: 'BACKWARD',
    expect: ['type.narrowed@/properties/move_type'],
  },

  // --- enum / const
  {
    name: 'move_type enum gains out_receipt',
    previous: INVOICE,
    proposed: invoice((s) => {
      at(s, 'properties', 'move_type').enum = ['out_invoice', 'in_invoice', 'out_refund', 'out_receipt'];
    }),
    level: 'BACKWARD',
    mirrored: 'FORWARD',
    expect: ['enum.values-added@/properties/move_type'],
    expectMirrored: ['enum.values-removed@/properties/move_type'],
  },
  {
    name: 'move_type enum value swapped',
    previous: INVOICE,
    proposed: invoice((s) => {
      at(s, 'properties', 'move_type').enum = ['out_invoice', 'in_invoice', 'in_refund'];
    }),
    level: 'BREAKING',
    mirrored: 'BREAKING',
    expect: ['enum.changed@/properties/move_type'],
  },
  {
    name: 'enum reordered',
    previous: INVOICE,
    proposed: invoice((s) => {
      at(s, 'properties', 'move_type').enum = ['out_refund', 'out_invoice', 'in_invoice'];
    }),
    level: 'NONE_CHANGED',
    mirrored: 'NONE_CHANGED',
  },
  {
    name: 'const changed',
    previous: INVOICE,
    proposed: invoice((s) => {
      at(s, 'properties', 'state').const = 'draft';
    }),
    level: 'BREAKING',
    mirrored: 'BREAKING',
    expect: ['const.changed@/properties/state'],
  },
  {
    name: 'const ≡ single-value enum',
    previous: INVOICE,
    proposed: invoice((s) => {
      const state = at(s, 'properties', 'state');
      delete state.const;
      state.enum = ['posted'];
    }),
    level: 'NONE_CHANGED',
    mirrored: 'NONE_CHANGED',
  },
  {
    name: 'const added to a free string',
    previous: INVOICE,
    proposed: invoice((s) => {
      at(s, 'properties', 'currency').const = 'EUR';
    }),
    level: 'FORWARD',
    mirrored: 'BACKWARD',
    expect: ['const.added@/properties/currency'],
    expectMirrored: ['const.removed@/properties/currency'],
  },

  // --- strings
  {
    name: 'maxLength decreased',
    previous: INVOICE,
    proposed: invoice((s) => {
      at(s, 'properties', 'name').maxLength = 32;
    }),
    level: 'FORWARD',
    mirrored: 'BACKWARD',
    expect: ['maxLength.decreased@/properties/name'],
    expectMirrored: ['maxLength.increased@/properties/name'],
  },
  {
    name: 'maxLength added to the open telemetry model',
    previous: openEvent((s) => {
      delete at(s, 'properties', 'site_code').maxLength;
    }),
    proposed: EQUIPMENT_EVENT,
    level: 'FORWARD',
    mirrored: 'BACKWARD',
    expect: ['maxLength.added@/properties/site_code'],
    expectMirrored: ['maxLength.removed@/properties/site_code'],
  },
  {
    name: 'minLength decreased',
    previous: INVOICE,
    proposed: invoice((s) => {
      at(s, 'properties', 'currency').minLength = 2;
    }),
    level: 'BACKWARD',
    mirrored: 'FORWARD',
    expect: ['minLength.decreased@/properties/currency'],
  },
  {
    name: 'pattern changed',
    previous: INVOICE,
    proposed: invoice((s) => {
      at(s, 'properties', 'name').pattern = '^[A-Z]+/\\d{4}/\\d{4,6}$';
    }),
    level: 'BREAKING',
    mirrored: 'BREAKING',
    expect: ['pattern.changed@/properties/name'],
  },
  {
    name: 'pattern removed',
    previous: INVOICE,
    proposed: invoice((s) => {
      delete at(s, 'properties', 'name').pattern;
    }),
    level: 'BACKWARD',
    mirrored: 'FORWARD',
    expect: ['pattern.removed@/properties/name'],
    expectMirrored: ['pattern.added@/properties/name'],
  },
  {
    name: 'format added',
    previous: INVOICE,
    proposed: invoice((s) => {
      at(s, 'properties', 'payment_reference').format = 'uuid';
    }),
    level: 'FORWARD',
    mirrored: 'BACKWARD',
    expect: ['format.added@/properties/payment_reference'],
  },

  // --- numbers
  {
    name: 'maximum added to amount_total',
    previous: INVOICE,
    proposed: invoice((s) => {
      at(s, 'properties', 'amount_total').maximum = 1_000_000_000;
    }),
    level: 'FORWARD',
    mirrored: 'BACKWARD',
    expect: ['maximum.added@/properties/amount_total'],
    expectMirrored: ['maximum.removed@/properties/amount_total'],
  },
  {
    name: 'minimum decreased (credit notes allow negatives)',
    previous: INVOICE,
    proposed: invoice((s) => {
      at(s, 'properties', 'amount_total').minimum = -1_000_000;
    }),
    level: 'BACKWARD',
    mirrored: 'FORWARD',
    expect: ['minimum.decreased@/properties/amount_total'],
  },
  {
    name: 'line quantity exclusiveMinimum 0 → minimum 0 (relaxed)',
    previous: INVOICE,
    proposed: invoice((s) => {
      const qty = at(s, ...LINE, 'quantity');
      delete qty.exclusiveMinimum;
      qty.minimum = 0;
    }),
    level: 'BACKWARD',
    mirrored: 'FORWARD',
    expect: ['minimum.relaxed@/properties/lines/items/properties/quantity'],
    expectMirrored: ['exclusiveMinimum.tightened@/properties/lines/items/properties/quantity'],
  },
  {
    name: 'exclusiveMaximum decreased',
    previous: INVOICE,
    proposed: invoice((s) => {
      at(s, 'properties', 'retention_pct').exclusiveMaximum = 10;
    }),
    level: 'FORWARD',
    mirrored: 'BACKWARD',
    expect: ['exclusiveMaximum.decreased@/properties/retention_pct'],
  },
  {
    name: 'multipleOf refined 0.01 → 0.001',
    previous: INVOICE,
    proposed: invoice((s) => {
      at(s, 'properties', 'amount_total').multipleOf = 0.001;
    }),
    level: 'BACKWARD',
    mirrored: 'FORWARD',
    expect: ['multipleOf.reduced@/properties/amount_total'],
    expectMirrored: ['multipleOf.increased@/properties/amount_total'],
  },
  {
    name: 'multipleOf changed to a non-multiple',
    previous: invoice((s) => {
      at(s, 'properties', 'amount_total').multipleOf = 0.02;
    }),
    proposed: invoice((s) => {
      at(s, 'properties', 'amount_total').multipleOf = 0.05;
    }),
    level: 'BREAKING',
    mirrored: 'BREAKING',
  },
  {
    name: 'multipleOf removed',
    previous: INVOICE,
    proposed: invoice((s) => {
      delete at(s, 'properties', 'amount_total').multipleOf;
    }),
    level: 'BACKWARD',
    mirrored: 'FORWARD',
  },

  // --- arrays and nested objects
  {
    name: 'lines minItems 1 → 0',
    previous: INVOICE,
    proposed: invoice((s) => {
      at(s, 'properties', 'lines').minItems = 0;
    }),
    level: 'BACKWARD',
    mirrored: 'FORWARD',
    expect: ['minItems.decreased@/properties/lines'],
  },
  {
    name: 'lines maxItems 500 → 100',
    previous: INVOICE,
    proposed: invoice((s) => {
      at(s, 'properties', 'lines').maxItems = 100;
    }),
    level: 'FORWARD',
    mirrored: 'BACKWARD',
    expect: ['maxItems.decreased@/properties/lines'],
  },
  {
    name: 'tax_ids uniqueItems dropped',
    previous: INVOICE,
    proposed: invoice((s) => {
      delete at(s, ...LINE, 'tax_ids').uniqueItems;
    }),
    level: 'BACKWARD',
    mirrored: 'FORWARD',
    expect: ['uniqueItems.removed@/properties/lines/items/properties/tax_ids'],
    expectMirrored: ['uniqueItems.added@/properties/lines/items/properties/tax_ids'],
  },
  {
    name: 'tax_ids item type changed',
    previous: INVOICE,
    proposed: invoice((s) => {
      at(s, ...LINE, 'tax_ids', 'items').type = 'string';
    }),
    level: 'BREAKING',
    mirrored: 'BREAKING',
    expect: ['type.changed@/properties/lines/items/properties/tax_ids/items'],
  },
  {
    name: 'line quantity narrowed to integer (nested, through $ref)',
    previous: INVOICE,
    proposed: invoice((s) => {
      at(s, ...LINE, 'quantity').type = 'integer';
    }),
    level: 'FORWARD',
    mirrored: 'BACKWARD',
    expect: ['type.narrowed@/properties/lines/items/properties/quantity'],
  },
  {
    name: 'optional property added to the closed line model',
    previous: INVOICE,
    proposed: invoice((s) => {
      at(s, ...LINE).discount = { type: 'number', minimum: 0, maximum: 100 };
    }),
    level: 'BACKWARD',
    mirrored: 'FORWARD',
    expect: ['property.added@/properties/lines/items/properties/discount'],
  },
  {
    name: 'array items constrained where they were free',
    previous: openEvent((s) => {
      at(s, 'properties').alarms = { type: 'array' };
    }),
    proposed: openEvent((s) => {
      at(s, 'properties').alarms = { type: 'array', items: { type: 'string' } };
    }),
    level: 'FORWARD',
    mirrored: 'BACKWARD',
    expect: ['type.narrowed@/properties/alarms/items'],
  },
  {
    name: 'prefixItems (GPS tuple) element widened',
    previous: openEvent((s) => {
      at(s, 'properties').position = { type: 'array', prefixItems: [{ type: 'number' }, { type: 'integer' }], items: false };
    }),
    proposed: openEvent((s) => {
      at(s, 'properties').position = { type: 'array', prefixItems: [{ type: 'number' }, { type: 'number' }], items: false };
    }),
    level: 'BACKWARD',
    mirrored: 'FORWARD',
    expect: ['type.widened@/properties/position/prefixItems/1'],
  },

  // --- $ref resolution
  {
    name: 'inline line schema ≡ $ref to $defs',
    previous: INVOICE,
    proposed: invoice((s) => {
      at(s, 'properties', 'lines').items = structuredClone(at(INVOICE, '$defs', 'line'));
      at(s, 'properties', 'lines', 'items', 'properties').analytic_distribution = structuredClone(at(INVOICE, '$defs', 'analyticDistribution'));
      delete s.$defs;
    }),
    level: 'NONE_CHANGED',
    mirrored: 'NONE_CHANGED',
  },
  {
    name: '`definitions` (draft-07 style) ≡ `$defs`',
    previous: INVOICE,
    proposed: invoice((s) => {
      s.definitions = s.$defs;
      delete s.$defs;
      at(s, 'properties', 'lines', 'items').$ref = '#/definitions/line';
      at(s, 'definitions', 'line', 'properties', 'analytic_distribution').$ref = '#/definitions/analyticDistribution';
    }),
    level: 'NONE_CHANGED',
    mirrored: 'NONE_CHANGED',
  },
  {
    name: 'change inside a $defs target is reported at the data path',
    previous: INVOICE,
    proposed: invoice((s) => {
      at(s, ...LINE, 'price_unit').minimum = 0;
    }),
    level: 'FORWARD',
    mirrored: 'BACKWARD',
    expect: ['minimum.added@/properties/lines/items/properties/price_unit'],
  },
  {
    name: 'recursive task tree: enum value added deep in the recursion',
    previous: TASK_TREE,
    proposed: variant(TASK_TREE, (s) => {
      at(s, '$defs', 'task', 'properties', 'stage').enum = ['todo', 'in_progress', 'blocked', 'done'];
    }),
    level: 'BACKWARD',
    mirrored: 'FORWARD',
    expect: ['enum.values-added@/properties/stage'],
  },
  {
    name: 'recursive task tree vs itself terminates',
    previous: TASK_TREE,
    proposed: structuredClone(TASK_TREE),
    level: 'NONE_CHANGED',
    mirrored: 'NONE_CHANGED',
  },
  {
    name: 'external $ref changed',
    previous: openEvent((s) => {
      at(s, 'properties').site = { $ref: 'https://plumbline.example/schemas/site-v1.json' };
    }),
    proposed: openEvent((s) => {
      at(s, 'properties').site = { $ref: 'https://plumbline.example/schemas/site-v2.json' };
    }),
    level: 'BREAKING',
    mirrored: 'BREAKING',
    expect: ['ref.unresolved@/properties/site'],
  },

  // --- anyOf / oneOf / allOf
  {
    name: 'many2one becomes nullable via anyOf (singleton union lifting)',
    previous: INVOICE,
    proposed: invoice((s) => {
      at(s, 'properties').partner_id = { anyOf: [{ type: 'integer', minimum: 1 }, { type: 'null' }] };
    }),
    level: 'BACKWARD',
    mirrored: 'FORWARD',
    expect: ['anyOf.member-added@/properties/partner_id/anyOf/1'],
    expectMirrored: ['anyOf.member-removed@/properties/partner_id/anyOf/1'],
  },
  {
    name: 'oneOf member added (Odoo `false` for an empty many2one)',
    previous: invoice((s) => {
      at(s, 'properties').partner_id = { oneOf: [{ type: 'integer', minimum: 1 }, { type: 'null' }] };
    }),
    proposed: invoice((s) => {
      at(s, 'properties').partner_id = { oneOf: [{ type: 'integer', minimum: 1 }, { type: 'null' }, { const: false }] };
    }),
    level: 'BACKWARD',
    mirrored: 'FORWARD',
    expect: ['oneOf.member-added@/properties/partner_id/oneOf/2'],
  },
  {
    name: 'oneOf member evolves compatibly (reordered, one widened)',
    previous: invoice((s) => {
      at(s, 'properties').payment_reference = { oneOf: [{ type: 'string', maxLength: 20 }, { type: 'null' }] };
    }),
    proposed: invoice((s) => {
      at(s, 'properties').payment_reference = { oneOf: [{ type: 'null' }, { type: 'string', maxLength: 40 }] };
    }),
    level: 'BACKWARD',
    mirrored: 'FORWARD',
    expect: ['maxLength.increased@/properties/payment_reference/oneOf/1'],
  },
  {
    name: 'union member replaced',
    previous: invoice((s) => {
      at(s, 'properties').payment_reference = { anyOf: [{ type: 'string' }, { type: 'null' }] };
    }),
    proposed: invoice((s) => {
      at(s, 'properties').payment_reference = { anyOf: [{ type: 'string' }, { type: 'integer' }] };
    }),
    level: 'BREAKING',
    mirrored: 'BREAKING',
  },
  {
    name: 'oneOf → anyOf',
    previous: invoice((s) => {
      at(s, 'properties').payment_reference = { oneOf: [{ type: 'string' }, { type: 'null' }] };
    }),
    proposed: invoice((s) => {
      at(s, 'properties').payment_reference = { anyOf: [{ type: 'string' }, { type: 'null' }] };
    }),
    level: 'BACKWARD',
    mirrored: 'FORWARD',
    expect: ['combinator.changed@/properties/payment_reference'],
  },
  {
    name: 'allOf member added',
    previous: invoice((s) => {
      at(s, 'properties').name = { allOf: [{ type: 'string' }] };
    }),
    proposed: invoice((s) => {
      at(s, 'properties').name = { allOf: [{ type: 'string' }, { maxLength: 64 }] };
    }),
    level: 'FORWARD',
    mirrored: 'BACKWARD',
    expect: ['allOf.member-added@/properties/name/allOf/1'],
  },
  {
    name: 'union introduced on an unconstrained property narrows it',
    previous: openEvent((s) => {
      at(s, 'properties').note = {};
    }),
    proposed: openEvent((s) => {
      at(s, 'properties').note = { anyOf: [{ type: 'string' }, { type: 'null' }] };
    }),
    level: 'FORWARD',
    mirrored: 'BACKWARD',
  },

  // --- keywords without a dedicated rule
  {
    name: 'dependentRequired change is treated as breaking',
    previous: INVOICE,
    proposed: invoice((s) => {
      s.dependentRequired = { retention_pct: ['analytic_distribution'] };
    }),
    level: 'BREAKING',
    mirrored: 'BREAKING',
    expect: ['dependentRequired.changed@/'],
  },
];

// ---------------------------------------------------------------------------------------------

describe('compareSchemas: rule table, both directions', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const forward = compareSchemas(c.previous, c.proposed);
      const mirrored = compareSchemas(c.proposed, c.previous);
      const detail = (changes: SchemaChange[]): string => JSON.stringify(changes, null, 1);
      assert.equal(forward.level, c.level, `previous → proposed\n${detail(forward.changes)}`);
      assert.equal(mirrored.level, c.mirrored, `proposed → previous\n${detail(mirrored.changes)}`);
      for (const key of c.expect ?? []) assert.ok(keys(forward.changes).includes(key), `missing ${key} in ${keys(forward.changes).join(', ')}`);
      for (const key of c.expectMirrored ?? []) {
        assert.ok(keys(mirrored.changes).includes(key), `missing ${key} in ${keys(mirrored.changes).join(', ')}`);
      }
      for (const change of [...forward.changes, ...mirrored.changes]) {
        assert.ok(change.description.length > 10, `description for ${change.kind}`);
        assert.ok(change.path.startsWith('/'), `path ${change.path}`);
      }
    });
  }

  it('a change is backward-compatible exactly when its mirror is forward-compatible', () => {
    for (const c of CASES) {
      const there = compareSchemas(c.previous, c.proposed).changes;
      const back = compareSchemas(c.proposed, c.previous).changes;
      assert.equal(there.every((x) => x.backward), back.every((x) => x.forward), `${c.name}: backward vs mirrored forward`);
      assert.equal(there.every((x) => x.forward), back.every((x) => x.backward), `${c.name}: forward vs mirrored backward`);
    }
  });

  it('mirrored verdicts swap BACKWARD and FORWARD', () => {
    const swap: Record<CompatibilityLevel, CompatibilityLevel> = {
      NONE_CHANGED: 'NONE_CHANGED',
      FULL: 'FULL',
      BACKWARD: 'FORWARD',
      FORWARD: 'BACKWARD',
      BREAKING: 'BREAKING',
    };
    for (const c of CASES) assert.equal(c.mirrored, swap[c.level], c.name);
  });
});

describe('compareSchemas: descriptions and aggregation', () => {
  it('explains a newly required field in plain words', () => {
    const report = compareSchemas(
      INVOICE,
      invoice((s) => {
        s.required = [...(s.required ?? []), 'analytic_distribution'];
      }),
    );
    assert.deepEqual(report.changes, [
      {
        path: '/properties/analytic_distribution',
        kind: 'required.added',
        description: 'Property `analytic_distribution` became required without a default; data written with the old schema may lack it',
        backward: false,
        forward: true,
      },
    ]);
  });

  it('labels nested fields by their data location', () => {
    const report = compareSchemas(
      INVOICE,
      invoice((s) => {
        at(s, ...LINE, 'quantity').type = 'integer';
      }),
    );
    const change = report.changes.find((c) => c.kind === 'type.narrowed');
    assert.ok(change);
    assert.match(change.description, /`lines\[\]\.quantity`/);
    assert.match(change.description, /number to integer/);
  });

  it('describes enum values that disappeared', () => {
    const report = compareSchemas(
      INVOICE,
      invoice((s) => {
        at(s, 'properties', 'move_type').enum = ['out_invoice', 'in_invoice'];
      }),
    );
    assert.equal(report.level, 'FORWARD');
    assert.match(report.changes[0]?.description ?? '', /no longer accepts "out_refund"/);
  });

  it('combines several changes into the weakest level', () => {
    const report = compareSchemas(
      INVOICE,
      invoice((s) => {
        at(s, 'properties', 'move_type').enum = ['out_invoice', 'in_invoice', 'out_refund', 'in_refund']; // backward
        at(s, 'properties', 'name').maxLength = 128; // backward
        at(s, 'properties', 'name').description = 'Odoo sequence number'; // full
      }),
    );
    assert.equal(report.level, 'BACKWARD');
    assert.equal(report.changes.length, 3);

    const breaking = compareSchemas(
      INVOICE,
      invoice((s) => {
        at(s, 'properties', 'name').maxLength = 128; // backward only
        at(s, 'properties', 'currency').minLength = 4; // forward only
      }),
    );
    assert.equal(breaking.level, 'BREAKING');
  });

  it('boolean root schemas', () => {
    assert.equal(compareSchemas(true, true).level, 'NONE_CHANGED');
    assert.equal(compareSchemas(false, INVOICE).level, 'BACKWARD');
    assert.equal(compareSchemas(INVOICE, false).level, 'FORWARD');
    assert.equal(compareSchemas(true, {}).level, 'NONE_CHANGED');
  });

  it('guards against $ref cycles that never reach a schema', () => {
    const looping: JsonSchemaObject = { $ref: '#/$defs/a', $defs: { a: { $ref: '#/$defs/b' }, b: { $ref: '#/$defs/a' } } };
    assert.equal(compareSchemas(looping, structuredClone(looping)).level, 'NONE_CHANGED');
    const mutual: JsonSchemaObject = {
      $ref: '#/$defs/site',
      $defs: {
        site: { type: 'object', properties: { code: { type: 'string' }, crew: { type: 'array', items: { $ref: '#/$defs/worker' } } } },
        worker: { type: 'object', properties: { id: { type: 'integer' }, site: { $ref: '#/$defs/site' } } },
      },
    };
    const changed = variant(mutual, (s) => {
      at(s, '$defs', 'worker', 'properties', 'id').type = 'number';
    });
    const report = compareSchemas(mutual, changed);
    assert.equal(report.level, 'BACKWARD');
    assert.deepEqual(keys(report.changes), ['type.widened@/properties/crew/items/properties/id']);
  });

  it('levelOf and satisfiesMode', () => {
    assert.equal(levelOf([]), 'NONE_CHANGED');
    const report = compareSchemas(
      INVOICE,
      invoice((s) => {
        at(s, 'properties').retention_amount = { type: 'number' };
      }),
    );
    assert.equal(satisfiesMode(report, 'BACKWARD'), true);
    assert.equal(satisfiesMode(report, 'FORWARD'), false);
    assert.equal(satisfiesMode(report, 'FULL'), false);
    assert.equal(satisfiesMode(report, 'NONE'), true);
  });
});

describe('validateJsonSchemaDocument', () => {
  it('accepts the fixtures', () => {
    for (const doc of [INVOICE, EQUIPMENT_EVENT, TASK_TREE]) {
      const result = validateJsonSchemaDocument(structuredClone(doc));
      assert.equal(result.ok, true, JSON.stringify(result));
    }
  });

  it('accepts JSON text and extension keywords', () => {
    const result = validateJsonSchemaDocument(JSON.stringify({ type: 'object', 'x-odoo-model': 'account.move' }));
    assert.deepEqual(result, { ok: true, schema: { type: 'object', 'x-odoo-model': 'account.move' } });
  });

  it('reports meta-schema violations readably', () => {
    const result = validateJsonSchemaDocument({
      type: 'object',
      properties: { amount_total: { type: 'numbr' }, name: { type: 'string', maxLength: -1 } },
    });
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.deepEqual(result.errors, [
      '/properties/amount_total/type: must be one of "array", "boolean", "integer", "null", "number", "object", "string" (or an array of them)',
      '/properties/name/maxLength: must be >= 0',
    ]);
  });

  it('reports unresolvable references and invalid patterns', () => {
    const missing = validateJsonSchemaDocument({ type: 'object', properties: { lines: { items: { $ref: '#/$defs/line' } } } });
    assert.equal(missing.ok, false);
    if (!missing.ok) assert.match(missing.errors[0] ?? '', /does not compile: can't resolve reference #\/\$defs\/line/);
    const badPattern = validateJsonSchemaDocument({ type: 'string', pattern: '^(INV' });
    assert.equal(badPattern.ok, false);
    if (!badPattern.ok) assert.match(badPattern.errors[0] ?? '', /Invalid regular expression/);
  });

  it('rejects other drafts, non-objects and non-JSON', () => {
    const draft7 = validateJsonSchemaDocument({ $schema: 'http://json-schema.org/draft-07/schema#', type: 'object' });
    assert.equal(draft7.ok, false);
    if (!draft7.ok) assert.match(draft7.errors[0] ?? '', /2020-12/);
    const list = validateJsonSchemaDocument([{ type: 'object' }]);
    assert.equal(list.ok, false);
    const text = validateJsonSchemaDocument('{"type": ');
    assert.equal(text.ok, false);
    if (!text.ok) assert.match(text.errors[0] ?? '', /not valid JSON/);
    assert.equal(validateJsonSchemaDocument(true).ok, true);
  });

  it('can be compiled twice (no shared Ajv state between calls)', () => {
    assert.equal(validateJsonSchemaDocument(structuredClone(INVOICE)).ok, true);
    assert.equal(validateJsonSchemaDocument(structuredClone(INVOICE)).ok, true);
  });
});
