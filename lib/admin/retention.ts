import { prisma } from '@/lib/db/client';
import { command, queryRows } from '@/lib/clickhouse/client';
import { localName, modifyTtl } from '@/lib/clickhouse/ddl';
import { ddlTarget } from '@/lib/clickhouse/migrate';
import { writeAudit } from '@/lib/audit/log';
import type { Viewer } from '@/lib/auth/session';
import { AdminFormError } from '@/lib/admin/errors';

/**
 * Retention settings (Setting rows) and their enforcement: ledger and trace retention become
 * ClickHouse table TTLs (applied at start and whenever an admin saves), the webhook delivery
 * log is purged by a background job (lib/admin/jobs.ts). The per-record current state
 * (ledger_records, ledger_exception_records) and the rental state (rental_lines,
 * rental_surcharges, rental_invoices) are small and kept, so a record's status and a contract
 * line's unbilled balance outlive their raw events (an as-of date in the past computes the lines
 * active since from their events, so it no longer sees the expired ones); so is each line's kept
 * standing (rental_line_standing), computed from that state. The kept hourly SLI figures (slo_hours)
 * expire on their own after 62 days, longer than any SLO window, the error signatures
 * (error_signatures, a cache of the normaliser) after 30 days unless the case sync renews them,
 * the kept unbilled-rentals views and trends (rental_summary_views, rental_trend_cells,
 * rental_trend_views) and the standings' refresh markers (rental_standing_refreshes) after two
 * days, a dated view's standing (rental_dated_standing) after two hours, and the summary cells
 * (rental_summary_cells) after a quarter of an hour.
 */
export const RETENTION_SETTINGS = [
  { key: 'retention.ledgerDays', label: 'Sync ledger events', defaultDays: 730 },
  { key: 'retention.tracesDays', label: 'Traces (spans)', defaultDays: 30 },
  { key: 'retention.webhookDeliveriesDays', label: 'Webhook delivery log', defaultDays: 90 },
] as const;

export type RetentionKey = (typeof RETENTION_SETTINGS)[number]['key'];

export const MIN_RETENTION_DAYS = 1;
export const MAX_RETENTION_DAYS = 3650;

const DAY_MS = 86_400_000;

/** Which ClickHouse tables each setting governs, and the time column their rows expire by. */
const CLICKHOUSE_TTLS: Record<'retention.ledgerDays' | 'retention.tracesDays', { table: string; time: string }[]> = {
  'retention.ledgerDays': [
    { table: 'sync_ledger', time: 'toDateTime(occurred_at)' },
    { table: 'plumbline_ledger_event_ids', time: 'toDateTime(ingested_at)' },
  ],
  'retention.tracesDays': [
    { table: 'otel_traces', time: 'toDateTime(Timestamp)' },
    { table: 'otel_traces_trace_id_ts', time: 'toDateTime(Start)' },
    { table: 'plumbline_span_ids', time: 'toDateTime(Timestamp)' },
  ],
};

export async function retentionSettings(): Promise<{ key: RetentionKey; label: string; days: number; isDefault: boolean }[]> {
  const db = await prisma();
  const rows = await db.setting.findMany({ where: { key: { in: RETENTION_SETTINGS.map((s) => s.key) } } });
  const stored = new Map(rows.map((r) => [r.key, r.value]));
  return RETENTION_SETTINGS.map((s) => {
    const value = stored.get(s.key);
    const days = typeof value === 'number' && Number.isInteger(value) ? value : null;
    return { key: s.key, label: s.label, days: days ?? s.defaultDays, isDefault: days === null };
  });
}

export async function saveRetention(actor: Viewer, values: Record<string, string>, ip: string | null): Promise<void> {
  const errors: Record<string, string> = {};
  const parsed = new Map<RetentionKey, number>();
  for (const s of RETENTION_SETTINGS) {
    const days = Number(values[s.key]);
    if (!Number.isInteger(days) || days < MIN_RETENTION_DAYS || days > MAX_RETENTION_DAYS) errors[s.key] = `Whole days between ${MIN_RETENTION_DAYS} and ${MAX_RETENTION_DAYS}`;
    else parsed.set(s.key, days);
  }
  if (Object.keys(errors).length) throw new AdminFormError(errors);
  const db = await prisma();
  await db.$transaction(async (tx) => {
    for (const [key, days] of parsed) {
      const before = await tx.setting.findUnique({ where: { key } });
      if (before?.value === days) continue;
      await tx.setting.upsert({ where: { key }, create: { key, value: days }, update: { value: days } });
      await writeAudit({ actorId: actor.id, actorLabel: actor.email, action: 'setting.changed', targetType: 'setting', targetId: key, before: before ? { days: before.value } : null, after: { days }, ip }, tx);
    }
  });
  await applyClickHouseRetention();
}

/**
 * Brings every governed table's TTL in line with the settings. A TTL that already matches is
 * left alone: modifying one makes ClickHouse re-check every part, which is costly on big tables.
 */
export async function applyClickHouseRetention(): Promise<{ table: string; days: number }[]> {
  const target = ddlTarget();
  const days = new Map((await retentionSettings()).map((s) => [s.key, s.days]));
  const changed: { table: string; days: number }[] = [];
  for (const [key, tables] of Object.entries(CLICKHOUSE_TTLS) as [keyof typeof CLICKHOUSE_TTLS, { table: string; time: string }[]][]) {
    const wanted = days.get(key)!;
    for (const { table, time } of tables) {
      if ((await currentTtlDays(localName(table, target))) === wanted) continue;
      await command(modifyTtl(table, time, wanted, target));
      changed.push({ table, days: wanted });
    }
  }
  return changed;
}

async function currentTtlDays(table: string): Promise<number | null> {
  const [row] = await queryRows<{ engine_full: string }>(
    'SELECT engine_full FROM system.tables WHERE database = currentDatabase() AND name = {table:String}',
    { table },
  );
  const match = /TTL .*toIntervalDay\((\d+)\)/.exec(row?.engine_full ?? '');
  return match ? Number(match[1]) : null;
}

/** Deletes finished webhook deliveries older than their retention; pending ones are kept until delivered or given up. */
export async function purgeWebhookDeliveries(now: Date = new Date()): Promise<number> {
  const days = (await retentionSettings()).find((s) => s.key === 'retention.webhookDeliveriesDays')!.days;
  const db = await prisma();
  const { count } = await db.webhookDelivery.deleteMany({
    where: { createdAt: { lt: new Date(now.getTime() - days * DAY_MS) }, status: { in: ['delivered', 'failed'] } },
  });
  return count;
}
