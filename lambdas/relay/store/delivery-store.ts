/**
 * Message timelines and the tenant's daily delivery counts in the relay table (relay-table.ts):
 * `MESSAGE#<SES message id>` (tenant id, the send's time, the events and the ids of the events
 * recorded) and `TENANT#<id>`/`DELIVERYDAY#<yyyy-mm-dd>` (one number per counter). Both expire
 * after `DELIVERY_RETENTION_DAYS`.
 *
 * EventBridge delivers at least once: an event is recorded with its day's count in one transaction
 * whose condition is that its id is not on the timeline yet, so a duplicate changes nothing.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { Clock } from '../../shared/clock';
import { GetCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { relayKeys, TTL_ATTRIBUTE } from './relay-table';
import type { TimelineEvent } from '../delivery-events/timeline';

export const DELIVERY_RETENTION_DAYS = 30;
const DAY_MS = 86_400_000;
/** A message's events beyond this are not recorded (SES publishes a handful per message and recipient). */
export const MAX_EVENTS_PER_MESSAGE = 100;

export interface MessageTimeline {
  tenant_id: string;
  message_id: string;
  /** When SES accepted the message (the events' `mail.timestamp`). */
  created_at: string;
  events: TimelineEvent[];
}

export type DailyCounts = Record<string, number> & { date: string };

export type RecordOutcome = 'recorded' | 'duplicate';

/** Tries of a write that keeps meeting concurrent ones (each pause up to CONFLICT_PAUSE_MS × its number). */
const CONFLICT_ATTEMPTS = 8;
const CONFLICT_PAUSE_MS = 25;

const isTransactionConflict = (error: unknown): boolean =>
  error instanceof TransactionCanceledException && (error.CancellationReasons ?? []).some((reason) => reason.Code === 'TransactionConflict');

/** UTC calendar day, `yyyy-mm-dd`. */
export const utcDay = (at: Date): string => at.toISOString().slice(0, 10);

export class DeliveryStore {
  /** `clock` paces the retries of a write that met a concurrent one (only `record` writes). */
  constructor(private readonly db: DynamoDBDocumentClient, private readonly tableName: string, private readonly clock?: Clock) {}

  /**
   * Adds the event to its message's timeline and `counter` to its day, once per event id. Events of
   * one message (and of one tenant's day) arrive concurrently: a transaction that met another on the
   * same item (TransactionConflict: nothing was written) is tried again after a short random pause.
   */
  async record(input: Parameters<DeliveryStore['recordOnce']>[0], now: Date): Promise<RecordOutcome> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.recordOnce(input, now);
      } catch (error) {
        if (!isTransactionConflict(error) || attempt >= CONFLICT_ATTEMPTS || !this.clock) throw error;
        await this.clock.sleep(Math.floor(Math.random() * CONFLICT_PAUSE_MS * attempt));
      }
    }
  }

  private async recordOnce(input: { tenantId: string; messageId: string; eventId: string; createdAt: string; event: TimelineEvent; counter: string }, now: Date): Promise<RecordOutcome> {
    const day = utcDay(new Date(input.event.at));
    const messageExpires = Math.floor(now.getTime() / 1000) + DELIVERY_RETENTION_DAYS * 86_400;
    // A day's count lives until the window no longer includes that day.
    const dayExpires = Math.floor((Date.parse(`${day}T00:00:00Z`) + (DELIVERY_RETENTION_DAYS + 1) * DAY_MS) / 1000);
    try {
      await this.db.send(new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: this.tableName,
              Key: relayKeys.message(input.messageId),
              UpdateExpression: `SET tenant_id = :tenant, created_at = if_not_exists(created_at, :createdAt), events = list_append(if_not_exists(events, :none), :event), ${TTL_ATTRIBUTE} = :expires ADD event_ids :eventIds`,
              // The same event again, another tenant's message, or a full timeline: nothing changes.
              ConditionExpression: 'attribute_not_exists(PK) OR (tenant_id = :tenant AND NOT contains(event_ids, :eventId) AND size(events) < :max)',
              ExpressionAttributeValues: {
                ':tenant': input.tenantId, ':createdAt': input.createdAt, ':none': [], ':event': [input.event], ':expires': messageExpires,
                ':eventIds': new Set([input.eventId]), ':eventId': input.eventId, ':max': MAX_EVENTS_PER_MESSAGE,
              },
            },
          },
          {
            Update: {
              TableName: this.tableName,
              Key: relayKeys.deliveryDay(input.tenantId, day),
              UpdateExpression: `SET #date = :day, ${TTL_ATTRIBUTE} = :expires ADD #counter :one`,
              ExpressionAttributeNames: { '#date': 'date', '#counter': input.counter },
              ExpressionAttributeValues: { ':day': day, ':expires': dayExpires, ':one': 1 },
            },
          },
        ],
      }));
      return 'recorded';
    } catch (error) {
      if (error instanceof TransactionCanceledException && error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') return 'duplicate';
      throw error;
    }
  }

  /** The tenant's timeline of a message; undefined when there is none (or it is another tenant's). */
  async timeline(tenantId: string, messageId: string): Promise<MessageTimeline | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: relayKeys.message(messageId), ConsistentRead: true }));
    if (!Item || Item.tenant_id !== tenantId) return undefined;
    return { tenant_id: tenantId, message_id: messageId, created_at: Item.created_at as string, events: (Item.events ?? []) as TimelineEvent[] };
  }

  /** The daily counts from `fromDay` to `toDay` (inclusive), days without events absent: one Query. */
  async days(tenantId: string, fromDay: string, toDay: string): Promise<DailyCounts[]> {
    const partition = relayKeys.deliveryDay(tenantId, fromDay).PK;
    const { Items } = await this.db.send(new QueryCommand({
      TableName: this.tableName,
      KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': partition, ':from': relayKeys.deliveryDay(tenantId, fromDay).SK, ':to': relayKeys.deliveryDay(tenantId, toDay).SK },
      ConsistentRead: true,
    }));
    return (Items ?? []).map(({ PK: _pk, SK: _sk, [TTL_ATTRIBUTE]: _ttl, ...counts }) => counts as DailyCounts);
  }
}
