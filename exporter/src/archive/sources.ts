import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { type ArchiveFilters, folderWanted, objectWanted } from './layout.js';

/** One object of the input: a local file or an object in S3, listed before anything is read. */
export interface ArchiveObject {
  /** A path or s3://bucket/key, as shown in messages. */
  name: string;
  size: number;
  /** Local files are read by whoever processes them. */
  path?: string;
  /** Remote objects are fetched (with retries) by the caller, bounded. */
  fetch?: () => Promise<Uint8Array>;
}

export interface Listing {
  objects: ArchiveObject[];
  /** "file" or "object", for the summary. */
  noun: string;
  /** Inputs that could not be listed (a missing path): named as bad input, the rest still read. */
  errors: { where: string; message: string }[];
  /** Requests made while listing (S3), for the summary. */
  listRequests: number;
  close(): void;
}

/** A local path: a file, or a folder (recursively, sorted; layout folders pruned by the filters). */
async function walk(p: string, filters: ArchiveFilters, out: ArchiveObject[]): Promise<void> {
  const st = await stat(p);
  if (!st.isDirectory()) {
    out.push({ name: p, size: st.size, path: p });
    return;
  }
  for (const e of (await readdir(p)).sort()) {
    if (e.startsWith('.')) continue;
    const child = path.join(p, e);
    const cst = await stat(child);
    if (cst.isDirectory()) {
      if (folderWanted(`${child}/`, filters)) await walk(child, filters, out);
    } else if (objectWanted(child, filters)) out.push({ name: child, size: cst.size, path: child });
  }
}

export async function listLocal(paths: string[], filters: ArchiveFilters): Promise<Listing> {
  const objects: ArchiveObject[] = [];
  const errors: Listing['errors'] = [];
  for (const p of paths) {
    try {
      await walk(p, filters, objects);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      errors.push({ where: p, message: code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : (err as Error).message });
    }
  }
  return { objects, noun: 'file', errors, listRequests: 0, close() {} };
}

export function isS3Uri(p: string): boolean {
  return /^s3:\/\//i.test(p);
}

/** Lists inputs of every kind, in the order given; S3 loads the AWS SDK only when used. */
export async function listInputs(paths: string[], filters: ArchiveFilters, s3: { concurrency: number }): Promise<Listing> {
  const local = paths.filter((p) => !isS3Uri(p));
  const remote = paths.filter(isS3Uri);
  const listings: Listing[] = [];
  if (local.length > 0) listings.push(await listLocal(local, filters));
  if (remote.length > 0) {
    const { listS3 } = await import('./s3.js');
    listings.push(await listS3(remote, filters, s3));
  }
  if (listings.length === 1) return listings[0];
  return {
    objects: listings.flatMap((l) => l.objects),
    noun: 'file/object',
    errors: listings.flatMap((l) => l.errors),
    listRequests: listings.reduce((n, l) => n + l.listRequests, 0),
    close: () => listings.forEach((l) => l.close()),
  };
}
