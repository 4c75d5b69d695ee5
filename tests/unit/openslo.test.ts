import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { parseAllDocuments } from 'yaml';
import { exportOpenSlo, importOpenSlo, OpenSloError } from '@/lib/slo/openslo';
import type { SloInput } from '@/lib/slo/definitions';

const SLOS: SloInput[] = [
  {
    interfaceKey: 'rental-invoicing',
    name: 'Invoices reach Odoo within 5 minutes',
    description: '99 % of rental invoices are in Odoo 5 minutes after RentalDesk issues them',
    sliKind: 'latency',
    thresholdMs: 300_000,
    spanName: null,
    objective: 0.99,
    windowDays: 28,
    minEvents: 50,
  },
  {
    interfaceKey: 'rental-invoicing',
    name: 'Invoice syncs succeed',
    description: '',
    sliKind: 'success',
    thresholdMs: null,
    spanName: null,
    objective: 0.995,
    windowDays: 30,
    minEvents: 20,
  },
  {
    interfaceKey: 'equipment-telemetry',
    name: 'Telemetry export span under 2 s',
    description: 'root span of the FleetTrack export',
    sliKind: 'latency',
    thresholdMs: 2000,
    spanName: 'fleettrack export maintenance.equipment',
    objective: 0.95,
    windowDays: 7,
    minEvents: 10,
  },
];

describe('OpenSLO v1', () => {
  it('round-trips definitions through YAML unchanged', () => {
    const yamlText = exportOpenSlo(SLOS);
    assert.deepEqual(importOpenSlo(yamlText), SLOS);
  });

  it('writes SLO, SLI and AlertPolicy objects of apiVersion openslo/v1', () => {
    const docs = parseAllDocuments(exportOpenSlo(SLOS));
    const objects = (Array.isArray(docs) ? docs : [docs]).map((d) => d.toJSON() as { apiVersion: string; kind: string; metadata: { name: string }; spec: Record<string, unknown> });
    assert.ok(objects.every((o) => o.apiVersion === 'openslo/v1'));
    assert.deepEqual(
      objects.map((o) => o.kind).sort(),
      ['AlertPolicy', 'SLI', 'SLI', 'SLI', 'SLO', 'SLO', 'SLO'],
    );
    const slo = objects.find((o) => o.kind === 'SLO')!;
    assert.equal(slo.spec.service, 'rental-invoicing');
    assert.deepEqual(slo.spec.timeWindow, [{ duration: '28d', isRolling: true }]);
    assert.deepEqual(slo.spec.objectives, [{ displayName: 'Invoices reach Odoo within 5 minutes', target: 0.99 }]);
    assert.ok(objects.some((o) => o.kind === 'SLI' && o.metadata.name === slo.spec.indicatorRef));
    const policy = objects.find((o) => o.kind === 'AlertPolicy')!;
    const thresholds = (policy.spec.conditions as { spec: { severity: string; condition: { threshold: number; lookbackWindow: string } } }[]).map((c) => [
      c.spec.severity,
      c.spec.condition.lookbackWindow,
      c.spec.condition.threshold,
    ]);
    assert.deepEqual(thresholds, [
      ['page', '1h', 14.4],
      ['page', '6h', 6],
      ['ticket', '3d', 1],
    ]);
  });

  it('accepts an inline indicator and targetPercent', () => {
    const [slo] = importOpenSlo(`apiVersion: openslo/v1
kind: SLO
metadata:
  name: vendor-bills-success
  displayName: Vendor bills succeed
spec:
  service: vendor-bills
  indicator:
    metadata: { name: vendor-bills-success-sli }
    spec:
      ratioMetric:
        counter: true
        good: { metricSource: { type: Plumbline, spec: { interface: vendor-bills, sli: success } } }
        total: { metricSource: { type: Plumbline, spec: { interface: vendor-bills, sli: success } } }
  timeWindow: [{ duration: 4w, isRolling: true }]
  budgetingMethod: Occurrences
  objectives: [{ targetPercent: 99 }]
`);
    assert.deepEqual(slo, {
      interfaceKey: 'vendor-bills',
      name: 'Vendor bills succeed',
      description: '',
      sliKind: 'success',
      thresholdMs: null,
      spanName: null,
      objective: 0.99,
      windowDays: 28,
      minEvents: 20,
    });
  });

  it('rejects unsupported windows, foreign metric sources and missing SLIs, listing every problem', () => {
    const text = `apiVersion: openslo/v1
kind: SLO
metadata: { name: a }
spec:
  service: x
  indicatorRef: missing-sli
  timeWindow: [{ duration: 28d, isRolling: true }]
  objectives: [{ target: 0.99 }]
---
apiVersion: openslo/v1
kind: SLI
metadata: { name: prom }
spec:
  ratioMetric:
    good: { metricSource: { type: Prometheus, spec: { interface: x, sli: success } } }
    total: { metricSource: { type: Prometheus, spec: { interface: x, sli: success } } }
---
apiVersion: openslo/v1
kind: SLO
metadata: { name: b }
spec:
  service: x
  indicatorRef: prom
  timeWindow: [{ duration: 14d, isRolling: true }]
  objectives: [{ target: 0.99 }]
`;
    assert.throws(
      () => importOpenSlo(text),
      (error: unknown) => {
        assert.ok(error instanceof OpenSloError);
        assert.equal(error.problems.length, 2);
        assert.match(error.problems[0]!, /missing-sli/);
        assert.match(error.problems[1]!, /Prometheus/);
        return true;
      },
    );
    assert.throws(() => importOpenSlo('kind: Nonsense\n'), OpenSloError);
    assert.throws(() => importOpenSlo(''), /no SLO objects/);
  });
});
