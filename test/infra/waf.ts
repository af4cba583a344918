/**
 * A small evaluator of the WAF statements the customer API's web ACL is made of, so the infra tests
 * try the rules on the requests WAF really sees (stage-prefixed paths, Bearer or X-API-Key, key-less
 * pages) instead of only re-reading their JSON. It knows the statements this web ACL uses and throws
 * on any other, so a new kind of statement cannot pass untested.
 */
export interface WafRequest {
  readonly path: string;
  /** Lower-case names, as WAF compares them. */
  readonly headers?: Readonly<Record<string, string>>;
}

type Statement = Record<string, any>;
type Rule = Record<string, any>;

function transform(value: string, transformations: ReadonlyArray<{ Priority: number; Type: string }> = []): string {
  let out = value;
  for (const { Type } of [...transformations].sort((a, b) => a.Priority - b.Priority)) {
    if (Type === 'NONE') continue;
    else if (Type === 'URL_DECODE') out = decodeURIComponent(out);
    // Multiple slashes, `/./` and `/../` (the input's own leading `/..` stays, as WAF leaves it).
    else if (Type === 'NORMALIZE_PATH') out = out.replace(/\/{2,}/g, '/').replace(/\/\.(?=\/|$)/g, '').replace(/\/[^/]+\/\.\.(?=\/|$)/g, '');
    else throw new Error(`text transformation ${Type} is not known to this evaluator`);
  }
  return out;
}

function field(fieldToMatch: Record<string, any>, request: WafRequest): string | undefined {
  if ('UriPath' in fieldToMatch) return request.path;
  if ('SingleHeader' in fieldToMatch) return request.headers?.[fieldToMatch.SingleHeader.Name.toLowerCase()];
  throw new Error(`field ${Object.keys(fieldToMatch)} is not known to this evaluator`);
}

/** Whether `statement` matches the request, given the labels earlier rules added. */
export function statementMatches(statement: Statement, request: WafRequest, labels: ReadonlySet<string> = new Set()): boolean {
  const [kind, body] = Object.entries(statement)[0]!;
  switch (kind) {
    case 'ByteMatchStatement': {
      const value = field(body.FieldToMatch, request);
      if (value === undefined) return false;
      const text = transform(value, body.TextTransformations);
      const match = { STARTS_WITH: text.startsWith(body.SearchString), EXACTLY: text === body.SearchString, CONTAINS: text.includes(body.SearchString) }[body.PositionalConstraint as string];
      if (match === undefined) throw new Error(`positional constraint ${body.PositionalConstraint} is not known to this evaluator`);
      return match;
    }
    case 'RegexMatchStatement': {
      const value = field(body.FieldToMatch, request);
      return value !== undefined && new RegExp(body.RegexString).test(transform(value, body.TextTransformations));
    }
    case 'SizeConstraintStatement': {
      const value = field(body.FieldToMatch, request);
      if (body.ComparisonOperator !== 'GT') throw new Error(`size comparison ${body.ComparisonOperator} is not known to this evaluator`);
      // A missing header has no size: WAF's default for an absent single header is no match.
      return value !== undefined && Buffer.byteLength(transform(value, body.TextTransformations)) > body.Size;
    }
    case 'LabelMatchStatement':
      return body.Scope === 'LABEL' ? labels.has(body.Key) : [...labels].some((label) => label.startsWith(body.Key));
    case 'NotStatement': return !statementMatches(body.Statement, request, labels);
    case 'AndStatement': return body.Statements.every((s: Statement) => statementMatches(s, request, labels));
    case 'OrStatement': return body.Statements.some((s: Statement) => statementMatches(s, request, labels));
    default: throw new Error(`statement ${kind} is not known to this evaluator`);
  }
}

/** The rate-based rules that count the request: every aggregation key present and the scope-down matching. */
export function rateRulesCounting(rules: readonly Rule[], request: WafRequest): string[] {
  return rules.filter((rule) => {
    const rate = rule.Statement.RateBasedStatement;
    if (!rate) return false;
    const keys: Array<Record<string, any>> = rate.CustomKeys ?? [];
    const keyed = keys.every((key) => request.headers?.[key.Header.Name.toLowerCase()] !== undefined);
    return keyed && (!rate.ScopeDownStatement || statementMatches(rate.ScopeDownStatement, request));
  }).map((rule) => rule.Name as string);
}

export interface WafAnswer {
  readonly rule: string;
  readonly status: number;
  readonly body: unknown;
  readonly headers: Record<string, string>;
}

/**
 * What the web ACL answers while the named rate rules are over their limit: rules run in priority
 * order, a counting rule that fires adds its labels, the first blocking rule that fires answers.
 * The managed rule group is taken as not matching; undefined means the request goes through.
 */
export function wafAnswer(webAcl: Record<string, any>, request: WafRequest, overLimit: readonly string[]): WafAnswer | undefined {
  const labels = new Set<string>();
  for (const rule of [...webAcl.Rules as Rule[]].sort((a, b) => a.Priority - b.Priority)) {
    if (rule.Statement.ManagedRuleGroupStatement) continue;
    const fires = rule.Statement.RateBasedStatement
      ? overLimit.includes(rule.Name) && rateRulesCounting([rule], request).length === 1
      : statementMatches(rule.Statement, request, labels);
    if (!fires) continue;
    for (const { Name } of rule.RuleLabels ?? []) labels.add(Name);
    const block = rule.Action?.Block;
    if (!block) continue;
    const response = block.CustomResponse;
    return {
      rule: rule.Name,
      status: response.ResponseCode,
      body: JSON.parse(webAcl.CustomResponseBodies[response.CustomResponseBodyKey].Content),
      headers: Object.fromEntries((response.ResponseHeaders ?? []).map((h: { Name: string; Value: string }) => [h.Name, h.Value])),
    };
  }
  return undefined;
}
