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
  /** False when `rows` holds only the top keys, so their number in all is not known here. */
  complete: boolean;
}) {
  const shown = props.rows.slice(0, SHOWN);
  const more = props.rows.length > SHOWN;
  return (
    <div>
      <h3>{props.title}</h3>
      {props.rows.length === 0 ? (
        <p className="empty">{props.emptyMessage}</p>
      ) : (
        <table>
          <caption className="muted" style={{ textAlign: 'left', captionSide: 'top', padding: '0.25rem 0' }}>
            {more ? `Top ${SHOWN}${props.complete ? ` of ${props.rows.length.toLocaleString('en-US')}` : ''}` : `${shown.length} ${shown.length === 1 ? 'row' : 'rows'}`}
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
