import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import type { Role } from '@/lib/db/generated/enums';
import type { Viewer } from '@/lib/auth/session';
import { useTestStores, type TestStores } from '../support/stores';

let stores: TestStores;
const users: Record<string, Viewer> = {};
let interfaceId = '';
let originalId = '';
let serial = 0;

async function db() {
  const { prisma } = await import('@/lib/db/client');
  return prisma();
}

async function makeUser(label: string, role: Role): Promise<Viewer> {
  const user = await (await db()).user.create({ data: { email: `${label}@test.local`, name: label, role } });
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}

async function propose(compatibility: 'FULL' | 'BACKWARD' | 'BREAKING', migrationPlan = ''): Promise<string> {
  serial += 1;
  const row = await (await db()).schemaVersion.create({
    data: { interfaceId, version: `2.${serial}`, schema: { type: 'object' }, status: 'proposed', compatibility, migrationPlan, proposedById: users.engineer!.id },
  });
  return row.id;
}

async function vote(voter: string, id: string, decision: 'approve' | 'reject' = 'approve') {
  const { castVote } = await import('@/lib/governance/approvals');
  return castVote(users[voter]!, id, decision, `${voter} says ${decision}`);
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  const { RequestError } = await import('@/lib/api/errors');
  try {
    await promise;
  } catch (error) {
    if (error instanceof RequestError) return error.code;
    throw error;
  }
  assert.fail('expected the vote to be refused');
}

beforeAll(async () => {
  stores = await useTestStores();
  users.engineer = await makeUser('engineer', 'integration_engineer');
  users.boardA = await makeUser('board-a', 'governance_board');
  users.boardB = await makeUser('board-b', 'governance_board');
  users.boardC = await makeUser('board-c', 'governance_board');
  users.boardProposer = await makeUser('board-proposer', 'governance_board');
  users.admin = await makeUser('admin', 'admin');
  const prisma = await db();
  const source = await prisma.system.create({ data: { key: 'field', name: 'Field app', kind: 'field_app' } });
  const target = await prisma.system.create({ data: { key: 'erp', name: 'ERP', kind: 'erp' } });
  const iface = await prisma.interface.create({
    data: { key: 'field-to-erp', name: 'Field → ERP', sourceSystemId: source.id, targetSystemId: target.id, entityTypes: ['account.analytic.line'], ownerTeam: 'Ops', syncClass: 'batch', activeSchemaVersion: '1.0' },
  });
  interfaceId = iface.id;
  originalId = (await prisma.schemaVersion.create({ data: { interfaceId, version: '1.0', schema: { type: 'object' }, status: 'active', compatibility: 'FULL' } })).id;
});

afterAll(async () => {
  await stores?.cleanup();
});

describe('schema-change approvals (PostgreSQL)', () => {
  test('the proposer cannot vote on their own change, even as a board member', async () => {
    const { castVote } = await import('@/lib/governance/approvals');
    const prisma = await db();
    const id = (await prisma.schemaVersion.create({ data: { interfaceId, version: 'own-1', schema: {}, compatibility: 'FULL', proposedById: users.boardProposer!.id } })).id;
    assert.equal(await refusal(castVote(users.boardProposer!, id, 'approve', '')), 'own_proposal');
    assert.equal(await prisma.schemaVote.count({ where: { schemaVersionId: id } }), 0);
  });

  test('only the governance board votes: engineer and admin are refused', async () => {
    const id = await propose('FULL');
    assert.equal(await refusal(vote('engineer', id)), 'not_allowed');
    assert.equal(await refusal(vote('admin', id)), 'not_allowed');
  });

  test('one vote per person: a second vote is refused and leaves one row', async () => {
    const id = await propose('FULL');
    assert.equal((await vote('boardA', id)).outcome, 'pending');
    assert.equal(await refusal(vote('boardA', id, 'reject')), 'already_voted');
    assert.equal(await (await db()).schemaVote.count({ where: { schemaVersionId: id } }), 1);
  });

  test('the unique constraint refuses a duplicate vote that bypasses the rules', async () => {
    const id = await propose('FULL');
    const prisma = await db();
    await prisma.schemaVote.create({ data: { schemaVersionId: id, voterId: users.boardB!.id, decision: 'approve' } });
    await assert.rejects(prisma.schemaVote.create({ data: { schemaVersionId: id, voterId: users.boardB!.id, decision: 'reject' } }));
  });

  test('reaching the quorum (default 2) activates the version and supersedes the old one with a grace period', async () => {
    const id = await propose('BACKWARD');
    const before = Date.now();
    assert.equal((await vote('boardA', id)).outcome, 'pending');
    const result = await vote('boardB', id);
    assert.equal(result.outcome, 'activate');
    assert.equal(result.requiredApprovals, 2);
    const prisma = await db();
    const activated = await prisma.schemaVersion.findUniqueOrThrow({ where: { id } });
    assert.equal(activated.status, 'active');
    assert.ok(activated.activatedAt);
    const iface = await prisma.interface.findUniqueOrThrow({ where: { id: interfaceId } });
    assert.equal(iface.activeSchemaVersion, activated.version);
    const old = await prisma.schemaVersion.findUniqueOrThrow({ where: { id: originalId } });
    assert.equal(old.status, 'superseded');
    const graceMs = old.graceUntil!.getTime() - before;
    assert.ok(graceMs >= 72 * 3_600_000 - 60_000 && graceMs <= 72 * 3_600_000 + 60_000, `grace ends ~72 h later, got ${graceMs} ms`);
    assert.equal(await refusal(vote('boardC', id)), 'not_open');
    const timeline = await prisma.auditLog.findMany({ where: { targetType: 'schema_version', targetId: id }, orderBy: { id: 'asc' } });
    assert.deepEqual(
      timeline.map((a) => a.action),
      ['schema.vote.approve', 'schema.vote.approve', 'schema.activate'],
    );
    assert.equal(await prisma.auditLog.count({ where: { targetType: 'schema_version', targetId: originalId, action: 'schema.supersede' } }), 1);
  });

  test('a breaking change needs quorum + 1 approvals', async () => {
    const id = await propose('BREAKING', 'Producers switch to v2 by Friday; consumers read both until then.');
    assert.equal((await vote('boardA', id)).outcome, 'pending');
    const second = await vote('boardB', id);
    assert.equal(second.outcome, 'pending');
    assert.equal(second.requiredApprovals, 3);
    assert.equal((await vote('boardC', id)).outcome, 'activate');
  });

  test('a breaking change without a migration plan cannot be approved, but can be rejected', async () => {
    const id = await propose('BREAKING');
    assert.equal(await refusal(vote('boardA', id)), 'migration_plan_required');
    assert.equal((await vote('boardA', id, 'reject')).outcome, 'pending');
  });

  test('a quorum of rejections rejects the proposal and leaves the active version alone', async () => {
    const prisma = await db();
    const activeBefore = (await prisma.interface.findUniqueOrThrow({ where: { id: interfaceId } })).activeSchemaVersion;
    const id = await propose('FULL');
    await vote('boardA', id, 'reject');
    assert.equal((await vote('boardB', id, 'reject')).outcome, 'reject');
    assert.equal((await prisma.schemaVersion.findUniqueOrThrow({ where: { id } })).status, 'rejected');
    assert.equal((await prisma.interface.findUniqueOrThrow({ where: { id: interfaceId } })).activeSchemaVersion, activeBefore);
  });

  test('the quorum and grace period come from settings', async () => {
    const prisma = await db();
    await prisma.setting.create({ data: { key: 'governance.quorum', value: 3 } });
    await prisma.setting.create({ data: { key: 'governance.graceHours', value: 1 } });
    try {
      const id = await propose('FULL');
      await vote('boardA', id);
      assert.equal((await vote('boardB', id)).outcome, 'pending');
      const previouslyActive = await prisma.schemaVersion.findFirstOrThrow({ where: { interfaceId, status: 'active' } });
      const now = Date.now();
      assert.equal((await vote('boardC', id)).outcome, 'activate');
      const superseded = await prisma.schemaVersion.findUniqueOrThrow({ where: { id: previouslyActive.id } });
      assert.equal(superseded.status, 'superseded');
      const graceMs = superseded.graceUntil!.getTime() - now;
      assert.ok(graceMs > 0 && graceMs <= 3_600_000 + 60_000, `grace ends ~1 h later, got ${graceMs} ms`);
    } finally {
      await prisma.setting.deleteMany({ where: { key: { in: ['governance.quorum', 'governance.graceHours'] } } });
    }
  });
});

describe('decideVote (pure rules)', () => {
  test('counts the new vote and picks the outcome', async () => {
    const { decideVote } = await import('@/lib/governance/approvals');
    const proposal = { status: 'proposed' as const, proposedById: 'p', compatibility: 'FULL' as const, migrationPlan: '' };
    const one = decideVote(proposal, [], { voterId: 'a', voterRole: 'governance_board', decision: 'approve' }, 2);
    assert.deepEqual(one, { ok: true, outcome: 'pending', approvals: 1, rejections: 0, requiredApprovals: 2, requiredRejections: 2 });
    const two = decideVote(proposal, [{ voterId: 'a', decision: 'approve' }], { voterId: 'b', voterRole: 'governance_board', decision: 'approve' }, 2);
    assert.equal(two.ok && two.outcome, 'activate');
  });
});
