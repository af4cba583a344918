/**
 * The send pipeline on its ports, with a virtual clock and in-memory ports: the per-key window, the
 * Starter month, the overlap of the window with SES, what a customer is told after every kind of
 * failure (before SES, after SES accepted, outcome unknown), and batches: one window, one claim,
 * per-message outcomes, the time budget, and a run that dies mid-way.
 */
import type { PreparedMessage } from '../../lambdas/relay/send/message/prepared';
import type { Principal } from '../../lambdas/relay/auth/authenticator';
import type { ByocConfig } from '../../lambdas/relay/store/config-store';
import type { DomainRecord } from '../../lambdas/relay/store/domain-store';
import type { CustomerAccount, CustomerAccounts } from '../../lambdas/relay/customer-account/customer-account';
import { AwsUnavailableError, DeadlinePassedError, SesOutcomeUnknownError, SesPermissionDeniedError, SesRefusedError, SesThrottledError } from '../../lambdas/relay/customer-account/errors';
import { CLAIM_LEASE_MS, type Claim, type StoredOutcome, type StoredResult } from '../../lambdas/relay/store/idempotency-store';
import { utcMinute, type RateWindow, type StarterReservation } from '../../lambdas/relay/store/limits-store';
import { RateGuard } from '../../lambdas/relay/send/rate-guard';
import { createSendPipeline, type RefusedItem, type SendItem, type SendOutcome } from '../../lambdas/relay/send/pipeline';
import type { SendContext } from '../../lambdas/relay/send/send-context';
import type { SendRequest } from '../../lambdas/relay/send/message/request';
import { createLogger } from '../../lambdas/shared/logger';
import { VirtualClock } from '../../local/virtual-clock';

const NOW = new Date('2026-12-02T10:00:05Z');
const TENANT = 'ten_core';
const log = createLogger();

const config = (overrides: Partial<ByocConfig> = {}): ByocConfig => ({
  tenant_id: TENANT, external_id: 'e'.repeat(48), role_arn: 'arn:aws:iam::333333333333:role/SendFleet-BYOC-Role', region: 'eu-west-1',
  status: 'validated', validated_at: NOW.toISOString(), checks: null, revision: 1, updated_at: NOW.toISOString(), ...overrides,
});
const domain = (overrides: Partial<DomainRecord> = {}): DomainRecord => ({
  tenant_id: TENANT, domain: 'acme.com', region: 'eu-west-1', verification_token: 't', dkim_tokens: ['a', 'b', 'c'], mail_from_domain: 'send.acme.com',
  ownership_status: 'Success', dkim_status: 'Success', mail_from_status: 'Success', created_at: NOW.toISOString(), checked_at: null, ...overrides,
});
const request: SendRequest = { to: ['a@example.com'], fromEmail: 'hello@acme.com', fromDomain: 'acme.com', subject: 'Hi', text: 'Body', replyTo: [], cc: [], bcc: [], headers: [], tags: [], attachments: [] };
const message: PreparedMessage = { request };
const principal = (monthly: number | null, perMinute = 3): Principal => ({
  tenantId: TENANT, keyId: 'key_1', keyExpiresAt: null, scope: 'full_access', domains: null,
  profile: { plan: monthly === null ? 'byoc' : 'starter', status: 'active', sends_per_minute: perMinute, monthly_sends: monthly } as Principal['profile'],
});

const events: string[] = [];

class Windows {
  readonly counts = new Map<string, number>();
  fail = false;
  async hitRateWindow(keyId: string, limit: number, at: Date): Promise<RateWindow> {
    events.push('window-start');
    await new Promise((resolve) => setImmediate(resolve));
    events.push('window-done');
    if (this.fail) throw Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' });
    const key = `${keyId}|${utcMinute(at)}`;
    const count = this.counts.get(key) ?? 0;
    if (count >= limit) return { count: limit + 1, limit, allowed: false, resetInSeconds: 60 - at.getUTCSeconds() };
    this.counts.set(key, count + 1);
    return { count: count + 1, limit, allowed: true, resetInSeconds: 60 - at.getUTCSeconds() };
  }
}

class Usage {
  used = 0;
  windowHits = 0;
  async reserveStarter(_tenant: string, _key: string, limits: { perMinute: number; perMonth: number }, at: Date): Promise<StarterReservation> {
    const rate = { count: 1, limit: limits.perMinute, allowed: true, resetInSeconds: 60 - at.getUTCSeconds() };
    if (this.used >= limits.perMonth) return { reserved: false, month: '2026-12', used: this.used, rate };
    this.used += 1;
    return { reserved: true, month: '2026-12', used: this.used, rate };
  }
  async hitStarterWindow(_tenant: string, _key: string, perMinute: number, at: Date): Promise<RateWindow> {
    this.windowHits += 1;
    return { count: this.windowHits, limit: perMinute, allowed: this.windowHits <= perMinute, resetInSeconds: 60 - at.getUTCSeconds() };
  }
  /** Monthly reservations (numbered from 1) whose write fails. */
  failMonthly = new Set<number>();
  private monthlyCalls = 0;
  async reserveMonthly(_tenant: string, perMonth: number): Promise<{ reserved: boolean; month: string }> {
    this.monthlyCalls += 1;
    if (this.failMonthly.has(this.monthlyCalls)) throw Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' });
    if (this.used >= perMonth) return { reserved: false, month: '2026-12' };
    this.used += 1;
    return { reserved: true, month: '2026-12' };
  }
  async releaseMonthly(): Promise<void> { this.used -= 1; }
}

interface KeyItem { requestHash: string; leaseUntil: number; started: Set<number>; results: Map<number, StoredResult>; outcome?: StoredOutcome }

/** The idempotency store's semantics in memory: claim, lease, takeover with progress, record, reopen. */
class Idempotency {
  readonly items = new Map<string, KeyItem>();
  failComplete = false;
  /** The process died: its writes never land. */
  frozen = false;
  writes = 0;
  async claim(_tenant: string, keyHash: string, requestHash: string, now: Date, options: { started?: number[] } = {}): Promise<Claim> {
    this.writes += 1;
    const item = this.items.get(keyHash);
    if (!item) {
      this.items.set(keyHash, { requestHash, leaseUntil: now.getTime() + CLAIM_LEASE_MS, started: new Set(options.started), results: new Map() });
      return { kind: 'claimed' };
    }
    if (item.requestHash !== requestHash) return { kind: 'mismatch' };
    if (item.outcome) return { kind: 'replay', outcome: item.outcome };
    if (item.leaseUntil >= now.getTime()) return { kind: 'in_progress' };
    const earlier = { started: [...item.started], results: [...item.results.values()], unknown: false };
    item.leaseUntil = now.getTime() + CLAIM_LEASE_MS;
    for (const index of options.started ?? []) item.started.add(index);
    return { kind: 'claimed', earlier };
  }
  async record(_tenant: string, keyHash: string, started: number[], results: StoredResult[]): Promise<void> {
    this.writes += 1;
    if (this.hang) return new Promise(() => undefined);
    if (this.frozen) return new Promise(() => undefined);
    const item = this.items.get(keyHash)!;
    started.forEach((i) => item.started.add(i));
    results.forEach((r) => item.results.set(r.index, r));
  }
  /** DynamoDB stops answering (the writes never return). */
  hang = false;
  async complete(_tenant: string, keyHash: string, outcome: StoredOutcome): Promise<void> {
    this.writes += 1;
    if (this.hang) return new Promise(() => undefined);
    if (this.frozen) return new Promise(() => undefined);
    if (this.failComplete) throw Object.assign(new Error('x'), { name: 'ThrottlingException' });
    this.items.get(keyHash)!.outcome = outcome;
  }
  async reopen(_tenant: string, keyHash: string, results: StoredResult[]): Promise<void> {
    this.writes += 1;
    const item = this.items.get(keyHash)!;
    results.forEach((r) => item.results.set(r.index, r));
    item.started.clear();
    item.leaseUntil = 0;
  }
  async release(_tenant: string, keyHash: string): Promise<void> { this.writes += 1; this.items.delete(keyHash); }
}

class Contexts {
  cached: SendContext = { config: config(), domains: [domain()] };
  stored: SendContext = this.cached;
  freshReads = 0;
  async load(_tenant: string, options: { fresh?: boolean } = {}): Promise<SendContext> {
    if (options.fresh) { this.freshReads += 1; return this.stored; }
    return this.cached;
  }
}

class Accounts implements CustomerAccounts {
  sends = 0;
  /** What SES received, by subject: a message sent twice shows twice. */
  readonly mailbox: string[] = [];
  answers: Array<() => Promise<string>> = [];
  /** Milliseconds each SES call takes, on the virtual clock. */
  latencyMs = 0;
  /** When set, the process "dies" at this send: this and every later call never returns. */
  dieAtSend?: number;
  open(_target: unknown, options: { deadline?: number } = {}): CustomerAccount {
    const send = async (input: PreparedMessage) => {
      // No attempt starts after the deadline (the real account's check).
      if (clock.now() > (options.deadline ?? Infinity)) throw new DeadlinePassedError('SendEmail');
      events.push('ses');
      this.sends += 1;
      if (this.dieAtSend !== undefined && this.sends >= this.dieAtSend) {
        idempotency.frozen = true; // the process is gone: nothing it had not written yet will be
        return new Promise<string>(() => undefined);
      }
      if (this.latencyMs > 0) await clock.sleep(this.latencyMs);
      const answer = this.answers.shift();
      const id = answer ? await answer() : `msg-${this.sends}`;
      this.mailbox.push(input.request.subject);
      return id;
    };
    return { send } as unknown as CustomerAccount;
  }
}

let windows: Windows; let usage: Usage; let idempotency: Idempotency; let contexts: Contexts; let accounts: Accounts; let guard: RateGuard;
let clock: VirtualClock;
beforeEach(() => {
  windows = new Windows(); usage = new Usage(); idempotency = new Idempotency(); contexts = new Contexts(); accounts = new Accounts(); guard = new RateGuard();
  clock = new VirtualClock({ start: NOW.getTime() });
  events.length = 0;
});
const pipeline = () => createSendPipeline({ contexts, rateWindows: windows, usage, idempotency, accounts, rateGuard: guard, relayAccountId: '111111111111', clock });
const item: SendItem = { index: 0, request, message };
const send = (monthly: number | null = null, key?: string, perMinute = 3): Promise<SendOutcome> =>
  pipeline()({ items: [item], principal: principal(monthly, perMinute), log, idempotency: key ? { keyHash: key, requestHash: 'r' } : undefined });
/** The answer's code: the request's refusal, or its one message's outcome. */
const codeOf = (outcome: SendOutcome) => (outcome.kind === 'refused' ? outcome.refusal.code : outcome.messages[0]!.accepted ? 'accepted' : outcome.messages[0]!.refusal.code);
const refusalOf = (outcome: SendOutcome) => (outcome.kind === 'refused' ? outcome.refusal : outcome.messages[0]!.accepted ? undefined : outcome.messages[0]!.refusal);

describe('per-key window (BYOC)', () => {
  test('the limit holds within a minute and opens again in the next', async () => {
    const codes = [];
    for (let i = 0; i < 5; i++) codes.push(codeOf(await send(null)));
    expect(codes).toEqual(['accepted', 'accepted', 'accepted', 'rate_limited', 'rate_limited']);
    expect(accounts.sends).toBe(3);
    await clock.advanceTo(Date.parse('2026-12-02T10:01:00Z'));
    expect(codeOf(await send(null))).toBe('accepted');
  });

  test('a refusal carries the window and Retry-After until the minute ends', async () => {
    for (let i = 0; i < 3; i++) await send(null);
    const outcome = await send(null);
    expect(outcome).toMatchObject({ kind: 'refused', rate: { allowed: false, limit: 3 } });
    expect(refusalOf(outcome)?.retryAfterSeconds).toBe(55);
  });

  test('far below the limit the window is counted alongside SES, near it before SES', async () => {
    guard = new RateGuard(0.5);
    await send(null, undefined, 4); // no estimate yet: counted before SES
    expect(events).toEqual(['window-start', 'window-done', 'ses']);
    events.length = 0;
    await send(null, undefined, 4); // estimate 1 of 4, this one makes 2 = half: overlapped
    expect(events).toEqual(['window-start', 'ses', 'window-done']);
    events.length = 0;
    await send(null, undefined, 4); // 3 of 4 would pass half the limit: counted first again
    expect(events).toEqual(['window-start', 'window-done', 'ses']);
    expect(windows.counts.get(`key_1|${utcMinute(NOW)}`)).toBe(3);
  });

  test('a window write that fails after SES accepted does not change the answer', async () => {
    guard = new RateGuard(0.5);
    await send(null, undefined, 10);
    windows.fail = true;
    expect(codeOf(await send(null, undefined, 10))).toBe('accepted');
  });
});

describe('Starter month', () => {
  test('exactly the plan\'s sends are accepted; the rest are usage_limit_exceeded and not sent', async () => {
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push(codeOf(await send(2, undefined, 100)));
    expect(codes).toEqual(['accepted', 'accepted', 'usage_limit_exceeded', 'usage_limit_exceeded']);
    expect(usage.used).toBe(2);
    expect(accounts.sends).toBe(2);
  });

  test.each([
    ['SES refused the message', new SesRefusedError('SendEmail', 'MessageRejected'), 'ses_rejected'],
    ['SES throttled for the whole budget', new SesThrottledError('SendEmail', false), 'ses_throttled'],
    ['SES unavailable', new AwsUnavailableError('ses', 'SendEmail', 'InternalFailure'), 'ses_unavailable'],
    ['the role may not send', new SesPermissionDeniedError('ses:SendEmail'), 'missing_permission'],
  ])('%s: proven not sent, so the month is given back', async (_what, error, code) => {
    accounts.answers.push(async () => { throw error; });
    expect(codeOf(await send(5))).toBe(code);
    expect(usage.used).toBe(0);
  });

  test('a single send whose time budget ended before its attempt gives its month back', async () => {
    const late = await pipeline()({ items: [item], principal: principal(5, 100), log, receivedAt: NOW.getTime() - 25_000 });
    expect(codeOf(late)).toBe('time_budget_exhausted');
    expect(accounts.sends).toBe(0);
    expect(usage.used).toBe(0);
  });

  test('an unknown outcome stays counted (it may have been sent)', async () => {
    accounts.answers.push(async () => { throw new SesOutcomeUnknownError('SendEmail', 'TimeoutError'); });
    expect(codeOf(await send(5))).toBe('ses_outcome_unknown');
    expect(usage.used).toBe(1);
  });
});

describe('Idempotency-Key', () => {
  test('a replay sends nothing and answers the first message id; another request with the key is refused', async () => {
    const first = await send(null, 'k1');
    const again = await send(null, 'k1');
    expect(again).toMatchObject({ kind: 'done', replayed: true, messages: [{ accepted: true, messageId: first.kind === 'done' && first.messages[0]!.accepted ? first.messages[0]!.messageId : 'x' }] });
    expect(accounts.sends).toBe(1);
    idempotency.items.get('k1')!.requestHash = 'other';
    expect(codeOf(await send(null, 'k1'))).toBe('idempotency_key_reused');
  });

  test('after SES accepted, a failed completion still answers 200 and never frees the key', async () => {
    idempotency.failComplete = true;
    expect(codeOf(await send(5, 'k2'))).toBe('accepted');
    expect(idempotency.items.has('k2')).toBe(true);
    expect(usage.used).toBe(1);
    // The retry finds the key still claimed: it is told to wait, and nothing is sent twice.
    expect(codeOf(await send(5, 'k2'))).toBe('idempotency_in_progress');
    expect(accounts.sends).toBe(1);
  });

  test('an unknown outcome is kept for the key: the retry gets it again and sends nothing', async () => {
    accounts.answers.push(async () => { throw new SesOutcomeUnknownError('SendEmail', 'TimeoutError'); });
    expect(codeOf(await send(5, 'k3'))).toBe('ses_outcome_unknown');
    const retry = await send(5, 'k3');
    expect(retry).toMatchObject({ kind: 'done', replayed: true, messages: [{ accepted: false, refusal: { code: 'ses_outcome_unknown' } }] });
    expect(accounts.sends).toBe(1);
  });

  test('SES\'s refusal is kept; a failure that may pass on retry (throttling, permissions) frees the key', async () => {
    accounts.answers.push(async () => { throw new SesRefusedError('SendEmail', 'MessageRejected'); });
    await send(null, 'k4');
    expect(idempotency.items.get('k4')?.outcome).toEqual({ messages: [{ index: 0, error: 'ses_rejected', detail: expect.stringMatching(/MessageRejected/) }] });
    accounts.answers.push(async () => { throw new SesPermissionDeniedError('ses:SendEmail'); });
    await send(null, 'k5');
    expect(idempotency.items.has('k5')).toBe(false);
  });
});

describe('fresh state before a refusal', () => {
  test('a validation that just passed is honoured even while the cache says invalid', async () => {
    contexts.cached = { config: config({ status: 'invalid' }), domains: [domain()] };
    expect(codeOf(await send(null))).toBe('accepted');
    expect(contexts.freshReads).toBe(1);
  });

  test('a domain verified a moment ago is honoured; a real "no" is still refused after one fresh read', async () => {
    contexts.cached = { config: config(), domains: [domain({ dkim_status: 'Pending' })] };
    expect(codeOf(await send(null))).toBe('accepted');
    contexts.stored = contexts.cached;
    expect(codeOf(await send(null))).toBe('dkim_not_verified');
    expect(contexts.freshReads).toBe(2);
  });
});

/** Lets work on fakes run until it waits for nothing but the clock or hangs. */
const untilIdle = async () => {
  for (let i = 0; i < 200; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('batches', () => {
  const itemAt = (index: number, subject = `Message ${index}`): SendItem => {
    const r = { ...request, subject };
    return { index, request: r, message: { request: r } };
  };
  const batchOf = (size: number) => Array.from({ length: size }, (_, i) => itemAt(i));
  const sendBatch = (items: Array<SendItem | RefusedItem>, options: { monthly?: number | null; key?: string; perMinute?: number } = {}) =>
    pipeline()({ items, principal: principal(options.monthly ?? null, options.perMinute ?? 1000), log, idempotency: options.key ? { keyHash: options.key, requestHash: 'batch' } : undefined });
  const outcomesOf = (outcome: SendOutcome) => (outcome.kind === 'done' ? outcome.messages : []);
  const codes = (outcome: SendOutcome) => outcomesOf(outcome).map((m) => (m.accepted ? 'accepted' : m.refusal.code));

  test('one window count, one claim, per-message outcomes in order, each message sent once', async () => {
    const items = [itemAt(0), { index: 1, refusal: { code: 'invalid_request' as const, detail: 'bad to' } }, itemAt(2)];
    const outcome = await sendBatch(items, { key: 'b1' });
    expect(codes(outcome)).toEqual(['accepted', 'invalid_request', 'accepted']);
    expect(windows.counts.get(`key_1|${utcMinute(NOW)}`)).toBe(1);
    expect(accounts.mailbox.sort()).toEqual(['Message 0', 'Message 2']);
    // Every outcome is kept: the retry replays them and sends nothing.
    const again = await sendBatch(items, { key: 'b1' });
    expect(again).toMatchObject({ kind: 'done', replayed: true });
    expect(codes(again)).toEqual(['accepted', 'invalid_request', 'accepted']);
    expect(accounts.sends).toBe(2);
  });

  test('a message too large is kept for the key like any own-validation verdict: the batch completes and its retry replays', async () => {
    const items = [itemAt(0), { index: 1, refusal: { code: 'request_too_large' as const, detail: 'too big' } }];
    expect(codes(await sendBatch(items, { key: 'big' }))).toEqual(['accepted', 'request_too_large']);
    const again = await sendBatch(items, { key: 'big' });
    expect(again).toMatchObject({ kind: 'done', replayed: true });
    expect(codes(again)).toEqual(['accepted', 'request_too_large']);
    // The stored verdict is the code alone; the detail comes from this request's own validation.
    expect(idempotency.items.get('big')?.outcome?.messages?.[1]).toEqual({ index: 1, error: 'request_too_large' });
    expect(outcomesOf(again)[1]).toMatchObject({ refusal: { detail: 'too big' } });
    expect(accounts.sends).toBe(1);
  });

  test('Starter: the window counts the batch once, the month each message; the month runs out message by message', async () => {
    const outcome = await sendBatch(batchOf(5), { monthly: 3, perMinute: 2 });
    expect(codes(outcome)).toEqual(['accepted', 'accepted', 'accepted', 'usage_limit_exceeded', 'usage_limit_exceeded']);
    expect(usage.windowHits).toBe(1);
    expect(usage.used).toBe(3);
  });

  test('Starter: a month reservation that fails is that message\'s "not sent" (retryable); the others go on and the request answers', async () => {
    usage.failMonthly = new Set([2]);
    const outcome = await sendBatch(batchOf(5), { monthly: 10, key: 'month' });
    expect(outcome.kind).toBe('done');
    const failed = outcomesOf(outcome).filter((m) => !m.accepted);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ refusal: { code: 'upstream_unavailable', detail: expect.stringMatching(/^Not sent/) } });
    expect(accounts.mailbox).toHaveLength(4);
    expect(usage.used).toBe(4);
    // The key was reopened, not left in progress: the same-key retry sends only the message left.
    const retry = await sendBatch(batchOf(5), { monthly: 10, key: 'month' });
    expect(codes(retry)).toEqual(Array(5).fill('accepted'));
    expect(accounts.mailbox).toHaveLength(5);
    expect(new Set(accounts.mailbox).size).toBe(5);
  });

  test('a window already full refuses the whole batch before anything is sent', async () => {
    for (let i = 0; i < 3; i++) await send(null);
    const outcome = await sendBatch(batchOf(3), { perMinute: 3 });
    expect(outcome).toMatchObject({ kind: 'refused', refusal: { code: 'rate_limited' } });
    expect(accounts.sends).toBe(3);
  });

  test('slow SES: no attempt starts after the budget, the rest are not sent (retryable), and a same-key retry sends only them', async () => {
    accounts.latencyMs = 3_000;
    const starts: number[] = [];
    const open = accounts.open.bind(accounts);
    accounts.open = (target, options) => {
      const account = open(target, options);
      return { ...account, send: (input: PreparedMessage) => { starts.push(clock.now()); return account.send(input); } } as CustomerAccount;
    };
    const first = await sendBatch(batchOf(100), { key: 'slow' });
    const sentFirst = outcomesOf(first).filter((m) => m.accepted).length;
    expect(sentFirst).toBeGreaterThan(0);
    expect(sentFirst).toBeLessThan(100);
    expect(new Set(codes(first))).toEqual(new Set(['accepted', 'time_budget_exhausted']));
    expect(Math.max(...starts)).toBeLessThanOrEqual(NOW.getTime() + 20_000);
    // The answer came within the budget plus one SES call.
    expect(clock.now()).toBeLessThanOrEqual(NOW.getTime() + 20_000 + 3_000);
    expect(accounts.mailbox).toHaveLength(sentFirst);

    const retry = await sendBatch(batchOf(100), { key: 'slow' });
    expect(codes(retry).filter((c) => c === 'accepted').length).toBeGreaterThan(sentFirst);
    const third = await sendBatch(batchOf(100), { key: 'slow' });
    expect(codes(third)).toEqual(Array(100).fill('accepted'));
    expect(accounts.mailbox).toHaveLength(100);
    expect(new Set(accounts.mailbox).size).toBe(100);
  });

  test.each([3, 20])('a run that dies after %i messages: the retry after the lease sends the rest, never one twice', async (k) => {
    accounts.dieAtSend = k + 1;
    const dying = sendBatch(batchOf(100), { key: `die${k}` });
    let answered = false;
    void dying.then(() => { answered = true; });
    await untilIdle();
    expect(answered).toBe(false);
    const delivered = [...accounts.mailbox];
    expect(delivered).toHaveLength(k);
    accounts.dieAtSend = undefined;
    idempotency.frozen = false;
    await clock.advance(61_000);

    const retry = await sendBatch(batchOf(100), { key: `die${k}` });
    const mayHaveBeenSent = outcomesOf(retry).filter((m) => !m.accepted);
    expect(mayHaveBeenSent.every((m) => !m.accepted && m.refusal.code === 'ses_outcome_unknown' && /earlier attempt/.test(m.refusal.detail))).toBe(true);
    // At most the messages in flight when it died (the pool's width) are unknown; none is sent twice.
    expect(mayHaveBeenSent.length).toBeLessThanOrEqual(8);
    expect(new Set(accounts.mailbox).size).toBe(accounts.mailbox.length);
    expect(accounts.mailbox.length + mayHaveBeenSent.length - delivered.filter((s) => mayHaveBeenSent.some((m) => `Message ${m.index}` === s)).length).toBe(100);
  });

  test('a same-key retry applies what earlier runs did before the readiness check: a message sent once is never refused nor sent again', async () => {
    const fromB = { ...request, fromEmail: 'hi@b.com', fromDomain: 'b.com', subject: 'Message 0' };
    const items: SendItem[] = [{ index: 0, request: fromB, message: { request: fromB } }, itemAt(1)];
    const bDomain = (dkim: DomainRecord['dkim_status']) => domain({ domain: 'b.com', mail_from_domain: 'send.b.com', dkim_status: dkim });
    const setDkim = (dkim: DomainRecord['dkim_status']) => { contexts.cached = contexts.stored = { config: config(), domains: [domain(), bDomain(dkim)] }; };
    setDkim('Success');
    let throttleM1 = true;
    const open = accounts.open.bind(accounts);
    accounts.open = (target, options) => {
      const account = open(target, options);
      return {
        ...account,
        send: async (input: PreparedMessage) => {
          if (input.request.subject === 'Message 1' && throttleM1) throw new SesThrottledError('SendEmail', false);
          return account.send(input);
        },
      } as CustomerAccount;
    };
    // Run 1: m0 accepted, m1 throttled (may pass on retry): the claim is reopened.
    expect(codes(await sendBatch(items, { key: 'dkim' }))).toEqual(['accepted', 'ses_throttled']);
    // Run 2: b.com's DKIM fails for a while; m0 was sent already, so it is answered as sent.
    setDkim('TemporaryFailure');
    throttleM1 = false;
    expect(codes(await sendBatch(items, { key: 'dkim' }))).toEqual(['accepted', 'accepted']);
    // Run 3: DKIM recovered; everything is kept, nothing goes out again.
    setDkim('Success');
    const third = await sendBatch(items, { key: 'dkim' });
    expect(codes(third)).toEqual(['accepted', 'accepted']);
    expect(accounts.mailbox.sort()).toEqual(['Message 0', 'Message 1']);
  });

  test('a single send that dies in SES: the retry after the lease says it may have been sent and sends nothing', async () => {
    accounts.dieAtSend = 1;
    void send(null, 'one');
    await untilIdle();
    accounts.dieAtSend = undefined;
    idempotency.frozen = false;
    await clock.advance(61_000);
    const retry = await send(null, 'one');
    expect(codeOf(retry)).toBe('ses_outcome_unknown');
    expect(accounts.sends).toBe(1);
  });
});

describe('the answer is bounded by the deadline plus one SES attempt', () => {
  const answerBy = NOW.getTime() + 20_000 + 5_000;
  const whenAnswered = (answer: Promise<SendOutcome>) => {
    const seen: { at?: number; outcome?: SendOutcome } = {};
    void answer.then((outcome) => { seen.at = clock.now(); seen.outcome = outcome; });
    return seen;
  };

  test('a final idempotency write that never returns: the answer still comes (accepted), by deadline + attempt timeout', async () => {
    idempotency.hang = true;
    const seen = whenAnswered(send(null, 'hung'));
    await untilIdle();
    await clock.advance(40_000);
    await untilIdle();
    expect(seen.at).toBeLessThanOrEqual(answerBy);
    expect(codeOf(seen.outcome!)).toBe('accepted');
  });

  test('progress writes that never return: the batch answers by then, its messages not sent', async () => {
    idempotency.hang = true;
    const items = Array.from({ length: 3 }, (_, i) => ({ index: i, request, message }));
    const seen = whenAnswered(pipeline()({ items, principal: principal(null, 100), log, idempotency: { keyHash: 'hung-batch', requestHash: 'b' } }));
    await untilIdle();
    await clock.advance(40_000);
    await untilIdle();
    expect(seen.at).toBeLessThanOrEqual(answerBy);
    expect(seen.outcome?.kind === 'done' && seen.outcome.messages.map((m) => !m.accepted && m.refusal.code)).toEqual(Array(3).fill('upstream_unavailable'));
    expect(accounts.sends).toBe(0);
  });
});

describe('a burst on one container', () => {
  /** The window in DynamoDB: each write lands 100 ms after it started, in order. */
  class SlowWindows extends Windows {
    override async hitRateWindow(keyId: string, limit: number, at: Date): Promise<RateWindow> {
      await clock.sleep(100);
      return super.hitRateWindow(keyId, limit, at);
    }
  }

  test('200 sends arriving 1 ms apart while window writes take 100 ms, limit 60: exactly 60 sent', async () => {
    windows = new SlowWindows();
    const send60 = pipeline();
    const answers: Array<Promise<SendOutcome>> = [];
    for (let i = 0; i < 200; i++) {
      answers.push(send60({ items: [item], principal: principal(null, 60), log }));
      await clock.sleep(1);
    }
    const codes = (await Promise.all(answers)).map(codeOf);
    expect(codes.filter((c) => c === 'accepted')).toHaveLength(60);
    expect(accounts.sends).toBe(60);
  });
});

describe('remote calls of a warm single send', () => {
  test('BYOC: one window write and one SES call (context from the cache, no other write)', async () => {
    await send(null, undefined, 100);
    events.length = 0;
    const writesBefore = idempotency.writes;
    await send(null, undefined, 100);
    expect(events.filter((e) => e === 'window-start')).toHaveLength(1);
    expect(events.filter((e) => e === 'ses')).toHaveLength(1);
    expect(idempotency.writes).toBe(writesBefore);
    expect(usage.windowHits).toBe(0);
    expect(contexts.freshReads).toBe(0);
  });

  test('Starter: one reservation (window and month in one write) and one SES call', async () => {
    const reserve = jest.spyOn(usage, 'reserveStarter');
    const monthly = jest.spyOn(usage, 'reserveMonthly');
    await send(5, undefined, 100);
    expect(reserve).toHaveBeenCalledTimes(1);
    expect(monthly).not.toHaveBeenCalled();
    expect(usage.windowHits).toBe(0);
    expect(events).toEqual(['ses']);
  });
});

test('a request whose messages all fail their own validation claims nothing and leaves the key alone', async () => {
  idempotency.items.set('held', { requestHash: 'other', leaseUntil: NOW.getTime() + CLAIM_LEASE_MS, started: new Set(), results: new Map() });
  const invalid = { index: 0, refusal: { code: 'invalid_request' as const, detail: 'bad to' } };
  const run = (key: string) => pipeline()({ items: [invalid], principal: principal(null), log, idempotency: { keyHash: key, requestHash: 'r' } });
  expect(codeOf(await run('held'))).toBe('invalid_request');
  expect(codeOf(await run('fresh'))).toBe('invalid_request');
  expect(idempotency.items.get('held')?.requestHash).toBe('other');
  expect(idempotency.items.has('fresh')).toBe(false);
  expect(idempotency.writes).toBe(0);
});

test('a message refused by the readiness check frees a key it claimed (nothing kept, nothing sent)', async () => {
  contexts.cached = { config: config(), domains: [] };
  contexts.stored = contexts.cached;
  expect(codeOf(await send(null, 'fresh'))).toBe('domain_not_registered');
  expect(idempotency.items.has('fresh')).toBe(false);
  expect(accounts.sends).toBe(0);
});

describe('a sending key limited to domains', () => {
  const restricted = (domains: string[]): Principal => ({ ...principal(null, 1000), scope: 'sending_access', domains });
  const from = (index: number, fromDomain: string): SendItem => {
    const r = { ...request, fromEmail: `hello@${fromDomain}`, fromDomain, subject: `Message ${index}` };
    return { index, request: r, message: { request: r } };
  };
  const run = (principalOf: Principal, items: SendItem[], key?: string) =>
    pipeline()({ items, principal: principalOf, log, idempotency: key ? { keyHash: key, requestHash: 'r' } : undefined });

  test('a from on another domain is refused before anything is counted, claimed or sent; a listed one is sent, in any case', async () => {
    const refusedOutcome = await run(restricted(['acme.com']), [from(0, 'other.com')], 'k1');
    expect(codeOf(refusedOutcome)).toBe('from_domain_not_allowed');
    expect(refusalOf(refusedOutcome)!.detail).toContain('only from acme.com, not from other.com');
    expect(refusedOutcome.rate).toBeUndefined();
    expect(windows.counts.size).toBe(0);
    expect(idempotency.writes).toBe(0);
    expect(events).toEqual([]);
    expect(codeOf(await run(restricted(['ACME.com']), [from(0, 'acme.com')]))).toBe('accepted');
    expect(accounts.sends).toBe(1);
  });

  test('exact domains only: a subdomain of a listed domain is another domain (the tenant\'s registered root would cover it)', async () => {
    expect(codeOf(await run(restricted(['acme.com']), [from(0, 'mail.acme.com')]))).toBe('from_domain_not_allowed');
    expect(codeOf(await run({ ...principal(null, 1000), scope: 'sending_access', domains: null }, [from(0, 'mail.acme.com')]))).toBe('accepted');
  });

  test('in a batch each message is judged on its own: the others are counted once and sent', async () => {
    const outcome = await run(restricted(['acme.com', 'acme.org']), [from(0, 'acme.com'), from(1, 'other.com'), from(2, 'acme.com')]);
    expect(outcome.kind === 'done' && outcome.messages.map((m) => (m.accepted ? 'accepted' : m.refusal.code))).toEqual(['accepted', 'from_domain_not_allowed', 'accepted']);
    expect(outcome.kind === 'done' && !outcome.messages[1]!.accepted && outcome.messages[1]!.refusal.detail).toContain('one of acme.com, acme.org');
    expect(windows.counts.get(`key_1|${utcMinute(NOW)}`)).toBe(1);
    expect(accounts.mailbox.sort()).toEqual(['Message 0', 'Message 2']);
  });

  test('a full-access key sends from any domain the tenant may use', async () => {
    expect(codeOf(await run(principal(null, 1000), [from(0, 'mail.acme.com')]))).toBe('accepted');
  });
});
