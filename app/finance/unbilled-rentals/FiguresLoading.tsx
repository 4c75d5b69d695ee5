/** What the unbilled page shows while its figures are computed: for a past day (`asOfDay`), which day and why the first look takes a while. */
export function FiguresLoading({ asOfDay }: { asOfDay: string | null }) {
  return (
    <div aria-busy="true" data-testid="unbilled-loading">
      <p className="muted">{asOfDay ? `Computing the figures as of ${asOfDay}…` : 'Computing unbilled rental value from the ledger…'}</p>
      {asOfDay && (
        <p className="muted">
          The first look at a past day works out every contract line&apos;s standing as of then from the ledger, which takes a few seconds on a
          large ledger. Later looks at the same day are quick, as are last month&apos;s end and yesterday&apos;s close, which are kept ahead.
        </p>
      )}
    </div>
  );
}
