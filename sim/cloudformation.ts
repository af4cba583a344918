/**
 * CloudFormation in the customer account, as far as SendFleet's one-click onboarding needs it:
 * create, update and delete a stack from a quick-create link (or a template URL and parameters).
 * IAM roles are created in the simulator's IAM model (so the account's propagation delay applies);
 * a custom resource's request goes to its SNS topic exactly as SNS hands it to a Lambda subscriber,
 * and CloudFormation waits — on the simulator's clock — for the answer at a pre-signed ResponseURL
 * the simulator serves. A failed create rolls back (deleting what it created, and sending the
 * custom resource the Delete CloudFormation sends after a failed Create); a failed update rolls
 * back with an Update carrying the old properties. Wordings are CloudFormation's (see
 * docs/simulator-fidelity.md).
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { SNSEvent } from 'aws-lambda';
import type { Clock } from '../lambdas/shared/clock';
import { trackedOn } from '../local/virtual-clock';
import {
  EvaluationError,
  TemplateError,
  conditionValues,
  creationOrder,
  evaluateNode,
  isCustomResourceType,
  parseTemplate,
  resolveParameters,
  type EvaluationContext,
  type Json,
  type Template,
} from './cloudformation-template';
import { NATIVE_TYPES, ResourceFailure, generatedName, isNativeType, type ResourceScope } from './cloudformation-resources';
import type { ObjectStore } from './object-store';
import { ControlError, type SimState } from './state';
import type { PolicyDocument } from './policy';

export { TemplateError };

/** How SNS hands a message to its subscriber: the local wiring calls the relay's registration handler. */
export type SnsDelivery = (topicArn: string, event: SNSEvent) => Promise<void>;

export interface CloudFormationOptions {
  /** Delivers what CloudFormation publishes to a custom resource's topic; without it, requests go nowhere (and time out). */
  deliver?: SnsDelivery;
  /** How long a custom resource may take to answer when its ServiceTimeout does not say (CloudFormation: 1 h). */
  customResourceTimeoutMs?: number;
  /** Where the console page's "back" link leads once a stack is done (local mode: the dashboard's Settings). */
  returnUrl?: () => string | undefined;
}

export type StackStatus =
  | 'CREATE_IN_PROGRESS' | 'CREATE_COMPLETE' | 'ROLLBACK_IN_PROGRESS' | 'ROLLBACK_COMPLETE' | 'ROLLBACK_FAILED'
  | 'UPDATE_IN_PROGRESS' | 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS' | 'UPDATE_COMPLETE'
  | 'UPDATE_ROLLBACK_IN_PROGRESS' | 'UPDATE_ROLLBACK_COMPLETE' | 'UPDATE_ROLLBACK_FAILED'
  | 'DELETE_IN_PROGRESS' | 'DELETE_COMPLETE' | 'DELETE_FAILED';

export type ResourceStatus = 'CREATE_IN_PROGRESS' | 'CREATE_COMPLETE' | 'CREATE_FAILED' | 'UPDATE_IN_PROGRESS' | 'UPDATE_COMPLETE' | 'UPDATE_FAILED' | 'DELETE_IN_PROGRESS' | 'DELETE_COMPLETE' | 'DELETE_FAILED' | 'DELETE_SKIPPED';

/** CloudFormation's default and longest wait for a custom resource (ServiceTimeout, 1–3600 s). */
export const CUSTOM_RESOURCE_TIMEOUT_MS = 3_600_000;
/** Pre-signed ResponseURLs are valid for 2 hours (X-Amz-Expires=7200). */
const RESPONSE_URL_EXPIRES_S = 7200;
/** "The total size of the response body can't exceed 4096 bytes." */
export const MAX_RESPONSE_BYTES = 4096;

export interface StackInput {
  accountId: string;
  region: string;
  stackName: string;
  templateUrl: string;
  parameters: Record<string, string>;
}

interface StackResource {
  logicalId: string;
  type: string;
  status: ResourceStatus;
  statusReason?: string;
  physicalId?: string;
  /** evaluated properties as last applied */
  properties?: Record<string, Json>;
  attributes: Record<string, string>;
}

export interface StackEvent {
  timestamp: string;
  logical_id: string;
  physical_id: string | null;
  resource_type: string;
  status: string;
  status_reason: string | null;
}

interface Stack {
  accountId: string;
  region: string;
  name: string;
  id: string;
  status: StackStatus;
  /** the root cause of a failure: the failed resource's reason */
  statusReason?: string;
  templateUrl: string;
  template: Template;
  parameters: Record<string, string>;
  resources: Map<string, StackResource>;
  outputs: Record<string, string>;
  events: StackEvent[];
  operation: Promise<void>;
  /** set by reset(): the operation stops at its next step */
  abandoned?: boolean;
}

export interface StackView {
  stack_name: string;
  stack_id: string;
  account_id: string;
  region: string;
  status: StackStatus;
  /** why the stack failed: the failing resource's reason, as the console's Events tab shows it; null otherwise */
  status_reason: string | null;
  parameters: Record<string, string>;
  outputs: Record<string, string>;
  resources: Array<{ logical_id: string; type: string; physical_id: string | null; status: ResourceStatus; status_reason: string | null }>;
  /** newest first, as the console lists them */
  events: StackEvent[];
}

/** A custom resource's answer, as the provider PUT it to the ResponseURL. */
interface CustomResourceAnswer {
  Status: 'SUCCESS' | 'FAILED';
  Reason?: string;
  PhysicalResourceId: string;
  Data?: Record<string, unknown>;
}

interface PendingRequest {
  signature: string;
  expiresAt: number;
  stackId: string;
  requestId: string;
  logicalId: string;
  answer?: CustomResourceAnswer | { invalid: string };
  answered: AbortController;
}

/** The simulator was reset or closed while the operation ran: it stops where it is, quietly. */
class Abandoned extends Error {}


export type ResponsePutResult = { status: 200 } | { status: 403; code: 'AccessDenied' | 'SignatureDoesNotMatch'; message: string };

const isStable = (status: StackStatus): boolean => !status.endsWith('_IN_PROGRESS');
const UPDATABLE: StackStatus[] = ['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE'];
const isObject = (value: unknown): value is Record<string, Json> => typeof value === 'object' && value !== null && !Array.isArray(value);
const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

export class CloudFormationSim {
  private readonly stacks = new Map<string, Stack>();
  /** the last deleted stack of each name, so its deletion can still be awaited */
  private readonly deleted = new Map<string, Stack>();
  private readonly pending = new Map<string, PendingRequest>();
  /** ResponseURLs already answered: a second PUT overwrites nothing CloudFormation reads again */
  private readonly answered = new Set<string>();
  private readonly signingKey = randomBytes(32);
  private stopped = false;

  constructor(
    private readonly state: SimState,
    private readonly clock: Clock,
    private readonly objects: ObjectStore,
    /** the simulator's own base URL, for ResponseURLs */
    private readonly baseUrl: () => string,
    readonly options: CloudFormationOptions = {},
  ) {}

  /** CreateStack: refuses synchronously what AWS refuses synchronously; the operation then runs on its own. */
  createStack(input: StackInput): StackView {
    this.state.account(input.accountId);
    checkStackName(input.stackName);
    const existing = this.stacks.get(stackKey(input.accountId, input.region, input.stackName));
    if (existing) throw new TemplateError('AlreadyExistsException', `Stack [${input.stackName}] already exists`);
    const template = parseTemplate(this.templateBody(input.templateUrl));
    const parameters = resolveParameters(template, input.parameters);
    creationOrder(template);
    const stack: Stack = {
      accountId: input.accountId,
      region: input.region,
      name: input.stackName,
      id: `arn:aws:cloudformation:${input.region}:${input.accountId}:stack/${input.stackName}/${randomUUID()}`,
      status: 'CREATE_IN_PROGRESS',
      templateUrl: input.templateUrl,
      template,
      parameters,
      resources: new Map(),
      outputs: {},
      events: [],
      operation: Promise.resolve(),
    };
    this.stacks.set(stackKey(stack.accountId, stack.region, stack.name), stack);
    this.stackEvent(stack, 'CREATE_IN_PROGRESS', 'User Initiated');
    stack.operation = this.run(() => this.create(stack));
    return this.view(stack);
  }

  /** UpdateStack with a template URL and parameters (a rotated ExternalId is a new parameter value). */
  updateStack(input: StackInput): StackView {
    const stack = this.find(input.accountId, input.stackName, input.region);
    if (!UPDATABLE.includes(stack.status)) throw new TemplateError('ValidationError', `Stack:${stack.id} is in ${stack.status} state and can not be updated.`);
    const template = parseTemplate(this.templateBody(input.templateUrl));
    const parameters = resolveParameters(template, input.parameters);
    creationOrder(template);
    if (sameJson(template, stack.template) && sameJson(parameters, stack.parameters)) {
      throw new TemplateError('ValidationError', 'No updates are to be performed.');
    }
    const previous = { template: stack.template, parameters: stack.parameters, templateUrl: stack.templateUrl };
    Object.assign(stack, { template, parameters, templateUrl: input.templateUrl, status: 'UPDATE_IN_PROGRESS', statusReason: undefined });
    this.stackEvent(stack, 'UPDATE_IN_PROGRESS', 'User Initiated');
    stack.operation = this.run(() => this.update(stack, previous));
    return this.view(stack);
  }

  deleteStack(accountId: string, stackName: string, region?: string): StackView {
    const stack = this.find(accountId, stackName, region);
    if (!isStable(stack.status)) throw new TemplateError('ValidationError', `Stack:${stack.id} is in ${stack.status} state and can not be deleted.`);
    stack.status = 'DELETE_IN_PROGRESS';
    stack.statusReason = undefined;
    this.stackEvent(stack, 'DELETE_IN_PROGRESS', 'User Initiated');
    stack.operation = this.run(() => this.delete(stack));
    return this.view(stack);
  }

  describe(accountId: string, stackName: string, region?: string): StackView {
    return this.view(this.find(accountId, stackName, region));
  }

  /** The stack once its current operation has ended (deleted stacks included). */
  async settled(accountId: string, stackName: string, region?: string): Promise<StackView> {
    const stack = this.find(accountId, stackName, region, true);
    await stack.operation;
    return this.view(stack);
  }

  stacksOf(accountId: string): StackView[] {
    return [...this.stacks.values()].filter((stack) => stack.accountId === accountId).map((stack) => this.view(stack));
  }

  /**
   * The provider's PUT to a ResponseURL, judged as S3 judges a pre-signed PUT (signature, expiry, the
   * empty content type it was signed for) and then read as CloudFormation reads it.
   */
  receiveResponse(id: string, query: URLSearchParams, contentType: string | undefined, body: Buffer): ResponsePutResult {
    const pending = this.pending.get(id);
    const signature = query.get('X-Amz-Signature') ?? '';
    if (this.answered.has(id) && signature === this.sign(id)) return { status: 200 };
    if (!pending || signature !== pending.signature) return { status: 403, code: 'AccessDenied', message: 'Access Denied' };
    if (this.clock.now() > pending.expiresAt) return { status: 403, code: 'AccessDenied', message: 'Request has expired' };
    if (contentType !== undefined && contentType !== '') {
      return { status: 403, code: 'SignatureDoesNotMatch', message: 'The request signature we calculated does not match the signature you provided. Check your key and signing method.' };
    }
    pending.answer = readAnswer(body, pending);
    this.answered.add(id);
    pending.answered.abort();
    return { status: 200 };
  }

  reset(): void {
    for (const stack of this.stacks.values()) stack.abandoned = true;
    for (const pending of this.pending.values()) pending.answered.abort();
    this.pending.clear();
    this.answered.clear();
    this.stacks.clear();
    this.deleted.clear();
  }

  /** On close: waits end at once, so no timer outlives the simulator. */
  shutdown(): void {
    this.stopped = true;
    for (const pending of this.pending.values()) pending.answered.abort();
  }

  // --- operations -------------------------------------------------------------------------

  private run(operation: () => Promise<void>): Promise<void> {
    return trackedOn(this.clock, operation).catch((error: unknown) => {
      if (!(error instanceof Abandoned)) console.error('simulator: stack operation failed unexpectedly', error);
    });
  }

  private checkLive(stack: Stack): void {
    if (this.stopped || stack.abandoned) throw new Abandoned();
  }

  private async create(stack: Stack): Promise<void> {
    const created: StackResource[] = [];
    let failure: { logicalId: string; reason: string } | undefined;
    for (const logicalId of creationOrder(stack.template)) {
      const declaration = stack.template.resources[logicalId]!;
      if (!this.conditionHolds(stack, declaration.Condition)) continue;
      const resource: StackResource = { logicalId, type: declaration.Type, status: 'CREATE_IN_PROGRESS', attributes: {} };
      stack.resources.set(logicalId, resource);
      this.resourceEvent(stack, resource, 'CREATE_IN_PROGRESS');
      try {
        resource.properties = this.properties(stack, logicalId);
        await this.createResource(stack, resource);
        this.resourceEvent(stack, resource, 'CREATE_COMPLETE');
        created.push(resource);
      } catch (error) {
        if (error instanceof Abandoned) throw error;
        const reason = failureReason(error);
        if (error instanceof ResourceFailure && error.physicalId !== undefined) {
          resource.physicalId = error.physicalId;
          created.push(resource); // CloudFormation deletes a failed custom resource too, with the id of its FAILED answer
        }
        this.resourceEvent(stack, resource, 'CREATE_FAILED', reason);
        failure = { logicalId, reason };
        break;
      }
    }
    if (this.stopped) return;
    if (!failure) {
      stack.outputs = this.outputs(stack);
      stack.status = 'CREATE_COMPLETE';
      this.stackEvent(stack, 'CREATE_COMPLETE');
      return;
    }
    stack.status = 'ROLLBACK_IN_PROGRESS';
    stack.statusReason = failure.reason;
    this.stackEvent(stack, 'ROLLBACK_IN_PROGRESS', `The following resource(s) failed to create: [${failure.logicalId}]. Rollback requested by user.`);
    const rolledBack = await this.deleteResources(stack, created.reverse());
    stack.status = rolledBack ? 'ROLLBACK_COMPLETE' : 'ROLLBACK_FAILED';
    this.stackEvent(stack, stack.status);
  }

  private async update(stack: Stack, previous: { template: Template; parameters: Record<string, string>; templateUrl: string }): Promise<void> {
    const undo: Array<() => Promise<void>> = [];
    const cleanup: StackResource[] = [];
    let failure: { logicalId: string; reason: string } | undefined;
    const wanted = new Set<string>();
    for (const logicalId of creationOrder(stack.template)) {
      const declaration = stack.template.resources[logicalId]!;
      if (!this.conditionHolds(stack, declaration.Condition)) continue;
      wanted.add(logicalId);
      const current = stack.resources.get(logicalId);
      try {
        const properties = this.properties(stack, logicalId);
        if (!current || current.status.startsWith('DELETE')) {
          const resource: StackResource = { logicalId, type: declaration.Type, status: 'CREATE_IN_PROGRESS', attributes: {}, properties };
          stack.resources.set(logicalId, resource);
          this.resourceEvent(stack, resource, 'CREATE_IN_PROGRESS');
          await this.createResource(stack, resource).catch((error: unknown) => {
            if (!(error instanceof Abandoned)) this.resourceEvent(stack, resource, 'CREATE_FAILED', failureReason(error));
            throw error;
          });
          this.resourceEvent(stack, resource, 'CREATE_COMPLETE');
          undo.push(async () => { await this.deleteResources(stack, [resource]); });
          continue;
        }
        if (current.type !== declaration.Type) throw new ResourceFailure(`Update of resource type is not permitted. The new resource type ${declaration.Type} differs from ${current.type}.`);
        if (sameJson(current.properties, properties)) continue;
        const before = { properties: current.properties ?? {}, physicalId: current.physicalId, attributes: current.attributes };
        this.resourceEvent(stack, current, 'UPDATE_IN_PROGRESS');
        try {
          const replaced = await this.updateResource(stack, current, before.properties, properties);
          current.properties = properties;
          this.resourceEvent(stack, current, 'UPDATE_COMPLETE');
          if (replaced) cleanup.push({ ...current, physicalId: before.physicalId, properties: before.properties, attributes: before.attributes });
          undo.push(() => this.revertResource(stack, current, properties, before));
        } catch (error) {
          if (error instanceof Abandoned) throw error;
          this.resourceEvent(stack, current, 'UPDATE_FAILED', failureReason(error));
          // CloudFormation rolls a failed custom resource back too: an Update carrying the old properties
          // (an IAM role or a native resource that failed changed nothing)
          if (current.type !== 'AWS::IAM::Role' && !isNativeType(current.type)) undo.push(() => this.revertResource(stack, current, properties, before));
          throw error;
        }
      } catch (error) {
        if (error instanceof Abandoned) throw error;
        failure = { logicalId, reason: failureReason(error) };
        break;
      }
    }
    if (this.stopped) return;
    if (failure) {
      stack.status = 'UPDATE_ROLLBACK_IN_PROGRESS';
      stack.statusReason = failure.reason;
      this.stackEvent(stack, 'UPDATE_ROLLBACK_IN_PROGRESS', `The following resource(s) failed to update: [${failure.logicalId}].`);
      Object.assign(stack, previous);
      let rolledBack = true;
      for (const step of undo.reverse()) {
        await step().catch((error: unknown) => {
          if (error instanceof Abandoned) throw error;
          rolledBack = false;
        });
      }
      stack.status = rolledBack ? 'UPDATE_ROLLBACK_COMPLETE' : 'UPDATE_ROLLBACK_FAILED';
      this.stackEvent(stack, stack.status);
      return;
    }
    stack.status = 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS';
    this.stackEvent(stack, stack.status);
    const removed = [...stack.resources.values()].filter((resource) => !wanted.has(resource.logicalId) && !resource.status.startsWith('DELETE'));
    await this.deleteResources(stack, [...cleanup, ...removed.reverse()]);
    for (const resource of removed) stack.resources.delete(resource.logicalId);
    stack.outputs = this.outputs(stack);
    stack.status = 'UPDATE_COMPLETE';
    this.stackEvent(stack, 'UPDATE_COMPLETE');
  }

  private async delete(stack: Stack): Promise<void> {
    const order = creationOrder(stack.template).reverse();
    const existing = order.map((logicalId) => stack.resources.get(logicalId)).filter((resource): resource is StackResource =>
      resource !== undefined && resource.physicalId !== undefined && resource.status !== 'DELETE_COMPLETE');
    const deleted = await this.deleteResources(stack, existing);
    if (this.stopped) return;
    if (!deleted) {
      stack.status = 'DELETE_FAILED';
      const failed = existing.filter((resource) => resource.status === 'DELETE_FAILED').map((resource) => resource.logicalId);
      stack.statusReason = existing.find((resource) => resource.status === 'DELETE_FAILED')?.statusReason;
      this.stackEvent(stack, 'DELETE_FAILED', `The following resource(s) failed to delete: [${failed.join(', ')}]. `);
      return;
    }
    stack.status = 'DELETE_COMPLETE';
    this.stackEvent(stack, 'DELETE_COMPLETE');
    this.stacks.delete(stackKey(stack.accountId, stack.region, stack.name));
    this.deleted.set(stackKey(stack.accountId, stack.region, stack.name), stack);
  }

  /** Deletes in the order given; false when one could not be deleted. */
  private async deleteResources(stack: Stack, resources: StackResource[]): Promise<boolean> {
    for (const resource of resources) {
      if (this.stopped) return false;
      this.resourceEvent(stack, resource, 'DELETE_IN_PROGRESS');
      try {
        await this.deleteResource(stack, resource);
        this.resourceEvent(stack, resource, 'DELETE_COMPLETE');
      } catch (error) {
        if (error instanceof Abandoned) throw error;
        // what remains is what the failed resource depends on: CloudFormation leaves it in place
        this.resourceEvent(stack, resource, 'DELETE_FAILED', failureReason(error));
        return false;
      }
    }
    return true;
  }

  // --- resources --------------------------------------------------------------------------

  private async createResource(stack: Stack, resource: StackResource): Promise<void> {
    this.checkLive(stack);
    const properties = resource.properties ?? {};
    if (resource.type === 'AWS::IAM::Role') {
      const name = roleName(stack, resource.logicalId, properties);
      const account = this.state.account(stack.accountId);
      if (account.roles.get(name)?.latest()) throw new ResourceFailure(`Resource of type 'AWS::IAM::Role' with identifier '${name}' already exists.`);
      this.putRole(stack, name, properties);
      resource.physicalId = name;
      resource.attributes = { Arn: `arn:aws:iam::${stack.accountId}:role/${name}`, RoleId: account.roles.get(name)?.latest()?.id ?? '' };
      return;
    }
    const native = NATIVE_TYPES[resource.type];
    if (native) {
      Object.assign(resource, native.create(this.scope(stack, resource), properties));
      return;
    }
    const answer = await this.customResourceRequest(stack, resource, { RequestType: 'Create', ResourceProperties: properties });
    resource.physicalId = answer.PhysicalResourceId;
    resource.attributes = dataAttributes(answer.Data);
  }

  /** Where a native resource lives: the stack's account and region. */
  private scope(stack: Stack, resource: StackResource): ResourceScope {
    const account = this.state.account(stack.accountId);
    return {
      accountId: stack.accountId, region: stack.region, stackName: stack.name, stackId: stack.id, logicalId: resource.logicalId,
      resources: this.state.eventResources(account, stack.region),
    };
  }

  /** Applies new properties; true when the resource was replaced (the old one is deleted in the cleanup phase). */
  private async updateResource(stack: Stack, resource: StackResource, old: Record<string, Json>, properties: Record<string, Json>): Promise<boolean> {
    this.checkLive(stack);
    if (resource.type === 'AWS::IAM::Role') {
      const name = roleName(stack, resource.logicalId, properties);
      if (name !== resource.physicalId) throw new ResourceFailure('The simulator does not replace IAM roles: keep RoleName unchanged in an update.');
      this.putRole(stack, name, properties);
      return false;
    }
    const oldPhysicalId = resource.physicalId;
    const native = NATIVE_TYPES[resource.type];
    if (native) {
      Object.assign(resource, native.update(this.scope(stack, resource), oldPhysicalId ?? '', old, properties));
      return resource.physicalId !== oldPhysicalId;
    }
    const answer = await this.customResourceRequest(stack, resource, {
      RequestType: 'Update', PhysicalResourceId: oldPhysicalId, ResourceProperties: properties, OldResourceProperties: old,
    });
    resource.physicalId = answer.PhysicalResourceId;
    resource.attributes = dataAttributes(answer.Data);
    return answer.PhysicalResourceId !== oldPhysicalId;
  }

  /** An update's rollback: the old properties applied again (for a custom resource, an Update carrying them). */
  private async revertResource(stack: Stack, resource: StackResource, applied: Record<string, Json>, before: { properties: Record<string, Json>; physicalId?: string; attributes: Record<string, string> }): Promise<void> {
    this.checkLive(stack);
    this.resourceEvent(stack, resource, 'UPDATE_IN_PROGRESS');
    try {
      const native = NATIVE_TYPES[resource.type];
      if (resource.type === 'AWS::IAM::Role') {
        this.putRole(stack, resource.physicalId ?? '', before.properties);
      } else if (native) {
        const scope = this.scope(stack, resource);
        // a replacement is undone by deleting the new resource: the old one was never touched
        if (resource.physicalId !== before.physicalId) native.delete(scope, resource.physicalId ?? '', applied);
        else native.update(scope, resource.physicalId ?? '', applied, before.properties);
      } else {
        await this.customResourceRequest(stack, resource, {
          RequestType: 'Update', PhysicalResourceId: resource.physicalId, ResourceProperties: before.properties, OldResourceProperties: applied,
        });
      }
      Object.assign(resource, before);
      this.resourceEvent(stack, resource, 'UPDATE_COMPLETE');
    } catch (error) {
      if (!(error instanceof Abandoned)) this.resourceEvent(stack, resource, 'UPDATE_FAILED', failureReason(error));
      throw error;
    }
  }

  private async deleteResource(stack: Stack, resource: StackResource): Promise<void> {
    this.checkLive(stack);
    if (resource.type === 'AWS::IAM::Role') {
      const account = this.state.account(stack.accountId);
      // a role already gone is not an error for CloudFormation's delete
      if (resource.physicalId !== undefined && account.roles.get(resource.physicalId)?.latest()) this.state.deleteRole(stack.accountId, resource.physicalId);
      return;
    }
    const native = NATIVE_TYPES[resource.type];
    if (native) {
      if (resource.physicalId !== undefined) native.delete(this.scope(stack, resource), resource.physicalId, resource.properties ?? {});
      return;
    }
    await this.customResourceRequest(stack, resource, {
      RequestType: 'Delete', PhysicalResourceId: resource.physicalId, ResourceProperties: resource.properties ?? {},
    });
  }

  private putRole(stack: Stack, name: string, properties: Record<string, Json>): void {
    for (const unsupported of ['ManagedPolicyArns', 'PermissionsBoundary']) {
      if (properties[unsupported] !== undefined) throw new ResourceFailure(`The simulator does not model ${unsupported} on AWS::IAM::Role.`);
    }
    if (properties.Path !== undefined && properties.Path !== '/') throw new ResourceFailure('The simulator creates roles with Path / only.');
    const policies = Array.isArray(properties.Policies) ? properties.Policies : [];
    const statements = policies.flatMap((policy) => {
      const document = isObject(policy) && isObject(policy.PolicyDocument) ? policy.PolicyDocument.Statement : undefined;
      return document === undefined ? [] : Array.isArray(document) ? document : [document];
    });
    try {
      this.state.putRole(stack.accountId, name, {
        trust_policy: properties.AssumeRolePolicyDocument as unknown as PolicyDocument,
        // a role without inline policies may do nothing: an explicit deny stands for "no statement"
        permissions_policy: { Version: '2012-10-17', Statement: statements.length > 0 ? statements : [{ Effect: 'Deny', Action: '*', Resource: '*' }] } as unknown as PolicyDocument,
        ...(typeof properties.MaxSessionDuration === 'number' ? { max_session_duration: properties.MaxSessionDuration } : {}),
      });
    } catch (error) {
      if (error instanceof ControlError) {
        // IAM's codes: a policy it cannot read is MalformedPolicyDocument, any other bad value ValidationError
        const code = error.detail.startsWith('max_session_duration') ? 'ValidationError' : 'MalformedPolicyDocument';
        throw new ResourceFailure(`Resource handler returned message: "${code}: ${error.detail}" (Service: Iam, Status Code: 400)`);
      }
      throw error;
    }
  }

  /** Publishes the request to the ServiceToken's topic and waits for the answer, or CloudFormation's timeout. */
  private async customResourceRequest(
    stack: Stack,
    resource: StackResource,
    request: { RequestType: 'Create' | 'Update' | 'Delete'; PhysicalResourceId?: string; ResourceProperties: Record<string, Json>; OldResourceProperties?: Record<string, Json> },
  ): Promise<CustomResourceAnswer> {
    this.checkLive(stack);
    const serviceToken = request.ResourceProperties.ServiceToken;
    if (typeof serviceToken !== 'string' || serviceToken === '') throw new ResourceFailure('Property ServiceToken cannot be empty.');
    const topic = /^arn:aws:sns:([a-z0-9-]+):(\d{12}):[\w-]{1,256}$/.exec(serviceToken);
    if (!topic) throw new ResourceFailure(`Invalid service token: the simulator delivers custom resource requests to SNS topics only (got ${serviceToken}).`);
    if (topic[1] !== stack.region) throw new ResourceFailure(`Invalid service token: the topic must be in the stack's region ${stack.region}.`);
    const timeoutMs = serviceTimeoutMs(request.ResourceProperties.ServiceTimeout) ?? this.options.customResourceTimeoutMs ?? CUSTOM_RESOURCE_TIMEOUT_MS;

    const requestId = randomUUID();
    const id = `${stack.id}|${resource.logicalId}|${requestId}`;
    const pending: PendingRequest = {
      signature: this.sign(id),
      expiresAt: this.clock.now() + RESPONSE_URL_EXPIRES_S * 1000,
      stackId: stack.id,
      requestId,
      logicalId: resource.logicalId,
      answered: new AbortController(),
    };
    this.pending.set(id, pending);
    const message = {
      RequestType: request.RequestType,
      ServiceToken: serviceToken,
      ResponseURL: this.responseUrl(id, pending.signature),
      StackId: stack.id,
      RequestId: requestId,
      LogicalResourceId: resource.logicalId,
      ResourceType: resource.type,
      ...(request.PhysicalResourceId === undefined ? {} : { PhysicalResourceId: request.PhysicalResourceId }),
      ResourceProperties: request.ResourceProperties,
      ...(request.OldResourceProperties === undefined ? {} : { OldResourceProperties: request.OldResourceProperties }),
    };
    const deliver = this.options.deliver;
    if (deliver) {
      // SNS invokes its Lambda subscriber asynchronously: the delivery is its own piece of work.
      const event = snsEvent(serviceToken, JSON.stringify(message), new Date(this.clock.now()).toISOString());
      void trackedOn(this.clock, () => deliver(serviceToken, event)).catch((error: unknown) => {
        console.error('simulator: the SNS subscriber failed', error);
      });
    }
    try {
      await this.clock.sleep(timeoutMs, pending.answered.signal);
    } finally {
      this.pending.delete(id);
    }
    this.checkLive(stack);
    const answer = pending.answer;
    if (!answer) throw new ResourceFailure(`CloudFormation did not receive a response from your Custom Resource. Please check your logs for requestId [${requestId}].`);
    if ('invalid' in answer) throw new ResourceFailure(answer.invalid);
    if (answer.Status === 'FAILED') {
      throw new ResourceFailure(`Received response status [FAILED] from custom resource. Message returned: ${answer.Reason ?? ''}`, answer.PhysicalResourceId);
    }
    return answer;
  }

  // --- helpers ----------------------------------------------------------------------------

  private templateBody(templateUrl: string): string {
    const location = this.objects.locate(templateUrl, this.baseUrl());
    if (!location) throw new TemplateError('ValidationError', 'TemplateURL must be a supported URL.');
    const object = this.objects.get(location.bucket, location.key);
    if (!object) throw new TemplateError('ValidationError', 'S3 error: Access Denied For more information check http://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html');
    return object.body.toString('utf8');
  }

  private find(accountId: string, stackName: string, region?: string, includeDeleted = false): Stack {
    const candidates = includeDeleted ? [...this.stacks.values(), ...this.deleted.values()] : [...this.stacks.values()];
    const matches = candidates.filter((stack) => stack.accountId === accountId && stack.name === stackName && (region === undefined || stack.region === region));
    if (includeDeleted && matches.length > 1) return matches[0]!;
    if (matches.length > 1) throw new ControlError(400, 'ValidationError', `stack ${stackName} exists in several regions of account ${accountId}: add ?region=`);
    const stack = matches[0];
    if (!stack) throw new ControlError(404, 'ValidationError', `Stack with id ${stackName} does not exist`);
    return stack;
  }

  private context(stack: Stack): EvaluationContext {
    const physicalIds: Record<string, string> = {};
    const attributes: Record<string, Record<string, string>> = {};
    for (const resource of stack.resources.values()) {
      if (resource.physicalId === undefined || resource.status.startsWith('DELETE') || resource.status === 'CREATE_FAILED') continue;
      physicalIds[resource.logicalId] = resource.physicalId;
      attributes[resource.logicalId] = resource.attributes;
    }
    return {
      parameters: stack.parameters,
      pseudo: { region: stack.region, accountId: stack.accountId, stackName: stack.name, stackId: stack.id },
      physicalIds,
      attributes,
    };
  }

  private conditionHolds(stack: Stack, condition: string | undefined): boolean {
    return condition === undefined || conditionValues(stack.template, this.context(stack))[condition] === true;
  }

  private properties(stack: Stack, logicalId: string): Record<string, Json> {
    const context = this.context(stack);
    const evaluated = evaluateNode(stack.template.resources[logicalId]!.Properties, context, conditionValues(stack.template, context));
    return isObject(evaluated) ? evaluated : {};
  }

  private outputs(stack: Stack): Record<string, string> {
    const context = this.context(stack);
    const conditions = conditionValues(stack.template, context);
    const outputs: Record<string, string> = {};
    for (const [name, output] of Object.entries(stack.template.outputs)) {
      if (output.Condition !== undefined && !conditions[output.Condition]) continue;
      outputs[name] = String(evaluateNode(output.Value, context, conditions));
    }
    return outputs;
  }

  private sign(id: string): string {
    return createHmac('sha256', this.signingKey).update(id).digest('hex');
  }

  /** Shaped like CloudFormation's pre-signed S3 URL: the key is `<stack id>|<logical id>|<request id>`. */
  private responseUrl(id: string, signature: string): string {
    const amzDate = new Date(this.clock.now()).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    const query = new URLSearchParams({
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Date': amzDate,
      'X-Amz-SignedHeaders': 'host',
      'X-Amz-Expires': String(RESPONSE_URL_EXPIRES_S),
      'X-Amz-Signature': signature,
    });
    return `${this.baseUrl()}/_sim/cloudformation/responses/${encodeURIComponent(id)}?${query.toString()}`;
  }

  private stackEvent(stack: Stack, status: string, reason?: string): void {
    stack.events.push({
      timestamp: new Date(this.clock.now()).toISOString(), logical_id: stack.name, physical_id: stack.id,
      resource_type: 'AWS::CloudFormation::Stack', status, status_reason: reason ?? null,
    });
  }

  private resourceEvent(stack: Stack, resource: StackResource, status: ResourceStatus, reason?: string): void {
    resource.status = status;
    resource.statusReason = reason;
    stack.events.push({
      timestamp: new Date(this.clock.now()).toISOString(), logical_id: resource.logicalId, physical_id: resource.physicalId ?? null,
      resource_type: resource.type, status, status_reason: reason ?? null,
    });
  }

  private view(stack: Stack): StackView {
    const parameters: Record<string, string> = {};
    for (const [name, value] of Object.entries(stack.parameters)) parameters[name] = stack.template.parameters[name]?.NoEcho ? '****' : value;
    return {
      stack_name: stack.name,
      stack_id: stack.id,
      account_id: stack.accountId,
      region: stack.region,
      status: stack.status,
      status_reason: stack.statusReason ?? null,
      parameters,
      outputs: { ...stack.outputs },
      resources: [...stack.resources.values()].map((resource) => ({
        logical_id: resource.logicalId, type: resource.type, physical_id: resource.physicalId ?? null, status: resource.status, status_reason: resource.statusReason ?? null,
      })),
      events: [...stack.events].reverse(),
    };
  }
}

const stackKey = (accountId: string, region: string, name: string) => `${accountId}/${region}/${name}`;

function checkStackName(name: string): void {
  if (!/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(name)) {
    throw new TemplateError('ValidationError', `1 validation error detected: Value '${name}' at 'stackName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*`);
  }
}

/** RoleName, or the name CloudFormation generates: `<stack>-<logical id>-<random>`, at most 64 characters. */
function roleName(stack: Stack, logicalId: string, properties: Record<string, Json>): string {
  if (typeof properties.RoleName === 'string') return properties.RoleName;
  return generatedName({ stackName: stack.name, stackId: stack.id, logicalId }, 64);
}

function serviceTimeoutMs(value: Json | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 3600) throw new ResourceFailure('ServiceTimeout must be an integer from 1 to 3600 seconds.');
  return seconds * 1000;
}

function dataAttributes(data: Record<string, unknown> | undefined): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(data ?? {})) attributes[name] = typeof value === 'string' ? value : JSON.stringify(value);
  return attributes;
}

function failureReason(error: unknown): string {
  if (error instanceof ResourceFailure || error instanceof EvaluationError) return error.message;
  console.error('simulator: a stack resource failed unexpectedly', error);
  return 'Internal Failure';
}

/** The body as CloudFormation reads it: a response object that names this request, or why it is not one. */
function readAnswer(body: Buffer, pending: PendingRequest): CustomResourceAnswer | { invalid: string } {
  if (body.length > MAX_RESPONSE_BYTES) return { invalid: 'Response object is too long.' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return { invalid: 'Invalid response object: the body is not JSON' };
  }
  if (!isObject(parsed)) return { invalid: 'Invalid response object: the body is not a JSON object' };
  if (parsed.Status !== 'SUCCESS' && parsed.Status !== 'FAILED') return { invalid: 'Invalid response object: Status must be SUCCESS or FAILED' };
  if (parsed.StackId !== pending.stackId || parsed.RequestId !== pending.requestId || parsed.LogicalResourceId !== pending.logicalId) {
    return { invalid: 'Invalid response object: StackId, RequestId and LogicalResourceId must be copied from the request' };
  }
  if (typeof parsed.PhysicalResourceId !== 'string' || parsed.PhysicalResourceId === '' || Buffer.byteLength(parsed.PhysicalResourceId) > 1024) {
    return { invalid: 'Invalid PhysicalResourceId' };
  }
  if (parsed.Status === 'FAILED' && (typeof parsed.Reason !== 'string' || parsed.Reason === '')) {
    return { invalid: 'Invalid response object: Reason is required when Status is FAILED' };
  }
  return {
    Status: parsed.Status,
    PhysicalResourceId: parsed.PhysicalResourceId,
    ...(typeof parsed.Reason === 'string' ? { Reason: parsed.Reason } : {}),
    ...(isObject(parsed.Data) ? { Data: parsed.Data } : {}),
  };
}

/** What SNS hands a Lambda subscriber for one published message. */
export function snsEvent(topicArn: string, message: string, timestamp: string): SNSEvent {
  const region = topicArn.split(':')[3] ?? 'us-east-1';
  const subscription = `${topicArn}:${randomUUID()}`;
  return {
    Records: [{
      EventSource: 'aws:sns',
      EventVersion: '1.0',
      EventSubscriptionArn: subscription,
      Sns: {
        Type: 'Notification',
        MessageId: randomUUID(),
        TopicArn: topicArn,
        Subject: 'AWS CloudFormation custom resource request',
        Message: message,
        Timestamp: timestamp,
        SignatureVersion: '1',
        Signature: randomBytes(256).toString('base64'),
        SigningCertUrl: `https://sns.${region}.amazonaws.com/SimpleNotificationService-simulator.pem`,
        UnsubscribeUrl: `https://sns.${region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(subscription)}`,
        MessageAttributes: {},
      },
    }],
  };
}
