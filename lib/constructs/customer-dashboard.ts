/**
 * The customer dashboard on the customer API's own origin (no CORS): `GET /` and
 * `GET /assets/{file}` of the REST API, served by a small function whose bundle carries the
 * static files, built from dashboard/src by esbuild at synth; the same function serves the API's
 * OpenAPI document (`GET /api/openapi.json`) and its reference page (`GET /docs`), built from
 * openapi/ at synth. The function has no table, no AWS
 * permission and no environment besides its service name. API Gateway compresses answers above
 * 1 KB for clients that accept gzip.
 */
import * as path from 'path';
import type { RemovalPolicy } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { Construct } from 'constructs';
import { buildDashboardSync, writeDashboard } from '../../dashboard/build';
import { dashboardRoutes } from '../../lambdas/relay/api-routes';
import { buildApiReference } from '../../openapi/site';
import { ServiceFunction } from './service-function';
import type { ServiceRestApi } from './service-rest-api';

/** Bytes above which API Gateway gzips an answer (when the client sends Accept-Encoding: gzip). */
export const MINIMUM_COMPRESSION_BYTES = 1024;

export interface CustomerDashboardProps {
  readonly api: ServiceRestApi;
  readonly removalPolicy: RemovalPolicy;
}

export class CustomerDashboard extends Construct {
  readonly function: ServiceFunction;

  constructor(scope: Construct, id: string, props: CustomerDashboardProps) {
    super(scope, id);
    this.function = ServiceFunction.fromCatalog(this, 'Function', 'dashboard', {
      removalPolicy: props.removalPolicy,
      // The handler reads <bundle>/dashboard/{index.html,openapi.json,docs.html} and <bundle>/dashboard/assets/*.
      addToBundle: (outputDir) => writeDashboard(path.join(outputDir, 'dashboard'), [...buildDashboardSync(), ...buildApiReference()]),
    });
    props.api.addRoutes(dashboardRoutes, this.function);
    (props.api.api.node.defaultChild as apigateway.CfnRestApi).minimumCompressionSize = MINIMUM_COMPRESSION_BYTES;
  }
}
