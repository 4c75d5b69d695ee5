/** Error budget remaining as a bar (0–100 %; an overspent budget shows empty and says so). */
export function BudgetBar({ remaining }: { remaining: number | null }) {
  if (remaining === null) return <span className="muted">no data</span>;
  const percent = Math.max(0, Math.min(100, remaining * 100));
  const colour = remaining <= 0 ? 'var(--bad)' : remaining < 0.25 ? 'var(--warn)' : 'var(--good)';
  return (
    <span style={{ display: 'inline-flex', alignItems: 'center', gap: '0.5rem' }}>
      <span
        role="meter"
        aria-label="Error budget remaining"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(percent)}
        style={{ display: 'inline-block', width: 120, height: 10, background: '#eef1f6', border: '1px solid var(--line)', borderRadius: 3 }}
      >
        <span style={{ display: 'block', width: `${percent}%`, height: '100%', background: colour, borderRadius: 2 }} />
      </span>
      <span className="num">{remaining <= 0 ? `overspent (${(remaining * 100).toFixed(0)} %)` : `${(remaining * 100).toFixed(1)} %`}</span>
    </span>
  );
}
