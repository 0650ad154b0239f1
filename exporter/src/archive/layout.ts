/**
 * The CloudTrail archive layout: `[prefix/]AWSLogs/[o-org/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/
 * ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHmmZ_random.json.gz`. Filters on account, region and time
 * prune whole folders (never listed or read) and objects by the delivery time in their name.
 */
export interface ArchiveFilters {
  accounts: string[] | null;
  regions: string[] | null;
  /** ms since epoch; null = open. */
  since: number | null;
  until: number | null;
}

/**
 * CloudTrail writes a record to a file within minutes of the call (about 5 on average, not
 * guaranteed): a file delivered this long after `--until` may still hold calls made before it.
 */
export const DELIVERY_MARGIN_MS = 60 * 60 * 1000;

const DAY_MS = 24 * 60 * 60 * 1000;

export function hasFilters(f: ArchiveFilters): boolean {
  return f.accounts !== null || f.regions !== null || f.since !== null || f.until !== null;
}

/** The parts of a path after `AWSLogs/`, or null when the path is not in the layout. */
function layoutParts(p: string): string[] | null {
  const m = /(?:^|\/)AWSLogs\/(.*)$/.exec(p.replace(/\\/g, '/'));
  if (!m) return null;
  const parts = m[1].split('/');
  if (parts[0]?.startsWith('o-')) parts.shift();
  return parts;
}

/** Whether a period [start, end) (ms) can hold files delivered for the filter window. */
function periodInWindow(start: number, end: number, f: ArchiveFilters): boolean {
  if (f.since !== null && end <= f.since) return false;
  if (f.until !== null && start > f.until + DELIVERY_MARGIN_MS) return false;
  return true;
}

/**
 * Whether a folder (path ending in "/") can hold wanted objects. Folders outside the layout
 * are descended (nothing to go by); other AWSLogs services and CloudTrail digests are not.
 */
export function folderWanted(folder: string, f: ArchiveFilters): boolean {
  const parts = layoutParts(folder);
  if (!parts) return true;
  const [account, service, region, yyyy, mm, dd] = parts.filter((x, i) => x !== '' || i < parts.length - 1);
  if (account === undefined || account === '') return true;
  if (!/^\d{12}$/.test(account)) return true;
  if (f.accounts && !f.accounts.includes(account)) return false;
  if (service === undefined || service === '') return true;
  if (service !== 'CloudTrail') return false;
  if (region === undefined || region === '') return true;
  if (f.regions && !f.regions.includes(region)) return false;
  if (!yyyy || !/^\d{4}$/.test(yyyy)) return true;
  const y = Number(yyyy);
  if (!mm || !/^\d{2}$/.test(mm)) return periodInWindow(Date.UTC(y, 0, 1), Date.UTC(y + 1, 0, 1), f);
  const m = Number(mm) - 1;
  if (!dd || !/^\d{2}$/.test(dd)) return periodInWindow(Date.UTC(y, m, 1), Date.UTC(y, m + 1, 1), f);
  const start = Date.UTC(y, m, Number(dd));
  return periodInWindow(start, start + DAY_MS, f);
}

/** Delivery time from a CloudTrail object name (`…_20260329T1015Z_…`), or null. */
export function deliveryTime(name: string): number | null {
  const m = /_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z_[^/]*$/.exec(name);
  if (!m) return null;
  const [, y, mo, d, h, mi] = m.map(Number);
  return Date.UTC(y, mo - 1, d, h, mi);
}

/** Whether an object can hold records for the filters: its folders, then its delivery time. */
export function objectWanted(key: string, f: ArchiveFilters): boolean {
  const slash = key.replace(/\\/g, '/').lastIndexOf('/');
  if (!folderWanted(key.slice(0, slash + 1), f)) return false;
  if (!layoutParts(key)) return true;
  const name = key.slice(slash + 1);
  if (/CloudTrail-Digest|\.json\.gz\.sig$/.test(name)) return false;
  const t = deliveryTime(name);
  if (t === null) return true;
  // Files are written after the calls they hold: one delivered before --since holds none of them.
  if (f.since !== null && t < f.since) return false;
  if (f.until !== null && t > f.until + DELIVERY_MARGIN_MS) return false;
  return true;
}
