import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { requirePage } from '@/lib/auth/session';
import { requestLocale } from '@/lib/locale';
import { can, canTriageEntity } from '@/lib/auth/permissions';
import { prisma } from '@/lib/db/client';
import { recordEvents } from '@/lib/exceptions/open-records';
import { triageAssignees } from '@/lib/exceptions/triage';
import { replayConfigured } from '@/lib/exceptions/replay';
import { isOverdue, overdueRules } from '@/lib/exceptions/overdue';
import { describeError } from '@/lib/exceptions/queue';
import { formatDateTime } from '@/lib/format';
import { EventList } from '@/components/exceptions/EventList';
import { ActionForm } from '@/components/exceptions/ActionForm';
import { AssigneeSelect } from '@/components/exceptions/AssigneeSelect';
import { acknowledgeAction, assignCaseAction, noteAction, replayAction, resolveAction } from '@/app/operations/actions';

export const metadata: Metadata = { title: 'Exception case' };

export default async function CasePage({ params }: { params: Promise<{ id: string }> }) {
  const viewer = await requirePage('dashboards.view');
  const locale = await requestLocale();
  const { id } = await params;
  const db = await prisma();
  const found = await db.exceptionCase.findUnique({
    where: { id },
    include: {
      assignee: { select: { name: true } },
      notes: { orderBy: { createdAt: 'asc' }, include: { author: { select: { name: true } } } },
      replays: { orderBy: { createdAt: 'desc' }, include: { requestedBy: { select: { name: true } } } },
    },
  });
  if (!found) notFound();
  const details = can(viewer.role, 'records.viewDetails');
  const [events, users, rules] = await Promise.all([
    recordEvents({ interfaceKey: found.interfaceKey, entityType: found.entityType, sourceRecordId: found.sourceRecordId }, can(viewer.role, 'records.viewPayload')),
    triageAssignees(),
    overdueRules(),
  ]);
  const lastFailure = [...events].reverse().find((e) => e.error_category);
  const firstFailure = events.find((e) => e.error_category);
  const mayTriage = canTriageEntity(viewer.role, found.entityType);
  const open = found.state !== 'resolved';
  const overdue = open && isOverdue(rules, found.entityType, found.errorCategory, firstFailure?.occurred_at ?? null, new Date());
  const hidden = { caseId: found.id };
  return (
    <section>
      <p>
        <Link href={`/operations/failures?signature=${found.signatureHash}`}>← Failures with this cause</Link>
      </p>
      <h1>
        {found.interfaceKey} · {found.entityType} · {found.sourceRecordId}
      </h1>
      <p>
        <span className={`badge ${open ? 'bad' : 'good'}`}>{found.state}</span> {overdue && <span className="badge warn">overdue</span>}{' '}
        {lastFailure && describeError(lastFailure.error_category, lastFailure.error_message, found.entityType)}
      </p>
      {details && (
        <details>
          <summary>Error signature</summary>
          <code>{found.signature}</code>
        </details>
      )}
      <dl>
        <dt>Assignee</dt>
        <dd>{found.assignee?.name ?? 'Nobody'}</dd>
        <dt>First failure</dt>
        <dd>{formatDateTime(firstFailure?.occurred_at)}</dd>
        {found.acknowledgedAt && (
          <>
            <dt>Acknowledged</dt>
            <dd>{formatDateTime(found.acknowledgedAt.toISOString())}</dd>
          </>
        )}
        {found.resolvedAt && (
          <>
            <dt>Resolved</dt>
            <dd>
              {formatDateTime(found.resolvedAt.toISOString())} — {found.resolutionReason}
            </dd>
          </>
        )}
      </dl>

      {mayTriage ? (
        <>
          <h2>Triage</h2>
          <ActionForm action={assignCaseAction} hidden={hidden} submitLabel="Assign">
            <AssigneeSelect users={users} value={found.assigneeId} />
          </ActionForm>
          {found.state === 'open' && <ActionForm action={acknowledgeAction} hidden={hidden} submitLabel="Acknowledge" secondary />}
          <ActionForm action={noteAction} hidden={hidden} submitLabel="Add note">
            <label>
              Note
              <textarea name="body" rows={2} cols={50} required maxLength={4000} />
            </label>
          </ActionForm>
          {open && (
            <ActionForm action={resolveAction} hidden={hidden} submitLabel="Resolve manually">
              <label>
                Reason (required)
                <input name="reason" required maxLength={1000} size={50} />
              </label>
            </ActionForm>
          )}
          <ActionForm action={replayAction} hidden={hidden} submitLabel="Request replay" secondary />
          {!replayConfigured() && <p className="muted">No replay webhook is configured (PLUMBLINE_REPLAY_WEBHOOK_URL): replay requests are recorded but not sent.</p>}
        </>
      ) : (
        <p className="muted">Your role can view this case but not triage it.</p>
      )}

      <h2>Notes</h2>
      {found.notes.length === 0 ? (
        <p className="empty">No notes yet.</p>
      ) : (
        <ul>
          {found.notes.map((n) => (
            <li key={n.id}>
              <strong>{n.author.name}</strong> <span className="muted">{formatDateTime(n.createdAt.toISOString())}</span>: {n.body}
            </li>
          ))}
        </ul>
      )}

      <h2>Replays</h2>
      {found.replays.length === 0 ? (
        <p className="empty">No replay requested.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Requested</th>
              <th scope="col">By</th>
              <th scope="col">Status</th>
              <th scope="col">Outcome</th>
            </tr>
          </thead>
          <tbody>
            {found.replays.map((r) => (
              <tr key={r.id}>
                <td>{formatDateTime(r.createdAt.toISOString())}</td>
                <td>{r.requestedBy.name}</td>
                <td>
                  {r.status === 'not_configured' ? 'not sent: no replay webhook configured' : r.status}
                  {r.responseCode !== null && ` (HTTP ${r.responseCode})`}
                  {details && r.error && <div className="error">{r.error}</div>}
                </td>
                <td>{r.outcome ? `${r.outcome} at ${formatDateTime(r.outcomeAt?.toISOString())}` : 'waiting for the next event'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h2>Events</h2>
      <EventList locale={locale} events={events} canViewDetails={details} canViewPayload={can(viewer.role, 'records.viewPayload')} />
    </section>
  );
}
