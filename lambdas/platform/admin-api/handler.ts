/** Lambda entry of the admin API: wires the AWS clients once per cold start. */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { dynamoDocumentClient, lambdaWiring } from '../../shared/clients';
import { requireEnv } from '../../shared/env';
import { eventBridgePublisher } from '../tenants/snapshot-publisher';
import { TenantService } from '../tenants/tenant-service';
import { TenantStore } from '../tenants/tenant-store';
import { createAdminApi } from './admin-api';

const aws = lambdaWiring();
const service = new TenantService({
  store: new TenantStore(dynamoDocumentClient(aws), requireEnv('TENANTS_TABLE')),
  publish: eventBridgePublisher(new EventBridgeClient({}), requireEnv('EVENT_BUS_NAME')),
  clock: aws.clock,
});

export const handler = createAdminApi(service, aws.clock);
