import { Fragment } from 'react';
import { formatMoney } from '@/lib/format';

/** Amounts per currency (cents in), never summed across currencies: inline in a table cell, one per line in a headline card. */
export function MoneyList({ cents, locale, empty = '—' }: { cents: Record<string, number>; locale: string; empty?: string }) {
  const entries = Object.entries(cents).filter(([, v]) => v !== 0).sort((a, b) => b[1] - a[1]);
  if (entries.length === 0) return <>{empty}</>;
  return (
    <>
      {entries.map(([currency, value], i) => (
        <Fragment key={currency}>
          {i > 0 && <span className="money-sep"> · </span>}
          <span className="money">{formatMoney(value / 100, currency || 'USD', locale)}</span>
        </Fragment>
      ))}
    </>
  );
}
