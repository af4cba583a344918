/**
 * SES v1 (2010-12-01) as seen by a role session in a customer account: the eleven actions the
 * relay uses, each checked against the role's permissions policy (sends against the identity ARNs
 * of the From address), over per-region identities and per-region account settings. Identity and
 * quota calls share a per-account, per-region rate; sends are paced by MaxSendRate.
 */
import type { AcceptedSend } from './event-publishing';
import { MAILBOX_SIMULATOR_DOMAIN } from './event-publishing';
import * as ids from './ids';
import { checkAddressCharacters, checkMessageSize, checkRecipientCount } from './message-rules';
import { domainOf, parseAddress, parseMime, splitAddressList, decodeEncodedWords, type ParsedAddress } from './mime';
import { permissionsPolicyAllows } from './policy';
import { sessionArn } from './sts';
import {
  ANY_REGION,
  type Account,
  type BehaviorOnMxFailure,
  type Identity,
  type MailboxMessage,
  type Role,
  type Session,
  type SimState,
} from './state';
import {
  API_VERSIONS,
  AwsError,
  accessDenied,
  entryMap,
  invalidParameter,
  memberList,
  messageRejected,
  missingMember,
  validationError,
  type QueryParams,
  type XmlObject,
} from './wire';

interface SesContext {
  state: SimState;
  account: Account;
  region: string;
  session: Session;
  /** the role in effect for this call */
  role: Role;
  onAccepted?: SendAccepted;
}

type Handler = (context: SesContext, params: QueryParams) => XmlObject;

/** Told of every send SES accepted (the event publisher); never delays the answer. */
export type SendAccepted = (send: AcceptedSend) => void;

const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$/i;

function requiredParam(params: QueryParams, name: string, member: string): string {
  const value = params.get(name);
  if (value === undefined || value === '') throw missingMember(member);
  return value;
}

function requireDomain(params: QueryParams): string {
  const domain = requiredParam(params, 'Domain', 'domain').toLowerCase();
  if (!DOMAIN.test(domain)) throw invalidParameter(`Invalid domain name ${domain}.`);
  return domain;
}

/** The domain identity in the caller's region, created (Pending) by the first Verify* call. */
function domainIdentity(context: SesContext, domain: string): Identity {
  const scope = context.state.regionIdentities(context.account, context.region);
  let identity = scope.get(domain);
  if (!identity) {
    identity = {
      name: domain,
      kind: 'domain',
      verificationToken: ids.verificationToken(),
      ownership: 'Pending',
      dkimTokens: [],
      dkim: 'NotStarted',
      mailFrom: 'Pending',
      behaviorOnMxFailure: 'UseDefaultValue',
    };
    scope.set(domain, identity);
  }
  return identity;
}

function requestedIdentities(context: SesContext, params: QueryParams): Array<[string, Identity]> {
  if (params.get('Identities') === undefined && params.list('Identities').length === 0) throw missingMember('identities');
  const found: Array<[string, Identity]> = [];
  for (const name of params.list('Identities')) {
    const identity = context.state.findIdentity(context.account, context.region, name);
    // unknown identities are simply absent from the map, as in SES
    if (identity) found.push([name, identity]);
  }
  return found;
}

const formatDouble = (value: number): string => (Number.isInteger(value) ? value.toFixed(1) : String(value));

function addressError(raw: string): AwsError {
  const at = raw.lastIndexOf('@');
  if (at < 0) return invalidParameter("Missing final '@domain'");
  if (at === 0) return invalidParameter('Missing local name');
  if (at === raw.trim().length - 1) return invalidParameter('Missing domain');
  return invalidParameter('Invalid email address');
}

function parseAddressOrThrow(raw: string): ParsedAddress {
  checkAddressCharacters(raw);
  const parsed = parseAddress(raw);
  if (!parsed) throw addressError(raw);
  return parsed;
}

/** The identities that can vouch for an address, most specific first: itself, its domain, each parent domain. */
function vouchingIdentities(context: SesContext, address: string): Identity[] {
  const labels = domainOf(address).split('.');
  const names = [address, ...labels.slice(0, -1).map((_, index) => labels.slice(index).join('.'))];
  return names
    .map((name) => context.state.findIdentity(context.account, context.region, name))
    .filter((identity): identity is Identity => identity?.ownership === 'Success');
}

/** SES accepts an address whose own identity, domain or any parent domain is verified. */
const isVerified = (context: SesContext, address: string): boolean => vouchingIdentities(context, address).length > 0;

interface Outgoing {
  action: MailboxMessage['action'];
  sourceRaw: string;
  /** who the message goes to, as far as checks and quota are concerned */
  recipients: string[];
  to: string[];
  cc: string[];
  bcc: string[];
  replyTo: string[];
  subject: string;
  text?: string;
  html?: string;
  raw?: string;
  /** the message's size as SES counts it against the 10 MB limit */
  sizeBytes: number;
  /** other sender identities SES checks: the raw From, Sender and Return-Path headers, the ReturnPath parameter */
  otherSenders: string[];
  configurationSetName?: string;
  tags: Array<{ name: string; value: string }>;
}

/** The mailbox simulator's addresses go out from the sandbox as from production (SES's mailbox simulator page). */
const isMailboxSimulator = (address: string): boolean => domainOf(address) === MAILBOX_SIMULATOR_DOMAIN;

const TAG_PART = /^[A-Za-z0-9_-]{1,256}$/;

/** `Tags.member.N.Name` / `.Value` of SendEmail and SendRawEmail, refused as SES refuses them (MessageTag: ASCII letters, digits, _ and -, 256 at most). */
export function messageTags(params: QueryParams): Array<{ name: string; value: string }> {
  const tags: Array<{ name: string; value: string }> = [];
  for (let i = 1; params.get(`Tags.member.${i}.Name`) !== undefined; i++) {
    tags.push({ name: params.get(`Tags.member.${i}.Name`) ?? '', value: params.get(`Tags.member.${i}.Value`) ?? '' });
  }
  return tags;
}

function checkTags(tags: Array<{ name: string; value: string }>): void {
  for (const tag of tags) {
    if (!TAG_PART.test(tag.name)) throw invalidParameter(`Invalid tag name <${tag.name}>: only alphanumeric ASCII characters, '_', and '-' are allowed, at most 256.`);
    if (!TAG_PART.test(tag.value)) throw invalidParameter(`Invalid tag value <${tag.value}>: only alphanumeric ASCII characters, '_', and '-' are allowed, at most 256.`);
  }
}

const identityArn = (context: SesContext, identity: string): string =>
  `arn:aws:ses:${context.region}:${context.account.id}:identity/${identity}`;

/**
 * A send is authorized against the identity ARNs of its From address: the address itself, then its
 * domain, each of which the role's policy must allow (Resource and Condition evaluated).
 */
function authorizeSend(context: SesContext, action: string, source: ParsedAddress): void {
  const domain = domainOf(source.address);
  const address = `${source.address.slice(0, source.address.lastIndexOf('@'))}@${domain}`;
  const keys = {
    'ses:fromaddress': source.address,
    'ses:apiversion': '1',
    'aws:requestedregion': context.region,
    ...(source.name === undefined ? {} : { 'ses:fromdisplayname': source.name }),
  };
  for (const resource of [identityArn(context, address), identityArn(context, domain)]) {
    if (!permissionsPolicyAllows(context.role.permissionsPolicy, { action: `ses:${action}`, resource, keys })) {
      // SES's own wording for a resource-level refusal, quotes and all
      throw accessDenied(`User \`${sessionArn(context.session)}' is not authorized to perform \`ses:${action}' on resource \`${resource}'`);
    }
  }
}

/** The checks SES makes before accepting a message, in SES's order; then into the mailbox. */
function deliver(context: SesContext, outgoing: Outgoing): XmlObject {
  const { state, account, region } = context;
  const settings = state.settings(account, region);
  checkMessageSize(outgoing.sizeBytes);
  const { recipients } = outgoing;
  checkRecipientCount(recipients.length);
  const source = parseAddressOrThrow(outgoing.sourceRaw);
  if (recipients.length === 0) throw invalidParameter("Missing required header 'To'.");
  const recipientAddresses = recipients.map((raw) => parseAddressOrThrow(raw).address);
  outgoing.replyTo.forEach(parseAddressOrThrow);
  const otherSenders = outgoing.otherSenders.map((raw) => ({ raw: raw.trim(), address: parseAddressOrThrow(raw).address }));
  checkTags(outgoing.tags);
  authorizeSend(context, outgoing.action, source);

  if (!settings.sendingEnabled) {
    throw new AwsError('AccountSendingPausedException', 'Email sending is disabled for your entire Amazon SES account.');
  }
  const setName = outgoing.configurationSetName;
  const configurationSet = setName === undefined ? undefined : state.eventResources(account, region).configurationSets.get(setName);
  if (setName !== undefined && !configurationSet) throw new AwsError('ConfigurationSetDoesNotExist', `Configuration set <${setName}> does not exist.`);
  if (configurationSet && !configurationSet.sendingEnabled) {
    throw new AwsError('ConfigurationSetSendingPausedException', `Sending is paused for configuration set <${configurationSet.name}>.`);
  }
  // SES names the failing identities, the raw Source (display name and all) as well as the bare address
  const unverified: string[] = [];
  for (const sender of [{ raw: outgoing.sourceRaw.trim(), address: source.address }, ...otherSenders]) {
    if (isVerified(context, sender.address) || unverified.includes(sender.address)) continue;
    if (sender.raw !== sender.address && !unverified.includes(sender.raw)) unverified.push(sender.raw);
    unverified.push(sender.address);
  }
  if (settings.sandbox) {
    unverified.push(...recipientAddresses.filter((address) => !isVerified(context, address) && !isMailboxSimulator(address)));
  }
  if (unverified.length > 0) {
    throw messageRejected(
      `Email address is not verified. The following identities failed the check in region ${region.toUpperCase()}: ${unverified.join(', ')}`,
    );
  }
  const senderDomain = vouchingIdentities(context, source.address).find((identity) => identity.kind === 'domain');
  if (senderDomain?.mailFromDomain && senderDomain.behaviorOnMxFailure === 'RejectMessage' && senderDomain.mailFrom !== 'Success') {
    throw new AwsError('MailFromDomainNotVerifiedException', `MAIL FROM domain ${senderDomain.mailFromDomain} is not verified.`);
  }
  // -1 is SES's "unlimited"
  if (settings.max24HourSend >= 0 && state.sentLast24Hours(account, region) + recipients.length > settings.max24HourSend) {
    throw new AwsError('Throttling', 'Daily message quota exceeded.');
  }
  // MaxSendRate counts recipients, like the daily quota
  if (!state.takeSendCapacity(account, region, recipients.length)) {
    throw new AwsError('Throttling', 'Maximum sending rate exceeded.');
  }

  const sentAt = state.now();
  state.recordSend(account, region, recipients.length, sentAt);
  const messageId = ids.messageId(sentAt);
  state.mailbox.push({
    message_id: messageId,
    account_id: account.id,
    region,
    action: outgoing.action,
    source: { raw: outgoing.sourceRaw, ...source },
    to: outgoing.to,
    cc: outgoing.cc,
    bcc: outgoing.bcc,
    reply_to: outgoing.replyTo,
    subject: outgoing.subject,
    ...(outgoing.text === undefined ? {} : { text: outgoing.text }),
    ...(outgoing.html === undefined ? {} : { html: outgoing.html }),
    ...(outgoing.raw === undefined ? {} : { raw: outgoing.raw }),
    timestamp: new Date(sentAt).toISOString(),
  });
  context.onAccepted?.({
    account,
    region,
    messageId,
    sentAt,
    action: outgoing.action,
    source: outgoing.sourceRaw,
    sourceAddress: source.address,
    destination: recipientAddresses,
    to: outgoing.to,
    subject: outgoing.subject,
    callerIdentity: context.role.name,
    ...(configurationSet === undefined ? {} : { configurationSet }),
    tags: outgoing.tags,
  });
  return { MessageId: messageId };
}

function configurationSetOf(params: QueryParams): { configurationSetName?: string } {
  const name = params.get('ConfigurationSetName');
  return name === undefined || name === '' ? {} : { configurationSetName: name };
}

function sendEmail(context: SesContext, params: QueryParams): XmlObject {
  const sourceRaw = requiredParam(params, 'Source', 'source');
  const subject = params.get('Message.Subject.Data');
  if (subject === undefined) throw missingMember('message.subject');
  const text = params.get('Message.Body.Text.Data');
  const html = params.get('Message.Body.Html.Data');
  const to = params.list('Destination.ToAddresses');
  const cc = params.list('Destination.CcAddresses');
  const bcc = params.list('Destination.BccAddresses');
  const replyTo = params.list('ReplyToAddresses');
  // SES counts the MIME message it builds; its parts are what makes it large
  const sizeBytes = [sourceRaw, subject, text ?? '', html ?? '', ...to, ...cc, ...bcc, ...replyTo].reduce(
    (sum, part) => sum + Buffer.byteLength(part, 'utf8'),
    0,
  );
  const returnPath = params.get('ReturnPath');
  return deliver(context, {
    action: 'SendEmail',
    sizeBytes,
    otherSenders: returnPath ? [returnPath] : [],
    ...configurationSetOf(params),
    tags: messageTags(params),
    sourceRaw,
    recipients: [...to, ...cc, ...bcc],
    to,
    cc,
    bcc,
    replyTo,
    subject,
    ...(text === undefined ? {} : { text }),
    ...(html === undefined ? {} : { html }),
  });
}

function sendRawEmail(context: SesContext, params: QueryParams): XmlObject {
  const data = requiredParam(params, 'RawMessage.Data', 'rawMessage.data');
  const raw = Buffer.from(data, 'base64').toString('utf8');
  const mime = parseMime(raw);
  const header = (name: string): string[] => splitAddressList(mime.headers.get(name) ?? '');
  const sourceRaw = params.get('Source') ?? mime.headers.get('from');
  if (sourceRaw === undefined) throw invalidParameter("Missing required header 'From'.");
  const to = header('to');
  const cc = header('cc');
  // an envelope list, when given, is who receives it; whoever it names beyond To/Cc is a blind copy
  const envelope = params.list('Destinations');
  const shown = new Set([...to, ...cc].map((entry) => parseAddress(entry)?.address.toLowerCase()));
  const bcc = envelope.length > 0 ? envelope.filter((entry) => !shown.has(parseAddress(entry)?.address.toLowerCase())) : header('bcc');
  const returnPath = params.get('ReturnPath');
  // SES checks every sender identity the message names, not only the envelope's Source
  const otherSenders = [...header('from'), ...header('sender'), ...header('return-path'), ...(returnPath ? [returnPath] : [])];
  return deliver(context, {
    action: 'SendRawEmail',
    otherSenders,
    ...configurationSetOf(params),
    tags: messageTags(params),
    // the limit applies to the message after base64 encoding, which is how it arrives
    sizeBytes: data.length,
    sourceRaw,
    recipients: envelope.length > 0 ? envelope : [...to, ...cc, ...bcc],
    to,
    cc,
    bcc,
    replyTo: header('reply-to'),
    subject: decodeEncodedWords(mime.headers.get('subject') ?? ''),
    ...(mime.text === undefined ? {} : { text: mime.text }),
    ...(mime.html === undefined ? {} : { html: mime.html }),
    raw,
  });
}

function verifyDomainIdentity(context: SesContext, params: QueryParams): XmlObject {
  const identity = domainIdentity(context, requireDomain(params));
  // asking again after a failure starts verification over
  if (identity.ownership === 'Failed') identity.ownership = 'Pending';
  return { VerificationToken: identity.verificationToken };
}

function verifyDomainDkim(context: SesContext, params: QueryParams): XmlObject {
  const identity = domainIdentity(context, requireDomain(params));
  if (identity.dkimTokens.length === 0) identity.dkimTokens = [ids.dkimToken(), ids.dkimToken(), ids.dkimToken()];
  if (identity.dkim === 'NotStarted' || identity.dkim === 'Failed') identity.dkim = 'Pending';
  return { DkimTokens: memberList(identity.dkimTokens) };
}

function getIdentityVerificationAttributes(context: SesContext, params: QueryParams): XmlObject {
  const entries = requestedIdentities(context, params).map(([name, identity]): [string, XmlObject] => [
    name,
    { VerificationStatus: identity.ownership, VerificationToken: identity.verificationToken },
  ]);
  return { VerificationAttributes: entryMap(entries) };
}

function getIdentityDkimAttributes(context: SesContext, params: QueryParams): XmlObject {
  const entries = requestedIdentities(context, params).map(([name, identity]): [string, XmlObject] => [
    name,
    {
      DkimEnabled: identity.dkimTokens.length > 0,
      DkimVerificationStatus: identity.dkim,
      DkimTokens: identity.dkimTokens.length > 0 ? memberList(identity.dkimTokens) : undefined,
    },
  ]);
  return { DkimAttributes: entryMap(entries) };
}

function getIdentityMailFromDomainAttributes(context: SesContext, params: QueryParams): XmlObject {
  const entries = requestedIdentities(context, params).map(([name, identity]): [string, XmlObject] => [
    name,
    {
      MailFromDomain: identity.mailFromDomain,
      MailFromDomainStatus: identity.mailFromDomain === undefined ? undefined : identity.mailFrom,
      BehaviorOnMXFailure: identity.behaviorOnMxFailure,
    },
  ]);
  return { MailFromDomainAttributes: entryMap(entries) };
}

const BEHAVIORS: readonly BehaviorOnMxFailure[] = ['UseDefaultValue', 'RejectMessage'];

function setIdentityMailFromDomain(context: SesContext, params: QueryParams): XmlObject {
  const name = requiredParam(params, 'Identity', 'identity');
  const behavior = params.get('BehaviorOnMXFailure') ?? 'UseDefaultValue';
  if (!BEHAVIORS.includes(behavior as BehaviorOnMxFailure)) {
    throw validationError(
      `1 validation error detected: Value '${behavior}' at 'behaviorOnMXFailure' failed to satisfy constraint: Member must satisfy enum value set: [UseDefaultValue, RejectMessage]`,
    );
  }
  const identity = context.state.findIdentity(context.account, context.region, name);
  if (!identity) throw invalidParameter(`Identity <${name}> does not exist.`);
  const mailFromDomain = params.get('MailFromDomain')?.toLowerCase();
  identity.behaviorOnMxFailure = behavior as BehaviorOnMxFailure;
  if (!mailFromDomain) {
    delete identity.mailFromDomain;
    return {};
  }
  const identityDomain = identity.kind === 'email' ? domainOf(identity.name) : identity.name;
  if (!DOMAIN.test(mailFromDomain) || !mailFromDomain.endsWith(`.${identityDomain}`)) {
    throw invalidParameter(`Provided MAIL-FROM domain <${mailFromDomain}> is not subdomain of the domain of the identity <${name}>.`);
  }
  identity.mailFromDomain = mailFromDomain;
  identity.mailFrom = 'Pending';
  return {};
}

function deleteIdentity(context: SesContext, params: QueryParams): XmlObject {
  const name = requiredParam(params, 'Identity', 'identity').toLowerCase();
  context.account.identities.get(context.region)?.delete(name);
  // identities seeded for every region are deleted from all of them
  context.account.identities.get(ANY_REGION)?.delete(name);
  return {};
}

const getAccountSendingEnabled: Handler = ({ state, account, region }) => ({ Enabled: state.settings(account, region).sendingEnabled });

const getSendQuota: Handler = ({ state, account, region }) => {
  const settings = state.settings(account, region);
  return {
    Max24HourSend: formatDouble(settings.max24HourSend),
    MaxSendRate: formatDouble(settings.maxSendRate),
    SentLast24Hours: formatDouble(state.sentLast24Hours(account, region)),
  };
};

const HANDLERS: Record<string, Handler> = {
  SendEmail: sendEmail,
  SendRawEmail: sendRawEmail,
  VerifyDomainIdentity: verifyDomainIdentity,
  VerifyDomainDkim: verifyDomainDkim,
  GetIdentityVerificationAttributes: getIdentityVerificationAttributes,
  GetIdentityDkimAttributes: getIdentityDkimAttributes,
  GetIdentityMailFromDomainAttributes: getIdentityMailFromDomainAttributes,
  SetIdentityMailFromDomain: setIdentityMailFromDomain,
  DeleteIdentity: deleteIdentity,
  GetAccountSendingEnabled: getAccountSendingEnabled,
  GetSendQuota: getSendQuota,
};

const SEND_ACTIONS: ReadonlySet<string> = new Set(['SendEmail', 'SendRawEmail']);

/** Runs one SES action for a role session, in the session's account and the signed region. */
export function handleSes(state: SimState, session: Session, region: string, action: string, params: QueryParams, onAccepted?: SendAccepted): XmlObject {
  const handler = Object.hasOwn(HANDLERS, action) ? HANDLERS[action] : undefined;
  if (!handler) throw new AwsError('InvalidAction', `Could not find operation ${action} for version ${API_VERSIONS.ses}`);
  const account = state.accounts.get(session.accountId);
  // the role as IAM has propagated it: a deleted (or deleted and recreated) role grants nothing
  const role = account === undefined ? undefined : state.effectiveRole(account, session.roleName);
  const denied = () => accessDenied(`User: ${sessionArn(session)} is not authorized to perform: ses:${action}`);
  if (!account || !role || role.id !== session.roleId) throw denied();
  // identity and quota calls: about one per second per account and region
  if (!SEND_ACTIONS.has(action) && !state.takeControlPlaneCall(account, region)) throw new AwsError('Throttling', 'Rate exceeded');
  // these actions take no resource-level permissions: only a statement on "*" grants them
  if (!SEND_ACTIONS.has(action)) {
    const keys = { 'aws:requestedregion': region };
    if (!permissionsPolicyAllows(role.permissionsPolicy, { action: `ses:${action}`, resource: '*', keys })) throw denied();
  }
  return handler({ state, account, region, session, role, ...(onAccepted === undefined ? {} : { onAccepted }) }, params);
}
