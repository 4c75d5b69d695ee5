import { queryRows } from '@/lib/clickhouse/client';

/** Choices for the dashboard filter selects, from what the ledger has actually seen. */
export interface FilterOptions {
  projects: string[];
  customers: string[];
  currencies: string[];
  interfaces: string[];
}

export async function filterOptions(entityTypes: readonly string[] = []): Promise<FilterOptions> {
  const rows = await queryRows<{ projects: string[]; customers: string[]; currencies: string[]; interfaces: string[] }>(
    `SELECT arraySort(groupUniqArrayIf(project, project != '')) AS projects,
            arraySort(arrayConcat(groupUniqArrayIf(customer, customer != ''), groupUniqArrayIf(vendor, vendor != ''))) AS customers,
            arraySort(groupUniqArrayIf(currency, currency != '')) AS currencies,
            arraySort(groupUniqArray(interface_id)) AS interfaces
     FROM ledger_record_current
     WHERE length({entities:Array(String)}) = 0 OR entity_type IN {entities:Array(String)}`,
    { entities: [...entityTypes] },
  );
  const row = rows[0];
  return {
    projects: row?.projects ?? [],
    customers: [...new Set(row?.customers ?? [])].sort(),
    currencies: row?.currencies ?? [],
    interfaces: row?.interfaces ?? [],
  };
}

export function asOptions(values: readonly string[]): [string, string][] {
  return values.map((v) => [v, v]);
}
