import { queryRows } from '@/lib/clickhouse/client';

/** The landing page's figures, all from stored ledger data. */
export interface InterfaceHealth {
  interface_id: string;
  events_24h: number;
  failed_24h: number;
  open_exceptions: number;
  last_event_at: string | null;
}

export interface OpenExposure {
  currency: string;
  open_exceptions: number;
  amount_at_risk: number;
}

export async function interfaceHealth(): Promise<InterfaceHealth[]> {
  return queryRows<InterfaceHealth>(
    `SELECT
       r.interface_id AS interface_id,
       ifNull(e.events_24h, 0) AS events_24h,
       ifNull(e.failed_24h, 0) AS failed_24h,
       r.open_exceptions AS open_exceptions,
       r.last_event_at AS last_event_at
     FROM (
       SELECT records.interface_id AS interface_id, exceptions.open_exceptions AS open_exceptions, records.last_event_at AS last_event_at
       FROM (SELECT interface_id, max(last_event_at) AS last_event_at FROM ledger_records GROUP BY interface_id) AS records
       LEFT JOIN (
         SELECT interface_id, countIf(is_open_exception) AS open_exceptions FROM ledger_exception_current GROUP BY interface_id
       ) AS exceptions ON exceptions.interface_id = records.interface_id
     ) AS r
     LEFT JOIN (
       SELECT interface_id, uniqExact(event_id) AS events_24h,
              uniqExactIf(event_id, status IN ('failed', 'retrying', 'dead_lettered')) AS failed_24h
       FROM sync_ledger WHERE occurred_at >= now64(3) - INTERVAL 1 DAY GROUP BY interface_id
     ) AS e ON e.interface_id = r.interface_id
     ORDER BY open_exceptions DESC, interface_id`,
  );
}

export async function openExposure(): Promise<OpenExposure[]> {
  return queryRows<OpenExposure>(
    `SELECT currency, count() AS open_exceptions, sum(amount) AS amount_at_risk
     FROM ledger_exception_current
     WHERE is_open_exception AND currency != ''
     GROUP BY currency ORDER BY amount_at_risk DESC`,
  );
}
