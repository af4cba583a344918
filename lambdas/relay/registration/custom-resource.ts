/**
 * CloudFormation's custom resource protocol as the registration function meets it: the request
 * inside an SNS notification, and the answer it PUTs to the request's ResponseURL
 * (AWS CloudFormation User Guide, "Custom resource request and response reference").
 * Everything here is untrusted input: anyone may publish to the registration topic.
 */
import * as z from 'zod/mini';

export type RequestType = 'Create' | 'Update' | 'Delete';

/** The properties the customer template sends (byoc/customer-template.ts). */
const registrationProperties = z.object({
  ExternalId: z.string().check(z.maxLength(128)),
  RoleArn: z.string().check(z.maxLength(2048)),
  Region: z.string().check(z.maxLength(32)),
  AccountId: z.string().check(z.maxLength(32)),
  /** The tenant's registration token (a NoEcho parameter); a request without it is refused like a wrong one. */
  RegistrationToken: z.optional(z.string().check(z.maxLength(128))),
  /** The configuration set the stack created (templates with delivery events); checked by the use case. */
  ConfigurationSetName: z.optional(z.string().check(z.maxLength(128))),
});

const customResourceRequest = z.object({
  RequestType: z.enum(['Create', 'Update', 'Delete']),
  ResponseURL: z.string().check(z.maxLength(8192)),
  StackId: z.string().check(z.maxLength(1024)),
  RequestId: z.string().check(z.maxLength(256)),
  LogicalResourceId: z.string().check(z.maxLength(256)),
  ResourceType: z.optional(z.string()),
  PhysicalResourceId: z.optional(z.string().check(z.maxLength(1024))),
  ResourceProperties: z.optional(z.unknown()),
  OldResourceProperties: z.optional(z.unknown()),
});

export type CustomResourceRequest = z.infer<typeof customResourceRequest>;
export type RegistrationProperties = z.infer<typeof registrationProperties>;

/** What the answer needs, whatever else is wrong with the request: without these there is no one to answer. */
export interface Answerable {
  request: CustomResourceRequest;
  /** undefined when the properties are not the template's. */
  properties: RegistrationProperties | undefined;
  /** An Update's previous properties, when they are the template's. */
  oldProperties?: RegistrationProperties;
}

/** An SNS notification as Lambda receives it (only what is read). */
export interface SnsEvent {
  Records: Array<{ EventSource?: string; Sns?: { Type?: string; TopicArn?: string; Message?: string; MessageId?: string } }>;
}

/** CloudFormation's answer body (at most 4096 bytes). */
export interface CustomResourceResponse {
  Status: 'SUCCESS' | 'FAILED';
  Reason: string;
  PhysicalResourceId: string;
  StackId: string;
  RequestId: string;
  LogicalResourceId: string;
  Data?: Record<string, string>;
}

/** The request in one SNS record's message, or undefined when it is not one (nothing to answer). */
export function parseRequest(message: string | undefined): Answerable | undefined {
  if (typeof message !== 'string' || message.length > 64 * 1024) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(message);
  } catch {
    return undefined;
  }
  const request = customResourceRequest.safeParse(json);
  if (!request.success) return undefined;
  const properties = registrationProperties.safeParse(request.data.ResourceProperties);
  const oldProperties = registrationProperties.safeParse(request.data.OldResourceProperties);
  return { request: request.data, properties: properties.success ? properties.data : undefined, ...(oldProperties.success ? { oldProperties: oldProperties.data } : {}) };
}

/** The region and account of a stack ARN (`arn:aws:cloudformation:<region>:<account>:stack/<name>/<id>`). */
export function stackArnParts(stackId: string): { region: string; accountId: string } | undefined {
  const match = /^arn:aws:cloudformation:([a-z]{2}(?:-[a-z]+)+-\d):(\d{12}):stack\/[A-Za-z][A-Za-z0-9-]{0,127}\/[A-Za-z0-9-]+$/.exec(stackId);
  return match ? { region: match[1]!, accountId: match[2]! } : undefined;
}

/** CloudFormation's whole answer is capped at 4096 bytes. */
export const MAX_RESPONSE_BYTES = 4096;

/** The answer body, its reason cut (never the ids) until the UTF-8 JSON fits in `MAX_RESPONSE_BYTES`. */
export function responseBody(request: CustomResourceRequest, answer: { status: 'SUCCESS' | 'FAILED'; reason: string; physicalResourceId: string }): string {
  const bodyWith = (reason: string) => {
    const body: CustomResourceResponse = {
      Status: answer.status,
      Reason: reason,
      PhysicalResourceId: answer.physicalResourceId.slice(0, 1024),
      StackId: request.StackId,
      RequestId: request.RequestId,
      LogicalResourceId: request.LogicalResourceId,
    };
    return JSON.stringify(body);
  };
  const fits = (length: number) => Buffer.byteLength(bodyWith(answer.reason.slice(0, length)), 'utf8') <= MAX_RESPONSE_BYTES;
  if (fits(answer.reason.length)) return bodyWith(answer.reason);
  // The longest prefix of the reason that fits (binary search: a character is 1 to 6 bytes of JSON).
  let [low, high] = [0, answer.reason.length];
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (fits(middle)) low = middle; else high = middle - 1;
  }
  return bodyWith(answer.reason.slice(0, low));
}
