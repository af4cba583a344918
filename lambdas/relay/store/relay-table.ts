/**
 * The relay table's single-table key design. Every module that reads or writes the relay table
 * builds its keys here, so the layout is written down once:
 *
 * | item                         | PK                                 | SK               |
 * |------------------------------|------------------------------------|------------------|
 * | tenant projection            | TENANT#<tenant id>                 | PROFILE          |
 * | API key projection           | APIKEY#<sha-512 of the key>        | APIKEY           |
 * | BYOC config                  | TENANT#<tenant id>                 | BYOC             |
 * | sending domain               | TENANT#<tenant id>                 | DOMAIN#<domain>  |
 * | domain slots (the cap)       | TENANT#<tenant id>                 | DOMAINSLOTS      |
 * | monthly count (Starter)      | TENANT#<tenant id>                 | USAGE#<yyyy-mm>  |
 * | rate window (per key/minute) | RATE#<key id>#<yyyy-mm-ddThh:mm>   | RATE             |
 * | idempotency record           | IDEMPOTENCY#<tenant>#<sha-256 key> | IDEMPOTENCY      |
 * | ExternalId → tenant index    | EXTERNALID#<sha-256 of the id>     | EXTERNALID       |
 * | account health               | TENANT#<tenant id>                 | HEALTH           |
 * | webhook endpoint             | TENANT#<tenant id>                 | WEBHOOK          |
 * | delivery-event source        | EVENTSOURCE#<customer account id>  | EVENTSOURCE      |
 * | message timeline (30 days)   | MESSAGE#<SES message id>           | MESSAGE          |
 * | daily delivery counts        | TENANT#<tenant id>                 | DELIVERYDAY#<yyyy-mm-dd> |
 *
 * A deleted tenant keeps only its profile and its API-key items, as tombstones (`status: deleted`,
 * keys `revoked`, with the deletion's version); every other `TENANT#<id>` item is removed.
 *
 * The ExternalId index lets the stack registration (registration/) find a tenant from the
 * ExternalId CloudFormation sends, without the raw value in a key; a tenant's current and (during
 * a rotation) previous ExternalId each have one. It lives outside the tenant's partition, so a
 * deleted tenant may leave one behind: it then points to no config, which reads as unknown.
 *
 * The delivery-event source maps a customer account (the `account` of the SES events its stack
 * forwards) to the tenant whose stack registered it, with the configuration set's name and region;
 * written by the stack registration, removed when the stack is deleted. Like the ExternalId index
 * it lives outside the tenant's partition.
 *
 * A message timeline is keyed by SES's message id alone (a busy tenant's events spread over many
 * partitions) and carries its tenant id: a read by another tenant finds "no such message". It
 * holds types, times and SES's classifications only, and expires 30 days after its last event,
 * as do the daily counts (delivery-events/).
 *
 * Usage items also carry GSI1 (`USAGE#<shard>`, `<yyyy-mm>#<tenant id>`) so the monthly reset
 * pages through them without scanning. BYOC configs with a role carry GSI1 (`BYOC#<shard>`,
 * `<tenant id>`), written with the role, so the account health check (health/) enumerates BYOC
 * tenants page by page without scanning the table (which also holds every message's events).
 * `expires_at` (epoch seconds) is the TTL attribute.
 */
export const PK = 'PK';
export const SK = 'SK';
export const GSI1 = { name: 'GSI1', partitionKey: 'GSI1PK', sortKey: 'GSI1SK' } as const;
export const TTL_ATTRIBUTE = 'expires_at';
export const USAGE_SHARDS = 16;

export const relayKeys = {
  tenantProfile: (tenantId: string) => ({ PK: `TENANT#${tenantId}`, SK: 'PROFILE' }),
  apiKey: (keyHash: string) => ({ PK: `APIKEY#${keyHash}`, SK: 'APIKEY' }),
  byocConfig: (tenantId: string) => ({ PK: `TENANT#${tenantId}`, SK: 'BYOC' }),
  domain: (tenantId: string, domain: string) => ({ PK: `TENANT#${tenantId}`, SK: `DOMAIN#${domain}` }),
  domainPrefix: (tenantId: string) => ({ PK: `TENANT#${tenantId}`, SKPrefix: 'DOMAIN#' }),
  /** Not under DOMAIN#: listing the domains must not return it. */
  domainSlots: (tenantId: string) => ({ PK: `TENANT#${tenantId}`, SK: 'DOMAINSLOTS' }),
  usage: (tenantId: string, month: string) => ({ PK: `TENANT#${tenantId}`, SK: `USAGE#${month}` }),
  rateWindow: (keyId: string, minute: string) => ({ PK: `RATE#${keyId}#${minute}`, SK: 'RATE' }),
  idempotency: (tenantId: string, keyHash: string) => ({ PK: `IDEMPOTENCY#${tenantId}#${keyHash}`, SK: 'IDEMPOTENCY' }),
  externalId: (externalIdHash: string) => ({ PK: `EXTERNALID#${externalIdHash}`, SK: 'EXTERNALID' }),
  health: (tenantId: string) => ({ PK: `TENANT#${tenantId}`, SK: 'HEALTH' }),
  /** One endpoint per tenant, with its signing secret (the table is encrypted with the stack's key). */
  webhook: (tenantId: string) => ({ PK: `TENANT#${tenantId}`, SK: 'WEBHOOK' }),
  eventSource: (accountId: string) => ({ PK: `EVENTSOURCE#${accountId}`, SK: 'EVENTSOURCE' }),
  message: (sesMessageId: string) => ({ PK: `MESSAGE#${sesMessageId}`, SK: 'MESSAGE' }),
  deliveryDay: (tenantId: string, day: string) => ({ PK: `TENANT#${tenantId}`, SK: `DELIVERYDAY#${day}` }),
} as const;

/** The GSI1 partition of usage shard `n` (0 … USAGE_SHARDS - 1). */
export const usageShardKey = (n: number): string => `USAGE#${n}`;

const shardOf = (tenantId: string, shards: number): number => {
  let hash = 0;
  for (let i = 0; i < tenantId.length; i++) hash = (hash * 31 + tenantId.charCodeAt(i)) >>> 0;
  return hash % shards;
};

/** Spreads usage items over a few GSI partitions so no single partition takes every send's write. */
export function usageShard(tenantId: string): string {
  return usageShardKey(shardOf(tenantId, USAGE_SHARDS));
}

/** GSI1 partitions of BYOC configs: the health scheduler walks them one by one. */
export const BYOC_SHARDS = 16;
export const byocShardKey = (n: number): string => `BYOC#${n}`;
/** The GSI1 attributes of a tenant's BYOC config (written with its role). */
export const byocIndexKeys = (tenantId: string) => ({ [GSI1.partitionKey]: byocShardKey(shardOf(tenantId, BYOC_SHARDS)), [GSI1.sortKey]: tenantId });

/** Calendar month in UTC, `yyyy-mm`: counts are keyed by it, so a new month starts at zero by construction. */
export const utcMonth = (at: Date): string => at.toISOString().slice(0, 7);
