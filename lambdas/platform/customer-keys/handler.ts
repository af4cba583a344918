/**
 * Lambda entry of `customer-keys`, invoked synchronously by the relay account's keys function
 * (its resource policy admits the relay account only): wires the AWS clients once per cold start.
 */
import middy from '@middy/core';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { dynamoDocumentClient, lambdaWiring } from '../../shared/clients';
import { requireEnv } from '../../shared/env';
import { observability } from '../../shared/powertools';
import { eventBridgePublisher } from '../tenants/snapshot-publisher';
import { TenantService } from '../tenants/tenant-service';
import { TenantStore } from '../tenants/tenant-store';
import { createCustomerKeys, publishedOrLogged } from './customer-keys';

const aws = lambdaWiring();
const service = new TenantService({
  store: new TenantStore(dynamoDocumentClient(aws), requireEnv('TENANTS_TABLE')),
  publish: publishedOrLogged(eventBridgePublisher(new EventBridgeClient({}), requireEnv('EVENT_BUS_NAME'))),
  clock: aws.clock,
});

export const handler = middy(createCustomerKeys(service)).use(observability());
