/**
 * The house Lambda function: every function of both stacks is one of these, so runtime,
 * architecture, bundling, tracing, logging and IAM follow one set of rules.
 *
 * - Node.js 24 (the newest runtime this aws-cdk-lib knows, which cdk-nag's AwsSolutions-L1 asks
 *   for; the handlers are async functions, as Node 24 requires), ARM64, X-Ray active.
 * - Bundled locally by esbuild, minified, AWS SDK v3 bundled in (`externalModules: []`) so the
 *   code runs against the SDK version we tested and its size is budgeted; no source maps.
 * - Its own log group with a retention, and its own role holding only `logs:CreateLogStream` /
 *   `logs:PutLogEvents` on that group: no AWSLambdaBasicExecutionRole managed policy.
 * - `bindTable` grants exactly the DynamoDB actions asked for and sets the table's env var.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { buildSync } from 'esbuild';
import * as path from 'path';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { entryPath, FUNCTIONS, PROJECT_ROOT, type DynamoDbAction, type FunctionName, type FunctionSpec } from '../function-catalog';
import { grantAssumeByocRole } from './byoc-assume-role';
import { OperationsKey } from './operations-key';
import { acknowledgeLogRetention } from './log-retention';
import { SERVICE_NAMESPACE, STAGE_ENVIRONMENT_VARIABLE } from '../../lambdas/shared/metric-dimensions';
import { stageOf } from '../stage';

export const SERVICE_RUNTIME = Runtime.NODEJS_24_X;

/**
 * What lambdas/shared/powertools.ts reads: service name, log level (INFO; DEBUG only for a live
 * investigation), metrics namespace, and the stage every metric carries as a dimension.
 */
export function powertoolsEnvironment(serviceName: string, stage: string): Record<string, string> {
  return {
    POWERTOOLS_SERVICE_NAME: serviceName,
    POWERTOOLS_LOG_LEVEL: 'INFO',
    POWERTOOLS_METRICS_NAMESPACE: SERVICE_NAMESPACE,
    [STAGE_ENVIRONMENT_VARIABLE]: stage,
  };
}

export interface ServiceFunctionProps {
  /** Absolute path of the entry file. */
  readonly entry: string;
  /** Exported handler name. @default 'handler' */
  readonly handler?: string;
  readonly description: string;
  /** Set as POWERTOOLS_SERVICE_NAME: the `service` field of every log line and metric. */
  readonly serviceName: string;
  /** @default 10 seconds */
  readonly timeout?: Duration;
  /** @default 512 */
  readonly memorySize?: number;
  readonly environment?: Record<string, string>;
  /** @default three months */
  readonly logRetention?: logs.RetentionDays;
  /** Of the log group. @default RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** Set by `fromCatalog`. */
  readonly catalogName?: FunctionName;
  /** Writes extra files beside index.js at bundling time (the dashboard's static files). */
  readonly addToBundle?: (outputDir: string) => void;
  /** A physical name, only for a function another account addresses by ARN before either stack is deployed. */
  readonly functionName?: string;
  /** Modules left out of index.js and bundled as `<name>.js` beside it (see FunctionSpec.lazyModules). */
  readonly lazyModules?: Readonly<Record<string, string>>;
}

export interface BindTableOptions {
  /** Environment variable that receives the table name. */
  readonly envVar: string;
  /** Indexes the read actions among `actions` (Query) also apply to. */
  readonly indexes?: readonly string[];
}

/** Extra wiring a catalogued function needs from the construct creating it. */
export interface CatalogFunctionProps {
  /** Required when the catalog gives the function table access. */
  readonly table?: dynamodb.ITable;
  /** Exactly the variables the catalog lists for this function. */
  readonly environment?: Record<string, string>;
  readonly removalPolicy?: RemovalPolicy;
  readonly addToBundle?: (outputDir: string) => void;
  /** See ServiceFunctionProps.functionName. */
  readonly functionName?: string;
}

/** The same esbuild options as the function's own bundle (see the constructor). */
const BUNDLE_OPTIONS = { minify: true, keepNames: true, target: 'node24', mainFields: ['module', 'main'] } as const;

/** Bundles each lazily loaded module as `<name>.js` beside index.js, with the function's own options. */
function bundleLazyModules(modules: Readonly<Record<string, string>>) {
  return (outputDir: string) => {
    for (const [name, entry] of Object.entries(modules)) {
      buildSync({
        ...BUNDLE_OPTIONS, mainFields: [...BUNDLE_OPTIONS.mainFields], bundle: true, sourcemap: false, platform: 'node', format: 'cjs', logLevel: 'error',
        entryPoints: [path.join(PROJECT_ROOT, entry)], outfile: path.join(outputDir, `${name}.js`),
      });
    }
  };
}

/**
 * Runs `addToBundle` in-process when esbuild has bundled (local bundling: esbuild is a
 * devDependency, so CDK never falls back to Docker here) and adds no shell command.
 */
function bundleHooks(addToBundle: (outputDir: string) => void) {
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (_inputDir: string, outputDir: string) => {
      addToBundle(outputDir);
      return [];
    },
  };
}

const INDEX_ACTIONS: ReadonlySet<string> = new Set<DynamoDbAction>(['dynamodb:Query']);

export class ServiceFunction extends NodejsFunction {
  /** Builds the function the catalog (`lib/function-catalog.ts`) describes, with its table access and STS grant. */
  static fromCatalog(scope: Construct, id: string, name: FunctionName, props: CatalogFunctionProps): ServiceFunction {
    const spec: FunctionSpec = FUNCTIONS[name];
    const given = Object.keys(props.environment ?? {}).sort();
    const expected = [...spec.environment].sort();
    if (given.join() !== expected.join()) {
      throw new Error(`function ${name} needs environment [${expected.join(', ')}], got [${given.join(', ')}]`);
    }
    const fn = new ServiceFunction(scope, id, {
      entry: entryPath(spec),
      handler: spec.handler,
      description: spec.description,
      serviceName: name,
      timeout: Duration.seconds(spec.timeoutSeconds),
      memorySize: spec.memoryMb,
      environment: props.environment,
      removalPolicy: props.removalPolicy,
      catalogName: name,
      addToBundle: props.addToBundle,
      functionName: props.functionName,
      lazyModules: spec.lazyModules,
    });
    if (spec.table) {
      if (!props.table) throw new Error(`function ${name} needs its table`);
      fn.bindTable(props.table, spec.table.actions, { envVar: spec.table.envVar, indexes: spec.table.indexes });
    } else if (props.table) {
      throw new Error(`function ${name} has no table access in the catalog`);
    }
    if (spec.assumesByocRole) grantAssumeByocRole(fn.serviceRole);
    return fn;
  }

  /** Finds the catalogued functions under a scope (tests, aspects). */
  static catalogued(scope: Construct): ServiceFunction[] {
    return scope.node.findAll().filter((c): c is ServiceFunction => c instanceof ServiceFunction && c.catalogName !== undefined);
  }

  /** The function's execution role (never shared between functions). */
  readonly serviceRole: iam.Role;
  readonly functionLogGroup: logs.LogGroup;
  /** Key in the function catalog, when built from it. */
  readonly catalogName: FunctionName | undefined;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.serviceName}`,
    });
    const logGroup = new logs.LogGroup(scope, `${id}LogGroup`, {
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      encryptionKey: OperationsKey.of(scope),
    });
    acknowledgeLogRetention(logGroup);
    logGroup.grantWrite(role);

    super(scope, id, {
      entry: props.entry,
      handler: props.handler ?? 'handler',
      functionName: props.functionName,
      projectRoot: PROJECT_ROOT,
      description: props.description,
      runtime: SERVICE_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      role,
      logGroup,
      environment: { ...powertoolsEnvironment(props.serviceName, stageOf(scope)), ...props.environment },
      bundling: {
        minify: BUNDLE_OPTIONS.minify,
        sourceMap: false,
        keepNames: BUNDLE_OPTIONS.keepNames,
        target: BUNDLE_OPTIONS.target,
        format: OutputFormat.CJS,
        // Prefer the SDK's ES module builds: esbuild tree-shakes them better.
        mainFields: [...BUNDLE_OPTIONS.mainFields],
        // Bundle everything, the AWS SDK v3 included, except the modules loaded on first use.
        externalModules: [],
        ...(props.lazyModules ? { esbuildArgs: Object.fromEntries(Object.keys(props.lazyModules).map((name) => [`--external:./${name}`, true])) } : {}),
        ...(props.addToBundle || props.lazyModules ? {
          commandHooks: bundleHooks((outputDir) => {
            if (props.lazyModules) bundleLazyModules(props.lazyModules)(outputDir);
            props.addToBundle?.(outputDir);
          }),
        } : {}),
      },
    });
    this.serviceRole = role;
    this.functionLogGroup = logGroup;
    this.catalogName = props.catalogName;

    Validations.of(this).acknowledge({
      id: 'cdk-validator-cfnguard::lambda_inside_vpc_check',
      reason: 'The functions call only public AWS endpoints (DynamoDB, STS, SES in customer accounts, EventBridge) and ' +
        'reach no private resource; a VPC would add NAT gateways (cost, a single egress path to operate) and nothing to ' +
        'protect. A landing zone enforcing CT.LAMBDA.PR.3 as a hook refuses these functions (docs/deploying.md).',
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Only X-Ray tracing (xray:PutTraceSegments, xray:PutTelemetryRecords), which supports no resource-level ' +
        'permissions; test/infra/least-privilege.test.ts fails if any other action is granted on "*".',
    });
  }

  /**
   * Grants exactly `actions` on the table (and the read actions on the named indexes) and sets the
   * table name in `options.envVar`. No blanket grants: the caller lists what the code calls.
   */
  bindTable(table: dynamodb.ITable, actions: readonly DynamoDbAction[], options: BindTableOptions): void {
    if (actions.length === 0) throw new Error('bindTable needs at least one action');
    this.addEnvironment(options.envVar, table.tableName);
    this.serviceRole.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: [...actions],
      resources: [table.tableArn],
    }));
    const indexes = options.indexes ?? [];
    const indexActions = actions.filter((a) => INDEX_ACTIONS.has(a));
    if (indexes.length > 0) {
      if (indexActions.length === 0) throw new Error(`bindTable: indexes ${indexes.join(', ')} given but no index action (Query) asked for`);
      this.serviceRole.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: indexActions,
        resources: indexes.map((index) => `${table.tableArn}/index/${index}`),
      }));
    }
  }
}
