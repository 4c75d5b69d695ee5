import Link from 'next/link';

const SECTIONS = [
  { href: '/admin', label: 'Users' },
  { href: '/admin/keys', label: 'Ingest API keys' },
  { href: '/admin/webhooks', label: 'Webhooks' },
  { href: '/admin/settings', label: 'Retention' },
] as const;

export function AdminNav({ current }: { current: (typeof SECTIONS)[number]['href'] }) {
  return (
    <nav aria-label="Admin sections" className="filters">
      {SECTIONS.map((s) => (
        <Link key={s.href} href={s.href} aria-current={s.href === current ? 'page' : undefined}>
          {s.label}
        </Link>
      ))}
    </nav>
  );
}
