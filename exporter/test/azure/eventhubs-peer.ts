/**
 * An Event Hubs namespace on loopback, speaking AMQP 1.0 through rhea (the library
 * @azure/event-hubs itself is built on), as the service documents it:
 * - SASL ANONYMOUS, then claims-based security: put-token requests on the `$cbs` node
 *   (application properties operation=put-token, type, name = the audience; the token in the
 *   body), answered with status-code 200 or 401 on the client's reply link;
 * - `$management` READ requests for the hub (com.microsoft:eventhub → partition_ids) and its
 *   partitions (com.microsoft:partition);
 * - receiver links on `<hub>/ConsumerGroups/<group>/Partitions/<id>` with the
 *   `apache.org:selector-filter:string` filter (`amqp.annotation.x-opt-offset > '<n>'`,
 *   sequence number or enqueued time), each event a data section with the x-opt-* message
 *   annotations;
 * - on demand it drops a receiver link (detach with amqp:link:detach-forced) after sending
 *   part of what it had.
 */
import type { AddressInfo, Server } from 'node:net';
import rhea, { type Container, type EventContext, type Message, type Sender } from 'rhea';

export interface PeerEvent {
  sequence: number;
  offset: number;
  enqueued: Date;
  body: Buffer;
}

export interface PutToken {
  type: string;
  audience: string;
  token: string;
}

export class EventHubsPeer {
  readonly container: Container;
  private server: Server | null = null;
  port = 0;
  readonly partitions = new Map<string, PeerEvent[]>();
  readonly tokens: PutToken[] = [];
  readonly managementReads: string[] = [];
  /** Every receiver link the client attached: partition, consumer group, filter text. */
  readonly attaches: { partition: string; group: string; filter: string }[] = [];
  /** Decides whether a put-token is accepted. */
  accept: (t: PutToken) => boolean = () => true;
  /** Drop the receiver link of a partition once, after sending this many events on it. */
  dropAfter = new Map<string, number>();
  private readonly senders = new Set<Sender>();

  constructor(
    readonly hub: string,
    partitionIds: string[],
  ) {
    for (const id of partitionIds) this.partitions.set(id, []);
    this.container = rhea.create_container({ id: 'eventhubs-peer' });
    this.container.sasl_server_mechanisms.enable_anonymous();
    this.container.on('message', (ctx: EventContext) => this.onRequest(ctx));
    this.container.on('sender_open', (ctx: EventContext) => this.onReceiverAttached(ctx));
    this.container.on('sendable', (ctx: EventContext) => this.pump(ctx.sender!));
    this.container.on('sender_close', (ctx: EventContext) => void this.senders.delete(ctx.sender!));
    this.container.on('disconnected', () => undefined);
  }

  /** Plain TCP (the emulator's mode, which connection strings with UseDevelopmentEmulator select), or TLS as the service. */
  async start(tls?: { key: Buffer; cert: Buffer }): Promise<void> {
    this.server = this.container.listen({ port: 0, host: '127.0.0.1', ...(tls ? { transport: 'tls', ...tls } : {}) }) as unknown as Server;
    await new Promise<void>((resolve) => this.server!.once('listening', () => resolve()));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  connectionString(keyName = 'tfdrift-listen', key = 'c2VjcmV0'): string {
    return `Endpoint=sb://127.0.0.1:${this.port};SharedAccessKeyName=${keyName};SharedAccessKey=${key};EntityPath=${this.hub};UseDevelopmentEmulator=true`;
  }

  /** Appends events to a partition; open receivers of it get them as credit allows. */
  publish(partition: string, bodies: Buffer[]): void {
    const list = this.partitions.get(partition)!;
    for (const body of bodies) {
      const sequence = list.length;
      list.push({ sequence, offset: sequence * 1000, enqueued: new Date(Date.UTC(2026, 0, 1, 0, 0, sequence)), body });
    }
    for (const s of this.senders) this.pump(s);
  }

  /** Answers on the client's reply link: link names are shared by both ends, and the request's reply_to names it. */
  private reply(ctx: EventContext, status: number, description: string, body: unknown): void {
    const request = ctx.message!;
    const link = [...this.senders].find((s) => s.connection === ctx.connection && s.name === String(request.reply_to));
    link?.send({ correlation_id: request.message_id, application_properties: { 'status-code': status, 'status-description': description }, ...(body === undefined ? {} : { body }) } as Message);
  }

  private onRequest(ctx: EventContext): void {
    const msg = ctx.message!;
    const props = (msg.application_properties ?? {}) as Record<string, unknown>;
    const node = remoteTargetOfReceiver(ctx);
    if (node === '$cbs' && props.operation === 'put-token') {
      const t: PutToken = { type: String(props.type), audience: String(props.name), token: String(msg.body) };
      this.tokens.push(t);
      return this.accept(t) ? this.reply(ctx, 200, 'OK', undefined) : this.reply(ctx, 401, 'InvalidSignature: the token is not valid', undefined);
    }
    if (node === '$management' && props.operation === 'READ') {
      this.managementReads.push(`${String(props.type)}${props.partition !== undefined ? `:${String(props.partition)}` : ''}`);
      if (props.type === 'com.microsoft:eventhub')
        return this.reply(ctx, 200, 'OK', { name: this.hub, created_at: new Date(Date.UTC(2026, 0, 1)), partition_count: this.partitions.size, partition_ids: [...this.partitions.keys()] });
      const list = this.partitions.get(String(props.partition)) ?? [];
      const last = list[list.length - 1];
      return this.reply(ctx, 200, 'OK', {
        name: this.hub, partition: String(props.partition), begin_sequence_number: 0, last_enqueued_sequence_number: last?.sequence ?? -1,
        last_enqueued_offset: String(last?.offset ?? -1), last_enqueued_time_utc: last?.enqueued ?? new Date(0), is_partition_empty: list.length === 0,
      });
    }
    this.reply(ctx, 404, `no node ${node}`, undefined);
  }

  private onReceiverAttached(ctx: EventContext): void {
    const sender = ctx.sender!;
    this.senders.add(sender);
    const m = /^(.+)\/ConsumerGroups\/([^/]+)\/Partitions\/([^/]+)$/.exec(remoteSource(sender));
    if (!m) return; // a reply link of $cbs / $management
    const filter = JSON.stringify((sender as unknown as { remote: { attach: { source: { filter?: unknown } } } }).remote.attach.source.filter ?? {});
    const selector = /amqp\.annotation\.x-opt-[\w-]+ >=? '?[^'"\\]*'?/.exec(filter)?.[0] ?? '';
    this.attaches.push({ partition: m[3], group: m[2], filter: selector });
    const state = { partition: m[3], next: firstAfter(this.partitions.get(m[3]) ?? [], selector), sent: 0 };
    (sender as unknown as { peerState: typeof state }).peerState = state;
    this.pump(sender);
  }

  private pump(sender: Sender): void {
    const state = (sender as unknown as { peerState?: { partition: string; next: number; sent: number } }).peerState;
    if (!state || !sender.is_open()) return;
    const list = this.partitions.get(state.partition) ?? [];
    while (sender.sendable() && state.next < list.length) {
      const e = list[state.next++];
      sender.send({
        body: rhea.message.data_section(e.body),
        message_annotations: { 'x-opt-sequence-number': rhea.types.wrap_long(e.sequence), 'x-opt-offset': String(e.offset), 'x-opt-enqueued-time': e.enqueued },
      });
      state.sent++;
      const drop = this.dropAfter.get(state.partition);
      if (drop !== undefined && state.sent >= drop) {
        this.dropAfter.delete(state.partition);
        sender.close({ condition: 'amqp:link:detach-forced', description: 'the peer dropped the link mid-batch' });
        return;
      }
    }
  }
}

const remoteSource = (l: Sender): string => String((l as unknown as { remote?: { attach?: { source?: { address?: string } } } }).remote?.attach?.source?.address ?? '');
const remoteTargetOfReceiver = (ctx: EventContext): string =>
  String((ctx.receiver as unknown as { remote?: { attach?: { target?: { address?: string } } } }).remote?.attach?.target?.address ?? '');

/** Index of the first event the selector admits (offset / sequence number / enqueued time, > or >=). */
function firstAfter(list: PeerEvent[], selector: string): number {
  const m = /x-opt-([\w-]+) (>=?) '?([^']*)'?/.exec(selector);
  if (!m) return 0;
  const [, field, op, raw] = m;
  if (field === 'offset' && raw === '@latest') return list.length;
  const value = (e: PeerEvent): number => (field === 'offset' ? e.offset : field === 'sequence-number' ? e.sequence : e.enqueued.getTime());
  const bound = field === 'enqueued-time' ? Number(raw) : Number(raw);
  const i = list.findIndex((e) => (op === '>=' ? value(e) >= bound : value(e) > bound));
  return i < 0 ? list.length : i;
}
