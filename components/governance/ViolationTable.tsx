import Link from 'next/link';
import { VIOLATION_REASON_LABELS, type Violation } from '@/lib/governance/violations';
import { formatDateTime, formatRelative } from '@/lib/format';

export function ViolationTable({ violations, showEntity = true }: { violations: Violation[]; showEntity?: boolean }) {
  if (violations.length === 0) return <p className="empty">No ownership violations in live traffic for this period.</p>;
  return (
    <table>
      <thead>
        <tr>
          {showEntity && <th scope="col">Entity</th>}
          <th scope="col">Interface</th>
          <th scope="col">Written by → into</th>
          <th scope="col">Why</th>
          <th scope="col" className="num">Events</th>
          <th scope="col" className="num">Succeeded</th>
          <th scope="col">First seen</th>
          <th scope="col">Last seen</th>
          <th scope="col">Sample events</th>
        </tr>
      </thead>
      <tbody>
        {violations.map((v) => (
          <tr key={`${v.interfaceKey}|${v.entityType}|${v.discriminator}|${v.sourceSystem}|${v.targetSystem}`} data-violation={`${v.interfaceKey}/${v.entityKey}`}>
            {showEntity && (
              <td>
                <Link href={`/governance/ownership/${v.entityId}`}>{v.entityName}</Link>
                <div className="muted">
                  {v.entityType}
                  {v.discriminator && ` (${v.discriminator})`}
                </div>
              </td>
            )}
            <td>
              {v.interfaceKey} {!v.registered && <span className="badge warn">unregistered</span>}
            </td>
            <td>
              {v.sourceSystem} → {v.targetSystem}
            </td>
            <td>
              {v.reasons.map((r) => (
                <div key={r}>
                  <span className="badge bad">{VIOLATION_REASON_LABELS[r]}</span>
                </div>
              ))}
            </td>
            <td className="num">{v.events.toLocaleString('en-US')}</td>
            <td className="num">{v.succeeded.toLocaleString('en-US')}</td>
            <td title={formatDateTime(v.firstSeen)}>{formatRelative(v.firstSeen)}</td>
            <td title={formatDateTime(v.lastSeen)}>{formatRelative(v.lastSeen)}</td>
            <td>
              {v.sampleEventIds.map((id) => (
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
