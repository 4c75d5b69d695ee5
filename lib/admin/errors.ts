/** A rejected admin form: field → message, shown next to the field. */
export class AdminFormError extends Error {
  constructor(readonly fieldErrors: Record<string, string>) {
    super(Object.values(fieldErrors).join('; '));
    this.name = 'AdminFormError';
  }
}
