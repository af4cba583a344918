/**
 * Privacy, proven with canaries: distinctive strings in every content field of successful and failed
 * sends must never reach a table item, a log line or an error body. (They do reach the customer's
 * own SES mailbox in the simulator: that is the point of sending.)
 */
import type { LocalSystem } from '../../local/local-system';
import { setLogSink } from '../../lambdas/shared/logger';
import { flushMetrics } from '../../lambdas/shared/powertools';
import { scanAll } from '../support/dynamo';
import { call, createTenant, onboard, startTestSystem } from '../support/system';

jest.setTimeout(60_000);

let system: LocalSystem;
const logLines: string[] = [];
let restoreSink: () => void;

beforeAll(async () => {
  restoreSink = setLogSink((line) => logLines.push(line));
  system = await startTestSystem('privacy');
});
afterAll(async () => {
  restoreSink();
  await system?.stop();
});

test('no recipient, subject, body or sender name is stored, logged or echoed', async () => {
  const canary = (field: string) => `zqx${field}canary7`;
  const tenant = await createTenant(system, 'starter', { sends_per_minute: 1000 });
  await onboard(system, tenant.apiKey, { accountId: '131313131313', domain: 'privacy.dev' });
  // Back in the SES sandbox, so that SES refuses (and quotes) an unverified recipient.
  system.simulator.createAccount({ account_id: '131313131313', max_24_hour_send: 200 });
  system.simulator.verifyEmail('131313131313', { email: `${canary('to')}@example.com` });
  const body = {
    to: `${canary('to')}@example.com`, from_email: 'hello@privacy.dev', from_name: canary('fromname'),
    subject: canary('subject'), message: canary('text'), html: `<b>${canary('html')}</b>`, reply_to: `${canary('replyto')}@example.com`,
  };
  const responses = [
    await call(system.relayUrl, 'POST', '/api/send', { apiKey: tenant.apiKey, body, headers: { 'idempotency-key': canary('idemkey') } }),
    // SES refuses an unverified recipient in the sandbox, quoting the address in its message.
    await call(system.relayUrl, 'POST', '/api/send', { apiKey: tenant.apiKey, body: { ...body, to: `${canary('rejected')}@example.com` } }),
    // Validation failures on content fields.
    await call(system.relayUrl, 'POST', '/api/send', { apiKey: tenant.apiKey, body: { ...body, to: `${canary('badaddress')}` } }),
    await call(system.relayUrl, 'POST', '/api/send', { apiKey: tenant.apiKey, body: { ...body, subject: `${canary('crlf')}\r\nBcc: x@y.z` } }),
    await call(system.relayUrl, 'POST', '/api/send', { apiKey: tenant.apiKey, rawBody: `{"to":"${canary('json')}@example.com",` }),
  ];
  expect(responses.map((r) => r.status)).toEqual([200, 422, 400, 400, 400]);
  // The canaries did travel: the first message is in the customer's mailbox.
  expect(JSON.stringify(system.simulator.mailbox())).toContain(canary('subject'));

  // Whatever the last invocation left for its end-of-invocation flush is scanned too.
  flushMetrics();
  // Powertools' output reaches the scan: log lines and the EMF metrics of the sends.
  expect(logLines.some((line) => line.includes('"_aws"') && line.includes('"Sends"'))).toBe(true);
  const stored = JSON.stringify([...(await scanAll(system.tables.relay)), ...(await scanAll(system.tables.tenants))]);
  const logged = logLines.join('\n');
  const answered = JSON.stringify(responses.map((r) => r.body));
  expect(logLines.length).toBeGreaterThan(0);
  for (const field of ['to', 'fromname', 'subject', 'text', 'html', 'replyto', 'idemkey', 'rejected', 'badaddress', 'crlf', 'json']) {
    expect(stored).not.toContain(canary(field));
    expect(logged).not.toContain(canary(field));
    if (field !== 'to') expect(answered).not.toContain(canary(field));
  }
});
