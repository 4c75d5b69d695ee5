import { command, toClickHouseDateTime } from '@/lib/clickhouse/client';
import { FAILING_SQL } from '@/lib/clickhouse/ddl';

/**
 * The exception state (ddl.ts LEDGER_EXCEPTION_RECORDS) copies a record's state so far when the
 * record first fails, from what is stored of it at that moment. One ingest process orders the
 * flushes of a record (lib/ledger/store.ts), but two processes storing events of one record at
 * the same moment can each miss the other's: the failure's copy runs before the other event is
 * stored, and the other event's view runs before the record is known to fail. This copies
 * again, for the records with a failing event ingested after `since`, their whole state from
 * ledger_records; the state's aggregates are idempotent (min, max, set union), so a record
 * copied twice is unchanged. Both tables are made by one spec, so their columns line up.
 */
export async function recopyFailingRecords(since: Date): Promise<void> {
  await command(
    `INSERT INTO ledger_exception_records SELECT * FROM ledger_records
     WHERE (entity_type, interface_id, source_record_id) GLOBAL IN (
       SELECT entity_type, interface_id, source_record_id FROM sync_ledger WHERE ingested_at > {since:DateTime64(3)} AND ${FAILING_SQL})`,
    { since: toClickHouseDateTime(since) },
  );
}
