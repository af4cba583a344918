/**
 * Who is who in local mode and the tests: the two accounts, the relay's own (fake) credentials, which
 * the simulator knows as the relay account, and the tables' names. Kept apart from local-system.ts so
 * small tools can import them without starting anything.
 */
export const LOCAL_ACCOUNTS = { relay: '111111111111', platform: '222222222222' } as const;
export const RELAY_LOCAL_CREDENTIALS = { accessKeyId: 'AKIARELAYLOCAL000001', secretAccessKey: 'local-secret' } as const;
export const LOCAL_TABLE_PREFIX = 'sendfleet-local';

export const tableNames = (prefix: string) => ({ tenants: `${prefix}-tenants`, relay: `${prefix}-relay` });
