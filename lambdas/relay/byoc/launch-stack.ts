/**
 * The CloudFormation console's quick-create link for the customer template: the tenant's region
 * (us-east-1 until one is chosen), the hosted template, the stack name and the ExternalId(s)
 * filled in. The customer reviews it in their own console and presses Create stack.
 */
import { CUSTOMER_STACK_NAME } from './customer-template';

export const DEFAULT_STACK_REGION = 'us-east-1';
export const CONSOLE_QUICK_CREATE_URL = 'https://<region>.console.aws.amazon.com/cloudformation/home?region=<region>#/stacks/quickcreate';

export interface LaunchStackInput {
  templateUrl: string;
  /** Default `CONSOLE_QUICK_CREATE_URL`; `<region>` is replaced. */
  quickCreateBaseUrl?: string;
  region: string | null;
  externalId: string;
  previousExternalId?: string | null;
  /** The tenant's registration token (the template's NoEcho RegistrationToken parameter). */
  registrationToken?: string | null;
}

export function launchStackUrl(input: LaunchStackInput): string {
  const region = input.region ?? DEFAULT_STACK_REGION;
  const base = (input.quickCreateBaseUrl ?? CONSOLE_QUICK_CREATE_URL).replaceAll('<region>', region);
  const query = new URLSearchParams({
    templateURL: input.templateUrl,
    stackName: CUSTOMER_STACK_NAME,
    param_ExternalId: input.externalId,
    ...(input.previousExternalId ? { param_PreviousExternalId: input.previousExternalId } : {}),
    ...(input.registrationToken ? { param_RegistrationToken: input.registrationToken } : {}),
  });
  // The console reads its parameters after the fragment (#/stacks/quickcreate?...); `region` is in the page's own query.
  const [page, fragment] = base.split('#');
  if (fragment !== undefined) return `${page}#${fragment}?${query}`;
  const url = new URL(base);
  url.searchParams.set('region', region);
  for (const [key, value] of query) url.searchParams.set(key, value);
  return url.toString();
}
