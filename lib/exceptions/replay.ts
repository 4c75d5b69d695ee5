/**
 * Replay requests: a person asks the middleware to re-send a failing record. A request is
 * recorded once per (case, latest event): the idempotency key is `<case id>:<last event
 * id>`, so double clicks and retries of the action never send twice, while a new failure
 * after a replay allows a new one. The request goes to PLUMBLINE_REPLAY_WEBHOOK_URL as JSON
 * {replay_id, case_id, interface_id, entity_type, source_record_id, event_ids} (README,
 * "Replay requests"), signed like every outgoing webhook (lib/webhooks/signing.ts) with the
 * replay webhook's secret (Admin → Webhooks), Plumbline-Webhook-Id `replay` and the replay id
 * as Plumbline-Delivery-Id; without that URL it is recorded with status 'not_configured'. Its
 * outcome is filled in by the case sync when the next event for the record arrives
 * (lib/exceptions/sync.ts).
 */
import { prisma } from '@/lib/db/client';
import { Prisma } from '@/lib/db/generated/client';
import { env } from '@/lib/config/env';
import { RequestError } from '@/lib/api/errors';
import { writeAudit } from '@/lib/audit/log';
import { assertMayTriage, type Actor } from '@/lib/exceptions/triage';
import { recordEvents, recordStates, recordKey } from '@/lib/exceptions/open-records';
import { signedHeaders } from '@/lib/webhooks/signing';
import { REPLAY_WEBHOOK_ID, signingSecrets } from '@/lib/webhooks/secrets';

export const REPLAY_TIMEOUT_MS = 10_000;
const MAX_EVENT_IDS = 200;

export interface ReplayView {
  id: string;
  idempotencyKey: string;
  status: string;
  responseCode: number | null;
  error: string | null;
  eventIds: string[];
  createdAt: Date;
  sentAt: Date | null;
  outcome: string | null;
  outcomeAt: Date | null;
}

export interface ReplayResult {
  replay: ReplayView;
  /** False when an identical request already existed and nothing was sent. */
  created: boolean;
}

export function replayIdempotencyKey(caseId: string, lastEventId: string): string {
  return `${caseId}:${lastEventId}`;
}

export async function requestReplay(actor: Actor, caseId: string, ip: string | null = null): Promise<ReplayResult> {
  const db = await prisma();
  const found = await db.exceptionCase.findUnique({ where: { id: caseId } });
  if (!found) throw new RequestError(404, 'not_found', 'No such exception case');
  assertMayTriage(actor, found.entityType);

  const key = { interfaceKey: found.interfaceKey, entityType: found.entityType, sourceRecordId: found.sourceRecordId };
  const state = (await recordStates([key])).get(recordKey(key));
  if (!state) throw new RequestError(409, 'no_events', 'The ledger has no events for this record');
  const idempotencyKey = replayIdempotencyKey(caseId, state.last_event_id);
  const existing = await db.replayRequest.findUnique({ where: { idempotencyKey } });
  if (existing) return { replay: existing, created: false };

  const events = await recordEvents(key, false, 10_000);
  const eventIds = events.map((e) => e.event_id).slice(-MAX_EVENT_IDS);
  if (!eventIds.includes(state.last_event_id)) eventIds.push(state.last_event_id);
  const url = env().PLUMBLINE_REPLAY_WEBHOOK_URL;

  let replay: ReplayView;
  try {
    replay = await db.$transaction(async (tx) => {
      const created = await tx.replayRequest.create({
        data: { caseId, idempotencyKey, eventIds, requestedById: actor.id, status: url ? 'pending' : 'not_configured' },
      });
      await writeAudit(
        { actorId: actor.id, actorLabel: actor.email, action: 'exception.replay_request', targetType: 'exception_case', targetId: caseId, after: { replayId: created.id, idempotencyKey, eventIds: eventIds.length, webhook: url ? 'configured' : 'not_configured' }, ip },
        tx,
      );
      return created;
    });
  } catch (error) {
    // A concurrent identical request won the unique key: that one is the request.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      const winner = await db.replayRequest.findUnique({ where: { idempotencyKey } });
      if (winner) return { replay: winner, created: false };
    }
    throw error;
  }
  if (!url) return { replay, created: true };
  const body = { replay_id: replay.id, case_id: caseId, interface_id: found.interfaceKey, entity_type: found.entityType, source_record_id: found.sourceRecordId, event_ids: eventIds };
  return { replay: await sendReplay(replay.id, url, body, idempotencyKey), created: true };
}

async function sendReplay(replayId: string, url: string, payload: Record<string, unknown>, idempotencyKey: string): Promise<ReplayView> {
  const db = await prisma();
  let status = 'failed';
  let responseCode: number | null = null;
  let error: string | null = null;
  try {
    // Signed over these exact bytes; never sent unsigned (an unreadable secret fails the request).
    const body = JSON.stringify(payload);
    const signature = signedHeaders({ secrets: await signingSecrets(REPLAY_WEBHOOK_ID), webhookId: REPLAY_WEBHOOK_ID, deliveryId: replayId, body });
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey, ...signature },
      body,
      signal: AbortSignal.timeout(REPLAY_TIMEOUT_MS),
    });
    responseCode = response.status;
    status = response.ok ? 'sent' : 'failed';
    if (!response.ok) error = `HTTP ${response.status}: ${(await response.text()).slice(0, 500)}`;
  } catch (cause) {
    error = cause instanceof Error ? cause.message : String(cause);
  }
  return db.replayRequest.update({ where: { id: replayId }, data: { status, responseCode, error, sentAt: new Date() } });
}

export function replayConfigured(): boolean {
  return Boolean(env().PLUMBLINE_REPLAY_WEBHOOK_URL);
}
