import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { requirePage } from '@/lib/auth/session';
import { can } from '@/lib/auth/permissions';
import { normaliseTraceId, traceLedgerEvents, traceWaterfall } from '@/lib/traces/query';
import { redactLedgerEvents, redactTrace } from '@/lib/traces/redact';
import { formatDurationUs } from '@/lib/traces/format';
import { formatDateTime } from '@/lib/format';
import { Waterfall } from '@/components/traces/Waterfall';

/** From the URL alone, so the title shows nothing the page's permission check would withhold. */
export async function generateMetadata({ params }: { params: Promise<{ traceId: string }> }): Promise<Metadata> {
  const { traceId } = await params;
  return { title: `Trace ${traceId}` };
}

export default async function TracePage({ params }: { params: Promise<{ traceId: string }> }) {
  const viewer = await requirePage('dashboards.view');
  const traceId = normaliseTraceId((await params).traceId);
  if (!traceId) notFound();
  const visibility = { details: can(viewer.role, 'records.viewDetails'), payload: can(viewer.role, 'records.viewPayload') };
  const [rawTrace, rawEvents] = await Promise.all([traceWaterfall(traceId), traceLedgerEvents(traceId)]);
  if (!rawTrace && rawEvents.length === 0) {
    return (
      <section>
        <h1>Trace {traceId}</h1>
        <p className="empty">
          No spans and no ledger events carry this trace id. It may be older than the retention period or not yet ingested.{' '}
          <Link href="/traces">Search traces</Link>
        </p>
      </section>
    );
  }
  const trace = rawTrace ? redactTrace(rawTrace, visibility) : null;
  const events = redactLedgerEvents(rawEvents, visibility);
  const services = trace ? [...new Set(trace.spans.map((s) => s.service))] : [];
  const errors = trace ? trace.spans.filter((s) => s.statusCode === 'Error').length : 0;
  return (
    <section>
      <p>
        <Link href="/traces">← Traces</Link>
      </p>
      <h1>
        Trace <code>{traceId}</code>
      </h1>
      {trace && (
        <div className="cards" style={{ marginBottom: '1rem' }}>
          <div className="card">
            <div className="label">Started</div>
            <div className="value" style={{ fontSize: '1rem' }}>{formatDateTime(trace.start)}</div>
          </div>
          <div className="card">
            <div className="label">Duration</div>
            <div className="value">{formatDurationUs(trace.durationUs)}</div>
          </div>
          <div className="card">
            <div className="label">Spans across services</div>
            <div className="value">{trace.spans.length}</div>
            <div className="muted">{services.join(' → ')}</div>
          </div>
          <div className="card">
            <div className="label">Status</div>
            <div className="value">{errors > 0 ? <span className="badge bad">{errors} error spans</span> : <span className="badge good">ok</span>}</div>
          </div>
        </div>
      )}
      <div style={{ display: 'grid', gridTemplateColumns: 'minmax(0, 2fr) minmax(280px, 1fr)', gap: '1rem' }}>
        <div>
          <h2>Waterfall</h2>
          {trace ? (
            <Waterfall spans={trace.spans} durationUs={trace.durationUs} detailsHidden={!visibility.details} />
          ) : (
            <p className="empty">No spans were stored for this trace; only its ledger events are known.</p>
          )}
        </div>
        <aside aria-label="Ledger events of this trace">
          <h2>Ledger events</h2>
          {events.length === 0 ? (
            <p className="empty">No ledger event reported this trace id.</p>
          ) : (
            <ol style={{ listStyle: 'none', padding: 0, margin: 0 }} className="stack">
              {events.map((e) => (
                <li key={e.eventId} className="card">
                  <div>
                    <span className={`badge ${e.status === 'succeeded' ? 'good' : e.status === 'failed' || e.status === 'dead_lettered' || e.status === 'retrying' ? 'bad' : 'warn'}`}>{e.status}</span>{' '}
                    <strong>{e.documentNumber || e.sourceRecordId}</strong> <span className="muted">attempt {e.attempt}</span>
                  </div>
                  <dl style={{ margin: '0.4rem 0 0', display: 'grid', gridTemplateColumns: 'auto 1fr', gap: '0.15rem 0.6rem', fontSize: '0.85rem' }}>
                    <dt className="muted">Interface</dt>
                    <dd style={{ margin: 0 }}>{e.interfaceKey}</dd>
                    <dt className="muted">Record</dt>
                    <dd style={{ margin: 0 }}>
                      {e.entityType} {e.sourceRecordId} ({e.operation})
                    </dd>
                    {e.targetRecordId && (
                      <>
                        <dt className="muted">Odoo record</dt>
                        <dd style={{ margin: 0 }}>{e.targetRecordId}</dd>
                      </>
                    )}
                    {e.contractId && (
                      <>
                        <dt className="muted">Rental contract</dt>
                        <dd style={{ margin: 0 }}>{e.contractId}</dd>
                      </>
                    )}
                    {e.project && (
                      <>
                        <dt className="muted">Project</dt>
                        <dd style={{ margin: 0 }}>{e.project}</dd>
                      </>
                    )}
                    <dt className="muted">Occurred</dt>
                    <dd style={{ margin: 0 }}>{formatDateTime(e.occurredAt)}</dd>
                    <dt className="muted">Synced</dt>
                    <dd style={{ margin: 0 }}>{formatDateTime(e.syncedAt)}</dd>
                    {e.errorCategory && (
                      <>
                        <dt className="muted">Error</dt>
                        <dd style={{ margin: 0 }}>
                          {e.errorCategory}
                          {visibility.details ? (e.errorMessage ? `: ${e.errorMessage}` : '') : <span className="muted"> (details need the record-details permission)</span>}
                        </dd>
                      </>
                    )}
                  </dl>
                  {visibility.payload && e.payload && e.payload !== '{}' && (
                    <details style={{ marginTop: '0.4rem' }}>
                      <summary>Payload</summary>
                      <pre style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all', fontSize: '0.8rem' }}>{e.payload}</pre>
                    </details>
                  )}
                </li>
              ))}
            </ol>
          )}
        </aside>
      </div>
    </section>
  );
}
