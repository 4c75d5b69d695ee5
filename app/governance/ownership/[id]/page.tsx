import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { requirePage } from '@/lib/auth/session';
import { can } from '@/lib/auth/permissions';
import { DIRECTION_LABELS, getEntity, listInterfacesBrief, listUsersForStewardship } from '@/lib/governance/registry';
import { listSystems } from '@/lib/governance/catalog';
import { DEFAULT_VIOLATION_WINDOW_DAYS, findOwnershipViolations } from '@/lib/governance/violations';
import { ViolationTable } from '@/components/governance/ViolationTable';
import { EntityForm } from '@/components/governance/EntityForm';
import { DirectionForm } from '@/components/governance/DirectionForm';
import { updateEntityAction } from '@/app/governance/actions';

export const metadata: Metadata = { title: 'Data entity' };

export default async function EntityPage({ params }: { params: Promise<{ id: string }> }) {
  const viewer = await requirePage('dashboards.view');
  const { id } = await params;
  const entity = await getEntity(id);
  if (!entity) notFound();
  const edit = can(viewer.role, 'registry.edit');
  const [report, systems, users, interfaces] = await Promise.all([
    findOwnershipViolations(DEFAULT_VIOLATION_WINDOW_DAYS),
    edit ? listSystems() : Promise.resolve([]),
    edit ? listUsersForStewardship() : Promise.resolve([]),
    edit ? listInterfacesBrief() : Promise.resolve([]),
  ]);
  const violations = report.violations.filter((v) => v.entityId === entity.id);
  return (
    <section>
      <p>
        <Link href="/governance/ownership">← Data ownership</Link>
      </p>
      <h1>{entity.name}</h1>
      <div className="cards">
        <div className="card">
          <div className="label">System of record</div>
          <div className="value">{entity.systemOfRecord?.key ?? 'none'}</div>
        </div>
        <div className="card">
          <div className="label">Steward</div>
          <div className="value">{entity.steward?.name ?? 'none'}</div>
        </div>
        <div className="card">
          <div className="label">Allowed writers</div>
          <div className="value">{entity.writers.map((w) => w.key).join(', ') || '—'}</div>
        </div>
        <div className="card">
          <div className="label">Odoo model</div>
          <div className="value">{entity.odooModel || '—'}</div>
        </div>
      </div>
      <h2>Sync direction per interface</h2>
      {entity.directions.length === 0 ? (
        <p className="empty">No interface has a direction rule for this entity.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Interface</th>
              <th scope="col">Source → target</th>
              <th scope="col">Direction</th>
            </tr>
          </thead>
          <tbody>
            {entity.directions.map((d) => (
              <tr key={d.interfaceId}>
                <td>{d.interfaceKey}</td>
                <td>
                  {d.sourceKey} → {d.targetKey}
                </td>
                <td>{DIRECTION_LABELS[d.direction]}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {edit && <DirectionForm entityId={entity.id} interfaces={interfaces} />}
      <h2>Violations (last {DEFAULT_VIOLATION_WINDOW_DAYS} days)</h2>
      <ViolationTable violations={violations} showEntity={false} />
      {edit && (
        <>
          <h2>Edit ownership</h2>
          <EntityForm
            action={updateEntityAction}
            systems={systems}
            users={users}
            submitLabel="Save entity"
            defaults={{ id: entity.id, key: entity.key, name: entity.name, odooModel: entity.odooModel, description: entity.description, systemOfRecordId: entity.systemOfRecord?.id ?? '', stewardId: entity.steward?.id ?? '', writerSystemIds: entity.writers.map((w) => w.id) }}
          />
        </>
      )}
    </section>
  );
}
