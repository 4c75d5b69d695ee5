/** Validation of a candidate JSON Schema document against the 2020-12 meta-schema, via Ajv. */
import Ajv2020, { type ErrorObject } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { isRecord } from './json';
import type { JsonSchema } from './types';

export type SchemaDocumentValidation = { ok: true; schema: JsonSchema } | { ok: false; errors: string[] };

const DRAFT_2020_12 = 'https://json-schema.org/draft/2020-12/schema';

function where(instancePath: string): string {
  return instancePath === '' ? 'schema root' : instancePath;
}

/** Turn Ajv's meta-schema errors into short sentences, one per problem location. */
function formatErrors(errors: ErrorObject[]): string[] {
  const byPath = new Map<string, ErrorObject[]>();
  for (const error of errors) {
    const list = byPath.get(error.instancePath) ?? [];
    list.push(error);
    byPath.set(error.instancePath, list);
  }
  const lines: string[] = [];
  for (const [path, list] of byPath) {
    // `type: "strin"` yields enum + "must be array" + anyOf errors; the enum one says it best.
    const informative = list.some((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf')
      ? list.filter((e) => e.keyword === 'enum')
      : [];
    const chosen = informative.length > 0 ? informative : list;
    const seen = new Set<string>();
    for (const error of chosen) {
      let message = error.message ?? `fails the ${error.keyword} rule`;
      const params: Record<string, unknown> = error.params;
      if (error.keyword === 'enum' && Array.isArray(params.allowedValues)) {
        message = `must be one of ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
        if (path.endsWith('/type')) message += ' (or an array of them)';
      } else if (error.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') {
        message = `has unexpected property "${params.additionalProperty}"`;
      }
      const line = `${where(path)}: ${message}`;
      if (!seen.has(line)) {
        seen.add(line);
        lines.push(line);
      }
    }
  }
  return lines;
}

export function validateSchemaDocument(input: unknown): SchemaDocumentValidation {
  let doc: unknown = input;
  if (typeof input === 'string') {
    try {
      doc = JSON.parse(input) as unknown;
    } catch (error) {
      return { ok: false, errors: [`Schema is not valid JSON: ${error instanceof Error ? error.message : String(error)}`] };
    }
  }
  if (typeof doc !== 'boolean' && !isRecord(doc)) {
    return { ok: false, errors: ['A JSON Schema document must be a JSON object (or the boolean true/false)'] };
  }
  if (isRecord(doc) && doc.$schema !== undefined) {
    const declared = doc.$schema;
    if (typeof declared !== 'string' || declared.replace(/#$/, '') !== DRAFT_2020_12) {
      return {
        ok: false,
        errors: [`$schema must be "${DRAFT_2020_12}" (JSON Schema 2020-12); got ${JSON.stringify(declared)}`],
      };
    }
  }

  const ajv = new Ajv2020({ allErrors: true, strict: false, logger: false });
  addFormats(ajv);
  let valid: boolean;
  try {
    valid = ajv.validateSchema(doc) === true;
  } catch (error) {
    return { ok: false, errors: [`Schema could not be checked: ${error instanceof Error ? error.message : String(error)}`] };
  }
  if (!valid) {
    const errors = formatErrors(ajv.errors ?? []);
    return { ok: false, errors: errors.length > 0 ? errors : ['Schema does not conform to the JSON Schema 2020-12 meta-schema'] };
  }
  try {
    ajv.compile(doc);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, errors: [`Schema does not compile: ${message}`] };
  }
  return { ok: true, schema: doc };
}
