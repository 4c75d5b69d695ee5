import { parseArgs } from 'node:util';
import { generateDemoTraffic } from '@/lib/demo/generate';
import { sendDemoTraffic } from '@/lib/demo/send';

/**
 * `npm run demo -- [--events N] [--url http://localhost:4318] [--key KEY]`: sends the demo
 * estate's traffic to a running Plumbline through its public ingest endpoints. The same
 * generator feeds benchmarks; `--events` scales it. (The registry side of the demo is seeded
 * by `npm start` on an empty store.)
 */
const { values } = parseArgs({
  options: {
    events: { type: 'string' },
    url: { type: 'string', default: process.env.PLUMBLINE_INGEST_URL ?? 'http://localhost:4318' },
    key: { type: 'string', default: process.env.PLUMBLINE_INGEST_KEY },
    seed: { type: 'string', default: '20261122' },
  },
});

if (!values.key) {
  console.error('An ingest key is needed: pass --key or set PLUMBLINE_INGEST_KEY.');
  process.exit(2);
}
const seed = Number(values.seed);
const now = new Date();
const baseline = generateDemoTraffic(now, { seed }).attempts.length;
const wanted = values.events ? Number(values.events) : baseline;
if (!Number.isFinite(wanted) || wanted <= 0) {
  console.error(`--events must be a positive number, got ${values.events}`);
  process.exit(2);
}
const traffic = generateDemoTraffic(now, { seed, scale: wanted / baseline });
const started = Date.now();
const result = await sendDemoTraffic(traffic, { ingestUrl: values.url.replace(/\/$/, ''), key: values.key }, seed);
const seconds = (Date.now() - started) / 1000;
console.log(
  `sent ${result.events} ledger events (${result.accepted} accepted, ${result.duplicates} duplicates, ${result.rejected} rejected) and ${result.spans} spans in ${seconds.toFixed(1)} s`,
);
