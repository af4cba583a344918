/**
 * The log lines a test file's functions write, for assertions on what is (and is not) logged: the
 * sink is set before the file's other beforeAll hooks run (call this first) and restored after.
 */
import { setLogSink } from '../../lambdas/shared/logger';

export function capturedLogLines(): string[] {
  const lines: string[] = [];
  let restore: (() => void) | undefined;
  beforeAll(() => { restore = setLogSink((line) => lines.push(line)); });
  afterAll(() => restore?.());
  return lines;
}
