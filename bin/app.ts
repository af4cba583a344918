#!/usr/bin/env node
/**
 * The one CDK entry: typed configuration from context, one stack per account, cdk-nag on the app.
 * Cross-account seams are strings from configuration (account ids, the relay bus name/ARN).
 */
import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ControlTowerChecks } from '../lib/control-tower-checks';
import { ConfigError, customerKeysFunctionArn, forwardingRoleArn, readConfig, relayEventBusArn, type SendFleetConfig } from '../lib/config';
import { PlatformStack } from '../lib/platform-stack';
import { RelayStack } from '../lib/relay-stack';
import { RegistrationRegionStack } from '../lib/registration-region-stack';

export interface SendFleetApp {
  readonly app: App;
  readonly config: SendFleetConfig;
  readonly platform: PlatformStack;
  readonly relay: RelayStack;
  /** The registration topics of the launch regions besides the relay's (one small stack each). */
  readonly registrationRegions: RegistrationRegionStack[];
}

export function buildApp(app: App = new App()): SendFleetApp {
  const config = readConfig((key) => app.node.tryGetContext(key));
  Tags.of(app).add('project', 'sendfleet');
  Tags.of(app).add('sendfleet:stage', config.stage);

  const relay = new RelayStack(app, 'RelayStack', {
    env: config.accounts.relay,
    stackName: `SendFleet-${config.stage}-Relay`,
    description: `SendFleet relay account (${config.stage}): customer API, BYOC, tenant projection, monthly reset`,
    stage: config.stage,
    platformAccountId: config.accounts.platform.account,
    names: config.names,
    forwardingRoleArn: forwardingRoleArn(config),
    customerKeysFunctionArn: customerKeysFunctionArn(config),
    alarmEmail: config.alarmEmail,
    destroyOnDelete: config.destroyOnDelete,
    registrationRegions: config.registrationRegions,
  });
  const registrationRegions = config.registrationRegions.filter((region) => region !== config.accounts.relay.region).map((region) => {
    const stack = new RegistrationRegionStack(app, `RegistrationRegion-${region}`, {
      env: { account: config.accounts.relay.account, region },
      stackName: `SendFleet-${config.stage}-Registration-${region}`,
      description: `SendFleet relay account (${config.stage}): BYOC stack registration topic in ${region}`,
      stage: config.stage,
      relayRegion: config.accounts.relay.region,
    });
    stack.addStackDependency(relay, 'the topic subscribes the relay\'s registration function');
    return stack;
  });
  const platform = new PlatformStack(app, 'PlatformStack', {
    env: config.accounts.platform,
    stackName: `SendFleet-${config.stage}-Platform`,
    description: `SendFleet platform account (${config.stage}): tenants, API keys, admin API, tenant events`,
    stage: config.stage,
    relayEventBusArn: relayEventBusArn(config),
    relayAccountId: config.accounts.relay.account,
    names: config.names,
    alarmEmail: config.alarmEmail,
    destroyOnDelete: config.destroyOnDelete,
  });
  // Relay first: its bus must exist before the platform's rule targets it (`cdk deploy --all` follows this).
  platform.addStackDependency(relay, 'the platform forwards tenant snapshots to the relay bus');

  // Policy as code at synth: cdk-nag's AwsSolutions and AWS Control Tower's proactive controls (cfn-guard).
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ControlTowerChecks());
  return { app, config, platform, relay, registrationRegions };
}

if (require.main === module) {
  try {
    buildApp().app.synth();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}
