/**
 * The deployment stage, set once on each stack and read by the constructs below it that put the
 * stage into what they create (the functions' metrics dimension, the alarms on those metrics), so
 * two stages in one account never add to each other's numbers.
 */
import type { Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

const CONTEXT_KEY = 'sendfleet:stage';

/** Call first thing in the stack's constructor (context cannot be set once children exist). */
export function setStage(stack: Stack, stage: string): void {
  stack.node.setContext(CONTEXT_KEY, stage);
}

export function stageOf(scope: Construct): string {
  const stage: unknown = scope.node.tryGetContext(CONTEXT_KEY);
  if (typeof stage !== 'string') throw new Error(`${scope.node.path}: no stage set on its stack (setStage)`);
  return stage;
}
