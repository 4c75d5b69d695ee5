import type { Metadata } from 'next';
import Link from 'next/link';

export const metadata: Metadata = { title: 'Not available to your role' };

export default async function ForbiddenPage({ searchParams }: { searchParams: Promise<{ need?: string }> }) {
  const { need } = await searchParams;
  return (
    <section>
      <h1>Not available to your role</h1>
      <p>
        Your role does not include {need ? <code>{need}</code> : 'this capability'}. Ask an administrator if you need it.
      </p>
      <Link href="/">Back to the overview</Link>
    </section>
  );
}
