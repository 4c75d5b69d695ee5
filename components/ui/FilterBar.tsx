import Link from 'next/link';
import type { ParamIssue } from '@/lib/api/errors';
import { IgnoredParams } from '@/components/ui/IgnoredParams';

/**
 * A GET form whose fields become URL search params, so a filtered view is a link. Works
 * without JavaScript and from the keyboard; submitting resets to page 1. `ignored` lists the
 * parameters of the link that did not read (dashboardParamIssues), shown as their defaults.
 */
export interface FilterField {
  name: string;
  label: string;
  type: 'select' | 'date' | 'text';
  value: string;
  /** For selects: [value, label]; an "Any" option with value '' is added first. */
  options?: [string, string][];
}

export function FilterBar({
  action,
  fields,
  keep = {},
  label,
  ignored = [],
}: {
  action: string;
  fields: FilterField[];
  keep?: Record<string, string>;
  label: string;
  ignored?: ParamIssue[];
}) {
  return (
    <>
      <form className="filters" method="get" action={action} role="search" aria-label={label}>
        {Object.entries(keep).map(([name, value]) => (value ? <input key={name} type="hidden" name={name} value={value} /> : null))}
        {fields.map((f) => (
          <label key={f.name}>
            {f.label}
            {f.type === 'select' ? (
              <select name={f.name} defaultValue={f.value}>
                <option value="">Any</option>
                {(f.options ?? []).map(([value, text]) => (
                  <option key={value} value={value}>
                    {text}
                  </option>
                ))}
              </select>
            ) : (
              <input name={f.name} type={f.type} defaultValue={f.value} />
            )}
          </label>
        ))}
        <button type="submit">Apply</button>
        <Link href={action}>Reset</Link>
      </form>
      <IgnoredParams issues={ignored} />
    </>
  );
}
