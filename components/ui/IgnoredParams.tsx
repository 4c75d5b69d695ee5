import type { ParamIssue } from '@/lib/api/errors';

/** Says which parameters of the page's link did not read, so the view shows their defaults instead. */
export function IgnoredParams({ issues }: { issues: readonly ParamIssue[] }) {
  if (issues.length === 0) return null;
  return (
    <p role="status" className="error" data-testid="ignored-params">
      Not read from this link, so the default is shown instead: {issues.map((i) => `${i.parameter} ${i.message}`).join('; ')}.
    </p>
  );
}
