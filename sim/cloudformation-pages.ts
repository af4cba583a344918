/**
 * The CloudFormation console, as far as a quick-create link leads: the review page (account, stack
 * name, parameters, the named-IAM acknowledgement, **Create stack**) and the stack's page, which
 * refreshes itself while the stack is in progress and then links back to where the customer came
 * from. No script runs on either page; every value is escaped.
 */
import type { StackView } from './cloudformation';

/** Served with both pages: no script at all, forms post only to the simulator itself. */
export const CONSOLE_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

const escapeHtml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const STYLE = `
body { font-family: system-ui, sans-serif; margin: 0; color: #16191f; background: #f2f3f3; }
header { background: #232f3e; color: #fff; padding: .75rem 2rem; font-weight: 600; }
main { max-width: 52rem; margin: 1.5rem auto; padding: 0 1rem; }
section { background: #fff; border: 1px solid #d5dbdb; border-radius: 8px; padding: 1rem 1.25rem; margin-bottom: 1rem; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.1rem; margin-top: 0; }
label { display: block; font-weight: 600; margin: .75rem 0 .25rem; }
input[type=text], input[type=password], select { font: inherit; padding: .35rem .5rem; width: 100%; box-sizing: border-box; border: 1px solid #687078; border-radius: 4px; }
.hint { color: #545b64; font-size: .9rem; margin: .2rem 0 0; }
.ack { display: flex; gap: .5rem; align-items: flex-start; font-weight: normal; }
button { font: inherit; font-weight: 600; padding: .45rem 1rem; border-radius: 20px; border: 1px solid #545b64; background: #fff; color: #16191f; cursor: pointer; }
button.primary { background: #ec7211; border-color: #ec7211; color: #16191f; }
.actions { display: flex; gap: .75rem; margin-top: 1rem; }
.error { border-color: #d13212; background: #fdf3f1; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #eaeded; vertical-align: top; }
code { overflow-wrap: anywhere; }
a { color: #0b5ab1; }
`;

function page(title: string, body: string, refreshSeconds?: number): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${refreshSeconds === undefined ? '' : `<meta http-equiv="refresh" content="${refreshSeconds}">`}
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>CloudFormation (SendFleet simulator)</header>
<main>
${body}
</main>
</body>
</html>
`;
}

export interface QuickCreateForm {
  templateUrl: string;
  stackName: string;
  region: string;
  description?: string;
  parameters: Array<{ name: string; value: string; description?: string; noEcho?: boolean }>;
  /** customer accounts of the simulator, to choose the one the stack goes into */
  accounts: string[];
  selectedAccount?: string;
  error?: string;
}

export function renderQuickCreatePage(form: QuickCreateForm): string {
  const accountField = form.accounts.length > 0
    ? `<label for="account">AWS account</label>
<select id="account" name="account">${form.accounts.map((id) => `<option value="${escapeHtml(id)}"${id === form.selectedAccount ? ' selected' : ''}>${escapeHtml(id)}</option>`).join('')}</select>
<p class="hint">The simulator's customer accounts: the one you are signed in to in the real console.</p>`
    : `<label for="account">AWS account</label>
<input type="text" id="account" name="account" inputmode="numeric" pattern="\\d{12}" required aria-describedby="account-hint">
<p class="hint" id="account-hint">No customer account yet: 12 digits create one (in the SES sandbox, as a new AWS account is).</p>`;
  const parameters = form.parameters.map((parameter) => {
    const id = `param-${escapeHtml(parameter.name)}`;
    const hint = parameter.description ? `<p class="hint" id="${id}-hint">${escapeHtml(parameter.description)}</p>` : '';
    return `<label for="${id}">${escapeHtml(parameter.name)}</label>
<input type="${parameter.noEcho ? 'password' : 'text'}" id="${id}" name="param_${escapeHtml(parameter.name)}" value="${escapeHtml(parameter.value)}"${parameter.description ? ` aria-describedby="${id}-hint"` : ''}>
${hint}`;
  }).join('\n');
  const body = `<h1>Quick create stack</h1>
${form.error ? `<section class="error" role="alert"><h2>The stack was not created</h2><p>${escapeHtml(form.error)}</p></section>` : ''}
<form method="post" action="/_sim/cloudformation/quickcreate">
<input type="hidden" name="templateURL" value="${escapeHtml(form.templateUrl)}">
<input type="hidden" name="region" value="${escapeHtml(form.region)}">
<section aria-labelledby="template-title">
<h2 id="template-title">Template</h2>
<p>Template URL: <code>${escapeHtml(form.templateUrl)}</code></p>
${form.description ? `<p>${escapeHtml(form.description)}</p>` : ''}
<p>Region: <strong>${escapeHtml(form.region)}</strong></p>
</section>
<section aria-labelledby="stack-title">
<h2 id="stack-title">Stack</h2>
${accountField}
<label for="stack-name">Stack name</label>
<input type="text" id="stack-name" name="stackName" value="${escapeHtml(form.stackName)}" required>
</section>
<section aria-labelledby="parameters-title">
<h2 id="parameters-title">Parameters</h2>
${parameters || '<p>This template has no parameters.</p>'}
</section>
<section aria-labelledby="capabilities-title">
<h2 id="capabilities-title">Capabilities</h2>
<p>The following resource(s) require capabilities: [AWS::IAM::Role]</p>
<label class="ack"><input type="checkbox" name="capabilities" value="CAPABILITY_NAMED_IAM" required> I acknowledge that AWS CloudFormation might create IAM resources with custom names.</label>
</section>
<div class="actions">
<button class="primary" type="submit" name="action" value="create">Create stack</button>
<button type="submit" name="action" value="update">Update stack</button>
</div>
<p class="hint">Update stack applies these parameters to an existing stack of this name (a new ExternalId after a rotation).</p>
</form>`;
  return page('Quick create stack', body);
}

export function renderStackPage(stack: StackView, returnUrl: string | undefined): string {
  const inProgress = stack.status.endsWith('_IN_PROGRESS');
  const events = stack.events.map((event) => `<tr><td>${escapeHtml(event.timestamp)}</td><td>${escapeHtml(event.logical_id)}</td><td>${escapeHtml(event.status)}</td><td>${escapeHtml(event.status_reason ?? '')}</td></tr>`).join('\n');
  const outputs = Object.entries(stack.outputs).map(([name, value]) => `<tr><th scope="row">${escapeHtml(name)}</th><td><code>${escapeHtml(value)}</code></td></tr>`).join('\n');
  const back = !inProgress && returnUrl ? `<p><a href="${escapeHtml(returnUrl)}">Back to SendFleet</a></p>` : '';
  const body = `<h1>Stack ${escapeHtml(stack.stack_name)}</h1>
<section aria-labelledby="status-title"${stack.status_reason ? ' class="error"' : ''}>
<h2 id="status-title">Status</h2>
<p role="status"><strong data-stack-status>${escapeHtml(stack.status)}</strong>${inProgress ? ' (this page refreshes itself)' : ''}</p>
${stack.status_reason ? `<p>Reason: <span data-stack-reason>${escapeHtml(stack.status_reason)}</span></p>` : ''}
<p>Account ${escapeHtml(stack.account_id)}, region ${escapeHtml(stack.region)}</p>
${back}
</section>
${outputs ? `<section aria-labelledby="outputs-title"><h2 id="outputs-title">Outputs</h2><table><tbody>${outputs}</tbody></table></section>` : ''}
<section aria-labelledby="events-title">
<h2 id="events-title">Events</h2>
<table>
<thead><tr><th scope="col">Timestamp</th><th scope="col">Logical ID</th><th scope="col">Status</th><th scope="col">Status reason</th></tr></thead>
<tbody>
${events}
</tbody>
</table>
</section>`;
  return page(`Stack ${stack.stack_name}: ${stack.status}`, body, inProgress ? 1 : undefined);
}

export function renderNotFoundPage(detail: string): string {
  return page('Not found', `<h1>Not found</h1><section class="error" role="alert"><p>${escapeHtml(detail)}</p></section>`);
}
