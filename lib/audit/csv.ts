import { csvStream, type CsvRecord } from '@/lib/api/csv';
import { iterateAudit, type AuditFilter, type AuditRow } from '@/lib/audit/queries';

export const AUDIT_CSV_COLUMNS = ['id', 'at', 'actor', 'actor_id', 'action', 'target_type', 'target_id', 'before', 'after', 'ip', 'hash'] as const;

function json(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

function auditCsvRecord(row: AuditRow): CsvRecord {
  return [row.id, row.at, row.actorLabel, row.actorId, row.action, row.targetType, row.targetId, json(row.before), json(row.after), row.ip, row.hash];
}

async function* auditCsvBatches(filter: AuditFilter): AsyncGenerator<CsvRecord[]> {
  for await (const rows of iterateAudit(filter)) yield rows.map(auditCsvRecord);
}

/** The filtered audit log as a CSV stream, newest first, read from Postgres in batches. */
export function auditCsvStream(filter: AuditFilter): ReadableStream<Uint8Array> {
  return csvStream(AUDIT_CSV_COLUMNS, auditCsvBatches(filter));
}
