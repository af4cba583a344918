/**
 * Synthesizes every configuration the infra tests read, once per run, before any test starts: a
 * synth is seconds of cdk-nag and cfn-guard (the Control Tower checks), and eight test files used
 * to pay for the same ones. Child processes share the configurations out (one per core, two at
 * most), the costliest first; any synth that fails stops the run with its error.
 */
import { fork, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ASSEMBLIES_DIR, CONFIGURATIONS, type ConfigurationName } from './configurations';
import type { SynthesisAnswer } from './synthesize-configurations';

const SYNTHESIZER = path.join(__dirname, 'synthesize-configurations.ts');

/** Feeds the queue's names to one child, one at a time; resolves when the queue is empty. */
function drain(queue: ConfigurationName[], failures: string[]): Promise<void> {
  const child: ChildProcess = fork(SYNTHESIZER, [], {
    execArgv: ['--require', require.resolve('tsx/cjs')],
    // Bundling prints a block per function: kept, and shown only if the child fails.
    silent: true,
  });
  let output = '';
  child.stdout!.on('data', (chunk) => { output += chunk; });
  child.stderr!.on('data', (chunk) => { output += chunk; });
  const next = () => {
    const name = queue.shift();
    if (name) child.send(name);
    else child.disconnect();
  };
  return new Promise((resolve, reject) => {
    child.on('message', (answer: SynthesisAnswer) => {
      if (answer.error) failures.push(`configuration ${answer.name}: ${answer.error}`);
      next();
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`synthesizer exited with ${code}:\n${output}`))));
    next();
  });
}

export default async function globalSetup(): Promise<void> {
  fs.rmSync(ASSEMBLIES_DIR, { recursive: true, force: true });
  fs.mkdirSync(ASSEMBLIES_DIR, { recursive: true });
  const names = Object.keys(CONFIGURATIONS) as ConfigurationName[];
  // Bundling and CloudFormation validation make a `cdk synth`-like configuration the longest: start it first.
  const queue = [...names.filter((n) => CONFIGURATIONS[n].likeCdkSynth), ...names.filter((n) => !CONFIGURATIONS[n].likeCdkSynth)];
  const failures: string[] = [];
  const children = Math.min(2, os.availableParallelism(), queue.length);
  await Promise.all(Array.from({ length: children }, () => drain(queue, failures)));
  if (failures.length > 0) throw new Error(`the infra tests' synth failed:\n${failures.join('\n\n')}`);
}
