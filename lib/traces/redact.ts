import type { TraceDetail, TraceLedgerEvent } from '@/lib/traces/query';

/**
 * What a role may see of a trace (DESIGN.md roles): error details need 'records.viewDetails',
 * raw payloads 'records.viewPayload'. Applied on the server before anything reaches a client component.
 */
export interface TraceVisibility {
  details: boolean;
  payload: boolean;
}

const DETAIL_ATTRIBUTE = /^(exception\.|error\.|db\.statement|http\.request\.body|http\.response\.body)/;

export function redactTrace(trace: TraceDetail, visibility: TraceVisibility): TraceDetail {
  if (visibility.details) return trace;
  return {
    ...trace,
    spans: trace.spans.map((span) => ({
      ...span,
      statusMessage: '',
      attributes: Object.fromEntries(Object.entries(span.attributes).filter(([key]) => !DETAIL_ATTRIBUTE.test(key))),
      events: span.events.map((event) => ({ ...event, attributes: {} })),
    })),
  };
}

export function redactLedgerEvents(events: TraceLedgerEvent[], visibility: TraceVisibility): TraceLedgerEvent[] {
  return events.map((event) => ({
    ...event,
    errorMessage: visibility.details ? event.errorMessage : '',
    errorCode: visibility.details ? event.errorCode : '',
    payload: visibility.payload ? event.payload : '',
  }));
}
