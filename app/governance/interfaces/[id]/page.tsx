import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { requirePage } from '@/lib/auth/session';
import { can } from '@/lib/auth/permissions';
import { getInterfaceForEdit, listSystems, schemaDrift } from '@/lib/governance/catalog';
import { listProposals } from '@/lib/governance/proposals';
import { formatDateTime } from '@/lib/format';
import { InterfaceForm } from '@/components/governance/InterfaceForm';
import { DriftTable } from '@/components/governance/DriftTable';
import { updateInterfaceAction } from '@/app/governance/actions';

export const metadata: Metadata = { title: 'Interface' };

export default async function InterfaceDetailPage({ params }: { params: Promise<{ id: string }> }) {
  const viewer = await requirePage('dashboards.view');
  const { id } = await params;
  const iface = await getInterfaceForEdit(id);
  if (!iface) notFound();
  const edit = can(viewer.role, 'registry.edit');
  const [systems, drift, versions] = await Promise.all([listSystems(), schemaDrift(iface.key), listProposals('all', iface.key)]);
  const system = (sid: string) => systems.find((s) => s.id === sid)?.key ?? sid;
  return (
    <section>
      <p>
        <Link href="/governance/interfaces">← Interface catalog</Link>
      </p>
      <h1>
        {iface.key} <span className="muted">{iface.name}</span>
      </h1>
      <p>
        {system(iface.sourceSystemId)} → {system(iface.targetSystemId)} · {iface.entityTypes.join(', ')} · owner {iface.ownerTeam} · active schema {iface.activeSchemaVersion ?? '—'}
        {iface.status === 'blocked' && <span className="badge bad"> blocked</span>}
      </p>
      <div className="grid-2">
        <div>
          <h2>Schema versions</h2>
          {versions.length === 0 ? (
            <p className="empty">No schema versions yet.</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">Version</th>
                  <th scope="col">Status</th>
                  <th scope="col">Compatibility</th>
                  <th scope="col">Proposed</th>
                </tr>
              </thead>
              <tbody>
                {versions.map((v) => (
                  <tr key={v.id}>
                    <td>
                      <Link href={`/governance/schema-changes/${v.id}`}>{v.version}</Link>
                    </td>
                    <td>{v.status}</td>
                    <td>{v.compatibility ?? '—'}</td>
                    <td>{formatDateTime(v.proposedAt.toISOString())}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h2>Schema drift</h2>
          <DriftTable rows={drift} />
        </div>
        {edit && (
          <div>
            <h2>Edit interface</h2>
            <InterfaceForm
              action={updateInterfaceAction}
              systems={systems}
              keyEditable={false}
              submitLabel="Save interface"
              defaults={{ id: iface.id, key: iface.key, name: iface.name, description: iface.description, sourceSystemId: iface.sourceSystemId, targetSystemId: iface.targetSystemId, entityTypes: iface.entityTypes, syncClass: iface.syncClass, ownerTeam: iface.ownerTeam, status: iface.status }}
            />
          </div>
        )}
      </div>
    </section>
  );
}
