import { sloInputSchema, type SloInput } from '@/lib/slo/definitions';

/** Form fields → a validated definition, or messages per field (objective is entered in percent). */
export type SloFormResult = { ok: true; input: SloInput } | { ok: false; errors: Record<string, string> };

function text(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === 'string' ? value.trim() : '';
}

function numberOrNull(value: string): number | null {
  if (value === '') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : Number.NaN;
}

export function parseSloForm(form: FormData): SloFormResult {
  const objectivePercent = numberOrNull(text(form, 'objectivePercent'));
  const parsed = sloInputSchema.safeParse({
    interfaceKey: text(form, 'interfaceKey'),
    name: text(form, 'name'),
    description: text(form, 'description'),
    sliKind: text(form, 'sliKind'),
    thresholdMs: numberOrNull(text(form, 'thresholdMs')),
    spanName: text(form, 'spanName') || null,
    objective: objectivePercent === null ? undefined : Math.round(objectivePercent * 1000) / 100000,
    windowDays: Number(text(form, 'windowDays')),
    minEvents: numberOrNull(text(form, 'minEvents')) ?? undefined,
  });
  if (parsed.success) return { ok: true, input: parsed.data };
  const errors: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const field = String(issue.path[0] ?? 'form');
    const key = field === 'objective' ? 'objectivePercent' : field;
    errors[key] ??= field === 'windowDays' ? 'Choose 7, 28 or 30 days' : issue.message;
  }
  return { ok: false, errors };
}
