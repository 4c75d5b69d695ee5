import type { Prisma } from '@/lib/db/generated/client';
import { prisma } from '@/lib/db/client';
import { signedHeaders } from '@/lib/webhooks/signing';
import { signingSecrets } from '@/lib/webhooks/secrets';

/**
 * Outgoing webhooks for any domain: `enqueueWebhookEvent('slo.alert', data)` records one
 * delivery per enabled endpoint subscribed to that event; `deliverDueWebhooks()` (a
 * background job) posts them as JSON and retries failures with exponential back-off.
 * Deliveries live in Postgres, so a restart loses none and the log shows every attempt.
 * Every request is signed with the endpoint's secret at the moment it is sent
 * (lib/webhooks/signing.ts), so a rotation applies to queued deliveries and retries too.
 */
export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const MAX_ATTEMPTS = 8;
export const BASE_BACKOFF_MS = 30_000;
const MAX_BACKOFF_MS = 60 * 60_000;
/** A claimed delivery is not picked again for this long, so a crashed sender's work is retried later. */
const CLAIM_LEASE_MS = 2 * 60_000;
const REQUEST_TIMEOUT_MS = 10_000;
const BATCH_SIZE = 50;

type Tx = Prisma.TransactionClient;

/** Delay before attempt `attempts + 1`: 30 s, 1 min, 2 min, … capped at an hour. */
export function backoffMs(attempts: number): number {
  return Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** Math.max(0, attempts - 1));
}

/** Queues `event` for every enabled endpoint subscribed to it; returns how many deliveries were queued. */
export async function enqueueWebhookEvent(event: string, data: unknown, options: { now?: Date; tx?: Tx } = {}): Promise<number> {
  const db = options.tx ?? (await prisma());
  const endpoints = await db.webhookEndpoint.findMany({ where: { enabled: true, events: { has: event } }, select: { id: true } });
  if (endpoints.length === 0) return 0;
  const now = options.now ?? new Date();
  const payload = JSON.parse(JSON.stringify(data)) as Prisma.InputJsonValue;
  await db.webhookDelivery.createMany({
    data: endpoints.map((e) => ({ endpointId: e.id, event, payload, status: 'pending', nextAttemptAt: now })),
  });
  return endpoints.length;
}

export interface DeliveryRunResult {
  attempted: number;
  delivered: number;
  failed: number;
}

/** Sends every delivery that is due; safe to run from several processes at once (each claims its rows). */
export async function deliverDueWebhooks(now: Date = new Date()): Promise<DeliveryRunResult> {
  const db = await prisma();
  const due = await db.webhookDelivery.findMany({
    where: { status: 'pending', nextAttemptAt: { lte: now } },
    orderBy: { nextAttemptAt: 'asc' },
    take: BATCH_SIZE,
    include: { endpoint: { select: { url: true, enabled: true } } },
  });
  const result: DeliveryRunResult = { attempted: 0, delivered: 0, failed: 0 };
  for (const delivery of due) {
    const claimed = await db.webhookDelivery.updateMany({
      where: { id: delivery.id, status: 'pending', nextAttemptAt: delivery.nextAttemptAt },
      data: { nextAttemptAt: new Date(now.getTime() + CLAIM_LEASE_MS) },
    });
    if (claimed.count === 0) continue;
    if (!delivery.endpoint.enabled) {
      await db.webhookDelivery.update({ where: { id: delivery.id }, data: { status: 'failed', error: 'endpoint disabled', nextAttemptAt: null } });
      result.failed++;
      continue;
    }
    result.attempted++;
    const attempts = delivery.attempts + 1;
    const outcome = await post(
      delivery.endpoint.url,
      delivery.endpointId,
      {
        id: delivery.id,
        event: delivery.event,
        createdAt: delivery.createdAt.toISOString(),
        attempt: attempts,
        data: delivery.payload,
      },
      now,
    );
    if (outcome.ok) {
      await db.webhookDelivery.update({
        where: { id: delivery.id },
        data: { status: 'delivered', attempts, responseCode: outcome.status, error: null, deliveredAt: new Date(), nextAttemptAt: null },
      });
      result.delivered++;
      continue;
    }
    const givingUp = attempts >= MAX_ATTEMPTS;
    await db.webhookDelivery.update({
      where: { id: delivery.id },
      data: {
        status: givingUp ? 'failed' : 'pending',
        attempts,
        responseCode: outcome.status ?? null,
        error: outcome.error,
        nextAttemptAt: givingUp ? null : new Date(now.getTime() + backoffMs(attempts)),
      },
    });
    if (givingUp) result.failed++;
  }
  return result;
}

type PostOutcome = { ok: true; status: number } | { ok: false; status?: number; error: string };

async function post(url: string, endpointId: string, payload: { id: string; event: string; createdAt: string; attempt: number; data: unknown }, now: Date): Promise<PostOutcome> {
  // The signature covers these exact bytes: serialise once, sign, send the same string.
  const body = JSON.stringify(payload);
  let signature: Record<string, string>;
  try {
    // Never sent unsigned: an unreadable secret fails the attempt (and is retried like any failure).
    signature = signedHeaders({ secrets: await signingSecrets(endpointId, now), webhookId: endpointId, deliveryId: payload.id, body });
  } catch (error) {
    return { ok: false, error: `not sent: ${error instanceof Error ? error.message : String(error)}`.slice(0, 1000) };
  }
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Plumbline-Webhooks/1',
        'x-plumbline-event': payload.event,
        'x-plumbline-delivery': payload.id,
        ...signature,
      },
      body,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      redirect: 'manual',
    });
    await response.body?.cancel();
    if (response.status >= 200 && response.status < 300) return { ok: true, status: response.status };
    return { ok: false, status: response.status, error: `HTTP ${response.status} ${response.statusText}`.trim() };
  } catch (error) {
    const cause = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
    return { ok: false, error: cause.slice(0, 1000) };
  }
}

export interface DeliveryLogRow {
  id: string;
  event: string;
  status: string;
  attempts: number;
  responseCode: number | null;
  error: string | null;
  createdAt: Date;
  nextAttemptAt: Date | null;
  deliveredAt: Date | null;
  endpointId: string;
  endpointName: string;
  endpointUrl: string;
  payload: unknown;
}

export interface DeliveryFilter {
  status?: DeliveryStatus;
  event?: string;
  endpointId?: string;
  page?: number;
  pageSize?: number;
}

/** The delivery log, newest first (for the admin page; callers enforce 'admin.manage'). */
export async function listDeliveries(filter: DeliveryFilter = {}): Promise<{ rows: DeliveryLogRow[]; total: number }> {
  const db = await prisma();
  const pageSize = Math.min(Math.max(filter.pageSize ?? 50, 1), 200);
  const page = Math.max(filter.page ?? 1, 1);
  const where: Prisma.WebhookDeliveryWhereInput = {
    ...(filter.status ? { status: filter.status } : {}),
    ...(filter.event ? { event: filter.event } : {}),
    ...(filter.endpointId ? { endpointId: filter.endpointId } : {}),
  };
  const [rows, total] = await Promise.all([
    db.webhookDelivery.findMany({
      where,
      orderBy: { createdAt: 'desc' },
      skip: (page - 1) * pageSize,
      take: pageSize,
      include: { endpoint: { select: { name: true, url: true } } },
    }),
    db.webhookDelivery.count({ where }),
  ]);
  return {
    total,
    rows: rows.map((r) => ({
      id: r.id,
      event: r.event,
      status: r.status,
      attempts: r.attempts,
      responseCode: r.responseCode,
      error: r.error,
      createdAt: r.createdAt,
      nextAttemptAt: r.nextAttemptAt,
      deliveredAt: r.deliveredAt,
      endpointId: r.endpointId,
      endpointName: r.endpoint.name,
      endpointUrl: r.endpoint.url,
      payload: r.payload,
    })),
  };
}

/** Puts a failed or pending delivery back at the front of the queue (the admin's "retry now"). */
export async function requeueDelivery(id: string, now: Date = new Date()): Promise<boolean> {
  const db = await prisma();
  const updated = await db.webhookDelivery.updateMany({
    where: { id, status: { in: ['pending', 'failed'] } },
    data: { status: 'pending', nextAttemptAt: now },
  });
  return updated.count === 1;
}
