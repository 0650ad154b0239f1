/** Multi-part operations (GCP long-running operations, Azure Started/Accepted/Succeeded) fold into one drift. */

/** A bounded set of operation keys already reported; oldest forgotten first. */
export class SeenOperations {
  private readonly seen = new Map<string, true>();

  constructor(private readonly capacity = 50_000) {}

  has(key: string): boolean {
    return this.seen.has(key);
  }

  remember(key: string): void {
    if (this.seen.has(key)) return;
    this.seen.set(key, true);
    if (this.seen.size > this.capacity) this.seen.delete(this.seen.keys().next().value as string);
  }
}
