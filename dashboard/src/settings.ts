/**
 * Settings → BYOC: one click (Launch stack in AWS: the stack creates the role and registers it),
 * or by hand (what to create in AWS, the role form: Validate & save); the last validation; and the
 * ExternalId rotation; the account health (health.ts).
 */
import { api, ApiProblem } from './api';
import { append, h, uniqueId } from './dom';
import type { ByocConfig, Check, Validation } from './types';
import { badge, busy, clearMessages, copyButton, fact, field, heading, input, showError, showProgress, showStatus, submitForm } from './ui';
import { loadHealthPanel } from './health';
import { CHECK_LABELS, checkWords } from './messages';
import { speaksApi } from './api-words';
import { localTime } from './time';
import { SES_REGIONS } from '../../lambdas/relay/byoc/role-arn';
import { CUSTOMER_STACK_NAME } from '../../lambdas/relay/byoc/customer-template';
import { PRODUCTION_ACCESS_URL } from '../../lambdas/relay/byoc/ses-sandbox';

const pretty = (value: unknown): string => JSON.stringify(value, null, 2);

function copyableValue(label: string, value: string, field: string): HTMLElement {
  const labelId = uniqueId('label');
  return h('div', { class: 'kv', attrs: { 'data-field': field } },
    h('dt', { id: labelId }, label),
    h('dd', {}, h('code', {}, value), copyButton(() => value, label, labelId)));
}

function policyBlock(title: string, policy: unknown, field: string): HTMLElement {
  const titleId = uniqueId('policy');
  const text = pretty(policy);
  return h('section', { class: 'policy', attrs: { 'aria-labelledby': titleId, 'data-field': field } },
    h('div', { class: 'row' }, h('h3', { id: titleId }, title), copyButton(() => text, title.toLowerCase(), titleId)),
    h('pre', { attrs: { tabindex: '0', 'aria-labelledby': titleId } }, text));
}

const VERDICTS: Record<Check['status'], string> = { passed: 'Pass', failed: 'Fail', not_run: 'Not run' };

/** Where the SES sandbox is left: the account dashboard of the SES console in the region, and AWS's guide. */
export function productionAccessLinks(region: string | null): HTMLElement {
  const console = `https://${region ?? 'us-east-1'}.console.aws.amazon.com/ses/home?region=${region ?? 'us-east-1'}#/account`;
  return h('span', { class: 'links' },
    h('a', { attrs: { href: console, 'data-field': 'ses_account_dashboard' } }, `Open the SES account dashboard${region ? ` in ${region}` : ''}`),
    ' and choose Request production access (',
    h('a', { attrs: { href: PRODUCTION_ACCESS_URL, 'data-field': 'production_access_guide' } }, 'AWS\'s guide to production access'), ').');
}

function checksList(checks: Check[], region: string | null): HTMLElement {
  if (checks.length === 0) return h('p', { class: 'muted' }, 'Not validated yet.');
  return h('ul', { class: 'checks' }, ...checks.map((check) => h('li', { class: check.status.replace('_', '-'), attrs: { 'data-check': check.name } },
    h('span', { class: 'verdict' }, VERDICTS[check.status]), ' ',
    h('strong', {}, CHECK_LABELS[check.name] ?? check.name), ' ',
    h('span', {}, checkWords(check)),
    check.code === 'ses_sandbox' ? ' ' : null,
    check.code === 'ses_sandbox' ? productionAccessLinks(region) : null)));
}

function statusPanel(config: { status: string; validated_at: string | null; region: string | null }, checks: Check[]): HTMLElement {
  return h('section', { class: 'card', id: 'validation', attrs: { 'aria-labelledby': 'validation-title' } },
    h('h2', { id: 'validation-title' }, 'Validation'),
    h('dl', { class: 'facts' },
      fact('Status', 'status', badge(config.status)),
      fact('Validated at', 'validated_at', localTime(config.validated_at))),
    checksList(checks, config.region),
    config.status === 'validated'
      ? h('p', { class: 'actions next-step', attrs: { 'data-field': 'next_step' } }, h('a', { class: 'button primary', attrs: { href: '#/domains' } }, 'Next: add your sending domain'))
      : null);
}

/**
 * The one-click path: the console's quick-create link with the ExternalId filled in. Same tab, so the
 * console's page can lead back here signed in. During a rotation the same link carries both
 * ExternalIds: the stack that exists is updated with it.
 */
function launchCard(config: ByocConfig): HTMLElement | null {
  if (!config.launch_stack_url) {
    // no link in the tenant's region: say why, so the manual steps below read as the way to go
    return config.launch_stack_unavailable_reason
      ? h('section', { class: 'card', attrs: { 'aria-labelledby': 'launch-title', 'data-field': 'launch_stack_unavailable_reason' } },
        h('h2', { id: 'launch-title' }, 'One click is not available here'),
        h('p', {}, speaksApi(config.launch_stack_unavailable_reason)
          ? `One-click setup is not offered in ${config.region ?? 'your region'} yet: create the role by hand with the two steps below.`
          : config.launch_stack_unavailable_reason))
      : null;
  }
  const rotating = config.previous_external_id !== null;
  return h('section', { class: 'card launch', attrs: { 'aria-labelledby': 'launch-title' } },
    h('h2', { id: 'launch-title' }, rotating ? 'Update your stack with the new ExternalId' : 'One click: launch the stack in AWS'),
    ...(rotating ? stackUpdateSteps(config, config.launch_stack_url) : [
      h('p', {}, 'The link opens CloudFormation in your AWS account with SendFleet\'s template and your ExternalId filled in. Press Create stack: the stack creates the role, tells SendFleet it exists and SendFleet validates it. Nothing to copy or paste.'),
      h('p', { class: 'actions' }, h('a', { class: 'button primary', attrs: { href: config.launch_stack_url, 'data-field': 'launch_stack_url' } }, 'Launch stack in AWS')),
    ]));
}

/** The query of a quick-create link (after the fragment on the console's, in the page's own elsewhere). */
const linkParameter = (link: string, name: string): string => new URLSearchParams(link.slice(link.lastIndexOf('?') + 1)).get(name) ?? '';

/**
 * During a rotation: the console's quick-create page cannot update a stack that exists, so these are
 * the real console's steps, with the three values to set. The link stays for a stack that does not
 * exist any more (and the simulator's page, which can update).
 */
function stackUpdateSteps(config: ByocConfig, link: string): HTMLElement[] {
  const region = linkParameter(link, 'region') || config.region || 'us-east-1';
  const consoleUrl = `https://${region}.console.aws.amazon.com/cloudformation/home?region=${region}#/stacks?filteringText=${CUSTOMER_STACK_NAME}`;
  return [
    h('p', {}, 'Your stack\'s role must trust the new ExternalId. SendFleet keeps sending with the previous ExternalId until the new one is validated.'),
    h('ol', { class: 'steps' },
      h('li', {}, 'Open ', h('a', { attrs: { href: consoleUrl, 'data-field': 'stack_console_url' } }, `CloudFormation in ${region}`), ` and select the ${CUSTOMER_STACK_NAME} stack.`),
      h('li', {}, 'Choose Update, then Use existing template, then Next.'),
      h('li', {}, 'Set the parameters to the values below: ExternalId to the new value, PreviousExternalId to the previous one, RegistrationToken to the new token. Then Next.'),
      h('li', {}, 'Acknowledge that the stack creates IAM resources with custom names, and choose Update (Submit). The stack tells SendFleet, which validates the new ExternalId.')),
    h('dl', { class: 'facts' },
      copyableValue('ExternalId', config.external_id, 'update_external_id'),
      copyableValue('PreviousExternalId', config.previous_external_id ?? '', 'update_previous_external_id'),
      copyableValue('RegistrationToken', linkParameter(link, 'param_RegistrationToken'), 'update_registration_token')),
    h('p', {}, 'No stack any more? Launch a new one:'),
    h('p', { class: 'actions' }, h('a', { class: 'button primary', attrs: { href: link, 'data-field': 'launch_stack_url' } }, 'Launch stack in AWS')),
  ];
}

/** A new ExternalId; the previous one keeps working until the stack is updated and validated. */
function rotationCard(main: HTMLElement, config: ByocConfig): HTMLElement {
  const rotate = h('button', { attrs: { type: 'button' } }, 'Rotate ExternalId');
  rotate.addEventListener('click', () => void busy(rotate, async () => {
    clearMessages();
    try {
      await api('POST', '/api/byoc/external-id/rotate');
    } catch (error) {
      showError(error, { near: rotate, screen: 'rotate', context: 'Not rotated.' });
      return;
    }
    main.replaceChildren();
    await renderSettings(main);
    showStatus('New ExternalId created. Update your stack with the steps above; sends keep using the previous ExternalId until the new one is validated.');
    main.querySelector<HTMLElement>('#launch-title')?.focus();
  }));
  return h('section', { class: 'card', attrs: { 'aria-labelledby': 'rotate-title' } },
    h('h2', { id: 'rotate-title' }, 'Rotate the ExternalId'),
    config.previous_external_id
      ? h('dl', { class: 'facts' }, copyableValue('Previous ExternalId (still accepted)', config.previous_external_id, 'previous_external_id'))
      : null,
    h('p', {}, 'Creates a new ExternalId. Until your stack (or role) trusts it and a validation passes, SendFleet keeps assuming your role with the current one, so sending never stops.'),
    h('div', { class: 'actions' }, rotate));
}

export async function renderSettings(main: HTMLElement): Promise<void> {
  const [config, health] = await Promise.all([api<ByocConfig>('GET', '/api/byoc/config'), loadHealthPanel()]);
  const downloadUrl = URL.createObjectURL(new Blob([pretty(config.cloudformation_template)], { type: 'application/json' }));

  const roleArn = field('Role ARN', input({ name: 'role_arn', placeholder: `arn:aws:iam::123456789012:role/${config.role_name}` }),
    `Exactly arn:aws:iam::<your account id>:role/${config.role_name}, without a path.`);
  roleArn.control.value = config.role_arn ?? '';
  const region = field('Region', h('select', { attrs: { name: 'region' } }, ...SES_REGIONS.map((r) => h('option', { attrs: { value: r } }, r))),
    'The region of the SES account you send from.');
  region.control.value = config.region ?? 'eu-west-1';
  const submit = h('button', { class: 'primary', attrs: { type: 'submit' } }, 'Validate & save');
  let panel = statusPanel(config, config.checks);

  const form = submitForm({ class: 'card', labelledBy: 'connect-title', button: submit }, async () => {
    const fields = {
      role_arn: { control: roleArn.control, words: { label: 'Role ARN', empty: `Enter your role's ARN: arn:aws:iam::<your account id>:role/${config.role_name}.` } },
      region: { control: region.control, words: { label: 'Region', empty: 'Choose the region of your SES account.' } },
    };
    try {
      await api('PUT', '/api/byoc/config', { body: { role_arn: roleArn.control.value.trim(), region: region.control.value } });
    } catch (error) {
      showError(error, { near: form, screen: 'settings', fields, context: 'Not saved.' });
      return;
    }
    let result: Validation;
    // A role created moments ago is retried while IAM propagates it: up to about 15 s, said as it goes.
    const progress = showProgress(submit, (seconds) => ({
      doing: seconds < 2 ? 'Checking your role and your SES account…' : 'Checking… waiting for IAM to propagate your role (at most about 15 seconds).',
      elapsed: `${seconds} s so far.`,
    }));
    try {
      result = await api<Validation>('POST', '/api/byoc/validate');
      showStatus('Saved and validated: SendFleet can send through your SES account.');
    } catch (error) {
      progress.stop();
      showError(error, { near: form, screen: 'validate', context: 'Saved, but validation failed.' });
      if (!(error instanceof ApiProblem) || !Array.isArray(error.body.checks)) return;
      result = { status: String(error.body.status ?? 'invalid'), validated_at: null, checks: error.body.checks as Check[] };
    } finally {
      progress.stop();
    }
    const fresh = await api<ByocConfig>('GET', '/api/byoc/config').catch(() => undefined);
    const next = statusPanel({ status: fresh?.status ?? result.status, validated_at: fresh?.validated_at ?? result.validated_at ?? null, region: fresh?.region ?? region.control.value }, result.checks);
    panel.replaceWith(next);
    panel = next;
  },
  h('h2', { id: 'connect-title' }, '2. Connect the role'),
  roleArn.row, region.row, h('div', { class: 'actions' }, submit));

  const launch = launchCard(config);
  append(main,
    heading('Settings'),
    h('p', { class: 'lead' }, 'Bring your own Amazon SES: SendFleet assumes a role in your AWS account and sends through your SES.'),
    launch,
    launch ? h('p', { class: 'muted' }, 'Or by hand, in two steps:') : null,
    h('section', { class: 'card', attrs: { 'aria-labelledby': 'role-title' } },
      h('h2', { id: 'role-title' }, '1. Create the role in your AWS account'),
      h('p', {}, `Create an IAM role named ${config.role_name} with the trust policy and the permissions policy below, or deploy the CloudFormation template.`),
      h('dl', { class: 'facts' },
        copyableValue('ExternalId', config.external_id, 'external_id'),
        copyableValue('Relay account id', config.relay_account_id, 'relay_account_id'),
        copyableValue('Role name', config.role_name, 'role_name')),
      policyBlock('Trust policy', config.trust_policy, 'trust_policy'),
      policyBlock('Permissions policy', config.permissions_policy, 'permissions_policy'),
      h('p', {}, h('a', { class: 'download', attrs: { href: downloadUrl, download: 'sendfleet-byoc-role.json' } }, 'Download CloudFormation template'))),
    form,
    panel,
    health,
    rotationCard(main, config),
  );
}
