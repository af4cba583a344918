/**
 * The account health check's infrastructure: the schedule (every 6 h) on the scheduler, the queue
 * with its dead-letter queue feeding the consumer at bounded concurrency, the senders' grants, and
 * the alarm on a sudden rise of tenants turning failing.
 */
import { Capture, Match } from 'aws-cdk-lib/assertions';
import { ACCOUNT_HEALTH } from '../../lib/constructs/account-health';
import { FUNCTIONS } from '../../lib/function-catalog';
import { resourcesOfType, synthesized } from './helpers';

const s = synthesized('default');
const fnId = (service: string) => resourcesOfType(s.relayTemplate, 'AWS::Lambda::Function')
  .find(([, r]) => r.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME === service)![0];

describe('account health', () => {
  test('an EventBridge schedule every 6 hours invokes the scheduler, which only queues', () => {
    s.relayTemplate.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(6 hours)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [fnId('healthScheduler'), 'Arn'] } })],
    });
    const scheduler = resourcesOfType(s.relayTemplate, 'AWS::Lambda::Function').find(([id]) => id === fnId('healthScheduler'))![1];
    expect(scheduler.Properties.Environment.Variables.HEALTH_QUEUE_URL).toEqual({ Ref: expect.stringMatching(/AccountHealthQueue/) });
  });

  test('the queue is encrypted, dead-letters after 3 receives, and feeds the consumer one message (10 tenants) at a time, 2 instances at most', () => {
    const dlq = new Capture();
    s.relayTemplate.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      VisibilityTimeout: FUNCTIONS.healthCheck.timeoutSeconds * 6,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] }, maxReceiveCount: ACCOUNT_HEALTH.maxReceiveCount },
    });
    expect(dlq.asString()).toMatch(/AccountHealthCheckDeadLetters/);
    // The dead-letter queue alarms on any message.
    s.relayTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 0,
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlq.asString(), 'QueueName'] } }],
    });
    s.relayTemplate.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: fnId('healthCheck') },
      BatchSize: 1,
      ScalingConfig: { MaximumConcurrency: 2 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  test('send and onboarding may queue re-checks; they get the queue URL', () => {
    for (const service of ['send', 'onboarding', 'healthScheduler']) {
      const fn = resourcesOfType(s.relayTemplate, 'AWS::Lambda::Function').find(([id]) => id === fnId(service))![1];
      expect(fn.Properties.Environment.Variables.HEALTH_QUEUE_URL).toEqual({ Ref: expect.stringMatching(/AccountHealthQueue/) });
    }
  });

  test('an alarm fires when a queued check waits longer than the interval', () => {
    s.relayTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS', MetricName: 'ApproximateAgeOfOldestMessage', Threshold: 6 * 3600, ComparisonOperator: 'GreaterThanThreshold',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('AccountHealthQueue'), 'QueueName'] } }],
    });
  });

  test('an alarm fires when 25 tenants or more turn failing within an hour', () => {
    s.relayTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'SendFleet', MetricName: 'HealthTransitionsToFailing', Statistic: 'Sum', Period: 3600,
      Threshold: ACCOUNT_HEALTH.failingRiseThreshold, ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: 1,
      Dimensions: Match.arrayWith([{ Name: 'service', Value: 'healthCheck' }]),
      AlarmActions: Match.anyValue(),
    });
  });
});
