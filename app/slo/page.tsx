import type { Metadata } from 'next';
import Link from 'next/link';
import { requirePage } from '@/lib/auth/session';
import { can } from '@/lib/auth/permissions';
import { listInterfaceChoices, listSlos } from '@/lib/slo/definitions';
import { latestStatuses } from '@/lib/slo/status';
import { describeSli, formatObjective, formatTimeToExhaustion, lowTrafficNote } from '@/lib/slo/describe';
import { BudgetBar } from '@/components/slo/BudgetBar';
import { StatusBadge } from '@/components/slo/StatusBadge';
import { SloForm } from '@/components/slo/SloForm';
import { ImportForm } from '@/components/slo/ImportForm';
import { createSloAction } from '@/app/slo/actions';

export const metadata: Metadata = { title: 'Service level objectives' };

export default async function SloOverviewPage() {
  const viewer = await requirePage('dashboards.view');
  const manage = can(viewer.role, 'slo.manage');
  const now = new Date();
  const slos = await listSlos();
  const statuses = await latestStatuses(slos, now);
  const oldest = statuses.reduce<Date | null>((o, s) => (!o || s.evaluatedAt < o ? s.evaluatedAt : o), null);
  const interfaces = manage ? await listInterfaceChoices() : [];
  return (
    <section>
      <h1>Service level objectives</h1>
      <p className="muted">
        Burn rate = error ratio ÷ error budget. Page when the 1 h and 5 min windows both burn faster than 14.4, or the 6 h and
        30 min both faster than 6; ticket when the 3 d and 6 h both burn faster than 1. A window with fewer events than the SLO&apos;s
        minimum cannot alert. <a href="/api/v1/slo/export">Export as OpenSLO YAML</a>
      </p>
      {oldest && (
        <p className="muted" data-testid="slo-evaluated">
          Statuses as the alert evaluator last computed them (every minute), the oldest at {oldest.toISOString().slice(11, 19)} UTC.
        </p>
      )}
      {slos.length === 0 ? (
        <p className="empty">No SLOs are defined yet.{manage ? ' Define the first one below.' : ' Integration engineers and admins can define them.'}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">SLO</th>
              <th scope="col">Interface</th>
              <th scope="col">SLI</th>
              <th scope="col" className="num">Objective</th>
              <th scope="col" className="num">Current</th>
              <th scope="col">Status</th>
              <th scope="col">Budget remaining</th>
              <th scope="col">Time to exhaustion</th>
            </tr>
          </thead>
          <tbody>
            {slos.map((slo, i) => {
              const status = statuses[i]!;
              const note = lowTrafficNote(status, slo.minEvents);
              return (
                <tr key={slo.id} data-slo-name={slo.name}>
                  <td>
                    <Link href={`/slo/${slo.id}`}>{slo.name}</Link>
                  </td>
                  <td>{slo.interfaceKey}</td>
                  <td>{describeSli(slo)}</td>
                  <td className="num">
                    {formatObjective(slo.objective)} / {slo.windowDays} d
                  </td>
                  <td className="num">{status.sli === null ? '—' : `${(status.sli * 100).toFixed(2)} %`}</td>
                  <td>
                    <StatusBadge status={status.status} />
                    {note && (
                      <div className="muted" style={{ fontSize: '0.75rem' }}>
                        {note}
                      </div>
                    )}
                  </td>
                  <td>
                    <BudgetBar remaining={status.budgetRemaining} />
                  </td>
                  <td>{formatTimeToExhaustion(status)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {manage && (
        <div className="grid-2" style={{ marginTop: '1.5rem' }}>
          <div>
            <h2>New SLO</h2>
            <SloForm
              action={createSloAction}
              interfaces={interfaces}
              submitLabel="Create SLO"
              defaults={{ interfaceKey: '', name: '', description: '', sliKind: 'latency', thresholdMs: 300_000, spanName: null, objectivePercent: 99, windowDays: 28, minEvents: 20 }}
            />
          </div>
          <div>
            <h2>Import OpenSLO</h2>
            <p className="muted">SLO objects whose SLI uses the Plumbline metric source; an SLO with the same interface and name is updated.</p>
            <ImportForm />
          </div>
        </div>
      )}
    </section>
  );
}
