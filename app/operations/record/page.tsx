import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { requirePage } from '@/lib/auth/session';
import { requestLocale } from '@/lib/locale';
import { can } from '@/lib/auth/permissions';
import { prisma } from '@/lib/db/client';
import { first, type RawParams } from '@/lib/finance/filters';
import { recordEvents } from '@/lib/exceptions/open-records';
import { EventList } from '@/components/exceptions/EventList';

export const metadata: Metadata = { title: 'Record history' };

/** A synced record's events; records with a triage case open the case page instead. */
export default async function RecordPage({ searchParams }: { searchParams: Promise<RawParams> }) {
  const viewer = await requirePage('dashboards.view');
  const locale = await requestLocale();
  const raw = await searchParams;
  const key = { interfaceKey: first(raw.interface), entityType: first(raw.entity), sourceRecordId: first(raw.id) };
  if (!key.interfaceKey || !key.entityType || !key.sourceRecordId) return <p className="empty">Name a record: interface, entity and id.</p>;
  const db = await prisma();
  const found = await db.exceptionCase.findUnique({ where: { interfaceKey_entityType_sourceRecordId: key }, select: { id: true } });
  if (found) redirect(`/operations/cases/${found.id}`);
  const events = await recordEvents(key, can(viewer.role, 'records.viewPayload'));
  return (
    <section>
      <p>
        <Link href="/operations/failures">← Failures</Link>
      </p>
      <h1>
        {key.interfaceKey} · {key.entityType} · {key.sourceRecordId}
      </h1>
      <EventList locale={locale} events={events} canViewDetails={can(viewer.role, 'records.viewDetails')} canViewPayload={can(viewer.role, 'records.viewPayload')} />
    </section>
  );
}
