import { verifyAuditChain } from '@/lib/audit/verify';
import { closeDatabase } from '@/lib/db/client';

/**
 * `npm run audit:verify`: checks the audit log's hash chain in the configured Postgres
 * (DATABASE_URL, or the embedded store in PLUMBLINE_DATA_DIR — stop the app first, PGlite
 * allows one process). Read-only. Exits 0 when intact, 1 with the first broken link otherwise.
 */
async function main(): Promise<number> {
  const result = await verifyAuditChain();
  if (result.ok) {
    console.log(`Audit log intact: ${result.checked} entries verified, head ${result.lastHash}`);
    return 0;
  }
  const broken = result.firstBroken!;
  console.error(`Audit log BROKEN after ${result.checked} good entries.`);
  console.error(`First broken link: entry ${broken.id}${broken.at ? ` at ${broken.at}` : ''} (${broken.reason})`);
  console.error(broken.message);
  return 1;
}

main()
  .then(async (code) => {
    await closeDatabase();
    process.exit(code);
  })
  .catch(async (error: unknown) => {
    console.error('audit:verify could not run:', error instanceof Error ? error.message : error);
    await closeDatabase().catch(() => undefined);
    process.exit(2);
  });
