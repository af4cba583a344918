/**
 * The tenant's webhook endpoint in the relay table (`TENANT#<id>` / `WEBHOOK`): its URL, the event
 * types it subscribes to and its signing secret. The secret must be kept readable to sign each
 * delivery; the table is encrypted at rest with the stack's KMS key, and the API shows the secret
 * only once, when the endpoint is created. No notification is ever written here.
 */
import { DeleteCommand, GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { WebhookEventType } from '../webhooks/outbox';
import { relayKeys } from './relay-table';

export interface WebhookEndpoint {
  url: string;
  events: WebhookEventType[];
  signing_secret: string;
  created_at: string;
  updated_at: string;
}

/** What the delivery side reads (the outboxes and the attempt). */
export interface WebhookEndpointReader {
  get(tenantId: string): Promise<WebhookEndpoint | undefined>;
}

export class WebhookStore implements WebhookEndpointReader {
  constructor(private readonly db: DynamoDBDocumentClient, private readonly tableName: string) {}

  async get(tenantId: string): Promise<WebhookEndpoint | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: relayKeys.webhook(tenantId) }));
    if (!Item) return undefined;
    const { url, events, signing_secret, created_at, updated_at } = Item as WebhookEndpoint;
    return { url, events, signing_secret, created_at, updated_at };
  }

  /**
   * Creates or updates the endpoint in one write. A new endpoint takes `candidateSecret`; an
   * existing one keeps its secret and creation time. `created` tells which happened (the caller
   * shows the secret only then).
   */
  async save(tenantId: string, url: string, events: readonly WebhookEventType[], now: Date, candidateSecret: string): Promise<{ endpoint: WebhookEndpoint; created: boolean }> {
    const { Attributes } = await this.db.send(new UpdateCommand({
      TableName: this.tableName,
      Key: relayKeys.webhook(tenantId),
      UpdateExpression: 'SET #url = :url, #events = :events, updated_at = :now, created_at = if_not_exists(created_at, :now), signing_secret = if_not_exists(signing_secret, :secret)',
      ExpressionAttributeNames: { '#url': 'url', '#events': 'events' },
      ExpressionAttributeValues: { ':url': url, ':events': [...events], ':now': now.toISOString(), ':secret': candidateSecret },
      ReturnValues: 'ALL_NEW',
    }));
    const endpoint = Attributes as WebhookEndpoint;
    return { endpoint, created: endpoint.signing_secret === candidateSecret };
  }

  async delete(tenantId: string): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: relayKeys.webhook(tenantId) }));
  }
}
