/**
 * The relay stack's own custom resource (Lambda-backed, invoked only by CloudFormation while the
 * relay stack deploys): writes the customer template (byoc/customer-template.ts, built at synth
 * and passed base64-encoded) to the one public key of the template bucket.
 * Create and Update write it; Delete leaves it (stacks created from it may still update from it),
 * except in a deployment whose bucket is destroyed with the stack (`DeleteOnRemoval`, dev stages):
 * there every version of the key is deleted, or the versioned bucket could not be deleted.
 */
import { DeleteObjectsCommand, ListObjectVersionsCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Clock } from '../../shared/clock';
import { putOverHttp, type PutResponse } from '../../shared/cloudformation-response';
import { createLogger } from '../../shared/logger';

export interface TemplatePublishRequest {
  RequestType: 'Create' | 'Update' | 'Delete';
  ResponseURL: string;
  StackId: string;
  RequestId: string;
  LogicalResourceId: string;
  PhysicalResourceId?: string;
  ResourceProperties: { Bucket?: string; Key?: string; TemplateBase64?: string; DeleteOnRemoval?: string };
}

const log = createLogger({ component: 'template-publisher' });
const RESPONSE_TIMEOUT_MS = 10_000;

export function templatePublisher(s3: Pick<S3Client, 'send'>, clock: Clock, putResponse: PutResponse = putOverHttp) {
  return async (event: TemplatePublishRequest): Promise<void> => {
    const { Bucket, Key, TemplateBase64 } = event.ResourceProperties;
    const physicalResourceId = `${Bucket}/${Key}`;
    let status: 'SUCCESS' | 'FAILED' = 'SUCCESS';
    let reason = 'Customer template published';
    if (event.RequestType !== 'Delete') {
      try {
        if (!Bucket || !Key || !TemplateBase64) throw new Error('Bucket, Key and TemplateBase64 are required');
        const Template = Buffer.from(TemplateBase64, 'base64').toString('utf8');
        JSON.parse(Template); // a broken template must fail the deploy, not reach customers
        await s3.send(new PutObjectCommand({ Bucket, Key, Body: Template, ContentType: 'application/json', CacheControl: 'no-cache' }));
      } catch (error) {
        status = 'FAILED';
        reason = `The customer template was not published: ${(error as Error).name}: ${(error as Error).message}`.slice(0, 500);
      }
    } else if (event.ResourceProperties.DeleteOnRemoval === 'true' && Bucket && Key) {
      try {
        await deleteEveryVersion(s3, Bucket, Key);
        reason = 'Customer template deleted (every version)';
      } catch (error) {
        // Never block a stack deletion: the bucket's own deletion then reports what is left.
        reason = `The customer template was not deleted: ${(error as Error).name}`;
        log.error('customer template not deleted', { error: (error as Error).name });
      }
    }
    log.info('customer template request', { request_type: event.RequestType, status });
    const body = JSON.stringify({ Status: status, Reason: reason, PhysicalResourceId: physicalResourceId, StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId });
    const answered = await clock.withTimeout(RESPONSE_TIMEOUT_MS, (signal) => putResponse(event.ResponseURL, body, signal));
    if (answered < 200 || answered >= 300) throw new Error(`CloudFormation refused the answer (${answered})`);
  };
}

/** Every version and delete marker of exactly `key` (a versioned bucket keeps them all). */
async function deleteEveryVersion(s3: Pick<S3Client, 'send'>, bucket: string, key: string): Promise<void> {
  for (let page = 0; page < 100; page++) {
    const listed = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key, MaxKeys: 1000 }));
    const objects = [...(listed.Versions ?? []), ...(listed.DeleteMarkers ?? [])]
      .filter((entry) => entry.Key === key && entry.VersionId)
      .map((entry) => ({ Key: key, VersionId: entry.VersionId! }));
    if (objects.length === 0) return;
    await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects, Quiet: true } }));
  }
}
