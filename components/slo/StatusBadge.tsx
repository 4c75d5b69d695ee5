import type { AlertStatus } from '@/lib/db/generated/enums';

const LABELS: Record<AlertStatus, { text: string; tone: string }> = {
  ok: { text: 'ok', tone: 'good' },
  ticket: { text: 'ticket', tone: 'warn' },
  page: { text: 'page', tone: 'bad' },
  no_data: { text: 'no data', tone: '' },
};

export function StatusBadge({ status }: { status: AlertStatus }) {
  const label = LABELS[status];
  return <span className={`badge ${label.tone}`} data-slo-status={status}>{label.text}</span>;
}
