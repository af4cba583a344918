/**
 * One more region a customer may launch the SendFleet-BYOC stack in: that region's registration
 * topic (CloudFormation needs the custom resource's ServiceToken in the stack's own region),
 * subscribed across regions to the one registration function in the relay's region. Everything
 * crossing regions is a string built from configuration (the function's fixed name), never a
 * construct reference. Deployed after the relay stack (the function must exist to be subscribed).
 */
import { Stack, type StackProps } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { setStage } from './stage';
import { RegistrationTopic, registrationFunctionName } from './constructs/stack-registration';

export interface RegistrationRegionStackProps extends StackProps {
  readonly stage: string;
  /** Where the one registration function runs. */
  readonly relayRegion: string;
}

export class RegistrationRegionStack extends Stack {
  readonly topic: sns.Topic;
  readonly functionArn: string;

  constructor(scope: Construct, id: string, props: RegistrationRegionStackProps) {
    super(scope, id, props);
    setStage(this, props.stage);
    this.topic = new RegistrationTopic(this, 'RegistrationTopic', { stage: props.stage }).topic;
    this.functionArn = `arn:aws:lambda:${props.relayRegion}:${this.account}:function:${registrationFunctionName(props.stage)}`;
    // SNS delivers to a Lambda function in another region; the function's permission is in the relay stack.
    new sns.Subscription(this, 'RegistrationFunction', { topic: this.topic, protocol: sns.SubscriptionProtocol.LAMBDA, endpoint: this.functionArn });
  }
}
