import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import { queryRows } from '@/lib/clickhouse/client';

/**
 * "Would recent traffic pass this schema?": validates the payloads of an interface's most
 * recent events (one row per event_id) against a proposed JSON Schema 2020-12.
 */
export const TRAFFIC_SAMPLE_SIZE = 500;
const MAX_EXAMPLES = 5;

export interface TrafficCheckExample {
  eventId: string;
  occurredAt: string;
  errors: string[];
}

export interface TrafficCheck {
  checked: number;
  failing: number;
  examples: TrafficCheckExample[];
  /** Set when the schema could not be compiled, so nothing was checked. */
  compileError?: string;
}

function describeError(error: ErrorObject): string {
  const where = error.instancePath === '' ? '(root)' : error.instancePath;
  const extra = error.keyword === 'additionalProperties' ? ` (${String((error.params as { additionalProperty?: string }).additionalProperty)})` : '';
  return `${where} ${error.message ?? error.keyword}${extra}`;
}

export async function checkRecentTraffic(interfaceKey: string, schema: unknown, sampleSize = TRAFFIC_SAMPLE_SIZE): Promise<TrafficCheck> {
  const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false });
  let validate;
  try {
    validate = ajv.compile(schema as object);
  } catch (error) {
    return { checked: 0, failing: 0, examples: [], compileError: error instanceof Error ? error.message : String(error) };
  }
  // Aliases differ from column names: ClickHouse would otherwise resolve WHERE to the aggregates.
  const rows = await queryRows<{ event_id: string; last_at: string; sample_payload: string }>(
    `SELECT event_id, max(occurred_at) AS last_at, any(payload) AS sample_payload
     FROM sync_ledger
     WHERE interface_id = {iface:String} AND payload != ''
     GROUP BY event_id
     ORDER BY last_at DESC, event_id
     LIMIT {n:UInt32}`,
    { iface: interfaceKey, n: sampleSize },
  );
  let failing = 0;
  const examples: TrafficCheckExample[] = [];
  for (const row of rows) {
    let payload: unknown;
    let errors: string[] = [];
    try {
      payload = JSON.parse(row.sample_payload);
    } catch {
      errors = ['(root) stored payload is not valid JSON'];
    }
    if (errors.length === 0 && !validate(payload)) errors = (validate.errors ?? []).map(describeError);
    if (errors.length > 0) {
      failing += 1;
      if (examples.length < MAX_EXAMPLES) examples.push({ eventId: row.event_id, occurredAt: row.last_at, errors: errors.slice(0, 5) });
    }
  }
  return { checked: rows.length, failing, examples };
}
