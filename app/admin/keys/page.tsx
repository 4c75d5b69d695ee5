import type { Metadata } from 'next';
import { requirePage } from '@/lib/auth/session';
import { prisma } from '@/lib/db/client';
import { DEFAULT_ROTATION_OVERLAP_HOURS, listIngestKeys, type KeyStatus } from '@/lib/admin/ingest-keys';
import { formatDateTime, formatRelative } from '@/lib/format';
import { AdminNav } from '@/app/admin/AdminNav';
import { AdminForm } from '@/app/admin/AdminForm';
import { createKeyAction, revokeKeyAction, rotateKeyAction } from '@/app/admin/actions';

export const metadata: Metadata = { title: 'Ingest API keys' };

const STATUS_BADGE: Record<KeyStatus, string> = { active: 'good', expiring: 'warn', expired: 'bad', revoked: 'bad' };

export default async function AdminKeysPage() {
  await requirePage('admin.manage');
  const db = await prisma();
  const [keys, interfaces] = await Promise.all([listIngestKeys(), db.interface.findMany({ orderBy: { key: 'asc' }, select: { id: true, key: true, name: true } })]);
  return (
    <section>
      <h1>Administration · Ingest API keys</h1>
      <AdminNav current="/admin/keys" />
      <h2>Create a key</h2>
      <AdminForm action={createKeyAction} submit="Create key" className="filters">
        <label>
          Name
          <input name="name" required placeholder="who uses it" />
        </label>
        <label>
          Interface
          <select name="interfaceId" defaultValue="">
            <option value="">All interfaces</option>
            {interfaces.map((i) => (
              <option key={i.id} value={i.id}>
                {i.key} — {i.name}
              </option>
            ))}
          </select>
        </label>
      </AdminForm>
      <h2>Keys</h2>
      {keys.length === 0 ? (
        <p className="empty">No ingest keys yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Prefix</th>
              <th scope="col">Interface</th>
              <th scope="col">Status</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {keys.map((k) => (
              <tr key={k.id} data-key-prefix={k.prefix}>
                <td>{k.name}</td>
                <td>
                  <code>{k.prefix}…</code>
                </td>
                <td>{k.interfaceKey ?? 'all'}</td>
                <td>
                  <span className={`badge ${STATUS_BADGE[k.status]}`}>{k.status}</span>
                  {k.status === 'expiring' && k.expiresAt && <span className="muted"> until {formatDateTime(k.expiresAt.toISOString())}</span>}
                </td>
                <td>
                  {formatDateTime(k.createdAt.toISOString())}
                  {k.createdBy && <span className="muted"> by {k.createdBy}</span>}
                </td>
                <td>{k.lastUsedAt ? formatRelative(k.lastUsedAt.toISOString()) : 'never'}</td>
                <td>
                  {(k.status === 'active' || k.status === 'expiring') && (
                    <>
                      <AdminForm action={rotateKeyAction} submit="Rotate" className="filters">
                        <input type="hidden" name="keyId" value={k.id} />
                        <label>
                          Overlap (hours)
                          <input name="overlapHours" type="number" min={0} max={720} defaultValue={DEFAULT_ROTATION_OVERLAP_HOURS} />
                        </label>
                      </AdminForm>
                      <AdminForm action={revokeKeyAction} submit="Revoke" confirm={`Revoke ${k.prefix}…? Senders using it will get 401 at once.`}>
                        <input type="hidden" name="keyId" value={k.id} />
                      </AdminForm>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
