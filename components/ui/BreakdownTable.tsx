import { MoneyList } from '@/components/ui/MoneyList';

export interface BreakdownTableRow {
  key: string;
  count: number;
  cents: Record<string, number>;
}

/** How many keys a breakdown shows on the page; the export holds every key. */
const SHOWN = 10;

/**
 * A breakdown of money per currency by key (project, customer, …): its top rows, how many there
 * are in all, and a link to every row as CSV.
 */
export function BreakdownTable(props: {
  title: string;
  keyHeader: string;
  countHeader: string;
  moneyHeader: string;
  rows: readonly BreakdownTableRow[];
  locale: string;
  emptyMessage: string;
  csvHref: string;
  /** How many keys there are in all (`rows` may hold only the top ones). */
  total: number;
}) {
  const shown = props.rows.slice(0, SHOWN);
  const more = props.total > shown.length;
  return (
    <div>
      <h3>{props.title}</h3>
      {props.rows.length === 0 ? (
        <p className="empty">{props.emptyMessage}</p>
      ) : (
        <table>
          <caption className="muted" style={{ textAlign: 'left', captionSide: 'top', padding: '0.25rem 0' }}>
            {more ? `Top ${shown.length} of ${props.total.toLocaleString('en-US')}` : `${shown.length} ${shown.length === 1 ? 'row' : 'rows'}`}
            {' · '}
            <a href={props.csvHref} download aria-label={`Export CSV: ${props.title}`}>
              Export CSV
            </a>
          </caption>
          <thead>
            <tr>
              <th scope="col">{props.keyHeader}</th>
              <th scope="col" className="num">
                {props.countHeader}
              </th>
              <th scope="col" className="num">
                {props.moneyHeader}
              </th>
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => (
              <tr key={r.key}>
                <td>{r.key || '(none)'}</td>
                <td className="num">{r.count}</td>
                <td className="num">
                  <MoneyList locale={props.locale} cents={r.cents} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
