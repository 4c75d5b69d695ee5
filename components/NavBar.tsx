import Link from 'next/link';
import type { Viewer } from '@/lib/auth/session';
import { can, ROLE_LABELS, type Capability } from '@/lib/auth/permissions';
import { SignOutButton } from '@/components/SignOutButton';

interface NavItem {
  href: string;
  label: string;
  capability: Capability;
}

/** Links the viewer's role may open; the pages enforce the same rule on the server. */
const NAV_ITEMS: readonly NavItem[] = [
  { href: '/', label: 'Overview', capability: 'dashboards.view' },
  { href: '/finance/unbilled-rentals', label: 'Unbilled rentals', capability: 'dashboards.view' },
  { href: '/finance/invoice-exceptions', label: 'Invoice exceptions', capability: 'dashboards.view' },
  { href: '/operations/failures', label: 'Failures', capability: 'dashboards.view' },
  { href: '/slo', label: 'SLOs', capability: 'dashboards.view' },
  { href: '/traces', label: 'Traces', capability: 'dashboards.view' },
  { href: '/ledger', label: 'Ledger', capability: 'dashboards.view' },
  { href: '/governance/interfaces', label: 'Interfaces', capability: 'dashboards.view' },
  { href: '/governance/ownership', label: 'Ownership', capability: 'dashboards.view' },
  { href: '/governance/schema-changes', label: 'Schema changes', capability: 'dashboards.view' },
  { href: '/audit', label: 'Audit log', capability: 'audit.read' },
  { href: '/admin', label: 'Admin', capability: 'admin.manage' },
];

export function NavBar({ viewer }: { viewer: Viewer }) {
  return (
    <header className="nav">
      <Link href="/" className="brand">
        Plumbline
      </Link>
      <nav aria-label="Main">
        {NAV_ITEMS.filter((item) => can(viewer.role, item.capability)).map((item) => (
          <Link key={item.href} href={item.href}>
            {item.label}
          </Link>
        ))}
      </nav>
      <div className="who">
        <span title={viewer.email}>
          {viewer.name} · {ROLE_LABELS[viewer.role]}
        </span>
        <SignOutButton />
      </div>
    </header>
  );
}
