import { stringify } from 'csv-stringify/sync';
import { iterateAudit, type AuditFilter, type AuditRow } from '@/lib/audit/queries';

export const AUDIT_CSV_COLUMNS = ['id', 'at', 'actor', 'actor_id', 'action', 'target_type', 'target_id', 'before', 'after', 'ip', 'hash'] as const;

/** Spreadsheet apps run cells starting with these as formulas; prefix them so they stay text. */
function cell(value: string | null): string {
  if (value === null) return '';
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

function json(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

export function auditCsvRecord(row: AuditRow): string[] {
  return [row.id, row.at, row.actorLabel, row.actorId, row.action, row.targetType, row.targetId, json(row.before), json(row.after), row.ip, row.hash].map(cell);
}

/** The filtered audit log as a CSV stream, newest first, read from Postgres in batches. */
export function auditCsvStream(filter: AuditFilter): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const batches = iterateAudit(filter);
  let headerSent = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!headerSent) {
        headerSent = true;
        controller.enqueue(encoder.encode(stringify([[...AUDIT_CSV_COLUMNS]])));
        return;
      }
      const next = await batches.next();
      if (next.done) {
        controller.close();
        return;
      }
      controller.enqueue(encoder.encode(stringify(next.value.map(auditCsvRecord))));
    },
    async cancel() {
      await batches.return(undefined);
    },
  });
}
