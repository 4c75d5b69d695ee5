import { registerJob } from '@/lib/runtime/workers';
import { deliverDueWebhooks } from '@/lib/webhooks/delivery';

/** Sends due webhook deliveries; back-off is carried by each delivery's nextAttemptAt. */
registerJob({
  name: 'webhook-delivery',
  intervalMs: 10_000,
  run: async () => {
    await deliverDueWebhooks();
  },
});
