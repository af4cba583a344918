/**
 * Who is who in local mode and the tests: the two accounts, the relay's own (fake) credentials, which
 * the simulator knows as the relay account, and the tables' names. Kept apart from local-system.ts so
 * small tools can import them without starting anything.
 */
export const LOCAL_ACCOUNTS = { relay: '111111111111', platform: '222222222222' } as const;
/**
 * The one-click path's pieces in local mode: the relay's registration topic (the custom resource's
 * ServiceToken) and where the customer template is hosted in the simulator's S3.
 */
export const LOCAL_REGISTRATION_TOPIC_NAME = 'sendfleet-registration';
/** The relay's delivery-events bus in local mode (the customer template's forwarding rule targets it). */
export const LOCAL_DELIVERY_EVENTS_BUS_ARN = `arn:aws:events:us-east-1:${LOCAL_ACCOUNTS.relay}:event-bus/sendfleet-local-delivery-events`;
export const LOCAL_TEMPLATE_OBJECT = { bucket: 'sendfleet-local-templates', key: 'byoc/customer-template.json' } as const;
/** `npm start`'s customer AWS account: SES production access in every region the dashboard offers. */
export const LOCAL_CUSTOMER_ACCOUNT = '333333333333';
export const RELAY_LOCAL_CREDENTIALS = { accessKeyId: 'AKIARELAYLOCAL000001', secretAccessKey: 'local-secret' } as const;
export const LOCAL_TABLE_PREFIX = 'sendfleet-local';

export const tableNames = (prefix: string) => ({ tenants: `${prefix}-tenants`, relay: `${prefix}-relay` });

/**
 * Per-attempt DynamoDB timeout against DynamoDB Local: a JVM on this machine, which a loaded machine
 * (a CI runner, a full test run on 2 cores) makes slow, not broken. AWS keeps its 3 s bound.
 */
export const LOCAL_DYNAMODB_REQUEST_TIMEOUT_MS = 30_000;
