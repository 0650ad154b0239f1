import { InputError } from '../util/errors.js';
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

/** Terraform's sensitive_attributes: list of paths of steps {type:'get_attr'|'index', value}. */
function sensitivePaths(raw: unknown): string[] {
  if (!Array.isArray(raw)) return [];
  const out: string[] = [];
  for (const path of raw) {
    if (!Array.isArray(path)) continue;
    const steps = path
      .map((step) => (isRecord(step) ? step.value : undefined))
      .filter((v) => typeof v === 'string' || typeof v === 'number') as (string | number)[];
    if (steps.length > 0) out.push(steps.map(String).join('.'));
  }
  return out;
}

/**
 * Parses Terraform/OpenTofu state format v4. Rejects other versions and encrypted OpenTofu
 * state with a message that says what to do instead.
 */
export function parseStateDocument(text: string, source: StateSourceInfo): StateSnapshot {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new InputError(`not JSON (${(err as Error).message})`, 'state_not_json', source.location);
  }
  if (!isRecord(doc)) throw new InputError('state is not a JSON object', 'state_not_object', source.location);
  if ('encrypted_data' in doc || 'encryption_version' in doc)
    throw new InputError(
      'this is OpenTofu state encrypted with client-side state encryption; tfdrift cannot read it. Point tfdrift at an unencrypted copy (e.g. `tofu state pull` through a decrypting pipeline) or disable encryption for the state tfdrift reads',
      'state_encrypted',
      source.location,
    );
  if ('pytest-terraform' in doc)
    throw new InputError('this is a pytest-terraform snapshot, not Terraform state (no "version": 4)', 'state_unknown_format', source.location);
  const version = doc.version;
  if (version !== 4) {
    const what = version === undefined ? 'no "version" field' : `format version ${JSON.stringify(version)}`;
    const hint = version === 3 || version === 2 || version === 1 ? ' (Terraform <0.12; run `terraform apply` or `terraform state push` with Terraform ≥0.12 to upgrade)' : '';
    throw new InputError(`unsupported state: ${what}; tfdrift reads state format version 4${hint}`, 'state_unsupported_version', source.location);
  }
  const rawResources = doc.resources ?? [];
  if (!Array.isArray(rawResources)) throw new InputError('"resources" is not an array', 'state_bad_resources', source.location);
  const tfVersion = typeof doc.terraform_version === 'string' ? doc.terraform_version : null;
  const resources: StateResource[] = [];
  let dataSourcesSkipped = 0;
  rawResources.forEach((res, i) => {
    const where = `${source.location}: resources[${i}]`;
    if (!isRecord(res)) throw new InputError('resource is not an object', 'state_bad_resource', where);
    if (res.mode === 'data') {
      dataSourcesSkipped += Array.isArray(res.instances) ? res.instances.length : 1;
      return;
    }
    if (res.mode !== 'managed') throw new InputError(`unknown mode ${JSON.stringify(res.mode)}`, 'state_bad_resource', where);
    if (typeof res.type !== 'string' || typeof res.name !== 'string')
      throw new InputError('resource without string "type" and "name"', 'state_bad_resource', where);
    const module = typeof res.module === 'string' && res.module !== '' ? res.module : null;
    const provider = parseProviderRef(res.provider);
    const instances = Array.isArray(res.instances) ? res.instances : [];
    for (const inst of instances) {
      if (!isRecord(inst)) continue;
      const indexKey = typeof inst.index_key === 'string' || typeof inst.index_key === 'number' ? inst.index_key : null;
      const base = `${module ? `${module}.` : ''}${res.type}.${res.name}`;
      resources.push({
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
  });
  return {
    source,
    serial: typeof doc.serial === 'number' ? doc.serial : null,
    lineage: typeof doc.lineage === 'string' ? doc.lineage : null,
    terraformVersion: tfVersion,
    flavour: tfVersion === null ? 'unknown' : 'terraform',
    resources,
    dataSourcesSkipped,
    loadedAt: Date.now(),
  };
}
