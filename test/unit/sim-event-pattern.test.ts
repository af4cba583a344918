/**
 * The simulator's EventBridge pattern matching, as far as the customer template's rule needs it:
 * exact values in arrays, nested fields, array fields matching on any element; and the patterns it
 * refuses instead of matching them wrongly.
 */
import { patternMatches, unsupportedPattern } from '../../sim/event-publishing';

const event = {
  source: 'aws.ses',
  'detail-type': 'Email Bounced',
  account: '222222222222',
  detail: { eventType: 'Bounce', mail: { tags: { 'ses:configuration-set': ['SendFleet-BYOC-Events'], campaign: ['a', 'b'] } } },
};

test('every named field must match one of its values; nested fields and array fields (any element) too', () => {
  expect(patternMatches({ source: ['aws.ses'] }, event)).toBe(true);
  expect(patternMatches({ source: ['aws.ses'], 'detail-type': ['Email Sent', 'Email Bounced'] }, event)).toBe(true);
  expect(patternMatches({ detail: { mail: { tags: { 'ses:configuration-set': ['SendFleet-BYOC-Events'] } } } }, event)).toBe(true);
  expect(patternMatches({ detail: { mail: { tags: { campaign: ['b'] } } } }, event)).toBe(true);

  expect(patternMatches({ source: ['aws.ses'], 'detail-type': ['Email Sent'] }, event)).toBe(false);
  expect(patternMatches({ detail: { mail: { tags: { 'ses:configuration-set': ['other'] } } } }, event)).toBe(false);
  expect(patternMatches({ detail: { missing: ['x'] } }, event)).toBe(false);
  expect(patternMatches({ detail: { eventType: { nested: ['x'] } } }, event)).toBe(false); // an object pattern on a string field
});

test('patterns the simulator cannot judge are named, not guessed at', () => {
  expect(unsupportedPattern({ source: ['aws.ses'], detail: { mail: { tags: { x: ['y'] } } } })).toBeUndefined();
  expect(unsupportedPattern({ source: [{ prefix: 'aws.' }] })).toMatch(/^source: .*arrays of strings only/);
  expect(unsupportedPattern({ detail: { n: [{ numeric: ['>', 1] }] } })).toMatch(/^detail\.n: /);
  expect(unsupportedPattern({ source: [] })).toMatch(/^source: /);
  expect(unsupportedPattern(['aws.ses'])).toMatch(/must be an object/);
});
