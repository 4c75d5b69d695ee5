/**
 * Importing this module registers every periodic job with lib/runtime/workers.ts.
 * Each domain adds one import line here.
 */
import '@/lib/slo/jobs';
import '@/lib/webhooks/jobs';
import '@/lib/exceptions/jobs';
import '@/lib/admin/jobs';
import '@/lib/finance/jobs';

export {};
