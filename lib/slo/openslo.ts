import { parseAllDocuments, stringify } from 'yaml';
import { z } from 'zod';
import { sloInputSchema, type SloInput } from '@/lib/slo/definitions';

/**
 * OpenSLO v1 (https://github.com/OpenSLO/OpenSLO) import and export. Each SLO becomes an
 * `SLO` object (service = interface key, rolling timeWindow, Occurrences budgeting, one
 * objective) referencing an `SLI` whose ratioMetric sources are of type `Plumbline`
 * (interface, SLI kind, threshold, span name), plus one shared `AlertPolicy` describing
 * the multiwindow, multi-burn-rate conditions Plumbline evaluates. The low-traffic minimum,
 * which OpenSLO has no field for, travels as the annotation `plumbline.io/min-events`.
 */
export const OPENSLO_API_VERSION = 'openslo/v1';
export const METRIC_SOURCE_TYPE = 'Plumbline';
export const ALERT_POLICY_NAME = 'plumbline-multiwindow-burn-rate';
const MIN_EVENTS_ANNOTATION = 'plumbline.io/min-events';
const SHORT_WINDOW_ANNOTATION = 'plumbline.io/short-window';

export interface BurnRateRule {
  severity: 'page' | 'ticket';
  longWindow: string;
  shortWindow: string;
  threshold: number;
}

/** Mirrors lib/slo/math.ts's policy; exported for documentation only, evaluation never reads YAML. */
export const EXPORTED_BURN_RATE_RULES: readonly BurnRateRule[] = [
  { severity: 'page', longWindow: '1h', shortWindow: '5m', threshold: 14.4 },
  { severity: 'page', longWindow: '6h', shortWindow: '30m', threshold: 6 },
  { severity: 'ticket', longWindow: '3d', shortWindow: '6h', threshold: 1 },
];

function dnsName(value: string): string {
  const slug = value
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
  return (slug || 'slo').slice(0, 63).replace(/-$/, '');
}

function metricSource(slo: SloInput, role: 'good' | 'total') {
  const spec: Record<string, string | number> = { interface: slo.interfaceKey, sli: slo.sliKind, count: role };
  if (slo.sliKind === 'latency') {
    spec.thresholdMs = slo.thresholdMs ?? 0;
    spec.source = slo.spanName ? 'otel_traces' : 'sync_ledger';
    if (slo.spanName) spec.spanName = slo.spanName;
  } else {
    spec.source = 'sync_ledger';
  }
  return { metricSource: { type: METRIC_SOURCE_TYPE, spec } };
}

/** Serialises definitions as a multi-document OpenSLO v1 YAML stream. */
export function exportOpenSlo(slos: readonly SloInput[]): string {
  const used = new Set<string>();
  const unique = (base: string) => {
    let name = base;
    for (let i = 2; used.has(name); i++) name = `${base.slice(0, 58)}-${i}`;
    used.add(name);
    return name;
  };
  const documents: unknown[] = [
    {
      apiVersion: OPENSLO_API_VERSION,
      kind: 'AlertPolicy',
      metadata: { name: ALERT_POLICY_NAME, displayName: 'Multiwindow, multi-burn-rate (Google SRE workbook)' },
      spec: {
        description: 'Page when the 1 h and 5 min burn rates both exceed 14.4 or the 6 h and 30 min both exceed 6; ticket when the 3 d and 6 h both exceed 1.',
        alertWhenNoData: false,
        alertWhenResolved: true,
        alertWhenBreaching: true,
        conditions: EXPORTED_BURN_RATE_RULES.map((rule) => ({
          kind: 'AlertCondition',
          metadata: { name: `${rule.severity}-${rule.longWindow}-${rule.shortWindow}`, annotations: { [SHORT_WINDOW_ANNOTATION]: rule.shortWindow } },
          spec: { severity: rule.severity, condition: { kind: 'burnrate', op: 'gt', threshold: rule.threshold, lookbackWindow: rule.longWindow, alertAfter: '0m' } },
        })),
        notificationTargets: [],
      },
    },
  ];
  for (const slo of slos) {
    const sloName = unique(dnsName(`${slo.interfaceKey}-${slo.name}`));
    const sliName = unique(`${sloName.slice(0, 59)}-sli`);
    documents.push({
      apiVersion: OPENSLO_API_VERSION,
      kind: 'SLI',
      metadata: { name: sliName, displayName: `${slo.name} (SLI)` },
      spec: { ratioMetric: { counter: true, good: metricSource(slo, 'good'), total: metricSource(slo, 'total') } },
    });
    documents.push({
      apiVersion: OPENSLO_API_VERSION,
      kind: 'SLO',
      metadata: { name: sloName, displayName: slo.name, annotations: { [MIN_EVENTS_ANNOTATION]: String(slo.minEvents) } },
      spec: {
        description: slo.description,
        service: slo.interfaceKey,
        indicatorRef: sliName,
        timeWindow: [{ duration: `${slo.windowDays}d`, isRolling: true }],
        budgetingMethod: 'Occurrences',
        objectives: [{ displayName: slo.name, target: slo.objective }],
        alertPolicies: [ALERT_POLICY_NAME],
      },
    });
  }
  return documents.map((d) => stringify(d, { lineWidth: 0 })).join('---\n');
}

const metadataSchema = z.object({
  name: z.string().min(1),
  displayName: z.string().optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

const plumblineSourceSchema = z.object({
  metricSource: z.object({
    type: z.string(),
    spec: z.object({
      interface: z.string().min(1),
      sli: z.enum(['latency', 'success']),
      thresholdMs: z.number().int().positive().optional(),
      spanName: z.string().optional(),
    }),
  }),
});

const sliSpecSchema = z.object({ ratioMetric: z.object({ good: plumblineSourceSchema, total: plumblineSourceSchema }) });

const sliSchema = z.object({ apiVersion: z.literal(OPENSLO_API_VERSION), kind: z.literal('SLI'), metadata: metadataSchema, spec: sliSpecSchema });

const sloSchema = z.object({
  apiVersion: z.literal(OPENSLO_API_VERSION),
  kind: z.literal('SLO'),
  metadata: metadataSchema,
  spec: z.object({
    description: z.string().optional(),
    service: z.string().min(1),
    indicatorRef: z.string().optional(),
    indicator: z.object({ metadata: metadataSchema, spec: sliSpecSchema }).optional(),
    timeWindow: z.array(z.object({ duration: z.string(), isRolling: z.boolean().optional() })).min(1),
    budgetingMethod: z.string().optional(),
    objectives: z.array(z.object({ displayName: z.string().optional(), target: z.number().optional(), targetPercent: z.number().optional() })).min(1),
  }),
});

export class OpenSloError extends Error {
  constructor(readonly problems: string[]) {
    super(`OpenSLO import failed: ${problems.join('; ')}`);
    this.name = 'OpenSloError';
  }
}

function windowDays(duration: string): number | null {
  const match = /^(\d+)([dw])$/.exec(duration.trim());
  if (!match) return null;
  return Number(match[1]) * (match[2] === 'w' ? 7 : 1);
}

function zodProblems(prefix: string, error: z.ZodError): string[] {
  return error.issues.map((i) => `${prefix}: ${i.path.join('.') || '(root)'} ${i.message}`);
}

/**
 * Parses an OpenSLO v1 YAML stream into definitions. Everything is checked before anything
 * is returned; any problem throws OpenSloError listing all of them.
 */
export function importOpenSlo(text: string): SloInput[] {
  const problems: string[] = [];
  const docs = parseAllDocuments(text);
  const slis = new Map<string, z.infer<typeof sliSpecSchema>>();
  const slos: z.infer<typeof sloSchema>[] = [];
  const values: unknown[] = [];
  for (const [index, doc] of (Array.isArray(docs) ? docs : [docs]).entries()) {
    if (doc.errors.length) {
      problems.push(...doc.errors.map((e) => `document ${index + 1}: ${e.message}`));
      continue;
    }
    const value: unknown = doc.toJSON();
    if (value === null || value === undefined) continue;
    values.push(...(Array.isArray(value) ? value : [value]));
  }
  for (const [index, value] of values.entries()) {
    const kind = (value as { kind?: unknown }).kind;
    const label = `object ${index + 1} (${typeof kind === 'string' ? kind : 'no kind'})`;
    if (kind === 'SLI') {
      const parsed = sliSchema.safeParse(value);
      if (parsed.success) slis.set(parsed.data.metadata.name, parsed.data.spec);
      else problems.push(...zodProblems(label, parsed.error));
    } else if (kind === 'SLO') {
      const parsed = sloSchema.safeParse(value);
      if (parsed.success) slos.push(parsed.data);
      else problems.push(...zodProblems(label, parsed.error));
    } else if (kind !== 'AlertPolicy' && kind !== 'AlertCondition' && kind !== 'AlertNotificationTarget' && kind !== 'Service') {
      problems.push(`${label}: unsupported kind`);
    }
  }
  const inputs: SloInput[] = [];
  for (const slo of slos) {
    const label = `SLO ${slo.metadata.name}`;
    const sli = slo.spec.indicator?.spec ?? (slo.spec.indicatorRef ? slis.get(slo.spec.indicatorRef) : undefined);
    if (!sli) {
      problems.push(`${label}: its SLI ${slo.spec.indicatorRef ?? '(none)'} is not in the file`);
      continue;
    }
    const source = sli.ratioMetric.good.metricSource;
    if (source.type !== METRIC_SOURCE_TYPE) {
      problems.push(`${label}: metric source type "${source.type}" is not supported (only ${METRIC_SOURCE_TYPE})`);
      continue;
    }
    const objective = slo.spec.objectives[0]!;
    const target = objective.target ?? (objective.targetPercent !== undefined ? objective.targetPercent / 100 : undefined);
    const days = windowDays(slo.spec.timeWindow[0]!.duration);
    const minEvents = slo.metadata.annotations?.[MIN_EVENTS_ANNOTATION];
    const parsed = sloInputSchema.safeParse({
      interfaceKey: source.spec.interface,
      name: slo.metadata.displayName ?? slo.metadata.name,
      description: slo.spec.description ?? '',
      sliKind: source.spec.sli,
      thresholdMs: source.spec.thresholdMs ?? null,
      spanName: source.spec.spanName ?? null,
      objective: target,
      windowDays: days,
      ...(minEvents !== undefined ? { minEvents: Number(minEvents) } : {}),
    });
    if (source.spec.interface !== slo.spec.service) problems.push(`${label}: service "${slo.spec.service}" differs from its SLI's interface "${source.spec.interface}"`);
    if (parsed.success) inputs.push(parsed.data);
    else problems.push(...zodProblems(label, parsed.error));
  }
  if (slos.length === 0 && problems.length === 0) problems.push('the file holds no SLO objects');
  if (problems.length) throw new OpenSloError(problems);
  return inputs;
}
