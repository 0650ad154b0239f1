import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { InputError } from '../util/errors.js';
import { describeJsonError } from './json-error.js';
import { isRecord } from '../util/paths.js';
import type { StateResource, StateSnapshot, StateSourceInfo } from './model.js';

const PROVIDER_NAMES: Record<string, string> = { aws: 'aws', google: 'gcp', 'google-beta': 'gcp', azurerm: 'azure' };

/** `provider["registry.terraform.io/hashicorp/aws"].west` or `provider.aws.west` → {name, alias}. */
export function parseProviderRef(ref: unknown): { name: string; alias: string | null } {
  if (typeof ref !== 'string') return { name: 'unknown', alias: null };
  const modern = /provider\["(?:[^"]*\/)?([^"/]+)"\](?:\.([A-Za-z0-9_-]+))?$/.exec(ref);
  const legacy = /provider\.([A-Za-z0-9_-]+)(?:\.([A-Za-z0-9_-]+))?$/.exec(ref);
  const m = modern ?? legacy;
  if (!m) return { name: 'unknown', alias: null };
  return { name: PROVIDER_NAMES[m[1]] ?? m[1], alias: m[2] ?? null };
}

function formatIndexKey(key: unknown): string {
  if (typeof key === 'number') return `[${key}]`;
  if (typeof key === 'string') return `[${JSON.stringify(key)}]`;
  return '';
}

function pathStep(step: unknown): string | number | null {
  if (typeof step === 'string' || typeof step === 'number') return step;
  if (!isRecord(step)) return null;
  const v = step.value;
  if (typeof v === 'string' || typeof v === 'number') return v;
  // cty path JSON for index steps: {"type":"index","value":{"value":"k","type":"string"}}
  if (isRecord(v) && (typeof v.value === 'string' || typeof v.value === 'number')) return v.value;
  return null;
}

/**
 * `sensitive_attributes` in the shapes Terraform and OpenTofu write: a list of cty paths
 * (each a list of `{type: get_attr|index, value}` steps; index values either bare or typed
 * `{value, type}` as Terraform ≥1.10 writes them), or dotted strings as some tools write.
 * A path whose step cannot be read is cut there, which redacts more, never less.
 */
export function sensitivePaths(raw: unknown): string[] {
  if (!Array.isArray(raw)) return [];
  const out: string[] = [];
  for (const path of raw) {
    if (typeof path === 'string') {
      if (path !== '') out.push(path);
      continue;
    }
    if (!Array.isArray(path)) continue;
    const steps: string[] = [];
    for (const step of path) {
      const v = pathStep(step);
      if (v === null) break;
      steps.push(String(v));
    }
    if (steps.length > 0) out.push(steps.join('.'));
  }
  return out;
}

/** Reads `serial` and `lineage` from the head of a state without parsing it all (Terraform writes them first). */
export function peekStateHeader(text: string): { serial: number | null; lineage: string | null } {
  const head = text.slice(0, 1024);
  const serial = /"serial"\s*:\s*(\d+)/.exec(head);
  const lineage = /"lineage"\s*:\s*"([^"]*)"/.exec(head);
  return { serial: serial ? Number(serial[1]) : null, lineage: lineage ? lineage[1] : null };
}

/** Checks the top level of a state document (everything but the resources) and throws what it is not. */
function checkDocument(doc: unknown, source: StateSourceInfo): asserts doc is Record<string, unknown> {
  if (!isRecord(doc)) throw new InputError('state is not a JSON object', 'state_not_object', source.location);
  if ('encrypted_data' in doc || 'encryption_version' in doc)
    throw new InputError(
      'this is OpenTofu state encrypted with client-side state encryption; tfdrift cannot read it. Point tfdrift at an unencrypted copy (e.g. `tofu state pull` through a decrypting pipeline) or disable encryption for the state tfdrift reads',
      'state_encrypted',
      source.location,
    );
  if ('format_version' in doc && ('values' in doc || 'planned_values' in doc))
    throw new InputError('this is `terraform show -json` output, not a state file; point tfdrift at the state itself (`terraform state pull`)', 'state_unknown_format', source.location);
  if ('pytest-terraform' in doc)
    throw new InputError('this is a pytest-terraform snapshot, not Terraform state (no "version": 4)', 'state_unknown_format', source.location);
  const version = doc.version;
  if (version !== 4) {
    const what =
      version === undefined
        ? `no "version" field${Array.isArray(doc.resources) || Array.isArray(doc.modules) ? '' : ' and no "resources" (this does not look like Terraform state)'}`
        : `format version ${JSON.stringify(version)}`;
    const hint = version === 3 || version === 2 || version === 1 ? ' (Terraform <0.12; run `terraform apply` or `terraform state push` with Terraform ≥0.12 to upgrade)' : '';
    throw new InputError(`unsupported state: ${what}; tfdrift reads state format version 4${hint}`, 'state_unsupported_version', source.location);
  }
  if (doc.resources !== undefined && doc.resources !== null && !Array.isArray(doc.resources))
    throw new InputError('"resources" is not an array', 'state_bad_resources', source.location);
}

/** Accumulates a snapshot one raw resource at a time (so a large state can be converted in slices). */
class SnapshotBuilder {
  readonly resources: StateResource[] = [];
  dataSourcesSkipped = 0;
  opentofu = false;
  constructor(private readonly source: StateSourceInfo) {}

  add(res: unknown, i: number): void {
    const source = this.source;
    const where = `${source.location}: resources[${i}]`;
    if (!isRecord(res)) throw new InputError('resource is not an object', 'state_bad_resource', where);
    if (res.mode === 'data') {
      this.dataSourcesSkipped += Array.isArray(res.instances) ? res.instances.length : 1;
      return;
    }
    if (res.mode !== 'managed') throw new InputError(`unknown mode ${JSON.stringify(res.mode)}`, 'state_bad_resource', where);
    if (typeof res.type !== 'string' || typeof res.name !== 'string')
      throw new InputError('resource without string "type" and "name"', 'state_bad_resource', where);
    const module = typeof res.module === 'string' && res.module !== '' ? res.module : null;
    const provider = parseProviderRef(res.provider);
    const instances = Array.isArray(res.instances) ? res.instances : [];
    if (typeof res.provider === 'string' && res.provider.includes('registry.opentofu.org')) this.opentofu = true;
    const base = `${module ? `${module}.` : ''}${res.type}.${res.name}`;
    for (const inst of instances) {
      // Deposed objects are replaced ones awaiting destroy (create_before_destroy); the current object is the truth.
      if (!isRecord(inst) || (typeof inst.deposed === 'string' && inst.deposed !== '')) continue;
      const indexKey = typeof inst.index_key === 'string' || typeof inst.index_key === 'number' ? inst.index_key : null;
      this.resources.push({
        address: base + formatIndexKey(indexKey),
        type: res.type,
        name: res.name,
        module,
        indexKey,
        provider: provider.name,
        providerAlias: provider.alias,
        attributes: isRecord(inst.attributes) ? inst.attributes : {},
        sensitivePaths: sensitivePaths(inst.sensitive_attributes),
        source,
      });
    }
  }

  finish(doc: Record<string, unknown>): StateSnapshot {
    const tfVersion = typeof doc.terraform_version === 'string' ? doc.terraform_version : null;
    return {
      source: this.source,
      serial: typeof doc.serial === 'number' ? doc.serial : null,
      lineage: typeof doc.lineage === 'string' ? doc.lineage : null,
      terraformVersion: tfVersion,
      flavour: this.opentofu ? 'opentofu' : tfVersion === null ? 'unknown' : 'terraform',
      resources: this.resources,
      dataSourcesSkipped: this.dataSourcesSkipped,
      loadedAt: Date.now(),
    };
  }
}

function parseJson(text: string, source: StateSourceInfo): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // Not V8's message: it can quote the text around the error, and state text holds secrets.
    throw new InputError(`not JSON (${describeJsonError(text)})`, 'state_not_json', source.location);
  }
}

/**
 * Parses Terraform/OpenTofu state format v4. Rejects other versions and encrypted OpenTofu
 * state with a message that says what to do instead.
 */
export function parseStateDocument(text: string, source: StateSourceInfo): StateSnapshot {
  const doc = parseJson(text, source);
  checkDocument(doc, source);
  const builder = new SnapshotBuilder(source);
  const raw = Array.isArray(doc.resources) ? doc.resources : [];
  raw.forEach((res, i) => builder.add(res, i));
  return builder.finish(doc);
}

const RESOURCES_OPEN = '\n  "resources": [\n';
const ELEMENT_SEP = '\n    },\n    {';

/**
 * Splits the `resources` array of a state as Terraform and OpenTofu write it (2-space
 * indentation) into one text per resource, without a JSON scanner: a raw newline can only be
 * whitespace in JSON (inside strings it is escaped), so "newline, 4 spaces, `},`" can only be
 * the end of a top-level resource. Returns null for any other layout (minified, hand-made).
 */
export function splitIndentedState(text: string): { rest: string; resources: string[] } | null {
  const open = text.indexOf(RESOURCES_OPEN);
  if (open < 0) return null;
  const bodyStart = open + RESOURCES_OPEN.length;
  const close = text.indexOf('\n  ]', bodyStart);
  if (close < 0 || !text.startsWith('    {', bodyStart) || !text.startsWith('\n    }', close - 6)) return null;
  const resources: string[] = [];
  let from = bodyStart + 4; // at "{"
  for (;;) {
    const sep = text.indexOf(ELEMENT_SEP, from);
    if (sep < 0 || sep > close) break;
    resources.push(text.slice(from, sep + 6)); // through "}"
    from = sep + ELEMENT_SEP.length - 1; // at the next "{"
  }
  resources.push(text.slice(from, close));
  const rest = `${text.slice(0, open)}\n  "resources": []${text.slice(close + 4)}`;
  return { rest, resources };
}

/**
 * The same as parseStateDocument, but never holds the event loop for long: Terraform-written
 * state is parsed one resource at a time with a yield every `sliceMs`, so ingest keeps flowing
 * while a 100 MB state loads. Other layouts fall back to one JSON.parse.
 */
export async function parseStateDocumentAsync(text: string, source: StateSourceInfo, opts: { sliceMs?: number; minChars?: number } = {}): Promise<StateSnapshot> {
  const sliceMs = opts.sliceMs ?? 10;
  // Small states parse in a few ms in one go; slicing only pays for large ones.
  const split = text.length >= (opts.minChars ?? 1_000_000) ? splitIndentedState(text) : null;
  if (!split) return parseStateDocument(text, source);
  let doc: unknown;
  try {
    doc = JSON.parse(split.rest);
  } catch {
    return parseStateDocument(text, source); // not the layout we assumed: let the full parse say what is wrong
  }
  checkDocument(doc, source);
  const builder = new SnapshotBuilder(source);
  let sliceStart = performance.now();
  for (let i = 0; i < split.resources.length; i++) {
    let res: unknown;
    try {
      res = JSON.parse(split.resources[i]);
    } catch {
      return parseStateDocument(text, source);
    }
    builder.add(res, i);
    if ((i & 63) === 0 && performance.now() - sliceStart > sliceMs) {
      await yieldToLoop();
      sliceStart = performance.now();
    }
  }
  return builder.finish(doc);
}
