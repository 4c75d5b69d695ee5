import Link from 'next/link';
import type { DriftRow } from '@/lib/governance/catalog';
import { formatRelative } from '@/lib/format';

export function DriftTable({ rows }: { rows: DriftRow[] }) {
  if (rows.length === 0) return <p className="empty">No drift: every event used an approved schema version.</p>;
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">Interface</th>
          <th scope="col">Schema version</th>
          <th scope="col" className="num">Events</th>
          <th scope="col">Last seen</th>
          <th scope="col">Sample events</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((d) => (
          <tr key={`${d.interfaceKey}/${d.schemaVersion}`}>
            <td>{d.interfaceKey}</td>
            <td>{d.schemaVersion || '(none)'}</td>
            <td className="num">{d.events.toLocaleString('en-US')}</td>
            <td>{formatRelative(d.lastSeen)}</td>
            <td>
              {d.sampleEventIds.map((id) => (
                <div key={id}>
                  <Link href={`/ledger?q=${encodeURIComponent(id)}`}>{id}</Link>
                </div>
              ))}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
