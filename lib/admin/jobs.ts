import { registerJob } from '@/lib/runtime/workers';
import { purgeWebhookDeliveries } from '@/lib/admin/retention';

/** Applies the webhook-delivery retention; ClickHouse data expires by table TTL on its own. */
registerJob({
  name: 'retention-purge',
  intervalMs: 60 * 60_000,
  run: async () => {
    await purgeWebhookDeliveries();
  },
});
