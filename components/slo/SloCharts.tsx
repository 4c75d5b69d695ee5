'use client';

import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

export interface BudgetPoint {
  at: string;
  sli: number | null;
  cumulativeSli: number | null;
  budgetRemaining: number | null;
}

export interface QuantilePoint {
  hour: string;
  p50: number;
  p95: number;
  p99: number;
}

const shortTime = (iso: string) => iso.slice(5, 16).replace('T', ' ');

export function SliBudgetChart({ points, objective }: { points: BudgetPoint[]; objective: number }) {
  if (points.length === 0) return <p className="empty">No events in the SLO window.</p>;
  return (
    <div role="img" aria-label="SLI and error budget remaining over the SLO window" style={{ width: '100%', height: 280 }}>
      <ResponsiveContainer>
        <LineChart data={points.map((p) => ({ ...p, sli: p.sli === null ? null : p.sli * 100, cumulativeSli: p.cumulativeSli === null ? null : p.cumulativeSli * 100, budget: p.budgetRemaining === null ? null : p.budgetRemaining * 100 }))}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="at" tickFormatter={shortTime} minTickGap={40} />
          <YAxis yAxisId="sli" domain={['auto', 100]} unit=" %" width={70} />
          <YAxis yAxisId="budget" orientation="right" unit=" %" width={60} />
          <Tooltip labelFormatter={(v) => `${shortTime(String(v))} UTC`} formatter={(v) => (typeof v === 'number' ? `${v.toFixed(2)} %` : String(v))} />
          <Legend />
          <ReferenceLine yAxisId="sli" y={objective * 100} stroke="#b54708" strokeDasharray="4 4" label="objective" />
          <Line yAxisId="sli" type="monotone" dataKey="sli" name="SLI per bucket" stroke="#9bb3d9" dot={false} connectNulls />
          <Line yAxisId="sli" type="monotone" dataKey="cumulativeSli" name="SLI so far in window" stroke="#1f5fbf" dot={false} connectNulls />
          <Line yAxisId="budget" type="monotone" dataKey="budget" name="Budget remaining" stroke="#067647" dot={false} connectNulls />
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}

export function LatencyChart({ points, thresholdMs }: { points: QuantilePoint[]; thresholdMs: number | null }) {
  if (points.length === 0) return <p className="empty">No completed syncs in this period.</p>;
  return (
    <div role="img" aria-label="p50, p95 and p99 latency per hour" style={{ width: '100%', height: 260 }}>
      <ResponsiveContainer>
        <LineChart data={points}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="hour" tickFormatter={shortTime} minTickGap={40} />
          <YAxis unit=" ms" width={90} scale="log" domain={['auto', 'auto']} allowDataOverflow />
          <Tooltip labelFormatter={(v) => `${shortTime(String(v))} UTC`} formatter={(v) => (typeof v === 'number' ? `${v.toLocaleString('en-US')} ms` : String(v))} />
          <Legend />
          {thresholdMs !== null && <ReferenceLine y={thresholdMs} stroke="#b42318" strokeDasharray="4 4" label="threshold" />}
          <Line type="monotone" dataKey="p50" stroke="#067647" dot={false} />
          <Line type="monotone" dataKey="p95" stroke="#b54708" dot={false} />
          <Line type="monotone" dataKey="p99" stroke="#b42318" dot={false} />
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
