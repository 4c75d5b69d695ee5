import type { Metadata } from 'next';
import { requirePage } from '@/lib/auth/session';
import { MAX_RETENTION_DAYS, MIN_RETENTION_DAYS, retentionSettings } from '@/lib/admin/retention';
import { AdminNav } from '@/app/admin/AdminNav';
import { AdminForm } from '@/app/admin/AdminForm';
import { saveRetentionAction } from '@/app/admin/actions';

export const metadata: Metadata = { title: 'Retention' };

export default async function AdminSettingsPage() {
  await requirePage('admin.manage');
  const settings = await retentionSettings();
  return (
    <section>
      <h1>Administration · Retention</h1>
      <AdminNav current="/admin/settings" />
      <p className="muted">
        How long stored data is kept. Ledger events and spans expire by ClickHouse table TTL (dropped as ClickHouse merges, so expect up to a day
        of lag); each record&apos;s current state is kept. The webhook delivery log is purged hourly. Changes are audited.
      </p>
      <AdminForm action={saveRetentionAction} submit="Save retention">
        {settings.map((s) => (
          <label key={s.key}>
            {s.label} (days){s.isDefault && <span className="muted"> — default</span>}
            <input name={s.key} type="number" min={MIN_RETENTION_DAYS} max={MAX_RETENTION_DAYS} defaultValue={s.days} required />
          </label>
        ))}
      </AdminForm>
    </section>
  );
}
