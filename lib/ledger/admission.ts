import type { z } from 'zod';
import { ledgerEventSchema } from '@/lib/ledger/event';
import { storageProblems, toLedgerRow, type LedgerRow } from '@/lib/ledger/row';
import { principalMayReport, type IngestPrincipal } from '@/lib/ingest/api-keys';
import { interfaceCatalog, isSchemaDrift, noteUnregisteredInterfaces } from '@/lib/ingest/interfaces';

/**
 * Decides, event by event, what of a batch may be stored: schema validation, the key's
 * interface scope, blocked interfaces, and schema drift. One bad event never affects
 * the others.
 */
export type RejectionReason = 'invalid' | 'out_of_scope' | 'interface_blocked';

export interface RejectedEvent {
  index: number;
  event_id?: string;
  errors: string[];
  reason: RejectionReason;
}

export interface AdmittedEvent {
  index: number;
  row: LedgerRow;
}

export interface Admission {
  admitted: AdmittedEvent[];
  rejected: RejectedEvent[];
  unregistered: Map<string, number>;
}

export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => `${issue.path.length ? issue.path.map(String).join('.') : 'event'}: ${issue.message}`);
}

function claimedEventId(item: unknown): string | undefined {
  if (item && typeof item === 'object' && !Array.isArray(item)) {
    const id = (item as Record<string, unknown>).event_id;
    if (typeof id === 'string') return id.slice(0, 128);
  }
  return undefined;
}

export async function admitLedgerEvents(items: readonly unknown[], principal: IngestPrincipal, now = new Date()): Promise<Admission> {
  const catalog = await interfaceCatalog();
  const admission: Admission = { admitted: [], rejected: [], unregistered: new Map() };
  const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);

  items.forEach((item, index) => {
    const parsed = ledgerEventSchema.safeParse(item);
    if (!parsed.success) {
      admission.rejected.push({ index, event_id: claimedEventId(item), errors: formatIssues(parsed.error.issues), reason: 'invalid' });
      return;
    }
    const event = parsed.data;
    const problems = storageProblems(event);
    if (problems.length > 0) {
      admission.rejected.push({ index, event_id: event.event_id, errors: problems, reason: 'invalid' });
      return;
    }
    if (!principalMayReport(principal, event.interface_id)) {
      admission.rejected.push({
        index,
        event_id: event.event_id,
        errors: [`interface_id: this API key may only report for interface "${principal.interfaceKey}"`],
        reason: 'out_of_scope',
      });
      return;
    }
    const rule = catalog.registered.get(event.interface_id);
    if (rule?.blocked || (!rule && catalog.blockedUnregistered.has(event.interface_id))) {
      admission.rejected.push({
        index,
        event_id: event.event_id,
        errors: [`interface_id: "${event.interface_id}" is blocked by the governance board`],
        reason: 'interface_blocked',
      });
      return;
    }
    const drift = rule ? isSchemaDrift(rule, event.schema_version) : false;
    if (!rule) bump(admission.unregistered, event.interface_id);
    admission.admitted.push({ index, row: toLedgerRow(event, drift, now) });
  });

  if (admission.unregistered.size > 0) await noteUnregisteredInterfaces(admission.unregistered.keys());
  return admission;
}
