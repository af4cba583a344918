/**
 * The AWS Query protocol as STS (2011-06-15) and SES v1 (2010-12-01) speak it: form-encoded
 * parameters in, `<ActionResponse>` / `<ErrorResponse>` XML out.
 */

export type Service = 'sts' | 'ses';

export const API_VERSIONS: Record<Service, string> = { sts: '2011-06-15', ses: '2010-12-01' };

const NAMESPACES: Record<Service, string> = {
  sts: 'https://sts.amazonaws.com/doc/2011-06-15/',
  ses: 'http://ses.amazonaws.com/doc/2010-12-01/',
};

/** An error AWS would return; `status` picks the HTTP status and the Sender/Receiver type. */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }

  get type(): 'Sender' | 'Receiver' {
    return this.status >= 500 ? 'Receiver' : 'Sender';
  }
}

export const accessDenied = (message: string) => new AwsError('AccessDenied', message, 403);
export const validationError = (message: string) => new AwsError('ValidationError', message);
export const invalidParameter = (message: string) => new AwsError('InvalidParameterValue', message);
export const messageRejected = (message: string) => new AwsError('MessageRejected', message);

/** AWS's wording for a missing required member. */
export const missingMember = (member: string) =>
  validationError(`1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`);

/**
 * A value to render as XML: scalars become text, objects become child elements, and arrays repeat
 * the element they are the value of (how Query lists `member` and maps `entry` are written).
 */
export type XmlValue = string | number | boolean | undefined | XmlObject | XmlValue[];
export interface XmlObject {
  [element: string]: XmlValue;
}

// Characters XML 1.0 cannot carry at all; user input (subjects, addresses) may contain them.
const XML_INVALID = /[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

export function escapeXml(text: string): string {
  return text
    .replace(XML_INVALID, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function element(name: string, value: XmlValue): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return value.map((item) => element(name, item)).join('');
  if (typeof value === 'object') {
    const children = Object.entries(value).map(([child, childValue]) => element(child, childValue));
    return `<${name}>${children.join('')}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** `{ member: [...] }`: how the Query protocol writes a list. */
export const memberList = (items: readonly string[]): XmlObject => ({ member: [...items] });

/** `{ entry: [{ key, value }] }`: how the Query protocol writes a map. */
export const entryMap = (entries: ReadonlyArray<[string, XmlObject]>): XmlObject => ({
  entry: entries.map(([key, value]) => ({ key, value })),
});

export function resultXml(service: Service, action: string, result: XmlObject, requestId: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${NAMESPACES[service]}">` +
    element(`${action}Result`, result) +
    element('ResponseMetadata', { RequestId: requestId }) +
    `</${action}Response>`
  );
}

export function errorXml(service: Service, error: AwsError, requestId: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${NAMESPACES[service]}">` +
    element('Error', { Type: error.type, Code: error.code, Message: error.message }) +
    element('RequestId', requestId) +
    `</ErrorResponse>`
  );
}

/** Request parameters of one Query call, with the protocol's flattened-list convention. */
export class QueryParams {
  constructor(private readonly params: URLSearchParams) {}

  get(name: string): string | undefined {
    return this.params.get(name) ?? undefined;
  }

  /** `Name.member.1`, `Name.member.2`, ... in index order; a bare `Name=` is the empty list. */
  list(name: string): string[] {
    const prefix = `${name}.member.`;
    const indexed: Array<[number, string]> = [];
    for (const [key, value] of this.params) {
      if (!key.startsWith(prefix)) continue;
      const index = Number(key.slice(prefix.length));
      if (Number.isInteger(index) && index > 0) indexed.push([index, value]);
    }
    return indexed.sort((a, b) => a[0] - b[0]).map(([, value]) => value);
  }
}
