import * as z from 'zod/mini';
import { ApiError } from '../../lambdas/shared/errors';
import { parseInput } from '../../lambdas/shared/validation';

const schema = z.strictObject({
  name: z.string(),
  count: z.optional(z.number()),
  tags: z.optional(z.array(z.string())),
  nested: z.optional(z.object({ flag: z.boolean() })),
  label: z.optional(z.nullable(z.string())),
});

const issuesOf = (input: unknown) => {
  try {
    parseInput(schema, input);
  } catch (error) {
    return { detail: (error as ApiError).detail, issues: (error as ApiError).options.issues };
  }
  throw new Error('accepted');
};

describe('a wrong type is reported as a wrong type', () => {
  test.each([
    [{ name: 123 }, 'name', 'must be a string'],
    [{ name: null }, 'name', 'must be a string'],
    [{ name: 'n', count: 'seven' }, 'count', 'must be a number'],
    [{ name: 'n', tags: 'x' }, 'tags', 'must be an array'],
    [{ name: 'n', tags: [1] }, 'tags.0', 'must be a string'],
    [{ name: 'n', nested: { flag: 'yes' } }, 'nested.flag', 'must be a boolean'],
    [{ name: 'n', nested: [] }, 'nested', 'must be an object'],
    [{ name: 'n', label: 5 }, 'label', 'must be a string'],
  ])('%j → %s %s', (input, path, message) => {
    const { detail, issues } = issuesOf(input);
    expect(issues).toEqual([{ path, message }]);
    expect(detail).toBe(`The request body is invalid: ${path} ${message}.`);
  });

  test('a missing field is required; a body that is not an object says so', () => {
    expect(issuesOf({}).issues).toEqual([{ path: 'name', message: 'is required (string)' }]);
    expect(issuesOf({ nested: {} , name: 'n' }).issues).toEqual([{ path: 'nested.flag', message: 'is required (boolean)' }]);
    expect(issuesOf('text').issues).toEqual([{ path: '(body)', message: 'must be an object' }]);
  });
});
