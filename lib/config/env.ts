import path from 'node:path';
import { z } from 'zod';

/**
 * Every environment variable Plumbline reads, validated once. README's configuration
 * table documents the same list; keep them in step.
 */
const flag = z
  .enum(['0', '1', 'true', 'false', 'yes', 'no'])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

const envSchema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  INGEST_PORT: z.coerce.number().int().min(0).max(65535).default(4318),
  HOSTNAME: z.string().default('0.0.0.0'),
  PLUMBLINE_DATA_DIR: z.string().default('./data'),
  CLICKHOUSE_URL: z.url().optional(),
  CLICKHOUSE_USER: z.string().default('default'),
  CLICKHOUSE_PASSWORD: z.string().default(''),
  CLICKHOUSE_DATABASE: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a plain identifier').default('plumbline'),
  CLICKHOUSE_CLUSTER: z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, 'must be a plain identifier').optional(),
  DATABASE_URL: z.string().optional(),
  PLUMBLINE_ADMIN_EMAIL: z.email().optional(),
  PLUMBLINE_ADMIN_PASSWORD: z.string().optional(),
  PLUMBLINE_DEMO: flag.optional(),
  PLUMBLINE_DEMO_PASSWORD: z.string().min(8).default('plumbline-demo'),
  NEXTAUTH_SECRET: z.string().min(16).optional(),
  NEXTAUTH_URL: z.url().optional(),
  PLUMBLINE_INGEST_KEY: z.string().min(16, 'PLUMBLINE_INGEST_KEY must be at least 16 characters').optional(),
  PLUMBLINE_INGEST_MAX_BODY_BYTES: z.coerce.number().int().positive().default(10 * 1024 * 1024),
  PLUMBLINE_INGEST_EMBEDDED: flag.optional(),
  PLUMBLINE_REPLAY_WEBHOOK_URL: z.url().optional(),
  PLUMBLINE_OIDC_ISSUER: z.url().optional(),
  PLUMBLINE_OIDC_CLIENT_ID: z.string().optional(),
  PLUMBLINE_OIDC_CLIENT_SECRET: z.string().optional(),
  PLUMBLINE_OIDC_NAME: z.string().default('Single sign-on'),
  PLUMBLINE_OIDC_SCOPES: z.string().default('openid email profile'),
  PLUMBLINE_OIDC_ROLE_CLAIM: z.string().default('groups'),
  /** `group=role` pairs, comma separated, e.g. `plumbline-admins=admin,finance-team=finance`. */
  PLUMBLINE_OIDC_ROLE_MAP: z.string().default(''),
  PLUMBLINE_OIDC_DEFAULT_ROLE: z.enum(['admin', 'governance_board', 'integration_engineer', 'finance', 'viewer']).default('viewer'),
});

export type PlumblineEnv = z.infer<typeof envSchema>;

let cached: PlumblineEnv | undefined;

export function env(): PlumblineEnv {
  if (!cached) {
    const parsed = envSchema.safeParse(emptyToUndefined(process.env));
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      throw new Error(`Invalid configuration: ${problems}`);
    }
    cached = parsed.data;
  }
  return cached;
}

/** Tests change process.env between cases; they call this to re-read it. */
export function resetEnvCache(): void {
  cached = undefined;
}

export function dataDir(): string {
  return path.resolve(env().PLUMBLINE_DATA_DIR);
}

export function usesEmbeddedClickHouse(): boolean {
  return !env().CLICKHOUSE_URL;
}

export function usesEmbeddedPostgres(): boolean {
  return !env().DATABASE_URL;
}

function emptyToUndefined(source: NodeJS.ProcessEnv): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(source)) out[key] = value === '' ? undefined : value;
  return out;
}
