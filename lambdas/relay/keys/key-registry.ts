/**
 * The port to the system of record for API keys (the platform account), and what both adapters
 * share: the request they send and how an answer is read. `LambdaKeyRegistry` invokes the
 * platform's customer-keys function across accounts; local mode and the tests call the same
 * platform function in-process (`inProcessKeyRegistry`). Either way the answer is parsed with the
 * contract's schema (shared/customer-keys.ts): a refusal comes back as a value, a broken or missing
 * answer as PlatformUnavailableError.
 */
import { customerKeysResultSchema, type CustomerKeysRequest, type CustomerKeysResult } from '../../shared/customer-keys';
import type { KeyScope } from '../../shared/tenant-events';

export interface NewKeyRequest {
  name: string;
  scope: KeyScope;
  domains: string[] | null;
  expires_at: string | null;
}

export interface KeyRegistry {
  list(tenantId: string): Promise<CustomerKeysResult>;
  create(tenantId: string, key: NewKeyRequest): Promise<CustomerKeysResult>;
  revoke(tenantId: string, keyId: string): Promise<CustomerKeysResult>;
}

/** The platform did not answer, failed, or answered outside the contract: nothing the customer can fix. */
export class PlatformUnavailableError extends Error {
  override readonly name = 'PlatformUnavailableError';
}

/** One request and its raw answer (JSON as it came back); the transport of an adapter. */
export type InvokePlatform = (request: CustomerKeysRequest) => Promise<unknown>;

/** A KeyRegistry over a transport: builds the contract's requests and checks its answers. */
export function keyRegistryOver(invoke: InvokePlatform): KeyRegistry {
  const ask = async (request: CustomerKeysRequest): Promise<CustomerKeysResult> => {
    const parsed = customerKeysResultSchema.safeParse(await invoke(request));
    if (!parsed.success) throw new PlatformUnavailableError('the platform\'s answer does not match the contract');
    return parsed.data;
  };
  return {
    list: (tenantId) => ask({ operation: 'list', tenant_id: tenantId }),
    create: (tenantId, key) => ask({ operation: 'create', tenant_id: tenantId, ...key }),
    revoke: (tenantId, keyId) => ask({ operation: 'revoke', tenant_id: tenantId, key_id: keyId }),
  };
}

/**
 * Local mode and tests: the platform's customer-keys function called in-process (with the
 * platform's local wiring), its request and answer passed through JSON as Lambda passes them.
 */
export function inProcessKeyRegistry(platformFunction: (input: unknown) => Promise<unknown>): KeyRegistry {
  return keyRegistryOver(async (request) => {
    try {
      return JSON.parse(JSON.stringify(await platformFunction(JSON.parse(JSON.stringify(request)))));
    } catch (error) {
      if (error instanceof PlatformUnavailableError) throw error;
      // Lambda answers a function's failure as FunctionError: the relay sees the same here.
      throw new PlatformUnavailableError(`the platform function failed (${error instanceof Error ? error.name : typeof error})`);
    }
  });
}
