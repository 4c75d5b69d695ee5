import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { requirePage } from '@/lib/auth/session';
import { can } from '@/lib/auth/permissions';
import { getProposal } from '@/lib/governance/proposals';
import { checkRecentTraffic, TRAFFIC_SAMPLE_SIZE } from '@/lib/governance/traffic-check';
import { schemaDrift } from '@/lib/governance/catalog';
import { formatDateTime } from '@/lib/format';
import { CompatibilityBadge } from '@/components/governance/CompatibilityBadge';
import { DriftTable } from '@/components/governance/DriftTable';
import { VoteForm } from '@/components/governance/VoteForm';

export const metadata: Metadata = { title: 'Schema change' };

export default async function ProposalPage({ params }: { params: Promise<{ id: string }> }) {
  const viewer = await requirePage('dashboards.view');
  const { id } = await params;
  const proposal = await getProposal(id);
  if (!proposal) notFound();
  const [traffic, drift] = await Promise.all([checkRecentTraffic(proposal.interfaceKey, proposal.schema), schemaDrift(proposal.interfaceKey)]);
  const own = proposal.proposedById === viewer.id;
  const voted = proposal.votes.some((v) => v.voterId === viewer.id);
  const canVote = can(viewer.role, 'schema.vote') && proposal.status === 'proposed' && !own && !voted;
  return (
    <section>
      <p>
        <Link href="/governance/schema-changes">← Schema changes</Link>
      </p>
      <h1>
        {proposal.interfaceKey} version {proposal.version}
      </h1>
      <div className="cards">
        <div className="card">
          <div className="label">Status</div>
          <div className="value" data-testid="proposal-status">
            {proposal.status}
          </div>
        </div>
        <div className="card">
          <div className="label">Compatibility vs active {proposal.activeVersion ?? '—'}</div>
          <div className="value">
            <CompatibilityBadge level={proposal.compatibility} />
          </div>
        </div>
        <div className="card">
          <div className="label">Approvals</div>
          <div className="value">
            {proposal.approvals} of {proposal.requiredApprovals}
          </div>
        </div>
        <div className="card">
          <div className="label">Recent events that would fail</div>
          <div className="value">{traffic.compileError ? '—' : `${traffic.failing} of ${traffic.checked}`}</div>
        </div>
      </div>
      <p className="muted">
        Proposed by {proposal.proposedBy ?? 'unknown'} on {formatDateTime(proposal.proposedAt.toISOString())}
        {proposal.graceUntil && ` · previous clients accepted until ${formatDateTime(proposal.graceUntil.toISOString())}`}
      </p>

      <h2>Changes</h2>
      {proposal.changes.length === 0 ? (
        <p className="empty">{proposal.compatibility ? 'No differences from the active version.' : 'First version of this interface: nothing to compare with.'}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Where</th>
              <th scope="col">Change</th>
              <th scope="col">Old readers / new data</th>
              <th scope="col">New readers / old data</th>
            </tr>
          </thead>
          <tbody>
            {proposal.changes.map((c, i) => (
              <tr key={`${c.path}-${c.kind}-${i}`}>
                <td>
                  <code>{c.path}</code>
                </td>
                <td>{c.description}</td>
                <td>{c.forward ? <span className="badge good">ok</span> : <span className="badge bad">breaks</span>}</td>
                <td>{c.backward ? <span className="badge good">ok</span> : <span className="badge bad">breaks</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {proposal.migrationPlan && (
        <>
          <h2>Migration plan</h2>
          <p style={{ whiteSpace: 'pre-wrap' }}>{proposal.migrationPlan}</p>
        </>
      )}

      <h2>Live traffic check</h2>
      {traffic.compileError ? (
        <p className="error">The schema could not be compiled for validation: {traffic.compileError}</p>
      ) : traffic.checked === 0 ? (
        <p className="empty">No recent events with a payload for {proposal.interfaceKey}.</p>
      ) : (
        <>
          <p>
            <strong>
              {traffic.failing} of {traffic.checked}
            </strong>{' '}
            most recent events (sample of up to {TRAFFIC_SAMPLE_SIZE}) would fail this schema.
          </p>
          {traffic.examples.length > 0 && (
            <table>
              <thead>
                <tr>
                  <th scope="col">Event</th>
                  <th scope="col">Occurred</th>
                  <th scope="col">Errors</th>
                </tr>
              </thead>
              <tbody>
                {traffic.examples.map((e) => (
                  <tr key={e.eventId}>
                    <td>
                      <Link href={`/ledger?q=${encodeURIComponent(e.eventId)}`}>{e.eventId}</Link>
                    </td>
                    <td>{formatDateTime(e.occurredAt)}</td>
                    <td>
                      {e.errors.map((err) => (
                        <div key={err}>{err}</div>
                      ))}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}

      <h2>Votes</h2>
      {proposal.votes.length === 0 ? (
        <p className="empty">No votes yet.</p>
      ) : (
        <ul>
          {proposal.votes.map((v) => (
            <li key={v.voterId}>
              <strong>{v.voter}</strong> {v.decision === 'approve' ? 'approved' : 'rejected'} on {formatDateTime(v.at.toISOString())}
              {v.comment && `: “${v.comment}”`}
            </li>
          ))}
        </ul>
      )}
      {canVote ? (
        <VoteForm proposalId={proposal.id} />
      ) : (
        proposal.status === 'proposed' && (
          <p className="muted">
            {own ? 'You proposed this change, so you cannot vote on it.' : voted ? 'You have voted on this proposal.' : 'Only governance board members vote on schema changes.'}
          </p>
        )
      )}

      <h2>Timeline</h2>
      <ol>
        {proposal.timeline.map((t, i) => (
          <li key={i}>
            {formatDateTime(t.at.toISOString())} — {t.actor}: {t.action}
          </li>
        ))}
      </ol>

      <h2>Schema drift on {proposal.interfaceKey}</h2>
      <DriftTable rows={drift} />

      <details>
        <summary>Proposed schema</summary>
        <pre style={{ overflowX: 'auto' }}>{JSON.stringify(proposal.schema, null, 2)}</pre>
      </details>
    </section>
  );
}
