/** Lambda entry of the onboarding API: clients and stores created once per cold start. */
import { STSClient } from '@aws-sdk/client-sts';
import { dynamoDocumentClient } from '../../shared/clients';
import { optionalEnv, requireEnv } from '../../shared/env';
import { Authenticator } from '../auth/authenticator';
import { ByocConfigStore } from '../byoc/config-store';
import { CustomerSessions } from '../byoc/customer-session';
import { ProjectionStore } from '../tenant-sync/projection-store';
import { createOnboardingApi } from './onboarding-api';

const table = requireEnv('RELAY_TABLE');
const db = dynamoDocumentClient();

export const handler = createOnboardingApi({
  authenticator: new Authenticator(new ProjectionStore(db, table)),
  configs: new ByocConfigStore(db, table),
  sessions: new CustomerSessions(new STSClient({})),
  relayAccountId: requireEnv('RELAY_ACCOUNT_ID'),
  platformAccountId: optionalEnv('PLATFORM_ACCOUNT_ID'),
});
