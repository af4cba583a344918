/** Lambda entry: EventBridge target on the relay bus for tenant snapshots from the platform account. */
import { dynamoDocumentClient } from '../../shared/clients';
import { requireEnv } from '../../shared/env';
import { ProjectionStore } from '../store/projection-store';
import { createTenantSync } from './tenant-sync';

export const handler = createTenantSync(new ProjectionStore(dynamoDocumentClient(), requireEnv('RELAY_TABLE')));
