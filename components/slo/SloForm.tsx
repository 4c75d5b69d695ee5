'use client';

import { useActionState, useState } from 'react';
import type { FormState } from '@/app/slo/actions';

export interface SloFormDefaults {
  id?: string;
  interfaceKey: string;
  name: string;
  description: string;
  sliKind: 'latency' | 'success';
  thresholdMs: number | null;
  spanName: string | null;
  objectivePercent: number;
  windowDays: number;
  minEvents: number;
}

type Action = (state: FormState, form: FormData) => Promise<FormState>;

function FieldError({ id, message }: { id: string; message?: string }) {
  return message ? (
    <span id={id} className="error" role="alert">
      {message}
    </span>
  ) : null;
}

/** Create or edit an SLO definition; the server action validates and enforces 'slo.manage'. */
export function SloForm({ action, interfaces, defaults, submitLabel }: { action: Action; interfaces: { key: string; name: string }[]; defaults: SloFormDefaults; submitLabel: string }) {
  const [state, formAction, pending] = useActionState(action, {});
  const [kind, setKind] = useState(defaults.sliKind);
  const errors = state.errors ?? {};
  const described = (name: string) => (errors[name] ? { 'aria-invalid': true, 'aria-describedby': `${name}-error` } : {});
  return (
    <form action={formAction} className="stack" aria-label={submitLabel}>
      {defaults.id && <input type="hidden" name="id" value={defaults.id} />}
      <label>
        Interface
        <select name="interfaceKey" defaultValue={defaults.interfaceKey} required {...described('interfaceKey')}>
          <option value="">Choose…</option>
          {interfaces.map((i) => (
            <option key={i.key} value={i.key}>
              {i.key} — {i.name}
            </option>
          ))}
        </select>
        <FieldError id="interfaceKey-error" message={errors.interfaceKey} />
      </label>
      <label>
        Name
        <input name="name" defaultValue={defaults.name} required maxLength={120} {...described('name')} />
        <FieldError id="name-error" message={errors.name} />
      </label>
      <label>
        Description
        <input name="description" defaultValue={defaults.description} maxLength={1000} />
      </label>
      <label>
        SLI
        <select name="sliKind" value={kind} onChange={(e) => setKind(e.target.value === 'success' ? 'success' : 'latency')}>
          <option value="latency">Latency: synced within a threshold</option>
          <option value="success">Success: syncs that succeed (retries counted once)</option>
        </select>
      </label>
      {kind === 'latency' && (
        <>
          <label>
            Threshold (ms)
            <input name="thresholdMs" type="number" min={1} step={1} defaultValue={defaults.thresholdMs ?? ''} required {...described('thresholdMs')} />
            <FieldError id="thresholdMs-error" message={errors.thresholdMs} />
          </label>
          <label>
            Root span name (optional)
            <input name="spanName" defaultValue={defaults.spanName ?? ''} maxLength={256} placeholder="blank: ledger occurred_at → synced_at" />
            <span className="muted">With a span name, the SLI is that span&apos;s duration where service.name or plumbline.interface is the interface key.</span>
          </label>
        </>
      )}
      <label>
        Objective (%)
        <input name="objectivePercent" type="number" min={50.001} max={99.999} step={0.001} defaultValue={defaults.objectivePercent} required {...described('objectivePercent')} />
        <FieldError id="objectivePercent-error" message={errors.objectivePercent} />
      </label>
      <label>
        Rolling window
        <select name="windowDays" defaultValue={String(defaults.windowDays)} {...described('windowDays')}>
          <option value="7">7 days</option>
          <option value="28">28 days</option>
          <option value="30">30 days</option>
        </select>
        <FieldError id="windowDays-error" message={errors.windowDays} />
      </label>
      <label>
        Minimum events before a window may alert
        <input name="minEvents" type="number" min={1} step={1} defaultValue={defaults.minEvents} required {...described('minEvents')} />
        <FieldError id="minEvents-error" message={errors.minEvents} />
      </label>
      <div>
        <button type="submit" disabled={pending}>
          {pending ? 'Saving…' : submitLabel}
        </button>
      </div>
      {state.message && (
        <p role="status" className={state.errors ? 'error' : undefined}>
          {state.message}
        </p>
      )}
    </form>
  );
}
