import { errorSignature, signatureHash } from '@/lib/ledger/error-signature';

export interface RecordSignature {
  signature: string;
  hash: string;
}

/**
 * Normalising a message runs a chain of regular expressions (~10 µs), and the failure queue
 * and the case sync ask again for every open record on every load and every 30 s, while a
 * record's message rarely changes: keep the answers, bounded (cleared when full).
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
