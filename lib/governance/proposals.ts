import { z } from 'zod';
import type { CompatibilityLevel, SchemaVersionStatus, VoteDecision } from '@/lib/db/generated/enums';
import type { Prisma } from '@/lib/db/generated/client';
import { prisma } from '@/lib/db/client';
import { writeAudit } from '@/lib/audit/log';
import { RequestError } from '@/lib/api/errors';
import type { Viewer } from '@/lib/auth/session';
import { compareSchemas, validateJsonSchemaDocument } from '@/lib/governance/schema-compat';
import type { JsonSchema, SchemaChange } from '@/lib/governance/schema-compat';
import { SCHEMA_VERSION_TARGET, requiredApprovals } from '@/lib/governance/approvals';
import { governanceQuorum } from '@/lib/governance/settings';

/** Proposing schema versions, and reading proposals with their votes and timeline. */
export const MAX_SCHEMA_BYTES = 512 * 1024;

export const proposalInputSchema = z.object({
  interfaceKey: z.string().trim().min(1, 'Choose an interface').max(128),
  version: z
    .string()
    .trim()
    .min(1, 'Version is required')
    .max(64)
    .regex(/^[0-9A-Za-z][0-9A-Za-z._-]*$/, 'Use letters, digits, dots, dashes or underscores, e.g. 1.2'),
  schemaText: z.string().min(1, 'Paste or upload a JSON Schema').max(MAX_SCHEMA_BYTES, 'Schemas are limited to 512 KiB'),
  migrationPlan: z.string().trim().max(10_000).default(''),
});

export type ProposalInput = z.input<typeof proposalInputSchema>;

export class ProposalError extends Error {
  constructor(readonly fieldErrors: Record<string, string>) {
    super(Object.values(fieldErrors).join(' '));
    this.name = 'ProposalError';
  }
}

/** Parses and validates the pasted text as a JSON Schema 2020-12 document. */
export function parseSchemaText(text: string): { ok: true; schema: JsonSchema } | { ok: false; message: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `Not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  const checked = validateJsonSchemaDocument(doc);
  if (!checked.ok) return { ok: false, message: `Not a valid JSON Schema 2020-12 document: ${checked.errors.slice(0, 5).join('; ')}` };
  return { ok: true, schema: checked.schema };
}

export async function proposeSchemaVersion(viewer: Viewer, raw: ProposalInput, ip: string | null = null): Promise<string> {
  const parsed = proposalInputSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ProposalError(Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0] ?? 'form'), i.message])));
  }
  const input = parsed.data;
  const schema = parseSchemaText(input.schemaText);
  if (!schema.ok) throw new ProposalError({ schemaText: schema.message });

  const db = await prisma();
  const iface = await db.interface.findUnique({ where: { key: input.interfaceKey } });
  if (!iface) throw new ProposalError({ interfaceKey: `No registered interface "${input.interfaceKey}".` });
  const active = iface.activeSchemaVersion
    ? await db.schemaVersion.findUnique({ where: { interfaceId_version: { interfaceId: iface.id, version: iface.activeSchemaVersion } } })
    : null;
  const report = active ? compareSchemas(active.schema as JsonSchema, schema.schema) : null;
  const compatibility: CompatibilityLevel | null = report?.level ?? null;
  if (compatibility === 'BREAKING' && input.migrationPlan === '') {
    throw new ProposalError({ migrationPlan: `This change is BREAKING against active version ${iface.activeSchemaVersion} (${report!.changes.filter((c: SchemaChange) => !c.backward && !c.forward).length} breaking changes); state a migration plan.` });
  }
  const quorum = await governanceQuorum(db);
  try {
    return await db.$transaction(async (tx) => {
      const row = await tx.schemaVersion.create({
        data: {
          interfaceId: iface.id,
          version: input.version,
          schema: schema.schema as Prisma.InputJsonValue,
          status: 'proposed',
          compatibility,
          changes: (report?.changes ?? []) as unknown as Prisma.InputJsonValue,
          migrationPlan: input.migrationPlan,
          requiredApprovals: requiredApprovals(compatibility, quorum),
          proposedById: viewer.id,
        },
      });
      await writeAudit(
        {
          actorId: viewer.id,
          actorLabel: viewer.email,
          action: 'schema.propose',
          targetType: SCHEMA_VERSION_TARGET,
          targetId: row.id,
          after: { interface: iface.key, version: input.version, comparedWith: active?.version ?? null, compatibility, changes: report?.changes.length ?? 0, migrationPlan: input.migrationPlan },
          ip,
        },
        tx,
      );
      return row.id;
    });
  } catch (error) {
    if (error instanceof Error && 'code' in error && (error as { code: unknown }).code === 'P2002') {
      throw new ProposalError({ version: `Version ${input.version} already exists for ${iface.key}.` });
    }
    throw error;
  }
}

export interface ProposalSummary {
  id: string;
  interfaceKey: string;
  interfaceName: string;
  version: string;
  status: SchemaVersionStatus;
  compatibility: CompatibilityLevel | null;
  proposedBy: string | null;
  proposedById: string | null;
  proposedAt: Date;
  approvals: number;
  rejections: number;
  requiredApprovals: number;
}

export const PROPOSAL_STATUS_FILTERS = ['open', 'decided', 'all'] as const;
export type ProposalStatusFilter = (typeof PROPOSAL_STATUS_FILTERS)[number];

export async function listProposals(filter: ProposalStatusFilter, interfaceKey?: string): Promise<ProposalSummary[]> {
  const db = await prisma();
  const status: Prisma.SchemaVersionWhereInput['status'] = filter === 'open' ? 'proposed' : filter === 'decided' ? { not: 'proposed' } : undefined;
  const rows = await db.schemaVersion.findMany({
    where: { status, ...(interfaceKey ? { interface: { key: interfaceKey } } : {}) },
    include: { interface: { select: { key: true, name: true } }, proposedBy: { select: { name: true } }, votes: { select: { decision: true } } },
    orderBy: [{ proposedAt: 'desc' }],
    take: 500,
  });
  return rows.map((r) => ({
    id: r.id,
    interfaceKey: r.interface.key,
    interfaceName: r.interface.name,
    version: r.version,
    status: r.status,
    compatibility: r.compatibility,
    proposedBy: r.proposedBy?.name ?? null,
    proposedById: r.proposedById,
    proposedAt: r.proposedAt,
    approvals: r.votes.filter((v) => v.decision === 'approve').length,
    rejections: r.votes.filter((v) => v.decision === 'reject').length,
    requiredApprovals: r.requiredApprovals,
  }));
}

export interface TimelineEntry {
  at: Date;
  actor: string;
  action: string;
  after: unknown;
}

export interface ProposalDetail extends ProposalSummary {
  interfaceId: string;
  activeVersion: string | null;
  schema: unknown;
  changes: SchemaChange[];
  migrationPlan: string;
  decidedAt: Date | null;
  activatedAt: Date | null;
  graceUntil: Date | null;
  votes: { voterId: string; voter: string; decision: VoteDecision; comment: string; at: Date }[];
  timeline: TimelineEntry[];
}

export async function getProposal(id: string): Promise<ProposalDetail | null> {
  const db = await prisma();
  const r = await db.schemaVersion.findUnique({
    where: { id },
    include: { interface: true, proposedBy: { select: { name: true } }, votes: { include: { voter: { select: { name: true } } }, orderBy: { createdAt: 'asc' } } },
  });
  if (!r) return null;
  const audit = await db.auditLog.findMany({ where: { targetType: SCHEMA_VERSION_TARGET, targetId: id }, orderBy: { id: 'asc' } });
  return {
    id: r.id,
    interfaceId: r.interfaceId,
    interfaceKey: r.interface.key,
    interfaceName: r.interface.name,
    activeVersion: r.interface.activeSchemaVersion,
    version: r.version,
    status: r.status,
    compatibility: r.compatibility,
    proposedBy: r.proposedBy?.name ?? null,
    proposedById: r.proposedById,
    proposedAt: r.proposedAt,
    approvals: r.votes.filter((v) => v.decision === 'approve').length,
    rejections: r.votes.filter((v) => v.decision === 'reject').length,
    requiredApprovals: r.requiredApprovals,
    schema: r.schema,
    changes: Array.isArray(r.changes) ? (r.changes as unknown as SchemaChange[]) : [],
    migrationPlan: r.migrationPlan,
    decidedAt: r.decidedAt,
    activatedAt: r.activatedAt,
    graceUntil: r.graceUntil,
    votes: r.votes.map((v) => ({ voterId: v.voterId, voter: v.voter.name, decision: v.decision, comment: v.comment, at: v.createdAt })),
    timeline: audit.map((a) => ({ at: a.at, actor: a.actorLabel, action: a.action, after: a.after })),
  };
}

export async function interfaceChoices(): Promise<{ key: string; name: string; activeSchemaVersion: string | null }[]> {
  const db = await prisma();
  return db.interface.findMany({ select: { key: true, name: true, activeSchemaVersion: true }, orderBy: { key: 'asc' } });
}
