'use client';

import { useState } from 'react';
import type { TraceSpan } from '@/lib/traces/query';
import { formatDurationUs } from '@/lib/traces/format';

const SERVICE_COLOURS = ['#1f5fbf', '#7a4cc2', '#0e7c86', '#a15c00', '#2f7d32', '#8a3b6b'];

function AttributeTable({ caption, values }: { caption: string; values: Record<string, string> }) {
  const entries = Object.entries(values).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return null;
  return (
    <table style={{ marginTop: '0.5rem' }}>
      <caption style={{ textAlign: 'left', fontWeight: 600, padding: '0.25rem 0' }}>{caption}</caption>
      <tbody>
        {entries.map(([key, value]) => (
          <tr key={key}>
            <th scope="row" style={{ width: '35%' }}>
              {key}
            </th>
            <td style={{ wordBreak: 'break-all' }}>{value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Spans as bars on one time axis; choosing a span shows its attributes, events and status. */
export function Waterfall({ spans, durationUs, detailsHidden }: { spans: TraceSpan[]; durationUs: number; detailsHidden: boolean }) {
  const [selected, setSelected] = useState<string | null>(spans.find((s) => s.statusCode === 'Error')?.spanId ?? spans[0]?.spanId ?? null);
  const services = [...new Set(spans.map((s) => s.service))];
  const colour = (service: string) => SERVICE_COLOURS[services.indexOf(service) % SERVICE_COLOURS.length];
  const total = Math.max(durationUs, 1);
  const span = spans.find((s) => s.spanId === selected);
  return (
    <div>
      <ol aria-label="Spans of this trace" style={{ listStyle: 'none', padding: 0, margin: 0, background: 'var(--card)', border: '1px solid var(--line)' }}>
        {spans.map((s) => {
          const left = (s.offsetUs / total) * 100;
          const width = Math.max((s.durationUs / total) * 100, 0.4);
          const isSelected = s.spanId === selected;
          return (
            <li key={s.spanId}>
              <button
                type="button"
                onClick={() => setSelected(s.spanId)}
                aria-pressed={isSelected}
                data-span-service={s.service}
                style={{
                  display: 'grid',
                  gridTemplateColumns: 'minmax(220px, 38%) 1fr 80px',
                  gap: '0.5rem',
                  width: '100%',
                  alignItems: 'center',
                  background: isSelected ? '#e8effb' : 'transparent',
                  color: 'var(--fg)',
                  border: 0,
                  borderBottom: '1px solid var(--line)',
                  borderRadius: 0,
                  padding: '0.3rem 0.5rem',
                  textAlign: 'left',
                }}
              >
                <span style={{ paddingLeft: `${s.depth * 1.1}rem`, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>
                  <span className="badge" style={{ color: colour(s.service), marginRight: '0.35rem' }}>
                    {s.service}
                  </span>
                  {s.name}
                  {s.statusCode === 'Error' && <span className="badge bad" style={{ marginLeft: '0.35rem' }}>error</span>}
                </span>
                <span style={{ position: 'relative', height: '0.8rem', background: '#eef1f6' }} aria-hidden="true">
                  <span
                    style={{
                      position: 'absolute',
                      left: `${Math.min(left, 99.6)}%`,
                      width: `${Math.min(width, 100 - Math.min(left, 99.6))}%`,
                      top: 0,
                      bottom: 0,
                      background: s.statusCode === 'Error' ? 'var(--bad)' : colour(s.service),
                      borderRadius: 2,
                    }}
                  />
                </span>
                <span className="num" style={{ textAlign: 'right' }}>
                  {formatDurationUs(s.durationUs)}
                </span>
              </button>
            </li>
          );
        })}
      </ol>
      {span && (
        <section aria-label="Selected span" style={{ marginTop: '1rem' }}>
          <h3 style={{ margin: '0 0 0.25rem', fontSize: '1rem' }}>
            {span.service} · {span.name}
          </h3>
          <p className="muted" style={{ margin: 0 }}>
            {span.kind} span {span.spanId}, started {span.start.replace('T', ' ').slice(0, 23)} UTC (+{formatDurationUs(span.offsetUs)}), took{' '}
            {formatDurationUs(span.durationUs)}. Status: <strong>{span.statusCode || 'Unset'}</strong>
            {span.statusMessage ? `: ${span.statusMessage}` : detailsHidden && span.statusCode === 'Error' ? ' (error details need the record-details permission)' : ''}
          </p>
          <AttributeTable caption="Span attributes" values={span.attributes} />
          <AttributeTable caption="Resource attributes" values={span.resourceAttributes} />
          {span.events.length > 0 && (
            <>
              <h4 style={{ margin: '0.75rem 0 0.25rem' }}>Events</h4>
              <ul>
                {span.events.map((event, i) => (
                  <li key={i}>
                    <strong>{event.name}</strong> at {event.at.replace('T', ' ').slice(0, 23)} UTC
                    {Object.keys(event.attributes).length > 0 && <AttributeTable caption={`${event.name} attributes`} values={event.attributes} />}
                  </li>
                ))}
              </ul>
            </>
          )}
        </section>
      )}
    </div>
  );
}
