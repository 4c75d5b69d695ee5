import type { Metadata } from 'next';
import Link from 'next/link';
import { requirePage } from '@/lib/auth/session';
import { can } from '@/lib/auth/permissions';
import { listEntities, listUsersForStewardship, ownershipMatrix, DIRECTION_LABELS } from '@/lib/governance/registry';
import { listSystems } from '@/lib/governance/catalog';
import { DEFAULT_VIOLATION_WINDOW_DAYS, findOwnershipViolations } from '@/lib/governance/violations';
import { ViolationTable } from '@/components/governance/ViolationTable';
import { EntityForm } from '@/components/governance/EntityForm';
import { createEntityAction } from '@/app/governance/actions';

export const metadata: Metadata = { title: 'Data ownership' };

const WINDOWS = [7, 30, 90] as const;

export default async function OwnershipPage({ searchParams }: { searchParams: Promise<{ days?: string }> }) {
  const viewer = await requirePage('dashboards.view');
  const requested = (await searchParams).days;
  const days = WINDOWS.find((d) => String(d) === requested) ?? DEFAULT_VIOLATION_WINDOW_DAYS;
  const edit = can(viewer.role, 'registry.edit');
  const [entities, systems, report, users] = await Promise.all([listEntities(), listSystems(), findOwnershipViolations(days), edit ? listUsersForStewardship() : Promise.resolve([])]);
  const matrix = ownershipMatrix(entities, systems, report.violations);
  return (
    <section>
      <h1>Data ownership</h1>
      {entities.length === 0 ? (
        <p className="empty">No business entities are registered yet.{edit ? ' Add the first one below.' : ''}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Entity</th>
              <th scope="col">Odoo model</th>
              <th scope="col">System of record</th>
              <th scope="col">Steward</th>
              <th scope="col">Allowed writers</th>
              <th scope="col">Sync direction per interface</th>
              <th scope="col" className="num">Violating events</th>
            </tr>
          </thead>
          <tbody>
            {entities.map((e) => {
              const violating = report.violations.filter((v) => v.entityId === e.id).reduce((n, v) => n + v.events, 0);
              return (
                <tr key={e.id} data-entity={e.key}>
                  <td>
                    <Link href={`/governance/ownership/${e.id}`}>{e.name}</Link>
                  </td>
                  <td>{e.odooModel || '—'}</td>
                  <td>{e.systemOfRecord?.key ?? <span className="badge warn">none</span>}</td>
                  <td>{e.steward?.name ?? <span className="badge warn">none</span>}</td>
                  <td>{e.writers.map((w) => w.key).join(', ') || '—'}</td>
                  <td>
                    {e.directions.length === 0
                      ? '—'
                      : e.directions.map((d) => (
                          <div key={d.interfaceId}>
                            {d.interfaceKey}: <span className={d.direction === 'forbidden' ? 'badge bad' : undefined}>{DIRECTION_LABELS[d.direction]}</span>
                          </div>
                        ))}
                  </td>
                  <td className="num">{violating > 0 ? <span className="badge bad">{violating.toLocaleString('en-US')}</span> : 0}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}

      <h2>Ownership matrix</h2>
      <p className="muted">
        <strong>owner</strong> = system of record, <strong>writer</strong> = allowed to write, <span className="badge bad">n</span> = events in which that system wrote the entity against the registry (last {days} days).
      </p>
      {entities.length > 0 && systems.length > 0 && (
        <div style={{ overflowX: 'auto' }}>
          <table aria-label="Ownership matrix">
            <thead>
              <tr>
                <th scope="col">Entity</th>
                {systems.map((s) => (
                  <th key={s.id} scope="col">
                    {s.key}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {entities.map((e) => (
                <tr key={e.id}>
                  <th scope="row">{e.name}</th>
                  {systems.map((s) => {
                    const cell = matrix.get(e.id)?.get(s.key);
                    return (
                      <td key={s.id} data-cell={`${e.key}/${s.key}`}>
                        {cell?.owner && <strong>owner</strong>}
                        {cell?.writer && <span>writer</span>}
                        {cell && cell.violations > 0 && (
                          <>
                            {' '}
                            <span className="badge bad" title="violating events">
                              {cell.violations}
                            </span>
                          </>
                        )}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <h2 id="violations">Violations from live traffic</h2>
      <nav className="filters" aria-label="Period">
        {WINDOWS.map((d) => (
          <Link key={d} href={`/governance/ownership?days=${d}#violations`} aria-current={d === days ? 'page' : undefined}>
            Last {d} days
          </Link>
        ))}
      </nav>
      <ViolationTable violations={report.violations} />
      {report.unmapped.length > 0 && (
        <p className="muted">
          Writes of entity types no business entity covers (not governed): {[...new Set(report.unmapped.map((u) => u.entityType))].sort().join(', ')}.
        </p>
      )}

      {edit && (
        <>
          <h2>New business entity</h2>
          <EntityForm action={createEntityAction} systems={systems} users={users} submitLabel="Create entity" defaults={{ key: '', name: '', odooModel: '', description: '', systemOfRecordId: '', stewardId: '', writerSystemIds: [] }} />
        </>
      )}
    </section>
  );
}
