import { Capture, Match } from 'aws-cdk-lib/assertions';
import { resourcesOfType, synthesized } from './helpers';

const s = synthesized('default');

describe('EventBridge wiring', () => {
  test('every rule in both stacks has at least one target', () => {
    for (const template of [s.platformTemplate, s.relayTemplate]) {
      const targets = new Capture();
      const rules = template.findResources('AWS::Events::Rule');
      expect(Object.keys(rules).length).toBeGreaterThan(0);
      template.allResourcesProperties('AWS::Events::Rule', { Targets: targets });
      let seen = 0;
      do {
        const captured = targets.asArray();
        expect(captured.length).toBeGreaterThan(0);
        for (const target of captured) expect(target).toEqual(expect.objectContaining({ Arn: expect.anything(), Id: expect.any(String) }));
        seen++;
      } while (targets.next());
      expect(seen).toBe(Object.keys(rules).length);
    }
    expect(Object.keys(s.platformTemplate.findResources('AWS::Events::Rule'))).toHaveLength(1);
    expect(Object.keys(s.relayTemplate.findResources('AWS::Events::Rule'))).toHaveLength(4);
  });

  test.each([
    ['tenant sync', 'tenantSync', { EventPattern: Match.anyValue() }],
    ['monthly reset', 'monthlyReset', { ScheduleExpression: 'cron(0 0 1 * ? *)' }],
    ['account health schedule', 'healthScheduler', { ScheduleExpression: 'rate(6 hours)' }],
    ['delivery events', 'deliveryEvents', { EventPattern: { source: ['aws.ses'], 'detail-type': Match.arrayWith(['Email Bounced', 'Email Complaint Received']) } }],
  ])('%s: target retries, then dead-letters; the function\'s own failures reach the same DLQ', (_label, serviceName, rule) => {
    const fn = resourcesOfType(s.relayTemplate, 'AWS::Lambda::Function')
      .find(([, r]) => r.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME === serviceName)!;
    const dlq = new Capture();
    s.relayTemplate.hasResourceProperties('AWS::Events::Rule', {
      ...rule,
      Targets: [{
        Arn: { 'Fn::GetAtt': [fn[0], 'Arn'] },
        Id: Match.anyValue(),
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlq, 'Arn'] } },
        RetryPolicy: { MaximumRetryAttempts: Match.anyValue(), MaximumEventAgeInSeconds: Match.anyValue() },
      }],
    });
    const ruleOfFn = resourcesOfType(s.relayTemplate, 'AWS::Events::Rule').find(([, r]) => r.Properties.Targets[0].Arn['Fn::GetAtt'][0] === fn[0])!;
    const retry = ruleOfFn[1].Properties.Targets[0].RetryPolicy;
    expect(retry.MaximumRetryAttempts).toBeGreaterThanOrEqual(3);
    expect(retry.MaximumEventAgeInSeconds).toBeGreaterThanOrEqual(3600);
    expect(s.relayTemplate.toJSON().Resources[dlq.asString()].Type).toBe('AWS::SQS::Queue');
    s.relayTemplate.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: fn[0] },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [dlq.asString(), 'Arn'] } } },
    });
    // EventBridge may write to the DLQ, and only for this rule.
    s.relayTemplate.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: dlq.asString() }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({
        Action: 'sqs:SendMessage', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' },
        Condition: { ArnEquals: { 'aws:SourceArn': Match.anyValue() } },
      })]) },
    });
  });

  test('every dead-letter queue has a depth alarm', () => {
    for (const template of [s.platformTemplate, s.relayTemplate]) {
      // A queue with a redrive policy is a work queue (account health's, the webhook outbox), not a dead-letter queue: its DLQ alarms.
      for (const [queueId] of resourcesOfType(template, 'AWS::SQS::Queue').filter(([, queue]) => !queue.Properties?.RedrivePolicy)) {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
          ComparisonOperator: 'GreaterThanThreshold', Threshold: 0,
        });
      }
    }
  });
});
