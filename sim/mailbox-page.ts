/**
 * GET /_sim/: the mailbox as a page for people. Every value is escaped, and HTML bodies are shown
 * only inside a sandboxed iframe (no scripts, no same-origin), since they are attacker-shaped input.
 */
import type { MailboxMessage } from './state';

/** Served with the page: nothing but inline styles and inline images may load. */
export const MAILBOX_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const escapeHtml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

function row(label: string, values: string[]): string {
  return values.length === 0 ? '' : `<tr><th>${label}</th><td>${escapeHtml(values.join(', '))}</td></tr>`;
}

function renderMessage(message: MailboxMessage): string {
  const from = message.source.name ? `${message.source.name} <${message.source.address}>` : message.source.address;
  return `<article>
<h2>${escapeHtml(message.subject || '(no subject)')}</h2>
<table>
${row('From', [from])}
${row('To', message.to)}
${row('Cc', message.cc)}
${row('Bcc', message.bcc)}
${row('Reply-To', message.reply_to)}
${row('Attachments', (message.attachments ?? []).map((a) => `${a.filename} (${a.content_type}, ${a.size} bytes${a.content_id ? `, cid:${a.content_id}` : ''})`))}
${row('Headers', (message.headers ?? []).map((h) => `${h.name}: ${h.value}`))}
${row('Tags', (message.tags ?? []).map((t) => `${t.name}=${t.value}`))}
${row('Account', [`${message.account_id} (${message.region})`])}
${row('Sent', [`${message.timestamp} via ${message.action}`])}
${row('Message-Id', [message.message_id])}
</table>
${message.text === undefined ? '' : `<pre>${escapeHtml(message.text)}</pre>`}
${message.html === undefined ? '' : `<iframe sandbox="" srcdoc="${escapeHtml(message.html)}" title="HTML body"></iframe>`}
</article>`;
}

export function renderMailboxPage(messages: readonly MailboxMessage[]): string {
  const newestFirst = [...messages].reverse();
  const body = newestFirst.length === 0 ? '<p>No messages yet.</p>' : newestFirst.map(renderMessage).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Simulator mailbox (${messages.length})</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; }
article { border: 1px solid #ccc; border-radius: 6px; padding: 1rem; margin-bottom: 1.5rem; }
h2 { margin-top: 0; font-size: 1.1rem; }
th { text-align: left; padding-right: 1rem; color: #666; font-weight: normal; vertical-align: top; }
pre { white-space: pre-wrap; background: #f6f6f6; padding: .75rem; }
iframe { width: 100%; min-height: 16rem; border: 1px solid #ddd; }
</style>
</head>
<body>
<h1>Simulator mailbox: ${messages.length} message${messages.length === 1 ? '' : 's'}, newest first</h1>
${body}
</body>
</html>
`;
}
