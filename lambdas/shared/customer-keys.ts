/**
 * The second contract between the two accounts: the relay's keys function invokes the platform's
 * `customer-keys` function synchronously (cross-account `lambda:InvokeFunction`) to list, create or
 * revoke a tenant's API keys. The platform stays the system of record: it decides (cap, tenant
 * state), stores, publishes the snapshot as for any change, and answers the snapshot so the relay
 * can apply it at once.
 *
 * A refusal is an answer (`ok: false` with a code), never an exception string: the relay maps each
 * code to its own error. One zod schema per shape, as tenant-events.ts does, so what the platform
 * answers and what the relay accepts cannot drift apart.
 */
import * as z from 'zod/mini';
import { domainsNeedSendingScope, keyNameText, sendingDomainList } from './key-options';
import { keyScopeSchema, tenantSnapshotSchema } from './tenant-events';

const TENANT_ID = /^ten_[0-9a-f]{20}$/;
const KEY_ID = /^key_[0-9a-f]{16}$/;

const tenantId = z.string().check(z.regex(TENANT_ID));

export const customerKeysRequestSchema = z.discriminatedUnion('operation', [
  z.strictObject({ operation: z.literal('list'), tenant_id: tenantId }),
  // The platform holds a new key to the same rules as the admin API's (shared/key-options.ts).
  z.strictObject({
    operation: z.literal('create'),
    tenant_id: tenantId,
    name: keyNameText,
    scope: keyScopeSchema,
    domains: z.nullable(sendingDomainList),
    expires_at: z.nullable(z.iso.datetime({ offset: true })),
  }).check(domainsNeedSendingScope),
  z.strictObject({ operation: z.literal('revoke'), tenant_id: tenantId, key_id: z.string().check(z.regex(KEY_ID)) }),
]);

/** Why the platform did not do it; `invalid_request`: the request broke this contract (a relay bug). */
export const customerKeysRefusalSchema = z.enum(['key_limit_reached', 'key_not_found', 'tenant_not_found', 'tenant_deleted', 'invalid_request']);

export const issuedKeySchema = z.object({
  key_id: z.string(),
  /** The secret, answered once: the platform keeps only its hash. */
  api_key: z.string(),
  prefix: z.string(),
  name: z.nullable(z.string()),
  scope: keyScopeSchema,
  domains: z.nullable(z.array(z.string())),
  created_at: z.string(),
  expires_at: z.nullable(z.string()),
});

export const customerKeysResultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), tenant: tenantSnapshotSchema, key: z.optional(issuedKeySchema) }),
  z.object({ ok: z.literal(false), refusal: customerKeysRefusalSchema }),
]);

export type CustomerKeysRequest = z.infer<typeof customerKeysRequestSchema>;
export type CustomerKeysRefusal = z.infer<typeof customerKeysRefusalSchema>;
export type CustomerKeysResult = z.infer<typeof customerKeysResultSchema>;
export type IssuedKeyAnswer = z.infer<typeof issuedKeySchema>;
