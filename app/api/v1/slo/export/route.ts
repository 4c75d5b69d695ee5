import { requireApi } from '@/lib/auth/session';
import { listSlos } from '@/lib/slo/definitions';
import { exportOpenSlo } from '@/lib/slo/openslo';

/** GET /api/v1/slo/export: every SLO definition as an OpenSLO v1 YAML stream. */
export async function GET(): Promise<Response> {
  const viewer = await requireApi('dashboards.view');
  if (viewer instanceof Response) return viewer;
  const slos = await listSlos();
  const yamlText = exportOpenSlo(
    slos.map((s) => ({
      interfaceKey: s.interfaceKey,
      name: s.name,
      description: s.description,
      sliKind: s.sliKind,
      thresholdMs: s.thresholdMs,
      spanName: s.spanName,
      objective: s.objective,
      windowDays: s.windowDays as 7 | 28 | 30,
      minEvents: s.minEvents,
    })),
  );
  return new Response(yamlText, {
    headers: { 'content-type': 'application/yaml; charset=utf-8', 'content-disposition': 'attachment; filename="plumbline-slos.openslo.yaml"' },
  });
}
