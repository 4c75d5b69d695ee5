import crypto from 'node:crypto';

/**
 * Signatures of outgoing webhooks (alert deliveries and replay requests). Each request carries
 *
 *   Plumbline-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">
 *   Plumbline-Webhook-Id: <endpoint id, or "replay">
 *   Plumbline-Delivery-Id: <delivery id; the same on every retry of one delivery>
 *
 * keyed with the webhook's signing secret (its UTF-8 bytes, `plws_…` included). While a rotated
 * secret's overlap lasts there is one v1 per live secret, newest first. A receiver recomputes
 * the HMAC over the exact bytes it received, accepts when any v1 matches and t is recent, and
 * drops a Delivery-Id it has already processed (README, "Verifying webhook signatures").
 */
export const SIGNATURE_HEADER = 'plumbline-signature';
export const WEBHOOK_ID_HEADER = 'plumbline-webhook-id';
export const DELIVERY_ID_HEADER = 'plumbline-delivery-id';

/** How far a receiver should let t differ from its own clock (what verifySignature defaults to). */
export const DEFAULT_TOLERANCE_SECONDS = 300;

const SECRET_PREFIX = 'plws_';

/** A new signing secret: 32 random bytes, base64url, with a recognisable prefix. */
export function generateSigningSecret(): string {
  return SECRET_PREFIX + crypto.randomBytes(32).toString('base64url');
}

/** Its last four characters: enough to tell two secrets apart, nothing to sign with. */
export function secretHint(secret: string): string {
  return secret.slice(-4);
}

/** How a stored secret is shown after the one time it is revealed. */
export function maskSecret(hint: string): string {
  return `${SECRET_PREFIX}…${hint}`;
}

export function hmacHex(secret: string, timestamp: number, body: string): string {
  return crypto.createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
}

/** The Plumbline-Signature value for `body` sent at `timestamp` (unix seconds), one v1 per secret. */
export function signatureHeader(secrets: readonly string[], timestamp: number, body: string): string {
  if (secrets.length === 0) throw new Error('signatureHeader needs at least one secret');
  return [`t=${timestamp}`, ...secrets.map((s) => `v1=${hmacHex(s, timestamp, body)}`)].join(',');
}

/** Headers that sign `body`; the caller must send exactly `body`, byte for byte. */
export function signedHeaders(input: { secrets: readonly string[]; webhookId: string; deliveryId: string; body: string; now?: Date }): Record<string, string> {
  const timestamp = Math.floor((input.now ?? new Date()).getTime() / 1000);
  return {
    [SIGNATURE_HEADER]: signatureHeader(input.secrets, timestamp, input.body),
    [WEBHOOK_ID_HEADER]: input.webhookId,
    [DELIVERY_ID_HEADER]: input.deliveryId,
  };
}

export type VerifyResult = { ok: true; timestamp: number } | { ok: false; reason: 'malformed' | 'stale' | 'mismatch' };

/**
 * What a receiver does (README has the same recipe without Plumbline's code): parse the header,
 * refuse a timestamp outside the tolerance, compare every v1 in constant time.
 */
export function verifySignature(input: { header: string | null | undefined; body: string; secret: string; toleranceSeconds?: number; now?: Date }): VerifyResult {
  const parts = (input.header ?? '').split(',').map((p) => p.trim().split('='));
  const t = parts.find(([k]) => k === 't')?.[1];
  const signatures = parts.filter(([k, v]) => k === 'v1' && v && /^[0-9a-f]{64}$/.test(v)).map(([, v]) => v!);
  if (!t || !/^\d+$/.test(t) || signatures.length === 0) return { ok: false, reason: 'malformed' };
  const timestamp = Number(t);
  const nowSeconds = Math.floor((input.now ?? new Date()).getTime() / 1000);
  if (Math.abs(nowSeconds - timestamp) > (input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS)) return { ok: false, reason: 'stale' };
  const expected = Buffer.from(hmacHex(input.secret, timestamp, input.body), 'hex');
  const match = signatures.some((s) => crypto.timingSafeEqual(Buffer.from(s, 'hex'), expected));
  return match ? { ok: true, timestamp } : { ok: false, reason: 'mismatch' };
}
