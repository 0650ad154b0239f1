import { createHash } from 'node:crypto';
import { isRecord } from '../util/paths.js';
import type { ChangeOp } from '../providers/types.js';

/** Canonical JSON: sorted keys, so equal meaning means equal text. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isRecord(value))
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  return JSON.stringify(value ?? null);
}

export function scalar(value: unknown): unknown {
  // S3 headers arrive as one-element lists (`"x-amz-acl": ["private"]`).
  if (Array.isArray(value) && value.length === 1 && (value[0] === null || typeof value[0] !== 'object')) value = value[0];
  if (value === undefined || value === '') return null;
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value) && !/^0\d/.test(value)) return Number(value);
  return value;
}

function sortedUnique(items: unknown[]): unknown[] {
  const seen = new Map<string, unknown>();
  for (const item of items) seen.set(canonical(item), item);
  return [...seen.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
}

function asSet(value: unknown): unknown[] {
  if (value === null || value === undefined || value === '') return [];
  return sortedUnique((Array.isArray(value) ? value : [value]).map(scalar));
}

// ---- IAM / resource policies -------------------------------------------------------------

function decodePolicy(value: unknown): unknown {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value !== 'string') return value;
  let text = value.trim();
  if (/^%7B/i.test(text) || /%22/.test(text)) {
    try {
      text = decodeURIComponent(text.replace(/\+/g, ' '));
    } catch {
      /* keep as is */
    }
  }
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function normaliseList(v: unknown): unknown {
  if (v === undefined) return undefined;
  return sortedUnique(Array.isArray(v) ? v : [v]);
}

function normalisePrincipal(p: unknown): unknown {
  if (p === '*') return { AWS: ['*'] };
  if (!isRecord(p)) return p;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(p)) out[k] = normaliseList(v);
  return out;
}

/** Statement order, single-vs-list, principal spelling and key order do not matter to IAM. */
export function normalisePolicy(value: unknown): unknown {
  const doc = decodePolicy(value);
  if (!isRecord(doc)) return doc;
  const statements = doc.Statement === undefined ? [] : Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  const norm = statements.map((s) => {
    if (!isRecord(s)) return s;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(s)) {
      if (['Action', 'NotAction', 'Resource', 'NotResource'].includes(k)) out[k] = normaliseList(v);
      else if (k === 'Principal' || k === 'NotPrincipal') out[k] = normalisePrincipal(v);
      else if (k === 'Condition' && isRecord(v)) {
        const cond: Record<string, unknown> = {};
        for (const [op, kv] of Object.entries(v)) {
          cond[op] = isRecord(kv) ? Object.fromEntries(Object.entries(kv).map(([ck, cv]) => [ck, normaliseList(cv)])) : kv;
        }
        out[k] = cond;
      } else if (k !== 'Sid' || v !== '') out[k] = v;
    }
    return out;
  });
  return { Version: doc.Version ?? '2008-10-17', Statement: sortedUnique(norm) };
}

// ---- permission calls (AddPermission / RemovePermission) ------------------------------------

function listOf(v: unknown): unknown[] {
  return v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];
}

/** A bare account ID as the policy stores it (`123456789012` → `arn:aws:iam::123456789012:root`). */
function accountPrincipal(v: unknown): unknown {
  return typeof v === 'string' && /^\d{12}$/.test(v) ? `arn:aws:iam::${v}:root` : v;
}

/**
 * The statement a permission call adds or removes, from its request: SQS (`label`, `aWSAccountIds`,
 * `actions`), SNS (`label`, `aWSAccountId`, `actionName`), or one already in policy form.
 */
function permissionStatement(req: Record<string, unknown>, service: string | null): Record<string, unknown> | null {
  const sid = req.label ?? req.Label ?? req.statementId ?? req.StatementId ?? req.Sid;
  if (typeof sid !== 'string' || sid === '') return null;
  const accounts = listOf(req.aWSAccountIds ?? req.AWSAccountIds ?? req.aWSAccountId ?? req.AWSAccountId).map(accountPrincipal);
  const actions = listOf(req.actions ?? req.Actions ?? req.actionName ?? req.ActionName).map((a) =>
    typeof a === 'string' && service && !a.includes(':') ? `${service}:${a}` : a,
  );
  const out: Record<string, unknown> = { Sid: sid, Effect: 'Allow' };
  if (accounts.length) out.Principal = { AWS: sortedUnique(accounts) };
  if (actions.length) out.Action = sortedUnique(actions);
  return out;
}

/** A policy document, or a permission call's request as a one-statement policy (the statement it adds or removes). */
export function normalisePermissionStatements(value: unknown): unknown {
  if (isRecord(value) && !('Statement' in value)) {
    const service = typeof value.queueUrl === 'string' || typeof value.QueueUrl === 'string' ? 'SQS' : typeof value.topicArn === 'string' || typeof value.TopicArn === 'string' ? 'SNS' : null;
    const st = permissionStatement(value, service);
    if (st) return { Version: '2012-10-17', Statement: [st] };
  }
  return normalisePolicy(value);
}

function statementsOf(v: unknown): Record<string, unknown>[] {
  return isRecord(v) && Array.isArray(v.Statement) ? v.Statement.filter(isRecord) : [];
}

const lower = (v: unknown): string => canonical(Array.isArray(v) ? [...v].map((x) => String(x).toLowerCase()).sort() : v === undefined ? null : String(v).toLowerCase());

/** Same grant: same Sid, effect, principals and actions (IAM action names are case-insensitive); the resource ARN is implied by the call. */
function sameGrant(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  return a.Sid === b.Sid && (a.Effect ?? 'Allow') === (b.Effect ?? 'Allow') && canonical(a.Principal) === canonical(b.Principal) && lower(a.Action) === lower(b.Action);
}

function withStatements(expected: unknown, statements: Record<string, unknown>[]): unknown {
  const version = isRecord(expected) && typeof expected.Version === 'string' ? expected.Version : '2012-10-17';
  return { Version: version, Statement: sortedUnique(statements) };
}

function addStatements(expected: unknown, eventValue: unknown): unknown {
  let current = statementsOf(expected);
  for (const st of statementsOf(eventValue)) {
    if (current.some((s) => s.Sid === st.Sid && sameGrant(s, st))) continue; // already granted as stated
    current = [...current.filter((s) => s.Sid === undefined || s.Sid !== st.Sid), st];
  }
  return withStatements(expected, current);
}

function removeStatements(expected: unknown, eventValue: unknown): unknown {
  if (!isRecord(expected)) return expected;
  const sids = new Set(statementsOf(eventValue).map((s) => s.Sid));
  return withStatements(expected, statementsOf(expected).filter((s) => !sids.has(s.Sid)));
}

/** What a statement op did, for the change's `detail`: `statement "x" added: Allow SQS:SendMessage to arn:…`. */
export function describeStatementDelta(expected: unknown, actual: unknown): string | null {
  const before = new Map(statementsOf(expected).map((s) => [canonical(s), s]));
  const after = new Map(statementsOf(actual).map((s) => [canonical(s), s]));
  const words = (s: Record<string, unknown>): string =>
    `"${String(s.Sid ?? '')}" ${String(s.Effect ?? 'Allow')} ${listOf(s.Action).join(' ')}${s.Principal ? ` to ${canonical(s.Principal)}` : ''}`;
  const added = [...after].filter(([k]) => !before.has(k)).map(([, s]) => `statement ${words(s)} added`);
  const removed = [...before].filter(([k]) => !after.has(k)).map(([, s]) => `statement ${words(s)} removed`);
  const all = [...removed, ...added];
  return all.length ? all.join('; ') : null;
}

// ---- tags ------------------------------------------------------------------------------

/**
 * Every tag shape AWS APIs use, to one sorted `key → value` map: `{key,value}` / `{Key,Value}` /
 * `{tagKey,tagValue}` / `{TagKey,TagValue}` lists, `{items:[…]}` (EC2), S3's `TagSet.Tag` (one
 * object or a list), plain maps (Lambda, SQS, EKS), and key-only lists (`tagKeys`, for untag).
 */
export function normaliseTags(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  let v = value;
  if (isRecord(v) && isRecord(v.TagSet)) v = v.TagSet.Tag ?? [];
  if (isRecord(v) && 'Tag' in v && !('Key' in v)) v = v.Tag;
  if (isRecord(v) && Array.isArray(v.items)) v = v.items;
  if (isRecord(v) && ('Key' in v || 'key' in v) && Object.keys(v).every((k) => /^(key|value)$/i.test(k))) v = [v];
  if (Array.isArray(v)) {
    for (const item of v) {
      if (typeof item === 'string') {
        out[item] = ''; // untag lists name keys only
        continue;
      }
      if (!isRecord(item)) continue;
      const k = item.key ?? item.Key ?? item.tagKey ?? item.TagKey;
      const val = item.value ?? item.Value ?? item.tagValue ?? item.TagValue ?? '';
      if (typeof k === 'string') out[k] = val === null ? '' : String(val);
    }
  } else if (isRecord(v)) {
    for (const [k, val] of Object.entries(v)) out[k] = val === null || val === undefined ? '' : String(val);
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

// ---- security group rules --------------------------------------------------------------

const PROTOCOLS: Record<string, string> = { '-1': 'all', all: 'all', '6': 'tcp', '17': 'udp', '1': 'icmp', '58': 'icmpv6' };

function ruleText(protocol: unknown, from: unknown, to: unknown, source: string): string {
  const proto = PROTOCOLS[String(protocol ?? '-1').toLowerCase()] ?? String(protocol).toLowerCase();
  if (proto === 'all') return `all from ${source}`;
  const f = from === undefined || from === null ? -1 : Number(from);
  const t = to === undefined || to === null ? f : Number(to);
  return `${proto} ${f === t ? String(f) : `${f}-${t}`} from ${source}`;
}

function itemsOf(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (isRecord(v) && Array.isArray(v.items)) return v.items;
  return [];
}

/** One string per (protocol, ports, source): `tcp 22 from 0.0.0.0/0`; comparable as a set. */
export function normaliseSgRules(value: unknown): string[] {
  const out: string[] = [];
  const fromCloudTrailPermission = (p: Record<string, unknown>): void => {
    const push = (src: string): void => void out.push(ruleText(p.ipProtocol, p.fromPort, p.toPort, src));
    for (const r of itemsOf(p.ipRanges)) if (isRecord(r) && typeof r.cidrIp === 'string') push(r.cidrIp);
    for (const r of itemsOf(p.ipv6Ranges)) if (isRecord(r) && typeof r.cidrIpv6 === 'string') push(r.cidrIpv6);
    for (const r of itemsOf(p.groups)) if (isRecord(r) && typeof r.groupId === 'string') push(r.groupId);
    for (const r of itemsOf(p.prefixListIds)) if (isRecord(r) && typeof r.prefixListId === 'string') push(r.prefixListId);
  };
  const fromRuleObject = (r: Record<string, unknown>): boolean => {
    // One rule in the EC2 SecurityGroupRule shape (ModifySecurityGroupRules, securityGroupRuleSet)
    // or an aws_vpc_security_group_{ingress,egress}_rule resource.
    const proto = r.IpProtocol ?? r.ip_protocol ?? (('cidrIpv4' in r || 'cidrIpv6' in r || 'referencedGroupInfo' in r) ? r.ipProtocol : undefined);
    if (proto === undefined) return false;
    const from = r.FromPort ?? r.from_port ?? r.fromPort;
    const to = r.ToPort ?? r.to_port ?? r.toPort;
    const refGroup = isRecord(r.referencedGroupInfo) ? r.referencedGroupInfo.groupId : undefined;
    const sources = [r.CidrIpv4, r.cidr_ipv4, r.cidrIpv4, r.CidrIpv6, r.cidr_ipv6, r.cidrIpv6, r.ReferencedGroupId, r.referenced_security_group_id, refGroup, r.PrefixListId, r.prefix_list_id, r.prefixListId];
    for (const src of sources) if (typeof src === 'string' && src !== '') out.push(ruleText(proto, from, to, src));
    return true;
  };
  if (isRecord(value) && fromRuleObject(value)) {
    /* done */
  } else if (isRecord(value) && isRecord(value.ModifySecurityGroupRulesRequest)) {
    const req = value.ModifySecurityGroupRulesRequest;
    const updates = Array.isArray(req.SecurityGroupRule) ? req.SecurityGroupRule : [req.SecurityGroupRule];
    for (const u of updates) if (isRecord(u) && isRecord(u.SecurityGroupRule)) fromRuleObject(u.SecurityGroupRule);
  } else if (isRecord(value) && ('ipPermissions' in value || 'cidrIp' in value || 'ipProtocol' in value)) {
    // CloudTrail request: the flat form (cidrIp/ipProtocol/fromPort) or ipPermissions.items[].
    if (typeof value.cidrIp === 'string') out.push(ruleText(value.ipProtocol, value.fromPort, value.toPort, value.cidrIp));
    if (typeof value.sourceSecurityGroupName === 'string')
      out.push(ruleText(value.ipProtocol ?? '-1', value.fromPort, value.toPort, value.sourceSecurityGroupName));
    for (const p of itemsOf(value.ipPermissions)) if (isRecord(p)) fromCloudTrailPermission(p);
  } else if (Array.isArray(value)) {
    for (const rule of value) {
      if (!isRecord(rule)) continue;
      if (fromRuleObject(rule)) continue;
      if ('ipProtocol' in rule) {
        fromCloudTrailPermission(rule);
        continue;
      }
      // Terraform ingress/egress block.
      const push = (src: string): void => void out.push(ruleText(rule.protocol, rule.from_port, rule.to_port, src));
      for (const c of asStrings(rule.cidr_blocks)) push(c);
      for (const c of asStrings(rule.ipv6_cidr_blocks)) push(c);
      for (const c of asStrings(rule.security_groups)) push(c);
      for (const c of asStrings(rule.prefix_list_ids)) push(c);
      // aws_security_group_rule names its single source group here.
      if (typeof rule.source_security_group_id === 'string' && rule.source_security_group_id !== '') push(rule.source_security_group_id);
      if (rule.self === true) push('self');
    }
  }
  return [...new Set(out)].sort();
}

function asStrings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

// ---- comparators -----------------------------------------------------------------------

export interface Comparator {
  normalise(value: unknown): unknown;
}

/** Placeholders CloudTrail writes instead of secret-bearing values. */
const REDACTED_BY_CLOUD = new Set(['<sensitiveDataRemoved>', 'HIDDEN_DUE_TO_SECURITY_REASONS']);
export const WITHHELD = '(changed; value withheld by CloudTrail)';

const sha1 = (s: string | Buffer): string => createHash('sha1').update(s).digest('hex');

export const COMPARATORS: Record<string, Comparator> = {
  scalar: { normalise: scalar },
  set: { normalise: asSet },
  policy: { normalise: normalisePolicy },
  tags: { normalise: normaliseTags },
  sg_rules: { normalise: normaliseSgRules },
  json: { normalise: (v) => decodePolicy(v) },
  /** Policy documents on both sides; a permission call's request as the statement it adds/removes. */
  permission_statements: { normalise: normalisePermissionStatements },
  /** `-1`, `all` and protocol numbers (6, 17) mean the same as Terraform's names. */
  ip_protocol: {
    normalise: (v) => {
      const s = scalar(v);
      return s === null ? null : (PROTOCOLS[String(s).toLowerCase()] ?? String(s).toLowerCase());
    },
  },
  versioning_status: {
    normalise: (v) => {
      const s = scalar(v);
      if (s === true || s === 'Enabled') return 'Enabled';
      if (s === false || s === 'Suspended' || s === 'Disabled') return 'Suspended';
      return s;
    },
  },
  /** State keeps user_data as a SHA-1 of the script; events carry it base64-encoded. */
  user_data: {
    normalise: (raw) => {
      const v = isRecord(raw) ? raw.value : raw;
      if (typeof v !== 'string' || v === '') return null;
      if (REDACTED_BY_CLOUD.has(v)) return WITHHELD;
      if (/^[0-9a-f]{40}$/.test(v)) return v;
      const decoded = Buffer.from(v, 'base64');
      return decoded.length > 0 && decoded.toString('base64').replace(/=+$/, '') === v.replace(/=+$/, '') ? sha1(decoded) : sha1(v);
    },
  },
  /** aws_iam_role.inline_policy blocks vs a Put/DeleteRolePolicy request: name → policy. */
  inline_policies: {
    normalise: (v) => {
      const out: Record<string, unknown> = {};
      const single = isRecord(v) && (typeof v.policyName === 'string' || (typeof v.name === 'string' && 'policy' in v));
      if (isRecord(v) && !single) return v; // already name → policy
      const list = Array.isArray(v) ? v : v === null || v === undefined ? [] : [v];
      for (const p of list) {
        if (!isRecord(p)) continue;
        const name = p.name ?? p.policyName;
        if (typeof name === 'string' && name !== '') out[name] = p.policyDocument !== undefined || p.policy !== undefined ? normalisePolicy(p.policy ?? p.policyDocument) : null;
      }
      return out;
    },
  },
};

/**
 * True when a state resource is one the event concerns: its constant attributes match and its
 * normalised value shares an element with the event's (a revoked rule, a detached policy).
 */
export function matchesResource(attributes: Record<string, unknown>, match: { compare: string; value: unknown; attributes?: Record<string, string>; attribute?: string }): boolean {
  for (const [k, v] of Object.entries(match.attributes ?? {})) if (attributes[k] !== v) return false;
  const cmp = comparator(match.compare);
  const fromEvent = cmp.normalise(match.value);
  const fromState = cmp.normalise(match.attribute ? attributes[match.attribute] : [attributes]);
  const asList = (x: unknown): string[] => (Array.isArray(x) ? x : x === null || x === undefined ? [] : [x]).map(canonical);
  const wanted = new Set(asList(fromEvent));
  return asList(fromState).some((x) => wanted.has(x));
}

export function comparator(name: string): Comparator {
  const c = COMPARATORS[name];
  if (!c) throw new Error(`unknown comparator "${name}"`);
  return c;
}

/** What the attribute is after the event, given what state expects. */
export function applyOp(op: ChangeOp, expected: unknown, eventValue: unknown): unknown {
  switch (op) {
    case 'set':
      return eventValue;
    case 'add':
      if (Array.isArray(expected) || expected === null) return sortedUnique([...((expected as unknown[]) ?? []), ...(Array.isArray(eventValue) ? eventValue : [eventValue])]);
      if (isRecord(expected) && isRecord(eventValue)) return sortKeys({ ...expected, ...eventValue });
      return eventValue;
    case 'remove': {
      if (Array.isArray(expected)) {
        const drop = new Set((Array.isArray(eventValue) ? eventValue : [eventValue]).map(canonical));
        return expected.filter((x) => !drop.has(canonical(x)));
      }
      if (isRecord(expected) && isRecord(eventValue)) return sortKeys(Object.fromEntries(Object.entries(expected).filter(([k]) => !(k in eventValue))));
      return expected;
    }
    case 'merge':
      return isRecord(expected) && isRecord(eventValue) ? sortKeys({ ...expected, ...eventValue }) : eventValue;
    case 'add_statements':
      return addStatements(expected, eventValue);
    case 'remove_statements':
      return removeStatements(expected, eventValue);
    case 'unset_keys':
      return isRecord(expected) && isRecord(eventValue)
        ? sortKeys(Object.fromEntries(Object.entries(expected).filter(([k]) => !(k in eventValue))))
        : expected;
  }
}

function sortKeys(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
}

export function semanticallyEqual(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}
