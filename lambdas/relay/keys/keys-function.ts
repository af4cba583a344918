/** The keys API's composition root: clients, stores and the key registry created once per cold start. */
import { dynamoDocumentClient, type AwsWiring } from '../../shared/clients';
import { ConfigurationError } from '../../shared/env';
import { Authenticator } from '../auth/authenticator';
import type { RelayConfig } from '../relay-config';
import { DomainStore } from '../store/domain-store';
import { ProjectionStore } from '../store/projection-store';
import { ApiKeys } from './api-keys';
import type { KeyRegistry } from './key-registry';
import { createKeysApi } from './keys-api';
import { lambdaKeyRegistry } from './lambda-key-registry';

/** `registry`: local mode and tests pass the in-process one; in AWS it invokes CUSTOMER_KEYS_FUNCTION_ARN. */
export function createKeysHandler(config: RelayConfig, aws: AwsWiring, registry?: KeyRegistry) {
  const db = dynamoDocumentClient(aws);
  const projection = new ProjectionStore(db, config.relayTable);
  const authenticator = new Authenticator(projection, aws.clock, { ttlMs: config.authCacheTtlMs });
  return createKeysApi({
    authenticator,
    keys: new ApiKeys({
      registry: registry ?? lambdaRegistry(config),
      projection,
      domains: new DomainStore(db, config.relayTable),
      clock: aws.clock,
      forgetKey: (keyHash) => authenticator.forget(keyHash),
    }),
  });
}

function lambdaRegistry(config: RelayConfig): KeyRegistry {
  if (!config.customerKeysFunctionArn) throw new ConfigurationError('environment variable CUSTOMER_KEYS_FUNCTION_ARN is not set');
  return lambdaKeyRegistry(config.customerKeysFunctionArn);
}
