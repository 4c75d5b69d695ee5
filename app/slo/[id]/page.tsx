import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { requirePage } from '@/lib/auth/session';
import { can } from '@/lib/auth/permissions';
import { getSlo, listInterfaceChoices } from '@/lib/slo/definitions';
import { latestStatus } from '@/lib/slo/status';
import { sloDetail } from '@/lib/slo/detail';
import { budgetOverTime } from '@/lib/slo/history';
import { describeSli, formatObjective, formatTimeToExhaustion, lowTrafficNote } from '@/lib/slo/describe';
import { formatDurationMs } from '@/lib/traces/format';
import { formatDateTime } from '@/lib/format';
import { BudgetBar } from '@/components/slo/BudgetBar';
import { StatusBadge } from '@/components/slo/StatusBadge';
import { LatencyChart, SliBudgetChart } from '@/components/slo/SloCharts';
import { SloForm } from '@/components/slo/SloForm';
import { DeleteSloButton } from '@/components/slo/DeleteSloButton';
import { updateSloAction } from '@/app/slo/actions';

export const metadata: Metadata = { title: 'Service level objective' };

const LATENCY_DAYS = 7;

export default async function SloDetailPage({ params }: { params: Promise<{ id: string }> }) {
  const viewer = await requirePage('dashboards.view');
  const slo = await getSlo((await params).id);
  if (!slo) notFound();
  const manage = can(viewer.role, 'slo.manage');
  const details = can(viewer.role, 'records.viewDetails');
  const now = new Date();
  const [status, { history, quantiles, worst, asOf }, interfaces] = await Promise.all([
    latestStatus(slo, now),
    sloDetail(slo, now, LATENCY_DAYS),
    manage ? listInterfaceChoices() : Promise.resolve([]),
  ]);
  const note = lowTrafficNote(status, slo.minEvents);
  return (
    <section>
      <p>
        <Link href="/slo">← SLOs</Link>
      </p>
      <h1>{slo.name}</h1>
      <p className="muted">
        {slo.interfaceKey} · {describeSli(slo)} · objective {formatObjective(slo.objective)} over a rolling {slo.windowDays} days
        {slo.description ? ` · ${slo.description}` : ''}
      </p>
      <div className="cards">
        <div className="card">
          <div className="label">Status</div>
          <div className="value">
            <StatusBadge status={status.status} />
          </div>
          <div className="muted">{status.reason}</div>
          <div className="muted">evaluated {status.evaluatedAt.toISOString().slice(11, 19)} UTC</div>
        </div>
        <div className="card">
          <div className="label">SLI ({slo.windowDays} d)</div>
          <div className="value">{status.sli === null ? '—' : `${(status.sli * 100).toFixed(3)} %`}</div>
        </div>
        <div className="card">
          <div className="label">Error budget remaining</div>
          <div className="value">
            <BudgetBar remaining={status.budgetRemaining} />
          </div>
        </div>
        <div className="card">
          <div className="label">Time to exhaustion (at the 1 h burn rate)</div>
          <div className="value">{formatTimeToExhaustion(status)}</div>
        </div>
      </div>
      {note && <p className="badge warn" style={{ marginTop: '0.75rem' }}>{note}</p>}
      <h2>Burn rate by window</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">Window</th>
            <th scope="col" className="num">Events</th>
            <th scope="col" className="num">Bad</th>
            <th scope="col" className="num">Burn rate</th>
            <th scope="col">Low traffic</th>
          </tr>
        </thead>
        <tbody>
          {status.windows.map((w) => (
            <tr key={w.key}>
              <th scope="row">{w.key === 'slo' ? `SLO window (${slo.windowDays} d)` : w.key}</th>
              <td className="num">{w.total.toLocaleString('en-US')}</td>
              <td className="num">{w.bad.toLocaleString('en-US')}</td>
              <td className="num">{w.burnRate === null ? '—' : w.burnRate.toFixed(2)}</td>
              <td>{w.belowMinimum ? <span className="badge warn">below {slo.minEvents} events: cannot alert</span> : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="grid-2">
        <div>
          <h2>SLI and error budget over the window</h2>
          <SliBudgetChart points={budgetOverTime(history, slo.objective)} objective={slo.objective} />
        </div>
        <div>
          <h2>Latency per hour (last {LATENCY_DAYS} days)</h2>
          <LatencyChart points={quantiles} thresholdMs={slo.sliKind === 'latency' ? slo.thresholdMs : null} />
        </div>
      </div>
      <p className="muted">Charts and worst records as of {asOf.toISOString().slice(11, 19)} UTC.</p>
      <h2>Worst records of the window</h2>
      {worst.length === 0 ? (
        <p className="empty">No records in the SLO window.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Record</th>
              <th scope="col">Status</th>
              <th scope="col" className="num">Attempts</th>
              <th scope="col" className="num">Latency</th>
              <th scope="col">Last event</th>
              {details && <th scope="col">Error</th>}
              <th scope="col">Trace</th>
            </tr>
          </thead>
          <tbody>
            {worst.map((r, i) => (
              <tr key={`${r.traceId}-${i}`}>
                <td>
                  {r.documentNumber || r.sourceRecordId || '—'} <span className="muted">{r.entityType}</span>
                </td>
                <td>{r.status}</td>
                <td className="num">{r.attempts}</td>
                <td className="num">{formatDurationMs(r.latencyMs)}</td>
                <td>{formatDateTime(r.lastEventAt)}</td>
                {details && <td>{r.errorMessage}</td>}
                <td>{r.traceId ? <Link href={`/traces/${r.traceId}`}>View trace</Link> : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {manage && (
        <>
          <h2>Edit</h2>
          <SloForm
            action={updateSloAction}
            interfaces={interfaces}
            submitLabel="Save SLO"
            defaults={{
              id: slo.id,
              interfaceKey: slo.interfaceKey,
              name: slo.name,
              description: slo.description,
              sliKind: slo.sliKind,
              thresholdMs: slo.thresholdMs,
              spanName: slo.spanName,
              objectivePercent: Math.round(slo.objective * 100000) / 1000,
              windowDays: slo.windowDays,
              minEvents: slo.minEvents,
            }}
          />
          <div style={{ marginTop: '1rem' }}>
            <DeleteSloButton id={slo.id} name={slo.name} />
          </div>
        </>
      )}
    </section>
  );
}
