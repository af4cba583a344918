import { createLogger, emitMetric, setLogSink } from '../../lambdas/shared/logger';

let lines: string[];
let restore: () => void;
beforeEach(() => {
  lines = [];
  restore = setLogSink((line) => lines.push(line));
});
afterEach(() => restore());

test('log lines are JSON with level, time, message and the child fields', () => {
  createLogger({ service: 's' }).child({ request_id: 'r1' }).child({ tenant_id: 't1' }).info('hello', { outcome: 'accepted' });
  expect(JSON.parse(lines[0]!)).toEqual({ level: 'info', timestamp: expect.any(String), message: 'hello', service: 's', request_id: 'r1', tenant_id: 't1', outcome: 'accepted' });
});

test('metrics are CloudWatch EMF lines with the dimensions declared', () => {
  emitMetric('Sends', { outcome: 'ses_rejected' });
  const line = JSON.parse(lines[0]!);
  expect(line).toMatchObject({ outcome: 'ses_rejected', Sends: 1 });
  expect(line._aws.CloudWatchMetrics).toEqual([{ Namespace: 'SendFleet', Dimensions: [['outcome']], Metrics: [{ Name: 'Sends', Unit: 'Count' }] }]);
});
