/** Lambda entry: EventBridge target on the relay bus for tenant snapshots from the platform account. */
import middy from '@middy/core';
import { dynamoDocumentClient } from '../../shared/clients';
import { requireEnv } from '../../shared/env';
import { observability } from '../../shared/powertools';
import { ProjectionStore } from '../store/projection-store';
import { createTenantSync } from './tenant-sync';

export const handler = middy(createTenantSync(new ProjectionStore(dynamoDocumentClient(), requireEnv('RELAY_TABLE'))))
  .use(observability());
