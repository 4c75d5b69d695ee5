'use client';

import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

/**
 * Generic charts for dashboards. Values arrive as plain numbers; `unit` picks the axis
 * formatting ('money' expects currency units, one series per currency).
 */
export interface ChartSeries {
  key: string;
  label: string;
}

export interface ChartProps {
  label: string;
  data: Record<string, string | number>[];
  xKey: string;
  series: ChartSeries[];
  unit?: 'money' | 'count';
  height?: number;
}

const COLORS = ['#1f5fbf', '#b54708', '#067647', '#b42318', '#6941c6', '#0e7490'];

function formatValue(value: unknown, unit: ChartProps['unit']): string {
  if (typeof value !== 'number') return String(value);
  return unit === 'money' ? value.toLocaleString('en-US', { maximumFractionDigits: 0 }) : value.toLocaleString('en-US');
}

export function TimeSeriesChart({ label, data, xKey, series, unit = 'count', height = 260 }: ChartProps) {
  if (data.length === 0) return <p className="empty">No data in this time range.</p>;
  return (
    <div role="img" aria-label={label} style={{ width: '100%', height }}>
      <ResponsiveContainer>
        <LineChart data={data}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey={xKey} tickFormatter={(v: string) => String(v).slice(5, 10)} minTickGap={30} />
          <YAxis width={80} tickFormatter={(v: number) => formatValue(v, unit)} />
          <Tooltip formatter={(v) => formatValue(v, unit)} />
          <Legend />
          {series.map((s, i) => (
            <Line key={s.key} type="monotone" dataKey={s.key} name={s.label} stroke={COLORS[i % COLORS.length]} dot={false} />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}

export function BarsChart({ label, data, xKey, series, unit = 'count', height = 240 }: ChartProps) {
  if (data.length === 0) return <p className="empty">No data in this time range.</p>;
  return (
    <div role="img" aria-label={label} style={{ width: '100%', height }}>
      <ResponsiveContainer>
        <BarChart data={data}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey={xKey} minTickGap={10} />
          <YAxis width={80} tickFormatter={(v: number) => formatValue(v, unit)} />
          <Tooltip formatter={(v) => formatValue(v, unit)} />
          <Legend />
          {series.map((s, i) => (
            <Bar key={s.key} dataKey={s.key} name={s.label} fill={COLORS[i % COLORS.length]} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
