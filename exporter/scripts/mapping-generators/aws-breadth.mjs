// Generates mappings/aws/*.generated.yaml: write operations of the AWS API models (aws-sdk v2
// `apis/*.min.json`) whose noun is a Terraform resource type of the provider list
// (data/aws-provider-resource-types.txt). Run from exporter/: `node scripts/mapping-generators/aws-breadth.mjs`.
// Every row it writes names: an API operation that exists, a Terraform type that exists, and an
// ID path that is a member of the operation's input (or output, for IDs AWS assigns on create).
import { readFileSync, readdirSync, writeFileSync, unlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import YAML from 'yaml';

const require = createRequire(import.meta.url);
const APIS = require.resolve('aws-sdk/package.json').replace(/package\.json$/, 'apis');
const DIR = 'mappings/aws';
const types = new Set(readFileSync('data/aws-provider-resource-types.txt', 'utf8').split('\n').filter((l) => l.startsWith('aws_')));

/** CloudTrail eventSource of a model (endpointPrefix, with AWS's known exceptions). */
export const SOURCE_OF_ENDPOINT = { 'api.ecr': 'ecr', 'api.sagemaker': 'sagemaker', email: 'ses', cloudhsmv2: 'cloudhsm', 's3-control': 's3', 'api.pricing': null, 'api.mediatailor': 'mediatailor', 'api.detective': 'detective', 'api.tunneling.iot': null, 'api.iotwireless': 'iotwireless', 'api.elastic-inference': null, 'api.iotdeviceadvisor': 'iotdeviceadvisor', 'data.iot': null, 'runtime.sagemaker': null, 'streams.dynamodb': null };

const snake = (s) => s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2').toLowerCase();
const lowerFirst = (s) => s.charAt(0).toLowerCase() + s.slice(1);

function latestModels() {
  const byPrefix = new Map();
  for (const f of readdirSync(APIS).filter((x) => x.endsWith('.min.json')).sort()) {
    const m = JSON.parse(readFileSync(`${APIS}/${f}`, 'utf8'));
    byPrefix.set(`${m.metadata.endpointPrefix}|${m.metadata.serviceId}`, { file: f, m }); // sorted: later API versions win
  }
  return [...byPrefix.values()];
}

function existing() {
  const rows = new Map(); // source -> Set(names incl. unmapped)
  const prefixes = new Map(); // source -> tf prefix counts
  for (const f of readdirSync(DIR).filter((x) => x.endsWith('.yaml') && !x.endsWith('.generated.yaml'))) {
    const t = YAML.parse(readFileSync(`${DIR}/${f}`, 'utf8'));
    const set = rows.get(t.event_source) ?? new Set();
    for (const n of [...Object.keys(t.events ?? {}), ...Object.keys(t.unmapped ?? {})]) set.add(n.replace(/20\d{6}(v\d+)?$/, ''));
    rows.set(t.event_source, set);
    const counts = prefixes.get(t.event_source) ?? new Map();
    for (const r of Object.values(t.events ?? {})) for (const ty of [r.resource_type, ...(r.targets ?? []).map((x) => x.type)].filter(Boolean)) {
      const p = ty.split('_')[1];
      counts.set(p, (counts.get(p) ?? 0) + 1);
    }
    prefixes.set(t.event_source, counts);
  }
  return { rows, prefixes };
}

/** Terraform prefixes a service's types use (aws_<prefix>_...), best first. */
function tfPrefixes(m, known) {
  const cands = new Set();
  if (known) for (const [p] of [...known].sort((a, b) => b[1] - a[1])) cands.add(p);
  const md = m.metadata;
  for (const c of [md.endpointPrefix, md.signingName, md.serviceId, md.serviceAbbreviation?.replace(/^(Amazon|AWS)\s*/, '')])
    if (c) cands.add(c.toLowerCase().replace(/^api\./, '').replace(/[^a-z0-9]/g, ''));
  return [...cands].filter((p) => [...types].some((t) => t.startsWith(`aws_${p}_`)));
}

const VERBS = [['Create', 'create'], ['Delete', 'delete'], ['Update', 'modify'], ['Modify', 'modify'], ['Put', 'modify']];

/** The Terraform type an operation's noun names under one of the prefixes (plural nouns singularised). */
function typeFor(noun, prefixes) {
  const forms = [noun, noun.replace(/ies$/, 'y'), noun.replace(/s$/, ''), noun.replace(/Configuration$/, 'Config')];
  for (const p of prefixes)
    for (const f of forms) {
      let s = snake(f);
      if (s.startsWith(`${p}_`)) s = s.slice(p.length + 1); // CreateDaxCluster-style nouns
      const t = `aws_${p}_${s}`;
      if (types.has(t)) return t;
    }
  return null;
}

/** Identifier members, best first: the noun's own ID/name/ARN, then generic ones. */
function idMembers(noun, members) {
  const names = Object.keys(members ?? {});
  const want = [`${noun}Id`, `${noun}Name`, `${noun}Arn`, `${noun}Identifier`, `${noun}ARN`, 'Id', 'Name', 'Arn', 'Identifier', 'ResourceArn', 'ARN'];
  const out = [];
  for (const w of want) {
    const hit = names.find((n) => n.toLowerCase() === w.toLowerCase());
    if (hit && !out.includes(hit)) out.push(hit);
  }
  return out;
}

function rowFor(opName, op, verb, kind, type, noun) {
  const input = op.input?.members ?? {};
  const inId = idMembers(noun, input);
  const paths = [];
  if (kind === 'create') {
    // AWS assigns many IDs on create: the output's `<Noun>.<Noun>Id` or top-level `<Noun>Id`.
    const out = op.output?.members ?? {};
    const nested = Object.keys(out).find((k) => k.toLowerCase() === noun.toLowerCase() && out[k].members);
    for (const m of idMembers(noun, out)) if (!/arn$/i.test(m)) paths.push(`response.${lowerFirst(m)}`);
    if (nested) for (const m of idMembers(noun, out[nested].members)) if (!/arn$/i.test(m)) paths.push(`response.${lowerFirst(nested)}.${lowerFirst(m)}`);
  }
  for (const m of inId) paths.push(`request.${lowerFirst(m)}`);
  if (paths.length === 0) return null;
  const targets = [
    { type, lookup: 'id' },
    { type, lookup: 'name' },
    { type, lookup: 'arn' },
  ];
  return { kind, id: [...new Set(paths)], arn_lookup: 'arn', targets, note: `generated: ${opName}` };
}

const models = latestModels();
const sourceOf = (m) => {
  const ep = m.metadata.endpointPrefix;
  const mapped = ep in SOURCE_OF_ENDPOINT ? SOURCE_OF_ENDPOINT[ep] : ep.replace(/^api\./, '');
  return mapped ? `${mapped}.amazonaws.com` : null;
};
/** Operation names two APIs log under one eventSource (API Gateway v1/v2, SES v1/v2): ambiguous, never generated. */
const opsBySource = new Map();
for (const { m } of models) {
  const src = sourceOf(m);
  if (!src) continue;
  for (const op of Object.keys(m.operations)) opsBySource.set(`${src} ${op}`, (opsBySource.get(`${src} ${op}`) ?? 0) + 1);
}
const { rows: have, prefixes: knownPrefixes } = existing();
for (const f of readdirSync(DIR).filter((x) => x.endsWith('.generated.yaml'))) unlinkSync(`${DIR}/${f}`);
let events = 0;
const allTypes = new Set();
const perService = [];
for (const { m } of models) {
  const ep = m.metadata.endpointPrefix;
  const mapped = ep in SOURCE_OF_ENDPOINT ? SOURCE_OF_ENDPOINT[ep] : ep.replace(/^api\./, '');
  if (!mapped) continue;
  const source = `${mapped}.amazonaws.com`;
  const prefixes = tfPrefixes(m, knownPrefixes.get(source));
  if (prefixes.length === 0) continue;
  const taken = have.get(source) ?? new Set();
  const out = {};
  for (const [opName, op] of Object.entries(m.operations)) {
    if (taken.has(opName) || opsBySource.get(`${source} ${opName}`) > 1) continue;
    const verb = VERBS.find(([v]) => opName.startsWith(v) && /^[A-Z]/.test(opName.slice(v.length)));
    if (!verb) continue;
    const noun = opName.slice(verb[0].length);
    const type = typeFor(noun, prefixes);
    if (!type) continue;
    const row = rowFor(opName, op, verb[0], verb[1], type, noun);
    if (!row) continue;
    out[opName] = row;
  }
  const n = Object.keys(out).length;
  if (n === 0) continue;
  const service = m.metadata.endpointPrefix.replace(/^api\./, '').replace(/[^a-z0-9-]/g, '-');
  perService.push([service, n]);
  events += n;
  for (const r of Object.values(out)) for (const t of r.targets) allTypes.add(t.type);
  const header = `# Generated by scripts/mapping-generators/aws-breadth.mjs from ${m.metadata.uid} (aws-sdk v2 API model) and the\n# provider type list: write operations whose noun is a Terraform type. Do not edit; edit the generator\n# or hand-write a row in ${service}.yaml (hand-written rows win: the generator skips them).\n`;
  // A service that also has a hand-written table gets its own name: one Falco rule per table.
  const doc = { service: knownPrefixes.has(source) ? `${serviceNameOf(source)}-generated` : service, event_source: source, events: out };
  // One flow-style line per row: a third of the block-style size, and YAML parsing time with it.
  const lines = Object.entries(doc.events).map(([name, row]) => `  ${name}: ${JSON.stringify(row)}`);
  writeFileSync(`${DIR}/${service}.generated.yaml`, `${header}service: ${doc.service}\nevent_source: ${doc.event_source}\nevents:\n${lines.join('\n')}\n`);
}
function serviceNameOf(source) {
  for (const f of readdirSync(DIR).filter((x) => x.endsWith('.yaml') && !x.endsWith('.generated.yaml'))) {
    const t = YAML.parse(readFileSync(`${DIR}/${f}`, 'utf8'));
    if (t.event_source === source) return t.service;
  }
  return source.split('.')[0];
}
console.log(`generated ${events} rows, ${allTypes.size} types, ${perService.length} services`);
