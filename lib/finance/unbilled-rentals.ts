/** The unbilled-rentals dashboard: ClickHouse aggregation per line, then the billing maths. */
import type { DashboardFilters } from '@/lib/finance/filters';
import { contractLineAggregates } from '@/lib/finance/rental-queries';
import { summariseUnbilled, unbilledTrend, type TrendPoint, type UnbilledSummary } from '@/lib/finance/unbilled';

export interface UnbilledDashboard extends UnbilledSummary {
  trend: TrendPoint[];
}

export async function unbilledDashboard(filters: DashboardFilters, options: { trend?: boolean } = {}): Promise<UnbilledDashboard> {
  const aggregates = await contractLineAggregates(filters);
  const summary = summariseUnbilled(aggregates, filters.to);
  return { ...summary, trend: options.trend === false ? [] : unbilledTrend(aggregates, filters.from, filters.to) };
}

