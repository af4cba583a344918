/**
 * The relay's refusals of sends, counted per tenant, UTC day and error code, for the customer's
 * Usage screen (GET /api/usage `refusals`). Counted around the pipeline, so only requests that got
 * as far as an authenticated key are counted (a single send refused by its validation is refused
 * before its key is read, and is not), per message (a request refused as a whole counts once).
 *
 * Cost: one DynamoDB write, on the refused path only; an accepted send (the warm path: one write,
 * one SES call) and a replayed answer write nothing more. Only codes are stored, never content.
 */
import { dateOf, outgoing, type Clock } from '../../shared/clock';
import type { SendCommand, SendOutcome } from './pipeline';

export interface RefusalCounts {
  /** Adds `counts` (per error code) to the tenant's day, in one write. */
  countRefusals(tenantId: string, counts: Readonly<Record<string, number>>, at: Date): Promise<void>;
}

/** The error codes of an outcome's refusals, per message; empty when every message was accepted. */
export function refusedCodes(outcome: SendOutcome): Record<string, number> {
  const codes = outcome.kind === 'refused' ? [outcome.refusal.code] : outcome.messages.flatMap((m) => (m.accepted ? [] : [m.refusal.code]));
  const counts: Record<string, number> = {};
  for (const code of codes) counts[code] = (counts[code] ?? 0) + 1;
  return counts;
}

/** `send`, counting what it refused; a failed count is logged and never changes the answer. */
export function countingRefusals(send: (command: SendCommand) => Promise<SendOutcome>, counts: RefusalCounts, clock: Clock) {
  return async (command: SendCommand): Promise<SendOutcome> => {
    const outcome = await send(command);
    const refused = outcome.replayed ? {} : refusedCodes(outcome);
    if (Object.keys(refused).length > 0) {
      await outgoing(clock, () => counts.countRefusals(command.principal.tenantId, refused, dateOf(clock)))
        .catch(() => command.log.warn('refusals not counted', { outcome: 'refusal_count_failed' }));
    }
    return outcome;
  };
}
