/**
 * Where the functions' metrics go and what every one of them carries, shared with the stacks
 * (which set the environment and alarm on these metrics). No side effect: the CDK app imports it.
 */
export const SERVICE_NAMESPACE = 'SendFleet';

/** Set by the stack to the deployment stage, a dimension of every metric. */
export const STAGE_ENVIRONMENT_VARIABLE = 'SENDFLEET_STAGE';
