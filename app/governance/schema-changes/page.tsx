import type { Metadata } from 'next';
import Link from 'next/link';
import { requirePage } from '@/lib/auth/session';
import { can } from '@/lib/auth/permissions';
import { interfaceChoices, listProposals, PROPOSAL_STATUS_FILTERS, type ProposalStatusFilter } from '@/lib/governance/proposals';
import { formatDateTime } from '@/lib/format';
import { ProposalForm } from '@/components/governance/ProposalForm';
import { CompatibilityBadge } from '@/components/governance/CompatibilityBadge';

export const metadata: Metadata = { title: 'Schema changes' };

export default async function SchemaChangesPage({ searchParams }: { searchParams: Promise<{ status?: string; interface?: string }> }) {
  const viewer = await requirePage('dashboards.view');
  const params = await searchParams;
  const status: ProposalStatusFilter = PROPOSAL_STATUS_FILTERS.find((s) => s === params.status) ?? 'open';
  const interfaceKey = params.interface?.trim() || undefined;
  const propose = can(viewer.role, 'schema.propose');
  const [proposals, interfaces] = await Promise.all([listProposals(status, interfaceKey), interfaceChoices()]);
  return (
    <section>
      <h1>Schema changes</h1>
      <form className="filters" method="get" action="/governance/schema-changes" role="search" aria-label="Filter proposals">
        <label>
          Status
          <select name="status" defaultValue={status}>
            <option value="open">Waiting for votes</option>
            <option value="decided">Decided</option>
            <option value="all">All</option>
          </select>
        </label>
        <label>
          Interface
          <select name="interface" defaultValue={interfaceKey ?? ''}>
            <option value="">Any</option>
            {interfaces.map((i) => (
              <option key={i.key} value={i.key}>
                {i.key}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Filter</button>
      </form>
      {proposals.length === 0 ? (
        <p className="empty">{status === 'open' ? 'No schema change is waiting for a vote.' : 'No schema versions match.'}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Interface</th>
              <th scope="col">Version</th>
              <th scope="col">Status</th>
              <th scope="col">Compatibility</th>
              <th scope="col">Proposed by</th>
              <th scope="col">Proposed</th>
              <th scope="col" className="num">Votes</th>
            </tr>
          </thead>
          <tbody>
            {proposals.map((p) => (
              <tr key={p.id} data-proposal={`${p.interfaceKey}@${p.version}`}>
                <td>{p.interfaceKey}</td>
                <td>
                  <Link href={`/governance/schema-changes/${p.id}`}>{p.version}</Link>
                </td>
                <td>{p.status}</td>
                <td>
                  <CompatibilityBadge level={p.compatibility} />
                </td>
                <td>{p.proposedBy ?? '—'}</td>
                <td>{formatDateTime(p.proposedAt.toISOString())}</td>
                <td className="num">
                  {p.approvals} approve / {p.rejections} reject (needs {p.requiredApprovals})
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {propose && (
        <>
          <h2>Propose a new version</h2>
          <p className="muted">The schema is diffed against the interface&apos;s active version and checked against the last 500 events of live traffic.</p>
          <ProposalForm interfaces={interfaces} defaultInterface={interfaceKey ?? ''} />
        </>
      )}
    </section>
  );
}
