import { queryRows } from '@/lib/clickhouse/client';

/** Choices for the dashboard filter selects, from what the ledger has actually seen. */
export interface FilterOptions {
  projects: string[];
  customers: string[];
  currencies: string[];
  interfaces: string[];
}

/** Reads ledger_filter_values, a few rows per distinct value, kept by a materialized view. */
export async function filterOptions(entityTypes: readonly string[] = []): Promise<FilterOptions> {
  const rows = await queryRows<{ dimension: string; values: string[] }>(
    `SELECT dimension, arraySort(groupUniqArray(value)) AS values
     FROM ledger_filter_values
     WHERE length({entities:Array(String)}) = 0 OR entity_type IN {entities:Array(String)}
     GROUP BY dimension`,
    { entities: [...entityTypes] },
  );
  const values = (dimension: string) => rows.find((r) => r.dimension === dimension)?.values ?? [];
  return {
    projects: values('project'),
    customers: [...new Set([...values('customer'), ...values('vendor')])].sort(),
    currencies: values('currency'),
    interfaces: values('interface'),
  };
}

export function asOptions(values: readonly string[]): [string, string][] {
  return values.map((v) => [v, v]);
}
