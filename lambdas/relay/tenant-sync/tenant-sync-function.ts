/** The tenant sync's composition root: its table and its AWS endpoints. */
import middy from '@middy/core';
import { dynamoDocumentClient, type AwsWiring } from '../../shared/clients';
import { observability } from '../../shared/powertools';
import { ProjectionStore } from '../store/projection-store';
import { createTenantSync } from './tenant-sync';

export function createTenantSyncHandler(relayTable: string, aws: AwsWiring) {
  return middy(createTenantSync(new ProjectionStore(dynamoDocumentClient(aws), relayTable))).use(observability());
}
