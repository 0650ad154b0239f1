/** Progress on a TTY: objects and records done, records/s, ETA (by bytes); silent elsewhere. */
export class Progress {
  private readonly on: boolean;
  private readonly started = Date.now();
  private last = 0;
  private objects = 0;
  private bytes = 0;
  private records = 0;
  private drifts = 0;

  constructor(
    private readonly stream: NodeJS.WritableStream & { isTTY?: boolean },
    enabled: boolean,
    private readonly totalObjects: number,
    private readonly totalBytes: number,
  ) {
    this.on = enabled && Boolean(stream.isTTY);
  }

  object(size: number): void {
    this.objects++;
    this.bytes += size;
    this.render(false);
  }

  update(records: number, drifts: number): void {
    this.records = records;
    this.drifts = drifts;
    this.render(false);
  }

  /** The line for the current figures (exposed for tests). */
  line(now = Date.now()): string {
    const secs = Math.max(0.001, (now - this.started) / 1000);
    const rate = Math.round(this.records / secs);
    const share = this.totalBytes > 0 ? this.bytes / this.totalBytes : this.totalObjects > 0 ? this.objects / this.totalObjects : 0;
    const eta = share > 0.01 && share < 1 ? ` ETA ${formatDuration((secs / share) * (1 - share))}` : '';
    return `${this.objects}/${this.totalObjects} objects, ${this.records} records, ${this.drifts} drifts, ${rate} records/s${eta}`;
  }

  private render(force: boolean): void {
    if (!this.on) return;
    const now = Date.now();
    if (!force && now - this.last < 250) return;
    this.last = now;
    this.stream.write(`\r${this.line(now)}\u001b[K`);
  }

  done(): void {
    if (this.on) this.stream.write('\r\u001b[K');
  }
}

export function formatDuration(s: number): string {
  if (s < 60) return `${Math.ceil(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.ceil(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
