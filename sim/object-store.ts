/**
 * The relay account's S3, as far as CloudFormation reads it: objects by bucket and key, served at
 * `GET /_sim/s3/{bucket}/{key}` (the template a quick-create link names). Only what was put is
 * there; anything else is S3's 403 AccessDenied (a private bucket does not say what it holds).
 */
export interface StoredObject {
  body: Buffer;
  contentType: string;
}

export class ObjectStore {
  private readonly objects = new Map<string, StoredObject>();

  put(bucket: string, key: string, body: string | Buffer, contentType = 'application/json'): void {
    this.objects.set(`${bucket}/${key}`, { body: Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'), contentType });
  }

  get(bucket: string, key: string): StoredObject | undefined {
    return this.objects.get(`${bucket}/${key}`);
  }

  /**
   * The bucket and key an URL names: the simulator's own `/_sim/s3/{bucket}/{key}`, or S3's URL
   * forms (virtual-hosted `https://{bucket}.s3.{region}.amazonaws.com/{key}`, path-style
   * `https://s3.{region}.amazonaws.com/{bucket}/{key}`), which local mode stores here too.
   */
  locate(url: string, simulatorUrl: string): { bucket: string; key: string } | undefined {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return undefined;
    }
    const path = decodeURIComponent(parsed.pathname);
    if (parsed.origin === new URL(simulatorUrl).origin) {
      const match = /^\/_sim\/s3\/([^/]+)\/(.+)$/.exec(path);
      return match ? { bucket: match[1]!, key: match[2]! } : undefined;
    }
    if (parsed.protocol !== 'https:') return undefined;
    const virtualHosted = /^(.+)\.s3(?:[.-][a-z0-9-]+)?\.amazonaws\.com$/.exec(parsed.hostname);
    if (virtualHosted && path.length > 1) return { bucket: virtualHosted[1]!, key: path.slice(1) };
    const pathStyle = /^s3(?:[.-][a-z0-9-]+)?\.amazonaws\.com$/.test(parsed.hostname) ? /^\/([^/]+)\/(.+)$/.exec(path) : null;
    return pathStyle ? { bucket: pathStyle[1]!, key: pathStyle[2]! } : undefined;
  }
}
