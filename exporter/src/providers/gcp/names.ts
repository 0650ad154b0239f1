/**
 * GCP resource names and method names. The google provider stores most IDs as the full
 * relative path (`projects/P/regions/R/routers/N`); audit logs name resources the same way,
 * sometimes as URLs or `//service.googleapis.com/...` full names. Everything here turns
 * those spellings into one relative path so lookups never fall back to a bare name
 * (a same-name router in another project must not match).
 */

const URL_PREFIX = /^https?:\/\/[^/]+\/(?:compute|storage|bigquery|sql|dns|pubsub)\/[^/]+\/(?:projects\/)/;
const FULL_NAME_PREFIX = /^\/\/[a-z0-9.-]+\.googleapis\.com\//;

/** `https://www.googleapis.com/compute/v1/projects/p/...` or `//compute.googleapis.com/projects/p/...` → `projects/p/...`. */
export function relativeName(name: string): string {
  let n = name.trim();
  const url = URL_PREFIX.exec(n);
  if (url) n = `projects/${n.slice(url[0].length)}`;
  n = n.replace(FULL_NAME_PREFIX, '');
  return n.replace(/^\/+/, '').replace(/\/+$/, '');
}

/** Segment after `key` in a path: `after('projects/p/zones/z', 'zones')` → `z`. */
export function segmentAfter(path: string, key: string): string | null {
  const parts = path.split('/');
  for (let i = 0; i < parts.length - 1; i++) if (parts[i] === key && parts[i + 1] !== '') return parts[i + 1];
  return null;
}

export function lastSegment(path: string): string {
  const parts = path.split('/');
  return parts[parts.length - 1] ?? path;
}

const VERSION_TOKEN = /^(v\d+(p\d+)?((alpha|beta)\d*)?|alpha|beta|ga)$/i;

/**
 * Method names carry API versions (`v1.compute.firewalls.insert`, `beta.compute...`,
 * `google.container.v1beta1.ClusterManager.CreateCluster`). Tables key methods without
 * them so one row covers every version.
 */
export function methodKey(methodName: string): string {
  return methodName
    .split('.')
    .filter((t) => !VERSION_TOKEN.test(t))
    .join('.');
}

/** Falco's gcpaudit has no response field; some records lack serviceName. The method tells. */
const SERVICE_BY_METHOD_PREFIX: [RegExp, string][] = [
  [/^compute\./, 'compute.googleapis.com'],
  [/^io\.k8s\./, 'k8s.io'],
  [/^(TagBindings|TagKeys|TagValues)\./, 'cloudresourcemanager.googleapis.com'],
  [/^storage\./, 'storage.googleapis.com'],
  [/^google\.iam\.admin\./, 'iam.googleapis.com'],
  [/^google\.container\./, 'container.googleapis.com'],
  [/^cloudsql\./, 'cloudsql.googleapis.com'],
  [/^dns\./, 'dns.googleapis.com'],
  [/^google\.pubsub\./, 'pubsub.googleapis.com'],
  [/^google\.logging\./, 'logging.googleapis.com'],
  [/^google\.cloud\.run\./, 'run.googleapis.com'],
  [/^google\.cloud\.functions\./, 'cloudfunctions.googleapis.com'],
  [/^google\.cloud\.secretmanager\./, 'secretmanager.googleapis.com'],
  [/^google\.cloud\.kms\./, 'cloudkms.googleapis.com'],
  [/^datasetservice\.|^tableservice\.|^google\.cloud\.bigquery\./, 'bigquery.googleapis.com'],
];

const SERVICE_BY_RESOURCE_TYPE: Record<string, string> = {
  gce_instance: 'compute.googleapis.com',
  gce_firewall_rule: 'compute.googleapis.com',
  gce_network: 'compute.googleapis.com',
  gce_subnetwork: 'compute.googleapis.com',
  gce_disk: 'compute.googleapis.com',
  gcs_bucket: 'storage.googleapis.com',
  project: 'cloudresourcemanager.googleapis.com',
  service_account: 'iam.googleapis.com',
};

export function inferServiceName(methodName: string, resourceType: string | null, resourceName = ''): string | null {
  const key = methodKey(methodName);
  // Project / folder / organization IAM is Resource Manager's.
  if (/^(Set|Get)IamPolicy$/i.test(key) && /^(projects|folders|organizations)\/[^/]+$/.test(resourceName)) return 'cloudresourcemanager.googleapis.com';
  for (const [re, svc] of SERVICE_BY_METHOD_PREFIX) if (re.test(key)) return svc;
  if (resourceType && SERVICE_BY_RESOURCE_TYPE[resourceType]) return SERVICE_BY_RESOURCE_TYPE[resourceType];
  return null;
}

const READ_VERB = /^(get|list|aggregatedlist|search|query|lookup|check|test|read|watch|batchget|fetch|validate|preview|export|describe|view|signjwt|signblob|generateaccesstoken|generateidtoken|encrypt|decrypt|asymmetric|macsign|macverify|authorizeuser|connect|actas|getiampolicy|testiampermissions)/i;

/** The verb of a method (`v1.compute.instances.list` → list; `...v1.GetServiceAccount` → Get...) says read or write. */
export function isReadMethod(methodName: string): boolean {
  const last = lastSegment(methodName.replace(/\./g, '/'));
  return READ_VERB.test(last);
}

/** A zone (`us-central1-a`) names its region (`us-central1`). */
export function regionOf(location: string | null): string | null {
  if (!location) return null;
  const m = /^([a-z]+-[a-z]+\d+)-[a-z]$/.exec(location);
  return m ? m[1] : location;
}
