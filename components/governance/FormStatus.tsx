import type { FormState } from '@/app/governance/actions';

export function FieldError({ name, state }: { name: string; state: FormState }) {
  const message = state.errors?.[name];
  return message ? (
    <span id={`${name}-error`} className="error" role="alert">
      {message}
    </span>
  ) : null;
}

export function FormMessage({ state }: { state: FormState }) {
  if (!state.message) return null;
  return (
    <p role={state.ok ? 'status' : 'alert'} className={state.ok ? 'muted' : 'error'}>
      {state.message}
    </p>
  );
}

/** aria attributes tying an input to its error message. */
export function describedBy(name: string, state: FormState) {
  return state.errors?.[name] ? { 'aria-invalid': true, 'aria-describedby': `${name}-error` } : {};
}
