import Link from 'next/link';
import { requirePage } from '@/lib/auth/session';
import { listEndpoints } from '@/lib/admin/webhooks';
import { DELIVERY_STATUSES, listDeliveries, type DeliveryStatus } from '@/lib/webhooks/delivery';
import { formatDateTime } from '@/lib/format';
import { AdminNav } from '@/app/admin/AdminNav';
import { AdminForm } from '@/app/admin/AdminForm';
import { createEndpointAction, deleteEndpointAction, updateEndpointAction } from '@/app/admin/actions';

const PAGE_SIZE = 25;

type Params = { status?: string; endpoint?: string; page?: string };

export default async function AdminWebhooksPage({ searchParams }: { searchParams: Promise<Params> }) {
  await requirePage('admin.manage');
  const params = await searchParams;
  const status = DELIVERY_STATUSES.find((s) => s === params.status) as DeliveryStatus | undefined;
  const page = Math.max(1, Number(params.page) || 1);
  const [endpoints, deliveries] = await Promise.all([listEndpoints(), listDeliveries({ status, endpointId: params.endpoint || undefined, page, pageSize: PAGE_SIZE })]);
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
              <th scope="col">Deliveries</th>
              <th scope="col">Delete</th>
            </tr>
          </thead>
          <tbody>
            {endpoints.map((e) => (
              <tr key={e.id}>
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
