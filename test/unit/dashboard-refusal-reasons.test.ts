/**
 * Usage's "refused by SendFleet" column says why in words for every code a send or a batch message
 * can be refused with (as the OpenAPI document lists them), never "another reason" for a code the
 * relay itself answers.
 */
import { refusalReasons } from '../../dashboard/src/refusal-reasons';
import { operations } from '../../openapi/operations';

/** Refusals that end a request before a key is read: they are never counted. */
const NEVER_COUNTED = new Set(['invalid_api_key', 'internal_error', 'byoc_not_configured', 'edge_rate_limited', 'edge_blocked', 'insufficient_scope']);

test('every code a send can be refused with has its reason in words', () => {
  const sendOperations = operations.filter((operation) => ['sendEmail', 'sendBatch'].includes(operation.operationId));
  expect(sendOperations).toHaveLength(2);
  const codes = [...new Set(sendOperations.flatMap((operation) => operation.errors ?? []))].filter((code) => !NEVER_COUNTED.has(code));
  expect(codes).toContain('from_domain_not_allowed');
  const unexplained = codes.filter((code) => refusalReasons({ [code]: 1 })[0]?.reason === 'another reason');
  expect(unexplained).toEqual([]);
});
