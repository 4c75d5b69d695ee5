import type { Metadata } from 'next';
import Link from 'next/link';
import { requirePage } from '@/lib/auth/session';
import { DEFAULT_SECRET_OVERLAP_HOURS, listEndpoints, replayWebhook } from '@/lib/admin/webhooks';
import { DELIVERY_STATUSES, listDeliveries, type DeliveryStatus } from '@/lib/webhooks/delivery';
import type { SecretSummary } from '@/lib/webhooks/secrets';
import { formatDateTime } from '@/lib/format';
import { AdminNav } from '@/app/admin/AdminNav';
import { AdminForm } from '@/app/admin/AdminForm';
import { createEndpointAction, deleteEndpointAction, rotateEndpointSecretAction, rotateReplaySecretAction, updateEndpointAction } from '@/app/admin/actions';

export const metadata: Metadata = { title: 'Webhooks' };

const PAGE_SIZE = 25;

type Params = { status?: string; endpoint?: string; page?: string };

/** A signing secret as reads show it: masked, with what an admin needs to know about it. */
function SecretState({ secret }: { secret: SecretSummary | null }) {
  if (!secret) return <span className="muted">none yet — one is generated at the first delivery, unless you create one now to give the receiver</span>;
  return (
    <span>
      <code>{secret.masked}</code>
      <span className="muted"> since {formatDateTime(secret.createdAt.toISOString())}</span>
      {!secret.revealed && (
        <span className="badge warn" title="Plumbline generated it at a first delivery; no admin has seen it, so no receiver can verify yet">
          never shown — rotate to get it
        </span>
      )}
      {secret.previousExpiresAt && <span className="muted"> · previous secret also signs until {formatDateTime(secret.previousExpiresAt.toISOString())}</span>}
    </span>
  );
}

function RotateFields() {
  return (
    <label>
      Old secret keeps signing for (hours)
      <input name="overlapHours" type="number" min={0} max={720} defaultValue={DEFAULT_SECRET_OVERLAP_HOURS} />
    </label>
  );
}

export default async function AdminWebhooksPage({ searchParams }: { searchParams: Promise<Params> }) {
  await requirePage('admin.manage');
  const params = await searchParams;
  const status = DELIVERY_STATUSES.find((s) => s === params.status) as DeliveryStatus | undefined;
  const page = Math.max(1, Number(params.page) || 1);
  const [endpoints, replay, deliveries] = await Promise.all([listEndpoints(), replayWebhook(), listDeliveries({ status, endpointId: params.endpoint || undefined, page, pageSize: PAGE_SIZE })]);
  const pages = Math.max(1, Math.ceil(deliveries.total / PAGE_SIZE));
  const href = (next: Partial<Params>) => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries({ status: params.status ?? '', endpoint: params.endpoint ?? '', ...next })) if (v) p.set(k, String(v));
    return `/admin/webhooks?${p.toString()}`;
  };
  return (
    <section>
      <h1>Administration · Webhooks</h1>
      <AdminNav current="/admin/webhooks" />
      <p className="muted">
        Every request is signed: <code>Plumbline-Signature: t=…,v1=…</code> is the hex HMAC-SHA256 of <code>&lt;t&gt;.&lt;body&gt;</code> keyed with the
        webhook&apos;s signing secret, beside <code>Plumbline-Webhook-Id</code> and <code>Plumbline-Delivery-Id</code> (README: verifying webhook
        signatures). A secret is shown once, when it is created or rotated; creating and rotating are audited.
      </p>
      <h2>Add an endpoint</h2>
      <AdminForm action={createEndpointAction} submit="Add endpoint" className="filters">
        <label>
          Name
          <input name="name" required />
        </label>
        <label>
          URL
          <input name="url" type="url" required placeholder="https://…" />
        </label>
        <label>
          Events
          <input name="events" required placeholder="slo.alert, exception.opened" />
        </label>
        <label>
          <input name="enabled" type="checkbox" defaultChecked /> Enabled
        </label>
      </AdminForm>
      <h2>Endpoints</h2>
      {endpoints.length === 0 ? (
        <p className="empty">No webhook endpoints.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Endpoint</th>
              <th scope="col">Signing secret</th>
              <th scope="col">Deliveries</th>
              <th scope="col">Delete</th>
            </tr>
          </thead>
          <tbody>
            {endpoints.map((e) => (
              <tr key={e.id} data-endpoint-id={e.id}>
                <td>
                  <AdminForm action={updateEndpointAction} submit="Save" className="filters">
                    <input type="hidden" name="id" value={e.id} />
                    <label>
                      Name
                      <input name="name" defaultValue={e.name} required />
                    </label>
                    <label>
                      URL
                      <input name="url" type="url" defaultValue={e.url} required />
                    </label>
                    <label>
                      Events
                      <input name="events" defaultValue={e.events.join(', ')} required />
                    </label>
                    <label>
                      <input name="enabled" type="checkbox" defaultChecked={e.enabled} /> Enabled
                    </label>
                  </AdminForm>
                </td>
                <td>
                  <SecretState secret={e.secret} />
                  <AdminForm action={rotateEndpointSecretAction} submit={e.secret ? 'Rotate secret' : 'Create secret'} className="filters">
                    <input type="hidden" name="id" value={e.id} />
                    {e.secret && <RotateFields />}
                  </AdminForm>
                </td>
                <td className="num">
                  <Link href={href({ endpoint: e.id, page: '1' })}>{e.deliveries}</Link>
                </td>
                <td>
                  <AdminForm action={deleteEndpointAction} submit="Delete" confirm={`Delete ${e.name} and its delivery log?`}>
                    <input type="hidden" name="id" value={e.id} />
                  </AdminForm>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Replay webhook</h2>
      <p>
        Replay requests from triage go to{' '}
        {replay.url ? <code>{replay.url}</code> : <span className="muted">no URL (set PLUMBLINE_REPLAY_WEBHOOK_URL)</span>}, with{' '}
        <code>Plumbline-Webhook-Id: replay</code>.
      </p>
      <div data-webhook="replay">
        <p>
          Signing secret: <SecretState secret={replay.secret} />
        </p>
        <AdminForm action={rotateReplaySecretAction} submit={replay.secret ? 'Rotate replay secret' : 'Create replay secret'} className="filters">
          {replay.secret && <RotateFields />}
        </AdminForm>
      </div>
      <h2>Delivery log</h2>
      <form className="filters" method="get" action="/admin/webhooks" aria-label="Filter deliveries">
        <label>
          Status
          <select name="status" defaultValue={status ?? ''}>
            <option value="">any</option>
            {DELIVERY_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        {params.endpoint && <input type="hidden" name="endpoint" value={params.endpoint} />}
        <button type="submit">Filter</button>
      </form>
      {deliveries.rows.length === 0 ? (
        <p className="empty">No deliveries match.</p>
      ) : (
        <>
          <table>
            <thead>
              <tr>
                <th scope="col">Created</th>
                <th scope="col">Endpoint</th>
                <th scope="col">Event</th>
                <th scope="col">Status</th>
                <th scope="col">Attempts</th>
                <th scope="col">Response</th>
                <th scope="col">Error</th>
              </tr>
            </thead>
            <tbody>
              {deliveries.rows.map((d) => (
                <tr key={d.id}>
                  <td>{formatDateTime(d.createdAt.toISOString())}</td>
                  <td>{d.endpointName}</td>
                  <td>
                    <code>{d.event}</code>
                  </td>
                  <td>
                    <span className={`badge ${d.status === 'delivered' ? 'good' : d.status === 'failed' ? 'bad' : 'warn'}`}>{d.status}</span>
                  </td>
                  <td className="num">{d.attempts}</td>
                  <td className="num">{d.responseCode ?? ''}</td>
                  <td>{d.error ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <nav className="pager" aria-label="Delivery pages">
            {page > 1 ? <Link href={href({ page: String(page - 1) })}>Previous</Link> : <span className="muted">Previous</span>}
            <span>
              Page {page} of {pages}
            </span>
            {page < pages ? <Link href={href({ page: String(page + 1) })}>Next</Link> : <span className="muted">Next</span>}
          </nav>
        </>
      )}
    </section>
  );
}
