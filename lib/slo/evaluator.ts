import type { AlertStatus } from '@/lib/db/generated/enums';
import type { Prisma } from '@/lib/db/generated/client';
import { prisma } from '@/lib/db/client';
import { listSlos, type SloRecord } from '@/lib/slo/definitions';
import { computeSloStatus, type SloStatus } from '@/lib/slo/status';
import { enqueueWebhookEvent } from '@/lib/webhooks/delivery';

/**
 * The SLO alert evaluator: computes every SLO's status, persists it in AlertState and, on
 * each change of status, queues an 'slo.alert' webhook for every subscribed endpoint
 * (in the same transaction, so a change is never recorded without its notification).
 * A newly defined SLO that starts healthy (ok / no data) notifies nobody.
 */
export const SLO_ALERT_EVENT = 'slo.alert';

export interface StatusChange {
  sloId: string;
  from: AlertStatus | null;
  to: AlertStatus;
}

export interface SloAlertPayload {
  slo: { id: string; name: string; interface: string; sliKind: string; objective: number; windowDays: number };
  previousStatus: AlertStatus | null;
  status: AlertStatus;
  changedAt: string;
  reason: string;
  sli: number | null;
  budgetRemaining: number | null;
  burnRates: Record<string, number | null>;
  path: string;
}

function payloadFor(slo: SloRecord, status: SloStatus, previous: AlertStatus | null, now: Date): SloAlertPayload {
  return {
    slo: { id: slo.id, name: slo.name, interface: slo.interfaceKey, sliKind: slo.sliKind, objective: slo.objective, windowDays: slo.windowDays },
    previousStatus: previous,
    status: status.status,
    changedAt: now.toISOString(),
    reason: status.reason,
    sli: status.sli,
    budgetRemaining: status.budgetRemaining,
    burnRates: Object.fromEntries(status.windows.map((w) => [w.key, w.burnRate])),
    path: `/slo/${slo.id}`,
  };
}

function detailsOf(status: SloStatus): Prisma.InputJsonValue {
  return JSON.parse(
    JSON.stringify({
      reason: status.reason,
      sli: status.sli,
      budgetRemaining: status.budgetRemaining,
      timeToExhaustionMs: status.timeToExhaustionMs,
      windows: status.windows,
    }),
  ) as Prisma.InputJsonValue;
}

export async function evaluateSlos(now: Date = new Date()): Promise<{ evaluated: number; changes: StatusChange[] }> {
  const slos = await listSlos();
  const db = await prisma();
  const changes: StatusChange[] = [];
  for (const slo of slos) {
    const status = await computeSloStatus(
      {
        interfaceKey: slo.interfaceKey,
        sliKind: slo.sliKind,
        thresholdMs: slo.thresholdMs,
        spanName: slo.spanName,
        windowDays: slo.windowDays,
        objective: slo.objective,
        minEvents: slo.minEvents,
      },
      now,
    );
    await db.$transaction(async (tx) => {
      const existing = await tx.alertState.findUnique({ where: { sloId: slo.id } });
      const previous = existing?.status ?? null;
      const changed = previous !== status.status;
      const details = detailsOf(status);
      if (!existing) {
        await tx.alertState.create({ data: { sloId: slo.id, status: status.status, since: now, lastEvaluatedAt: now, details } });
      } else {
        await tx.alertState.update({
          where: { sloId: slo.id },
          data: { status: status.status, lastEvaluatedAt: now, details, ...(changed ? { since: now } : {}) },
        });
      }
      const notify = existing ? changed : status.status === 'page' || status.status === 'ticket';
      if (changed) changes.push({ sloId: slo.id, from: previous, to: status.status });
      if (notify) await enqueueWebhookEvent(SLO_ALERT_EVENT, payloadFor(slo, status, previous, now), { now, tx });
    });
  }
  return { evaluated: slos.length, changes };
}
