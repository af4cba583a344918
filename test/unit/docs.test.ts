/**
 * The local walkthroughs work on any ports: URLs come from variables set once from the ports
 * `npm start` reads (RELAY_PORT, PLATFORM_PORT, SIM_PORT), never from a hard-coded host and port.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

/** `NAME=http://127.0.0.1:${NAME_PORT:-1234}`: the one place a port may be written. */
const DEFINITION = /^(?:export )?(RELAY|PLATFORM|SIM|PLATFORM_URL)=http:\/\/127\.0\.0\.1:\$\{(RELAY|PLATFORM|SIM)_PORT:-\d+\}/;
/** Any way of writing a local address with a port, or a bare local-mode port. */
const HARD_CODED = /(127\.0\.0\.1|localhost|\[::1\]):\d+|(^|[\s(`"'])(:3000|:3001|:4566|:8000)\b/;

/** Every statement of the shell blocks (lines, split at `;`). */
function shellStatements(markdown: string): string[] {
  const blocks = [...markdown.matchAll(/```(?:sh|bash)\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return blocks.flatMap((block) => block.split('\n')).flatMap((line) => line.split(/;\s*/)).map((s) => s.trim());
}

test('docs/onboarding.md: no hard-coded local address or port anywhere but the variables defined at the top', () => {
  const doc = read('docs/onboarding.md');
  const offending = doc.split('\n').map((line) => line.trim()).filter((line) => HARD_CODED.test(line) && !DEFINITION.test(line));
  expect(offending).toEqual([]);
  const definitions = shellStatements(doc).filter((s) => DEFINITION.test(s)).map((s) => DEFINITION.exec(s)![1]);
  expect(definitions).toEqual(['RELAY', 'PLATFORM', 'SIM']);
  // Defined before any command uses them, and PLATFORM_URL given to the admin CLI.
  const commands = shellStatements(doc).join('\n');
  for (const name of ['RELAY', 'SIM', 'PLATFORM']) expect(commands.indexOf(`${name}=http`)).toBeLessThan(commands.indexOf(`$${name}`));
  expect(doc).toContain('export PLATFORM_URL=$PLATFORM');
});

test('docs/onboarding.md: scripts read the admin CLI\'s --json answer, not its table', () => {
  const piped = shellStatements(read('docs/onboarding.md')).filter((s) => /npm run .*admin .*\| jq/.test(s));
  expect(piped.length).toBeGreaterThan(0);
  for (const statement of piped) expect(statement).toContain('--json');
});

test('README: shell examples use the URL variables; the local section names PLATFORM_URL and PLATFORM_PORT', () => {
  const readme = read('README.md');
  expect(shellStatements(readme).filter((s) => HARD_CODED.test(s) && !DEFINITION.test(s))).toEqual([]);
  const local = readme.slice(readme.indexOf('## Two commands on a fresh machine'), readme.indexOf('## Try it locally'));
  expect(local).toContain('PLATFORM_URL');
  expect(local).toContain('PLATFORM_PORT');
});

test('docs/deploying.md is a runbook: every operator section is there, and the CDK CLI note is the right one', () => {
  const doc = read('docs/deploying.md');
  const headings = doc.split('\n').filter((line) => /^#{2,3} /.test(line));
  for (const heading of [
    /^## Cost$/,
    /^### Fixed cost per month/,
    /^### Cost per million sends$/,
    /^## Upgrades and rollback$/,
    /^## Custom domain for the customer API/,
    /^## Restoring a table from point-in-time recovery$/,
    /^## Rotating credentials$/,
    /^### The operator's AWS credentials$/,
    /^### A leaked ExternalId$/,
    /^## \d+\. Go-live smoke test/,
    /^### The CDK CLI version$/,
  ]) expect(headings.filter((line) => heading.test(line))).toHaveLength(1);
  expect(doc).not.toMatch(/CDK v3/i);
  expect(doc).toContain('Cloud assembly schema version mismatch');
  expect(doc).toContain('npx cdk diff');
  expect(doc).toContain('restore-table-to-point-in-time');
});
