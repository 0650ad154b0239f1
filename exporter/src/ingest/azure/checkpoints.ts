import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Checkpoint, CheckpointStore, PartitionOwnership } from '@azure/event-hubs';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../../util/private-fs.js';

interface StoreFile {
  ownership: PartitionOwnership[];
  checkpoints: Checkpoint[];
}

/**
 * Event Hubs checkpoints on local disk (one JSON file per namespace / hub / consumer group),
 * so a restarted exporter resumes after the last processed event instead of re-reading the
 * hub's retention or skipping to its end. Ownership is recorded with an etag so one process
 * claims partitions consistently; several exporters on one hub need a shared store (use one
 * consumer group per exporter instead).
 */
export class FileCheckpointStore implements CheckpointStore {
  private cache: StoreFile | null = null;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly dir: string, private readonly now: () => number = Date.now) {}

  private file(ns: string, hub: string, group: string): string {
    const safe = (s: string): string => s.toLowerCase().replace(/[^a-z0-9.$_-]/g, '_');
    return path.join(this.dir, `eventhubs-${safe(ns)}-${safe(hub)}-${safe(group)}.json`);
  }

  private async load(file: string): Promise<StoreFile> {
    if (this.cache) return this.cache;
    try {
      const doc = JSON.parse(await readFile(file, 'utf8')) as StoreFile;
      this.cache = { ownership: Array.isArray(doc.ownership) ? doc.ownership : [], checkpoints: Array.isArray(doc.checkpoints) ? doc.checkpoints : [] };
    } catch {
      this.cache = { ownership: [], checkpoints: [] };
    }
    return this.cache;
  }

  /** Writes are serialised and atomic (temp file + rename). */
  private save(file: string, doc: StoreFile): Promise<void> {
    this.writing = this.writing.then(async () => {
      await mkdir(this.dir, { recursive: true, mode: PRIVATE_DIR_MODE });
      const tmp = `${file}.tmp`;
      await writeFile(tmp, JSON.stringify(doc), { mode: PRIVATE_FILE_MODE });
      await rename(tmp, file);
    });
    return this.writing;
  }

  async listOwnership(ns: string, hub: string, group: string): Promise<PartitionOwnership[]> {
    return (await this.load(this.file(ns, hub, group))).ownership.map((o) => ({ ...o }));
  }

  async claimOwnership(claims: PartitionOwnership[]): Promise<PartitionOwnership[]> {
    if (claims.length === 0) return [];
    const { fullyQualifiedNamespace: ns, eventHubName: hub, consumerGroup: group } = claims[0];
    const file = this.file(ns, hub, group);
    const doc = await this.load(file);
    const claimed: PartitionOwnership[] = [];
    for (const claim of claims) {
      const current = doc.ownership.find((o) => o.partitionId === claim.partitionId);
      // Optimistic concurrency as in the blob store: the claim must carry the current etag.
      if (current && current.etag !== claim.etag) continue;
      const next = { ...claim, etag: `${this.now()}-${Math.random().toString(36).slice(2)}`, lastModifiedTimeInMs: this.now() };
      doc.ownership = [...doc.ownership.filter((o) => o.partitionId !== claim.partitionId), next];
      claimed.push(next);
    }
    await this.save(file, doc);
    return claimed;
  }

  async updateCheckpoint(checkpoint: Checkpoint): Promise<void> {
    const file = this.file(checkpoint.fullyQualifiedNamespace, checkpoint.eventHubName, checkpoint.consumerGroup);
    const doc = await this.load(file);
    const previous = doc.checkpoints.find((c) => c.partitionId === checkpoint.partitionId);
    // Never move backwards (a slow batch finishing after a later one).
    if (previous && previous.sequenceNumber > checkpoint.sequenceNumber) return;
    doc.checkpoints = [...doc.checkpoints.filter((c) => c.partitionId !== checkpoint.partitionId), { ...checkpoint }];
    await this.save(file, doc);
  }

  async listCheckpoints(ns: string, hub: string, group: string): Promise<Checkpoint[]> {
    return (await this.load(this.file(ns, hub, group))).checkpoints.map((c) => ({ ...c }));
  }
}
