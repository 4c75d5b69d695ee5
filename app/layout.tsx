import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { currentViewer } from '@/lib/auth/session';
import { NavBar } from '@/components/NavBar';
import './globals.css';

export const metadata: Metadata = {
  title: { template: '%s · Plumbline', default: 'Plumbline' },
  description: 'Integration observability and governance for construction firms on Odoo',
};

export const dynamic = 'force-dynamic';

export default async function RootLayout({ children }: { children: ReactNode }) {
  const viewer = await currentViewer();
  return (
    <html lang="en">
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        {viewer && <NavBar viewer={viewer} />}
        <main id="main">{children}</main>
      </body>
    </html>
  );
}
