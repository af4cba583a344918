/**
 * Typed deployment configuration, read once from CDK context (`cdk.json`, overridable with
 * `-c key=value`) by `bin/app.ts` and passed into the stacks. Nothing else reads context.
 *
 * Every problem is collected and reported in one error, so an operator fixes the whole
 * configuration in one go instead of one value per failed synth.
 */

import { SES_REGIONS } from '../lambdas/relay/byoc/role-arn';

/** The two AWS accounts of the product. */
export type AccountRole = 'platform' | 'relay';

export interface AccountEnv {
  /** 12-digit AWS account id (a string: ids can start with 0). */
  readonly account: string;
  readonly region: string;
}

export interface SendFleetConfig {
  /** Short lower-case name of the deployment (`dev`, `staging`, `prod`…); part of stack and bus names. */
  readonly stage: string;
  readonly accounts: Readonly<Record<AccountRole, AccountEnv>>;
  /**
   * Physical names that carry the stage, so that two stages (`-c stage=alice`) deploy side by side
   * into the same accounts and regions. The relay bus and the forwarding role are also the
   * cross-account seam: both stacks must know them before either is deployed.
   */
  readonly names: StageNames;
  /** Physical name of the relay account's tenant-events bus (same as `names.relayEventBus`). */
  readonly relayEventBusName: string;
  /** Where alarms are e-mailed (context `alarmEmail`); without it the alarm topics have no subscription. */
  readonly alarmEmail: string | undefined;
  /** `dev: true` only: stateful resources are destroyed with the stack instead of retained. */
  readonly destroyOnDelete: boolean;
  /**
   * The regions customers may launch the SendFleet-BYOC stack in (context `registrationRegions`,
   * comma-separated): each has a registration topic; the relay's region always, and us-east-1, where
   * the link points until a tenant chooses a region. `launch_stack_url` is null for any other region.
   */
  readonly registrationRegions: readonly string[];
}

export interface StageNames {
  readonly relayEventBus: string;
  readonly platformEventBus: string;
  /** The platform role EventBridge assumes to forward snapshots; the relay bus admits only it. */
  readonly forwardingRole: string;
  readonly customerWebAcl: string;
  /** The relay's bus for SES delivery events forwarded from customer accounts (the customer template targets it by ARN). */
  readonly deliveryEventsBus: string;
  /** The platform function the relay's keys function invokes across accounts (self-service API keys). */
  readonly customerKeysFunction: string;
}

/** The context keys, in one place (docs/deploying.md lists the same). */
export const CONTEXT_KEYS = {
  platformAccount: 'platformAccount',
  platformRegion: 'platformRegion',
  relayAccount: 'relayAccount',
  relayRegion: 'relayRegion',
  stage: 'stage',
  dev: 'dev',
  alarmEmail: 'alarmEmail',
  registrationRegions: 'registrationRegions',
} as const;

/** Where the launch link points before a tenant chooses a region (lambdas/relay/byoc/launch-stack.ts). */
export const DEFAULT_REGISTRATION_REGIONS = ['us-east-1'] as const;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const ACCOUNT_ID = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
/** Partitions other than `aws` (China, GovCloud, ISO): SendFleet's BYOC role ARNs and trust are `arn:aws` only. */
const OTHER_PARTITION_REGION = /^(cn|us-gov|us-iso[a-z]*|eu-isoe)-/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const STAGE = /^[a-z][a-z0-9-]{0,19}$/;
const PRODUCTION_STAGES = new Set(['prod', 'production', 'live']);

/** Reads and validates the configuration; `context` is usually `(key) => app.node.tryGetContext(key)`. */
export function readConfig(context: (key: string) => unknown): SendFleetConfig {
  const problems: string[] = [];

  const text = (key: string, pattern: RegExp, describe: string): string => {
    const value = context(key);
    if (value === undefined || value === null || value === '') {
      problems.push(`context "${key}" is missing: set it in cdk.json or pass -c ${key}=<${describe}>`);
      return '';
    }
    if (typeof value !== 'string') {
      problems.push(`context "${key}" must be a string (${describe}); got ${typeof value} ${JSON.stringify(value)}` +
        (typeof value === 'number' ? ' — quote account ids, they can start with 0' : ''));
      return '';
    }
    if (!pattern.test(value)) {
      problems.push(`context "${key}" must be ${describe}; got "${value}"`);
      return '';
    }
    return value;
  };

  const platform: AccountEnv = {
    account: text(CONTEXT_KEYS.platformAccount, ACCOUNT_ID, 'a 12-digit AWS account id'),
    region: text(CONTEXT_KEYS.platformRegion, REGION, 'an AWS region such as eu-west-1'),
  };
  const relay: AccountEnv = {
    account: text(CONTEXT_KEYS.relayAccount, ACCOUNT_ID, 'a 12-digit AWS account id'),
    region: text(CONTEXT_KEYS.relayRegion, REGION, 'an AWS region such as eu-west-1'),
  };
  for (const [key, region] of [[CONTEXT_KEYS.platformRegion, platform.region], [CONTEXT_KEYS.relayRegion, relay.region]] as const) {
    if (OTHER_PARTITION_REGION.test(region)) {
      problems.push(`context "${key}" is ${region}, outside the commercial AWS partition: customers' SendFleet-BYOC-Role ARNs and ` +
        'trust policies are arn:aws, and a role cannot be assumed across partitions. Use a commercial region (e.g. eu-west-1)');
    }
  }
  const alarmEmail = readOptionalEmail(context(CONTEXT_KEYS.alarmEmail), problems);
  const stage = text(CONTEXT_KEYS.stage, STAGE, 'lower-case letters, digits and dashes, starting with a letter, at most 20 characters');
  const destroyOnDelete = readBoolean(context(CONTEXT_KEYS.dev), CONTEXT_KEYS.dev, problems);

  if (platform.account && platform.account === relay.account) {
    problems.push(`platformAccount and relayAccount must be different accounts (both are ${platform.account}): ` +
      'the relay is the only account customers trust, the platform must have no path into customer accounts');
  }
  if (destroyOnDelete && PRODUCTION_STAGES.has(stage)) {
    problems.push(`context "dev" is true but stage is "${stage}": refusing to make a production stage's tables deletable`);
  }

  const registrationRegions = readRegistrationRegions(context(CONTEXT_KEYS.registrationRegions), relay.region, problems);

  if (problems.length > 0) {
    throw new ConfigError(`Invalid SendFleet deployment configuration:\n  - ${problems.join('\n  - ')}`);
  }
  const names = stageNames(stage);
  return {
    stage,
    accounts: { platform, relay },
    names,
    relayEventBusName: names.relayEventBus,
    alarmEmail,
    destroyOnDelete,
    registrationRegions,
  };
}

/**
 * AWS regions that are disabled until an account opts in (AWS Account Management, "Specify which
 * AWS Regions your account can use"). Cross-region SNS → Lambda registration is not offered there.
 */
export const OPT_IN_REGIONS = [
  'af-south-1', 'ap-east-1', 'ap-east-2', 'ap-south-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-7',
  'ca-west-1', 'eu-central-2', 'eu-south-1', 'eu-south-2', 'il-central-1', 'me-central-1', 'me-south-1', 'mx-central-1',
] as const;

/** The relay's region, us-east-1 and the configured ones, each an SES region that is not opt-in, no repeats. */
function readRegistrationRegions(value: unknown, relayRegion: string, problems: string[]): string[] {
  const given = value === undefined || value === null || value === '' ? []
    : typeof value === 'string' ? value.split(',').map((r) => r.trim()).filter(Boolean)
      : Array.isArray(value) ? value.map(String) : null;
  if (given === null) {
    problems.push(`context "${CONTEXT_KEYS.registrationRegions}" must be a comma-separated list of SES regions; got ${JSON.stringify(value)}`);
    return [];
  }
  for (const region of given) {
    if (!(SES_REGIONS as readonly string[]).includes(region)) problems.push(`context "${CONTEXT_KEYS.registrationRegions}" names ${region}, which is not an Amazon SES region SendFleet supports (${SES_REGIONS.join(', ')})`);
    else if ((OPT_IN_REGIONS as readonly string[]).includes(region)) problems.push(`context "${CONTEXT_KEYS.registrationRegions}" names ${region}, an opt-in region: a registration topic there cannot deliver to the relay's function in ${relayRegion} (SNS from an opt-in region needs its regional service principal, and delivery from a default region into an opt-in one is not supported). Remove it; customers in ${region} use the manual steps (docs/onboarding.md)`);
  }
  return [...new Set([relayRegion, ...DEFAULT_REGISTRATION_REGIONS, ...given].filter(Boolean))];
}

/** Every physical name that must be unique per account (and region), derived from the stage. */
export function stageNames(stage: string): StageNames {
  return {
    relayEventBus: `sendfleet-${stage}-tenant-events`,
    platformEventBus: `sendfleet-${stage}-tenant-changes`,
    forwardingRole: `sendfleet-${stage}-tenant-forwarding`,
    customerWebAcl: `sendfleet-${stage}-customer-api`,
    deliveryEventsBus: `sendfleet-${stage}-delivery-events`,
    customerKeysFunction: `sendfleet-${stage}-customer-keys`,
  };
}

function readOptionalEmail(value: unknown, problems: string[]): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || !EMAIL.test(value)) {
    problems.push(`context "${CONTEXT_KEYS.alarmEmail}" must be an e-mail address for alarm notifications; got ${JSON.stringify(value)}`);
    return undefined;
  }
  return value;
}

/** `-c dev=true` arrives as a string, cdk.json gives a boolean: accept both, refuse anything else. */
function readBoolean(value: unknown, key: string, problems: string[]): boolean {
  if (value === undefined || value === null || value === false || value === 'false') return false;
  if (value === true || value === 'true') return true;
  problems.push(`context "${key}" must be true or false; got ${JSON.stringify(value)}`);
  return false;
}

/** The ARN the platform's forwarding rule targets, built from configuration alone (commercial partition only, see readConfig). */
export function relayEventBusArn(config: SendFleetConfig): string {
  const { account, region } = config.accounts.relay;
  return `arn:aws:events:${region}:${account}:event-bus/${config.names.relayEventBus}`;
}

/** The platform's forwarding role, the one principal the relay bus admits. */
export function forwardingRoleArn(config: SendFleetConfig): string {
  return `arn:aws:iam::${config.accounts.platform.account}:role/${config.names.forwardingRole}`;
}

/** The platform's customer-keys function, the one function the relay's keys function may invoke. */
export function customerKeysFunctionArn(config: SendFleetConfig): string {
  const { account, region } = config.accounts.platform;
  return `arn:aws:lambda:${region}:${account}:function:${config.names.customerKeysFunction}`;
}
