import { insertRows, queryRows, toClickHouseDateTime } from '@/lib/clickhouse/client';
import { SIGNATURE_REFRESH_DAYS } from '@/lib/clickhouse/ddl';
import { errorSignature, signatureHash, SIGNATURE_NORMALIZER_VERSION } from '@/lib/ledger/error-signature';
import { MESSAGE_HASH_SQL } from '@/lib/exceptions/open-records';

export interface RecordSignature {
  signature: string;
  hash: string;
}

/**
 * Normalising a message runs a chain of regular expressions (~10 µs), and the case sync asks
 * again for every open record every 30 s, while a record's message rarely changes: keep the
 * answers, bounded (cleared when full).
 */
const CACHE_LIMIT = 200_000;
const cache = new Map<string, RecordSignature>();

/** The grouping key of a failing record: its error with ids, numbers and amounts normalised away. */
export function recordSignature(category: string, message: string): RecordSignature {
  const key = `${category}\u0000${message}`;
  let found = cache.get(key);
  if (!found) {
    const signature = errorSignature(category, message);
    found = { signature, hash: signatureHash(signature) };
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(key, found);
  }
  return found;
}

/**
 * Gives every (category, message) of a failing record its signature in ClickHouse
 * (error_signatures, this normaliser's version), so the failure queue groups in SQL. Finds the
 * pairs it lacks with an anti-join (normally none: the case sync fills them every 30 s, and the
 * queue calls this when its grouping finds a record without one, so a record that failed since
 * is not left out), normalises them here and inserts them. With `refresh` (the case sync) it also writes again the rows older
 * than SIGNATURE_REFRESH_DAYS, so those of records that keep failing never expire. Returns how
 * many rows it wrote.
 */
export async function ensureSignatures(options: { refresh?: boolean } = {}): Promise<number> {
  const writtenSince = options.refresh ? new Date(Date.now() - SIGNATURE_REFRESH_DAYS * 86_400_000) : new Date(0);
  const missing = await queryRows<{ category: string; message: string }>(
    `SELECT DISTINCT last_error_category AS category, last_error_message AS message
     FROM ledger_exception_current
     WHERE is_open_exception
       AND ${MESSAGE_HASH_SQL} NOT IN
         (SELECT message_hash FROM error_signatures WHERE normalizer_version = {version:UInt32} AND created_at >= {since:DateTime64(3)})`,
    { version: SIGNATURE_NORMALIZER_VERSION, since: toClickHouseDateTime(writtenSince) },
  );
  await insertRows(
    'error_signatures',
    missing.map(({ category, message }) => {
      const { signature, hash } = recordSignature(category, message);
      return { normalizer_version: SIGNATURE_NORMALIZER_VERSION, error_category: category, error_message: message, signature, signature_hash: hash };
    }),
  );
  return missing.length;
}
