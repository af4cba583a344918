/**
 * Privacy, proven with canaries: distinctive strings in every content field of successful and failed
 * sends must never reach a table item, a log line or an error body. (They do reach the customer's
 * own SES mailbox in the simulator: that is the point of sending.)
 */
import { flushMetrics } from '../../lambdas/shared/powertools';
import { capturedLogLines } from '../support/captured-logs';
import { scanAll } from '../support/dynamo';
import { call, createTenant, onboard, startTestSystem, type TestSystem } from '../support/system';

const logLines = capturedLogLines();
let system: TestSystem;

beforeAll(async () => {
  system = await startTestSystem('privacy');
});
afterAll(async () => {
  await system?.stop();
});

test('no recipient, subject, body or sender name is stored, logged or echoed', async () => {
  const canary = (field: string) => `zqx${field}canary7`;
  const tenant = await createTenant(system, 'starter', { sends_per_minute: 1000 });
  await onboard(system, tenant.apiKey, { accountId: '131313131313', domain: 'privacy.dev' });
  // Back in the SES sandbox, so that SES refuses (and quotes) an unverified recipient.
  system.simulator.createAccount({ account_id: '131313131313', regions: { 'eu-west-1': { max_24_hour_send: 200 } } });
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

test('cc, bcc, header values, tags, attachment names and contents are never stored, logged or echoed either', async () => {
  const canary = (field: string) => `zqx${field}canary8`;
  const tenant = await createTenant(system, 'byoc', { sends_per_minute: 1000 });
  await onboard(system, tenant.apiKey, { accountId: '151515151515', domain: 'rich-privacy.dev' });
  const content = Buffer.from(`secret ${canary('content')}`).toString('base64');
  const body = {
    to: 'someone@example.com', cc: `${canary('cc')}@example.com`, bcc: `${canary('bcc')}@example.com`, from_email: 'hello@rich-privacy.dev',
    subject: 'Hi', message: 'Body', headers: { 'X-Ref': canary('header'), 'List-Unsubscribe': `<https://rich-privacy.dev/${canary('unsub')}>` },
    tags: [{ name: canary('tagname'), value: canary('tagvalue') }],
    attachments: [{ filename: `${canary('filename')}.pdf`, content, content_type: 'application/pdf' }],
  };
  const responses = [
    await call(system.relayUrl, 'POST', '/api/send', { apiKey: tenant.apiKey, body, headers: { 'idempotency-key': `rich-${Date.now()}` } }),
    // Refusals of each new field must not quote it either.
    await call(system.relayUrl, 'POST', '/api/send', { apiKey: tenant.apiKey, body: { ...body, headers: { 'X-Ref': `${canary('badheader')}\r\nBcc: x@y.z` } } }),
    await call(system.relayUrl, 'POST', '/api/send', { apiKey: tenant.apiKey, body: { ...body, headers: { [`${canary('badname')}`]: 'v' } } }),
    await call(system.relayUrl, 'POST', '/api/send', { apiKey: tenant.apiKey, body: { ...body, attachments: [{ filename: `${canary('exe')}.exe`, content }] } }),
    await call(system.relayUrl, 'POST', '/api/send', { apiKey: tenant.apiKey, body: { ...body, tags: [{ name: 'a', value: `${canary('badtag')} x` }] } }),
    await call(system.relayUrl, 'POST', '/api/send', { apiKey: tenant.apiKey, body: { ...body, bcc: `${canary('badbcc')}` } }),
  ];
  expect(responses.map((r) => r.status)).toEqual([200, 400, 400, 400, 400, 400]);
  // The canaries did travel to the customer's own mailbox.
  expect(JSON.stringify(system.simulator.mailbox())).toContain(canary('filename'));
  expect(JSON.stringify(system.simulator.mailbox())).toContain(canary('tagvalue'));

  const stored = JSON.stringify([...(await scanAll(system.tables.relay)), ...(await scanAll(system.tables.tenants))]);
  const logged = logLines.join('\n');
  const answered = JSON.stringify(responses.map((r) => r.body));
  const fields = ['cc', 'bcc', 'header', 'unsub', 'tagname', 'tagvalue', 'filename', 'content', 'badheader', 'badname', 'exe', 'badtag', 'badbcc'];
  for (const secret of [...fields.map(canary), content]) {
    expect({ secret, stored: stored.includes(secret) }).toEqual({ secret, stored: false });
    expect({ secret, logged: logged.includes(secret) }).toEqual({ secret, logged: false });
    // A header's name is a field name, not content: a refusal names it in issues[].path so the caller can find it.
    if (secret !== canary('badname')) expect({ secret, answered: answered.includes(secret) }).toEqual({ secret, answered: false });
  }
});

test('field and header names the caller made up are never stored, logged or echoed (a batch kept for its key, a Resend send)', async () => {
  const tenant = await createTenant(system, 'byoc');
  await onboard(system, tenant.apiKey, { accountId: '151515151515', domain: 'names.dev' });
  const valid = { to: 'someone@example.com', from_email: 'hello@names.dev', subject: 'Hi', message: 'Body' };
  const batch = { messages: [
    valid,
    { ...valid, 'alice.zqxfieldcanary7@corp.example': 'x' },
    { ...valid, headers: { 'zqxheadercanary7@corp.example': 'x' } },
    { ...valid, headers: { 'X-Zqxvaluecanary7': 'ok', 'x-zqxvaluecanary7': 'twice' } },
  ] };
  const headers = { 'idempotency-key': `names-${Date.now()}` };
  const first = await call(system.relayUrl, 'POST', '/api/send/batch', { apiKey: tenant.apiKey, body: batch, headers });
  // The replay answers the same details, derived again from the same request (nothing of them stored).
  const replay = await call(system.relayUrl, 'POST', '/api/send/batch', { apiKey: tenant.apiKey, body: batch, headers });
  const resend = await call(system.relayUrl, 'POST', '/emails', {
    headers: { authorization: `Bearer ${tenant.apiKey}` }, body: { from: 'hello@names.dev', to: 'someone@example.com', subject: 'Hi', text: 'Body', 'bob.zqxresendcanary7@corp.example': 1 },
  });
  expect([first.status, replay.status, resend.status]).toEqual([200, 200, 422]);
  expect(replay.headers.get('idempotent-replayed')).toBe('true');
  expect((first.body.results as Array<{ error?: string }>).map((r) => r.error)).toEqual([undefined, 'invalid_request', 'invalid_request', 'invalid_request']);
  expect(replay.body.results).toEqual(first.body.results);
  flushMetrics();
  const stored = JSON.stringify(await scanAll(system.tables.relay));
  const logged = logLines.join('\n');
  const answered = JSON.stringify([first.body, replay.body, resend.body]);
  for (const secret of ['zqxfieldcanary7', 'zqxheadercanary7', 'zqxvaluecanary7', 'zqxresendcanary7']) {
    expect({ secret, stored: stored.includes(secret) }).toEqual({ secret, stored: false });
    expect({ secret, logged: logged.includes(secret) }).toEqual({ secret, logged: false });
    expect({ secret, answered: answered.includes(secret) }).toEqual({ secret, answered: false });
  }
  // The details still say how to fix it, in our field names.
  expect((first.body.results as Array<{ detail?: string }>)[2]!.detail).toMatch(/headers\[1\]/);
});

test('no text of SES reaches a customer, a log line or the idempotency record (SES quotes names and addresses)', async () => {
  const tenant = await createTenant(system, 'byoc');
  await onboard(system, tenant.apiKey, { accountId: '141414141414', domain: 'quoted.dev' });
  // The relay still holds the domain verified; SES no longer does, and says so quoting the sender.
  system.simulator.setIdentityStatus('141414141414', 'quoted.dev', { ownership: 'Pending', dkim: 'Pending' });
  const names = ['Jane Secretname', 'Zoë Geheimname'];
  const refusals = [];
  for (const [i, from_name] of names.entries()) {
    refusals.push(await call(system.relayUrl, 'POST', '/api/send', {
      apiKey: tenant.apiKey, headers: { 'idempotency-key': `quoted-${i}-${Date.now()}` },
      body: { to: 'someone@example.com', from_email: 'hello@quoted.dev', from_name, subject: 'Hi', message: 'Body' },
    }));
  }
  // A sandboxed account refuses an unverified recipient, quoting it (here one with an apostrophe).
  system.simulator.setIdentityStatus('141414141414', 'quoted.dev', { ownership: 'Success', dkim: 'Success' });
  system.simulator.createAccount({ account_id: '141414141414', regions: { 'eu-west-1': { max_24_hour_send: 200 } } });
  refusals.push(await call(system.relayUrl, 'POST', '/api/send', {
    apiKey: tenant.apiKey, body: { to: "jane.doe'x@example.com", from_email: 'hello@quoted.dev', subject: 'Hi', message: 'Body' },
  }));
  expect(refusals.map((r) => [r.status, r.body.error])).toEqual([[422, 'ses_rejected'], [422, 'ses_rejected'], [422, 'ses_rejected']]);
  const answered = JSON.stringify(refusals.map((r) => r.body));
  const stored = JSON.stringify(await scanAll(system.tables.relay));
  const logged = logLines.join('\n');
  for (const secret of ['Jane', 'Secretname', 'Geheimname', 'Zoë', '=?UTF-8?', 'jane.doe', 'someone@', 'hello@quoted.dev', 'identities failed']) {
    expect({ secret, answered: answered.includes(secret) }).toEqual({ secret, answered: false });
    expect({ secret, stored: stored.includes(secret) }).toEqual({ secret, stored: false });
    expect({ secret, logged: logged.includes(secret) }).toEqual({ secret, logged: false });
  }
  expect(refusals[0]!.body.detail).toMatch(/^Amazon SES in eu-west-1 refused the message \(MessageRejected\)/);
});

test('every outcome leaves one log line and one metric datapoint by outcome code, refusals included', async () => {
  const tenant = await createTenant(system, 'byoc', { sends_per_minute: 1 });
  const requestId = () => logLines.length;
  const cases: Array<[string, () => Promise<unknown>]> = [
    ['invalid_request', () => call(system.relayUrl, 'POST', '/api/send', { apiKey: tenant.apiKey, rawBody: '{"to":' })],
    ['invalid_api_key', () => call(system.relayUrl, 'POST', '/api/send', { body: { to: 'a@example.com', from_email: 'a@b.dev', subject: 's', message: 'm' } })],
    ['byoc_not_validated', () => call(system.relayUrl, 'POST', '/api/send', { apiKey: tenant.apiKey, body: { to: 'a@example.com', from_email: 'a@b.dev', subject: 's', message: 'm' } })],
  ];
  for (const [outcome, run] of cases) {
    const from = requestId();
    await run();
    const lines = logLines.slice(from).map((l) => JSON.parse(l) as Record<string, unknown>);
    const outcomeLines = lines.filter((l) => l.message === 'request');
    const metrics = lines.filter((l) => typeof l._aws === 'object' && 'Sends' in l);
    expect({ outcome, lines: outcomeLines.map((l) => [l.status, l.outcome]) }).toEqual({ outcome, lines: [[expect.any(Number), outcome]] });
    expect({ outcome, metrics: metrics.map((m) => m.outcome) }).toEqual({ outcome, metrics: [outcome] });
  }
});
