/** Lambda entry: EventBridge target on the relay bus for tenant snapshots from the platform account. */
import { lambdaWiring } from '../../shared/clients';
import { requireEnv } from '../../shared/env';
import { createTenantSyncHandler } from './tenant-sync-function';

export const handler = createTenantSyncHandler(requireEnv('RELAY_TABLE'), lambdaWiring());
