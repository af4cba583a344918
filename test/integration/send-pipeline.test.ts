/**
 * The send pipeline end to end, where only real parts show it: a batch against a slow SES within
 * the request's time budget and its same-key retry, the per-key minute limit exact under a burst
 * in one container, and the idempotency records on DynamoDB Local (progress taken over after the
 * lease; records written before per-message outcomes still replay).
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { sha256Hex } from '../../lambdas/shared/crypto';
import { dynamoDocumentClient } from '../../lambdas/shared/clients';
import { relayKeys } from '../../lambdas/relay/store/relay-table';
import { CLAIM_LEASE_MS, IdempotencyStore } from '../../lambdas/relay/store/idempotency-store';
import { requestFingerprint } from '../../lambdas/relay/send/http/send-routes';
import { parseSendRequest } from '../../lambdas/relay/send/message/request';
import { call, createTenant, onboard, startTestSystem, type TestSystem } from '../support/system';
import { createTestTables, testWiring } from '../support/dynamo';
import { droppingDocumentClient } from '../support/dropping-client';

jest.setTimeout(180_000);

let system: TestSystem;
const message = (i: number) => ({ to: `r${i}@example.com`, from_email: 'hello@pipeline.dev', subject: `Message ${i}`, message: 'Body' });
const mailboxOf = (accountId: string) => system.simulator.mailbox().filter((m) => m.account_id === accountId);
type Result = { index: number; success: boolean; error?: string; detail?: string };

beforeAll(async () => {
  system = await startTestSystem('pipeline');
});
afterAll(() => system?.stop());

test.each([
  [3_000, '474747474747'],
  [4_800, '484848484848'],
])('a 100-message batch against an SES answering in %i ms: 200 within the budget, unstarted messages not sent, a same-key retry sends only them', async (latencyMs, accountId) => {
  const tenant = await createTenant(system, 'byoc', { sends_per_minute: 1000 });
  await onboard(system, tenant.apiKey, { accountId, domain: 'pipeline.dev' });
  const body = { messages: Array.from({ length: 100 }, (_, i) => message(i)) };
  const headers = { 'idempotency-key': `slow-${latencyMs}` };
  // A warm function: the role's session is cached (SES answers slowly, not STS).
  expect((await call(system.relayUrl, 'POST', '/api/send', { apiKey: tenant.apiKey, body: message(-1) })).status).toBe(200);
  system.simulator.setLatency(latencyMs);
  try {
    const started = system.clock.now();
    const first = await call(system.relayUrl, 'POST', '/api/send/batch', { apiKey: tenant.apiKey, body, headers });
    // Answered before the Lambda's 28 s timeout (virtual time), with per-message results.
    expect(system.clock.now() - started).toBeLessThan(28_000);
    expect(first.status).toBe(200);
    const results = first.body.results as Result[];
    const sent = results.filter((r) => r.success).length;
    const unstarted = results.filter((r) => r.error === 'time_budget_exhausted');
    expect(sent).toBeGreaterThan(0);
    expect(unstarted.length).toBeGreaterThan(0);
    expect(unstarted[0]!.detail).toMatch(/Not sent.*same Idempotency-Key/);
    // Nothing else: SES answers within the 5 s attempt timeout, so no attempt's outcome is unknown
    // (the test bed's clock holds still while a call's answer is on its way).
    expect(results.filter((r) => !r.success && r.error !== 'time_budget_exhausted')).toEqual([]);
    // Nothing goes on after the answer: no message past the last one started.
    await system.clock.advance(60_000);
    const afterFirst = mailboxOf(accountId).length;
    expect(afterFirst).toBeLessThanOrEqual(1 + 100 - unstarted.length);

    // Same-key retries send the unstarted messages until every message has an outcome kept.
    let last = first;
    for (let round = 0; round < 6 && last.headers.get('idempotent-replayed') !== 'true'; round++) {
      last = await call(system.relayUrl, 'POST', '/api/send/batch', { apiKey: tenant.apiKey, body, headers });
      expect(last.status).toBe(200);
      await system.clock.advance(60_000);
    }
    const final = last.body.results as Result[];
    expect(final.every((r) => r.success || r.error === 'ses_outcome_unknown')).toBe(true);
    const subjects = mailboxOf(accountId).map((m) => m.subject);
    // Never a message twice; every accepted message arrived; only "may have been sent" ones can be missing.
    expect(new Set(subjects).size).toBe(subjects.length);
    for (const r of final.filter((f) => f.success)) expect(subjects).toContain(`Message ${r.index}`);
    expect(subjects.length).toBeGreaterThanOrEqual(1 + final.filter((r) => r.success).length);
  } finally {
    system.simulator.setLatency(0);
  }
});

describe('a burst on one container, its key and context cached', () => {
  let warm: TestSystem;
  beforeAll(async () => {
    warm = await startTestSystem('burst', { authCacheTtlMs: 600_000, sendContextTtlMs: 600_000 });
  });
  afterAll(() => warm?.stop());

  test('200 concurrent sends on a fresh BYOC key with a limit of 60: exactly 60 accepted', async () => {
    const tenant = await createTenant(warm, 'byoc', { sends_per_minute: 60 });
    await onboard(warm, tenant.apiKey, { accountId: '494949494949', domain: 'pipeline.dev' });
    // A warm function: the key, the context and the session are cached before the minute starts.
    expect((await call(warm.relayUrl, 'POST', '/api/send', { apiKey: tenant.apiKey, body: message(-1) })).status).toBe(200);
    await warm.clock.advanceToNextMinute();
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => call(warm.relayUrl, 'POST', '/api/send', { apiKey: tenant.apiKey, body: message(i) })));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(60);
    expect(statuses.filter((s) => s === 429)).toHaveLength(140);
    expect(warm.simulator.mailbox().filter((m) => m.account_id === '494949494949')).toHaveLength(61);
  });
});

describe('idempotency records on DynamoDB', () => {
  let store: IdempotencyStore;
  beforeAll(async () => {
    const tables = await createTestTables('idem');
    store = new IdempotencyStore(dynamoDocumentClient(testWiring()), tables.relay);
  });
  const at = (ms: number) => new Date(Date.parse('2026-12-04T10:00:00Z') + ms);

  test('a claim that died is taken over after its lease with what it recorded; its in-flight messages are known', async () => {
    expect(await store.claim('t1', 'k', 'r', at(0))).toEqual({ kind: 'claimed' });
    await store.record('t1', 'k', [0, 1, 2], []);
    await store.record('t1', 'k', [3], [{ index: 0, message_id: 'm0' }, { index: 1, error: 'ses_rejected', detail: 'no' }]);
    expect(await store.claim('t1', 'k', 'r', at(1_000))).toEqual({ kind: 'in_progress' });
    expect(await store.claim('t1', 'k', 'other', at(1_000))).toEqual({ kind: 'mismatch' });
    const taken = await store.claim('t1', 'k', 'r', at(CLAIM_LEASE_MS + 1));
    expect(taken).toEqual({ kind: 'claimed', earlier: { started: [0, 1, 2, 3], results: expect.arrayContaining([{ index: 0, message_id: 'm0' }, { index: 1, error: 'ses_rejected', detail: 'no' }]), unknown: false } });
    // The takeover holds a new lease: a second retry waits.
    expect(await store.claim('t1', 'k', 'r', at(CLAIM_LEASE_MS + 2))).toEqual({ kind: 'in_progress' });
  });

  test('a reopened claim is taken over at once with its kept outcomes and nothing in flight; a completed one replays', async () => {
    await store.claim('t1', 'k2', 'r', at(0), { started: [0] });
    await store.reopen('t1', 'k2', [{ index: 0, message_id: 'm0' }]);
    expect(await store.claim('t1', 'k2', 'r', at(1))).toEqual({ kind: 'claimed', earlier: { started: [], results: [{ index: 0, message_id: 'm0' }], unknown: false } });
    await store.complete('t1', 'k2', { messages: [{ index: 0, message_id: 'm0' }, { index: 1, message_id: 'm1' }] });
    expect(await store.claim('t1', 'k2', 'r', at(2))).toEqual({ kind: 'replay', outcome: { messages: [{ index: 0, message_id: 'm0' }, { index: 1, message_id: 'm1' }] } });
  });

  test('a claim or a takeover whose answer was lost is still ours when the SDK retries it (no 409, no "may have been sent")', async () => {
    const lossy = droppingDocumentClient({ operations: ['PutItem', 'UpdateItem'], drop: (_, attempt) => attempt === 1 });
    const tables = await createTestTables('idemlost');
    const lost = new IdempotencyStore(lossy.db, tables.relay);
    try {
      // A single send's claim: the Put applied, its answer lost, the retry fails its condition.
      expect(await lost.claim('t1', 'k', 'r', at(0), { started: [0] })).toEqual({ kind: 'claimed' });
      expect(lossy.dropped()).toBe(1);
      // Someone else's claim is still seen as someone else's.
      expect(await lost.claim('t1', 'k', 'r', at(1))).toEqual({ kind: 'in_progress' });
      // A takeover after the lease: its update applied, its answer lost; it still learns what it took over.
      await lost.record('t1', 'k', [1], [{ index: 0, message_id: 'm0' }]);
      const taken = await lost.claim('t1', 'k', 'r', at(CLAIM_LEASE_MS + 1), { started: [2] });
      expect(taken).toEqual({ kind: 'claimed', earlier: { started: [0, 1], results: [{ index: 0, message_id: 'm0' }], unknown: false } });
      expect(lossy.dropped()).toBe(3);
    } finally {
      lossy.destroy();
    }
  });

  test('reopening keeps the outcomes an earlier run kept: results merge message by message', async () => {
    await store.claim('t1', 'k3', 'r', at(0));
    await store.reopen('t1', 'k3', [{ index: 0, message_id: 'm0' }]);
    await store.claim('t1', 'k3', 'r', at(1));
    await store.reopen('t1', 'k3', [{ index: 1, message_id: 'm1' }]);
    const again = await store.claim('t1', 'k3', 'r', at(2));
    expect(again).toEqual({ kind: 'claimed', earlier: { started: [], results: expect.arrayContaining([{ index: 0, message_id: 'm0' }, { index: 1, message_id: 'm1' }]), unknown: false } });
    expect(again.kind === 'claimed' && again.earlier?.results).toHaveLength(2);
  });
});

test('records written before per-message outcomes (with http_status) still replay through /api/send and the batch route', async () => {
  const tenant = await createTenant(system, 'byoc', { sends_per_minute: 1000 });
  await onboard(system, tenant.apiKey, { accountId: '505050505050', domain: 'pipeline.dev' });
  const db = dynamoDocumentClient(testWiring());
  const nowSeconds = Math.floor(system.clock.now() / 1000);
  const legacy = async (key: string, requestHash: string, outcome: Record<string, unknown>) => db.send(new PutCommand({
    TableName: system.tables.relay,
    Item: { ...relayKeys.idempotency(tenant.tenantId, sha256Hex(key)), request_hash: requestHash, state: 'done', outcome, expires_at: nowSeconds + 3600 },
  }));
  await legacy('old-accepted', requestFingerprint(tenant.tenantId, parseSendRequest(message(1))), { http_status: 200, message_id: 'old-id-1' });
  await legacy('old-unknown', requestFingerprint(tenant.tenantId, parseSendRequest(message(2))), { http_status: 502, error: 'ses_outcome_unknown', detail: 'Amazon SES did not answer in time.' });
  const batchBody = { messages: [message(3), message(4)] };
  await legacy('old-batch', sha256Hex(JSON.stringify(['batch', tenant.tenantId, batchBody])), { http_status: 200, results: [{ index: 0, success: true, message_id: 'old-id-3' }, { index: 1, success: false, error: 'ses_rejected', detail: 'Refused.' }] });

  const accepted = await call(system.relayUrl, 'POST', '/api/send', { apiKey: tenant.apiKey, body: message(1), headers: { 'idempotency-key': 'old-accepted' } });
  expect(accepted).toMatchObject({ status: 200, body: { message_id: 'old-id-1' } });
  expect(accepted.headers.get('idempotent-replayed')).toBe('true');
  const unknown = await call(system.relayUrl, 'POST', '/api/send', { apiKey: tenant.apiKey, body: message(2), headers: { 'idempotency-key': 'old-unknown' } });
  expect(unknown).toMatchObject({ status: 502, body: { error: 'ses_outcome_unknown', detail: 'Amazon SES did not answer in time.' } });
  const batch = await call(system.relayUrl, 'POST', '/api/send/batch', { apiKey: tenant.apiKey, body: batchBody, headers: { 'idempotency-key': 'old-batch' } });
  expect(batch.body).toEqual({ success: true, results: [{ index: 0, success: true, message_id: 'old-id-3' }, { index: 1, success: false, error: 'ses_rejected', detail: 'Refused.' }] });
  expect(mailboxOf('505050505050')).toHaveLength(0);
});
