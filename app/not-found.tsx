import type { Metadata } from 'next';
import Link from 'next/link';

// The layout's title template names only the segments below it.
export const metadata: Metadata = { title: { absolute: 'Not found · Plumbline' } };

/** What an unknown address, or a page whose record does not exist, shows: inside the app's layout, with a way back. */
export default function NotFound() {
  return (
    <section>
      <h1>Not found</h1>
      <p>There is no such page, or the record it names does not exist.</p>
      <p>
        <Link href="/">Back to the overview</Link>
      </p>
    </section>
  );
}
