import { errorSignature, signatureHash } from '@/lib/ledger/error-signature';

/** The grouping key of a failing record: its error with ids, numbers and amounts normalised away. */
export function recordSignature(category: string, message: string): { signature: string; hash: string } {
  const signature = errorSignature(category, message);
  return { signature, hash: signatureHash(signature) };
}
