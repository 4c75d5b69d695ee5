import Link from 'next/link';
import type { LedgerEventView } from '@/lib/exceptions/open-records';
import { describeError } from '@/lib/exceptions/queue';
import { formatDateTime, formatMoney } from '@/lib/format';

/**
 * A record's ledger events, oldest first, each linked to its trace. Errors read in business
 * language; the technical detail is one click away for roles that may see error details,
 * and payloads only for roles that may see payloads (the query never selects them otherwise).
 */
export function EventList({ events, locale, canViewDetails, canViewPayload }: { events: LedgerEventView[]; locale: string; canViewDetails: boolean; canViewPayload: boolean }) {
  if (events.length === 0) return <p className="empty">No ledger events for this record.</p>;
  return (
    <table>
      <caption className="muted" style={{ textAlign: 'left', captionSide: 'top' }}>
        Ledger events ({events.length})
      </caption>
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Interface</th>
          <th scope="col">Event</th>
          <th scope="col">Status</th>
          <th scope="col" className="num">Amount</th>
          <th scope="col">Document</th>
          <th scope="col">Error</th>
          <th scope="col">Trace</th>
        </tr>
      </thead>
      <tbody>
        {events.map((e) => (
          <tr key={e.event_id}>
            <td>{formatDateTime(e.occurred_at)}</td>
            <td>{e.interface_id}</td>
            <td>
              {e.event_type}
              {e.attributes.move_type && <div className="muted">{e.attributes.move_type}</div>}
              {e.attributes.period_start && (
                <div className="muted">
                  {e.attributes.period_start} → {e.attributes.period_end}
                </div>
              )}
              {e.attributes.surcharge_kind && <div className="muted">{e.attributes.surcharge_kind}</div>}
            </td>
            <td>
              <span className={`badge ${e.status === 'succeeded' ? 'good' : e.status === 'pending' ? 'warn' : 'bad'}`}>{e.status}</span>
            </td>
            <td className="num">{e.currency ? formatMoney(e.amountCents / 100, e.currency, locale) : '—'}</td>
            <td>{e.document_number || '—'}</td>
            <td>
              {e.error_category ? (
                <>
                  {describeError(e.error_category, e.error_message, e.entity_type)}
                  {canViewDetails && (
                    <details>
                      <summary>Technical detail</summary>
                      <code>
                        {e.error_category}
                        {e.error_code ? ` · ${e.error_code}` : ''}
                      </code>
                      <pre style={{ whiteSpace: 'pre-wrap', maxWidth: '40rem' }}>{e.error_message}</pre>
                    </details>
                  )}
                </>
              ) : (
                '—'
              )}
              {canViewPayload && e.payload && (
                <details>
                  <summary>Payload</summary>
                  <pre style={{ whiteSpace: 'pre-wrap', maxWidth: '40rem' }}>{e.payload}</pre>
                </details>
              )}
            </td>
            <td>{e.trace_id ? <Link href={`/traces/${e.trace_id}`}>trace</Link> : '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
