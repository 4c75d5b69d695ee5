import type { Metadata } from 'next';
import Link from 'next/link';
import { requirePage } from '@/lib/auth/session';
import { can } from '@/lib/auth/permissions';
import { listSystems, loadCatalog, schemaDrift, type CatalogEntry } from '@/lib/governance/catalog';
import { formatDateTime, formatRelative } from '@/lib/format';
import { InterfaceForm } from '@/components/governance/InterfaceForm';
import { BlockButton } from '@/components/governance/BlockButton';
import { DriftTable } from '@/components/governance/DriftTable';
import { adoptInterfaceAction } from '@/app/governance/actions';

export const metadata: Metadata = { title: 'Interface catalog' };

const SYNC_CLASS_LABELS = { real_time: 'Real-time', near_real_time: 'Near-real-time', batch: 'Batch' } as const;
const SORTS = ['key', 'volume', 'failure', 'last'] as const;
type Sort = (typeof SORTS)[number];

function failureRate(entry: CatalogEntry): number | null {
  const t = entry.traffic;
  return t && t.volume7d > 0 ? t.failures7d / t.volume7d : null;
}

function sortEntries(entries: CatalogEntry[], sort: Sort): CatalogEntry[] {
  const value = (e: CatalogEntry): number | string =>
    sort === 'volume' ? -(e.traffic?.volume7d ?? 0) : sort === 'failure' ? -(failureRate(e) ?? -1) : sort === 'last' ? -(e.traffic?.lastEventAt ? Date.parse(e.traffic.lastEventAt) : 0) : e.key;
  return [...entries].sort((a, b) => {
    const va = value(a);
    const vb = value(b);
    return va < vb ? -1 : va > vb ? 1 : a.key.localeCompare(b.key);
  });
}

type Params = { sort?: string; q?: string; adopt?: string };

export default async function InterfacesPage({ searchParams }: { searchParams: Promise<Params> }) {
  const viewer = await requirePage('dashboards.view');
  const params = await searchParams;
  const sort: Sort = SORTS.find((s) => s === params.sort) ?? 'key';
  const q = (params.q ?? '').trim().toLowerCase();
  const edit = can(viewer.role, 'registry.edit');
  const isAdmin = can(viewer.role, 'admin.manage');
  const [catalog, drift, systems] = await Promise.all([loadCatalog({ includeKeyCounts: isAdmin }), schemaDrift(), edit ? listSystems() : Promise.resolve([])]);
  const matches = (e: CatalogEntry) =>
    !q || [e.key, e.name, e.ownerTeam, e.sourceSystem.key, e.targetSystem.key, ...e.entityTypes].some((v) => v.toLowerCase().includes(q));
  const rows = sortEntries(catalog.interfaces.filter(matches), sort);
  const href = (next: Partial<Params>) => {
    const p = new URLSearchParams();
    const merged = { sort, q: params.q ?? '', ...next };
    for (const [k, v] of Object.entries(merged)) if (v) p.set(k, v);
    return `/governance/interfaces?${p.toString()}`;
  };
  const adopting = edit && params.adopt ? catalog.unregistered.find((u) => u.key === params.adopt) : undefined;
  const systemId = (key: string | undefined) => systems.find((s) => s.key === key)?.id ?? '';
  const sortHeader = (label: string, key: Sort, numeric = false) => (
    <th scope="col" className={numeric ? 'num' : undefined} aria-sort={sort === key ? (key === 'key' ? 'ascending' : 'descending') : 'none'}>
      <Link href={href({ sort: key })}>{label}</Link>
    </th>
  );
  return (
    <section>
      <h1>Interface catalog</h1>
      <form className="filters" method="get" action="/governance/interfaces" role="search" aria-label="Filter interfaces">
        <input type="hidden" name="sort" value={sort} />
        <label>
          Search
          <input name="q" defaultValue={params.q ?? ''} placeholder="key, system, team, entity type" size={32} />
        </label>
        <button type="submit">Filter</button>
      </form>
      {rows.length === 0 ? (
        <p className="empty">{catalog.interfaces.length === 0 ? 'No interfaces are registered yet.' : 'No interface matches this filter.'}</p>
      ) : (
        <table>
          <thead>
            <tr>
              {sortHeader('Interface', 'key')}
              <th scope="col">Source → target</th>
              <th scope="col">Entity types</th>
              <th scope="col">Sync class</th>
              <th scope="col">Owner team</th>
              <th scope="col">Active schema</th>
              <th scope="col">SLOs</th>
              {isAdmin && <th scope="col" className="num">Ingest keys</th>}
              {sortHeader('Last event', 'last')}
              {sortHeader('Events (7 d)', 'volume', true)}
              {sortHeader('Failure rate (7 d)', 'failure', true)}
            </tr>
          </thead>
          <tbody>
            {rows.map((e) => {
              const rate = failureRate(e);
              return (
                <tr key={e.id} data-interface={e.key}>
                  <td>
                    <Link href={`/governance/interfaces/${e.id}`}>{e.key}</Link>
                    <div className="muted">{e.name}</div>
                    {e.status === 'blocked' && <span className="badge bad">blocked</span>}
                  </td>
                  <td>
                    {e.sourceSystem.key} → {e.targetSystem.key}
                  </td>
                  <td>{e.entityTypes.join(', ')}</td>
                  <td>{SYNC_CLASS_LABELS[e.syncClass]}</td>
                  <td>{e.ownerTeam}</td>
                  <td>
                    {e.activeSchemaVersion ?? '—'} <Link href={`/governance/schema-changes?interface=${encodeURIComponent(e.key)}&status=all`}>versions</Link>
                  </td>
                  <td>
                    {e.slos.length === 0
                      ? '—'
                      : e.slos.map((s) => (
                          <div key={s.id}>
                            <Link href={`/slo/${s.id}`}>{s.name}</Link> <span className="muted">{(s.objective * 100).toFixed(1)} % / {s.windowDays} d</span>
                          </div>
                        ))}
                  </td>
                  {isAdmin && <td className="num">{e.activeKeyCount}</td>}
                  <td title={formatDateTime(e.traffic?.lastEventAt)}>{e.traffic?.lastEventAt ? formatRelative(e.traffic.lastEventAt) : 'never'}</td>
                  <td className="num">{(e.traffic?.volume7d ?? 0).toLocaleString('en-US')}</td>
                  <td className="num">{rate === null ? '—' : <span className={rate > 0.05 ? 'badge bad' : rate > 0.01 ? 'badge warn' : undefined}>{(rate * 100).toFixed(1)} %</span>}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}

      <h2 id="unregistered">Unregistered interfaces</h2>
      <p className="muted">Interface keys seen in traffic (or recorded by ingest) that are not in the registry. The board adopts them into the catalog or blocks them; ingest rejects events of blocked ones.</p>
      {catalog.unregistered.length === 0 ? (
        <p className="empty">Every interface in traffic is registered.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Key</th>
              <th scope="col">Seen systems</th>
              <th scope="col">Entity types</th>
              <th scope="col">Last event</th>
              <th scope="col" className="num">Events (7 d)</th>
              <th scope="col">Status</th>
              {edit && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {catalog.unregistered.map((u) => (
              <tr key={u.key} data-unregistered={u.key}>
                <td>{u.key}</td>
                <td>{u.traffic ? `${u.traffic.sourceSystems.join(', ')} → ${u.traffic.targetSystems.join(', ')}` : '—'}</td>
                <td>{u.traffic?.entityTypes.join(', ') || '—'}</td>
                <td>{u.traffic?.lastEventAt ? formatRelative(u.traffic.lastEventAt) : u.lastSeenAt ? formatRelative(u.lastSeenAt.toISOString()) : '—'}</td>
                <td className="num">{u.traffic?.volume7d ?? 0}</td>
                <td>{u.blocked ? <span className="badge bad">blocked</span> : <span className="badge warn">unregistered</span>}</td>
                {edit && (
                  <td style={{ display: 'flex', gap: '0.5rem' }}>
                    <Link href={`${href({ adopt: u.key })}#adopt`}>Adopt…</Link>
                    <BlockButton interfaceKey={u.key} blocked={u.blocked} />
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {adopting && (
        <div id="adopt">
          <h2>Adopt {adopting.key}</h2>
          {systems.length === 0 ? (
            <p className="empty">Register systems first.</p>
          ) : (
            <InterfaceForm
              action={adoptInterfaceAction}
              systems={systems}
              keyEditable={false}
              submitLabel="Adopt interface"
              defaults={{
                key: adopting.key,
                name: adopting.key,
                description: '',
                sourceSystemId: systemId(adopting.traffic?.sourceSystems[0]),
                targetSystemId: systemId(adopting.traffic?.targetSystems[0]),
                entityTypes: adopting.traffic?.entityTypes ?? [],
                syncClass: 'batch',
                ownerTeam: '',
                status: 'active',
              }}
            />
          )}
        </div>
      )}

      <h2 id="drift">Schema drift</h2>
      <p className="muted">Events that ingest flagged as using a schema version that is not approved for their interface.</p>
      <DriftTable rows={drift} />
    </section>
  );
}
