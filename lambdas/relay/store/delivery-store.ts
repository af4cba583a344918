/**
 * Message timelines and the tenant's daily delivery counts in the relay table (relay-table.ts):
 * `MESSAGE#<SES message id>` (tenant id, the send's time, the events and the ids of the events
 * recorded) and `TENANT#<id>`/`DELIVERYDAY#<yyyy-mm-dd>` (one number per counter: SES's events, and
 * the relay's own refusals of sends as `refused_<code>`). Both expire after `DELIVERY_RETENTION_DAYS`.
 *
 * EventBridge delivers at least once: an event is recorded with its day's count in one transaction
 * whose condition is that its id is not on the timeline yet, so a duplicate changes nothing.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { Clock } from '../../shared/clock';
import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
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

/** A day's counts live until the window no longer includes that day (epoch seconds). */
const dayExpiry = (day: string): number => Math.floor((Date.parse(`${day}T00:00:00Z`) + (DELIVERY_RETENTION_DAYS + 1) * DAY_MS) / 1000);

/** The day item's counters of the relay's own refusals of sends: `refused_<error code>`. */
export const REFUSED_PREFIX = 'refused_';

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
    const dayExpires = dayExpiry(day);
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

  /** Adds the relay's refusals of one send request to the tenant's day, per error code: one write. */
  async countRefusals(tenantId: string, counts: Readonly<Record<string, number>>, at: Date): Promise<void> {
    const entries = Object.entries(counts);
    if (entries.length === 0) return;
    const day = utcDay(at);
    await this.db.send(new UpdateCommand({
      TableName: this.tableName,
      Key: relayKeys.deliveryDay(tenantId, day),
      UpdateExpression: `SET #date = :day, ${TTL_ATTRIBUTE} = :expires ADD ${entries.map((_, i) => `#code${i} :count${i}`).join(', ')}`,
      ExpressionAttributeNames: { '#date': 'date', ...Object.fromEntries(entries.map(([code], i) => [`#code${i}`, `${REFUSED_PREFIX}${code}`])) },
      ExpressionAttributeValues: { ':day': day, ':expires': dayExpiry(day), ...Object.fromEntries(entries.map(([, count], i) => [`:count${i}`, count])) },
    }));
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
