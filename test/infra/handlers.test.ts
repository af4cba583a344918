/**
 * Every handler a stack names must be exported by its module, and the module must start with
 * exactly the environment the stack gives it (a `requireEnv` the stack does not satisfy would
 * fail every cold start in AWS).
 */
import * as fs from 'fs';
import { entryPath } from '../../lib/function-catalog';
import { functionsIn, synthesized, type FunctionInTemplate } from './helpers';

const functions: FunctionInTemplate[] = functionsIn(synthesized('default'));

/** The template's variables, with a plausible dummy for every value CloudFormation would resolve. */
function environmentOf(f: FunctionInTemplate): Record<string, string> {
  const variables = f.properties.Environment.Variables as Record<string, unknown>;
  return Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, typeof v === 'string' ? v : `dummy-${k.toLowerCase()}`]));
}

describe.each(functions.map((f) => [f.name, f] as const))('%s', (_name, f) => {
  test('the stack names index.<exported handler> and the entry file exists', () => {
    expect(f.properties.Handler).toBe(`index.${f.spec.handler}`);
    expect(fs.existsSync(entryPath(f.spec))).toBe(true);
  });

  test('the entry module exports that handler as a function, given only the stack\'s environment', () => {
    const saved = { ...process.env };
    try {
      for (const key of Object.keys(process.env)) if (/^(RELAY|TENANTS|EVENT|PLATFORM)_/.test(key)) delete process.env[key];
      Object.assign(process.env, environmentOf(f), { AWS_REGION: 'eu-west-1' });
      let mod: Record<string, unknown> = {};
      jest.isolateModules(() => { mod = require(entryPath(f.spec)); });
      expect(typeof mod[f.spec.handler]).toBe('function');
    } finally {
      process.env = saved;
    }
  });
});
