import type { CompatibilityLevel, Role, SchemaVersionStatus, VoteDecision } from '@/lib/db/generated/enums';
import { Prisma } from '@/lib/db/generated/client';
import { prisma } from '@/lib/db/client';
import { writeAudit } from '@/lib/audit/log';
import { RequestError } from '@/lib/api/errors';
import { can } from '@/lib/auth/permissions';
import type { Viewer } from '@/lib/auth/session';
import { governanceGraceHours, governanceQuorum } from '@/lib/governance/settings';

/**
 * Schema-change approval rules. `decideVote` is the pure rulebook; `castVote` applies it in
 * one transaction (row lock, vote, status change, activation, audit) so two voters racing
 * cannot both miss or both pass the quorum.
 */
export const SCHEMA_VERSION_TARGET = 'schema_version';

export interface ProposalState {
  status: SchemaVersionStatus;
  proposedById: string | null;
  compatibility: CompatibilityLevel | null;
  migrationPlan: string;
}

export interface VoteRequest {
  voterId: string;
  voterRole: Role;
  decision: VoteDecision;
}

export type VoteRefusal =
  | 'not_allowed'
  | 'not_open'
  | 'own_proposal'
  | 'already_voted'
  | 'migration_plan_required';

export type VoteDecisionResult =
  | { ok: false; code: VoteRefusal; message: string }
  | { ok: true; outcome: 'pending' | 'activate' | 'reject'; approvals: number; rejections: number; requiredApprovals: number; requiredRejections: number };

/** Breaking changes need one approval more than the quorum. */
export function requiredApprovals(compatibility: CompatibilityLevel | null, quorum: number): number {
  return compatibility === 'BREAKING' ? quorum + 1 : quorum;
}

export function decideVote(proposal: ProposalState, votes: readonly { voterId: string; decision: VoteDecision }[], request: VoteRequest, quorum: number): VoteDecisionResult {
  if (!can(request.voterRole, 'schema.vote')) return { ok: false, code: 'not_allowed', message: 'Only the governance board votes on schema changes.' };
  if (proposal.status !== 'proposed') return { ok: false, code: 'not_open', message: `This proposal is already ${proposal.status}; voting is closed.` };
  if (proposal.proposedById === request.voterId) return { ok: false, code: 'own_proposal', message: 'You proposed this change, so you cannot vote on it.' };
  if (votes.some((v) => v.voterId === request.voterId)) return { ok: false, code: 'already_voted', message: 'You have already voted on this proposal; each board member votes once.' };
  if (request.decision === 'approve' && proposal.compatibility === 'BREAKING' && proposal.migrationPlan.trim() === '') {
    return { ok: false, code: 'migration_plan_required', message: 'This is a breaking change without a migration plan; it cannot be approved until the proposal states one.' };
  }
  const all = [...votes, { voterId: request.voterId, decision: request.decision }];
  const approvals = all.filter((v) => v.decision === 'approve').length;
  const rejections = all.length - approvals;
  const needed = requiredApprovals(proposal.compatibility, quorum);
  const outcome = approvals >= needed ? 'activate' : rejections >= quorum ? 'reject' : 'pending';
  return { ok: true, outcome, approvals, rejections, requiredApprovals: needed, requiredRejections: quorum };
}

export interface VoteResult {
  outcome: 'pending' | 'activate' | 'reject';
  approvals: number;
  rejections: number;
  requiredApprovals: number;
}

const STATUS_BY_REFUSAL: Record<VoteRefusal, number> = {
  not_allowed: 403,
  not_open: 409,
  own_proposal: 403,
  already_voted: 409,
  migration_plan_required: 422,
};

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}

export async function castVote(viewer: Viewer, schemaVersionId: string, decision: VoteDecision, comment: string, ip: string | null = null, now = new Date()): Promise<VoteResult> {
  const db = await prisma();
  const trimmed = comment.trim().slice(0, 4000);
  try {
    return await db.$transaction(async (tx) => {
      // Serialise votes on one proposal: the quorum check must see every earlier vote.
      const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "SchemaVersion" WHERE id = ${schemaVersionId} FOR UPDATE`;
      if (locked.length === 0) throw new RequestError(404, 'not_found', 'No such schema proposal.');
      const proposal = await tx.schemaVersion.findUniqueOrThrow({ where: { id: schemaVersionId }, include: { votes: true, interface: true } });
      const quorum = await governanceQuorum(tx);
      const verdict = decideVote(proposal, proposal.votes, { voterId: viewer.id, voterRole: viewer.role, decision }, quorum);
      if (!verdict.ok) throw new RequestError(STATUS_BY_REFUSAL[verdict.code], verdict.code, verdict.message);

      const vote = await tx.schemaVote.create({ data: { schemaVersionId, voterId: viewer.id, decision, comment: trimmed } });
      await tx.schemaVersion.update({ where: { id: schemaVersionId }, data: { requiredApprovals: verdict.requiredApprovals } });
      await writeAudit(
        {
          actorId: viewer.id,
          actorLabel: viewer.email,
          action: `schema.vote.${decision}`,
          targetType: SCHEMA_VERSION_TARGET,
          targetId: schemaVersionId,
          before: { approvals: verdict.approvals - (decision === 'approve' ? 1 : 0), rejections: verdict.rejections - (decision === 'reject' ? 1 : 0) },
          after: { voteId: vote.id, decision, comment: trimmed, approvals: verdict.approvals, rejections: verdict.rejections, requiredApprovals: verdict.requiredApprovals },
          ip,
        },
        tx,
      );

      if (verdict.outcome === 'activate') {
        const graceUntil = new Date(now.getTime() + (await governanceGraceHours(tx)) * 3_600_000);
        const previous = await tx.schemaVersion.findMany({ where: { interfaceId: proposal.interfaceId, status: 'active', id: { not: schemaVersionId } } });
        for (const old of previous) {
          await tx.schemaVersion.update({ where: { id: old.id }, data: { status: 'superseded', graceUntil } });
          await writeAudit(
            { actorId: viewer.id, actorLabel: viewer.email, action: 'schema.supersede', targetType: SCHEMA_VERSION_TARGET, targetId: old.id, before: { status: 'active' }, after: { status: 'superseded', graceUntil: graceUntil.toISOString(), supersededBy: proposal.version }, ip },
            tx,
          );
        }
        await tx.schemaVersion.update({ where: { id: schemaVersionId }, data: { status: 'active', decidedAt: now, activatedAt: now } });
        await tx.interface.update({ where: { id: proposal.interfaceId }, data: { activeSchemaVersion: proposal.version } });
        await writeAudit(
          {
            actorId: viewer.id,
            actorLabel: viewer.email,
            action: 'schema.activate',
            targetType: SCHEMA_VERSION_TARGET,
            targetId: schemaVersionId,
            before: { status: 'proposed', interfaceActiveVersion: proposal.interface.activeSchemaVersion },
            after: { status: 'active', interfaceActiveVersion: proposal.version, superseded: previous.map((p) => p.version), graceUntil: previous.length > 0 ? graceUntil.toISOString() : null },
            ip,
          },
          tx,
        );
      } else if (verdict.outcome === 'reject') {
        await tx.schemaVersion.update({ where: { id: schemaVersionId }, data: { status: 'rejected', decidedAt: now } });
        await writeAudit(
          { actorId: viewer.id, actorLabel: viewer.email, action: 'schema.reject', targetType: SCHEMA_VERSION_TARGET, targetId: schemaVersionId, before: { status: 'proposed' }, after: { status: 'rejected', rejections: verdict.rejections }, ip },
          tx,
        );
      }
      return { outcome: verdict.outcome, approvals: verdict.approvals, rejections: verdict.rejections, requiredApprovals: verdict.requiredApprovals };
    });
  } catch (error) {
    // Two parallel votes by one person: the unique constraint is the last word.
    if (isUniqueViolation(error)) throw new RequestError(409, 'already_voted', 'You have already voted on this proposal; each board member votes once.');
    throw error;
  }
}
