/**
 * A loopback SQS endpoint speaking the AWS JSON 1.0 protocol that @aws-sdk/client-sqs uses
 * (POST /, `X-Amz-Target: AmazonSQS.<Operation>`, `application/x-amz-json-1.0`, errors as
 * `{"__type": "com.amazonaws.sqs#Code", "message"}` with `x-amzn-query-error`), following the
 * SQS API reference: visibility timeouts, receipt handles that change on every receive
 * (stale ones fail with ReceiptHandleIsInvalid), long polling, a redrive policy moving a
 * message to its dead-letter queue once received more than maxReceiveCount times. Time is
 * a virtual clock the test advances, so a 60 s outage or a visibility timeout costs nothing.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

interface PeerMessage {
  id: string;
  body: string;
  sentAt: number;
  visibleAt: number;
  receiveCount: number;
  receipt: string | null;
}

interface Queue {
  name: string;
  messages: PeerMessage[];
  visibilityTimeout: number;
  redrive: { dlq: string; maxReceiveCount: number } | null;
}

type Waiter = () => void;

export class SqsPeer {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private readonly queues = new Map<string, Queue>();
  private waiters: Waiter[] = [];
  private offsetMs = 0;
  port = 0;
  /** Operation names as received, in order. */
  readonly calls: string[] = [];
  /** Errors to answer the next calls of an operation with (throttling and the like). */
  private readonly failures = new Map<string, string[]>();
  /** While set, DeleteMessageBatch requests are never answered (a crash between receive and delete). */
  holdDeletes = false;
  /** Deleted messages that had been received more than once (redeliveries). */
  redeliveredDeletes = 0;
  /** The next N delete entries find their receipt handle expired (the message was handed out again). */
  expireNextDeletes = 0;

  constructor(readonly account = '123456789012') {}

  now(): number {
    return Date.now() + this.offsetMs;
  }

  /** Moves the virtual clock: expired visibility timeouts make messages receivable again. */
  advance(seconds: number): void {
    this.offsetMs += seconds * 1000;
    this.wake();
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  createQueue(name: string, opts: { visibilityTimeout?: number; redrive?: { dlq: string; maxReceiveCount: number } } = {}): string {
    this.queues.set(name, { name, messages: [], visibilityTimeout: opts.visibilityTimeout ?? 30, redrive: opts.redrive ?? null });
    return this.queueUrl(name);
  }

  queueUrl(name: string): string {
    return `${this.endpoint}/${this.account}/${name}`;
  }

  send(name: string, body: string): string {
    const q = this.queue(name);
    const id = randomUUID();
    q.messages.push({ id, body, sentAt: this.now(), visibleAt: this.now(), receiveCount: 0, receipt: null });
    this.wake();
    return id;
  }

  /** Messages still in the queue (visible or in flight). */
  depth(name: string): number {
    return this.queue(name).messages.length;
  }

  bodies(name: string): string[] {
    return this.queue(name).messages.map((m) => m.body);
  }

  receiveCounts(name: string): number[] {
    return this.queue(name).messages.map((m) => m.receiveCount);
  }

  failNext(operation: string, codes: string[]): void {
    this.failures.set(operation, [...(this.failures.get(operation) ?? []), ...codes]);
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  /** Down: the listener closes and open connections are cut (held requests die with them). */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    this.wake();
  }

  private queue(name: string): Queue {
    const q = this.queues.get(name);
    if (!q) throw new Error(`no queue ${name}`);
    return q;
  }

  private queueOf(url: unknown): Queue | null {
    if (typeof url !== 'string') return null;
    return this.queues.get(url.split('/').pop() ?? '') ?? null;
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  private error(res: ServerResponse, status: number, code: string, message: string): void {
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-query-error': `${code};Sender`, 'x-amzn-requestid': randomUUID() });
    res.end(JSON.stringify({ __type: `com.amazonaws.sqs#${code}`, message }));
  }

  private ok(res: ServerResponse, body: unknown): void {
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': randomUUID() });
    res.end(JSON.stringify(body));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const op = target.replace(/^AmazonSQS\./, '');
    this.calls.push(op);
    if (req.method !== 'POST' || !target.startsWith('AmazonSQS.')) return this.error(res, 400, 'InvalidAction', `unknown target ${target}`);
    if (!String(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 ')) return this.error(res, 403, 'MissingAuthenticationToken', 'request is not signed');
    const failure = this.failures.get(op)?.shift();
    if (failure) return this.error(res, 400, failure, `injected ${failure}`);
    let input: Record<string, unknown>;
    try {
      input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    } catch {
      return this.error(res, 400, 'InvalidRequest', 'body is not JSON');
    }
    const q = this.queueOf(input.QueueUrl);
    if (!q) return this.error(res, 400, 'QueueDoesNotExist', 'The specified queue does not exist.');
    switch (op) {
      case 'ReceiveMessage':
        return this.receive(q, input, req, res);
      case 'DeleteMessageBatch':
        if (this.holdDeletes) return; // never answered
        return this.ok(res, this.deleteBatch(q, input));
      case 'ChangeMessageVisibility': {
        const m = q.messages.find((x) => x.receipt !== null && x.receipt === input.ReceiptHandle);
        if (!m) return this.error(res, 400, 'ReceiptHandleIsInvalid', 'The input receipt handle is invalid.');
        m.visibleAt = this.now() + Number(input.VisibilityTimeout) * 1000;
        return this.ok(res, {});
      }
      case 'SendMessage': {
        const id = this.send(q.name, String(input.MessageBody));
        return this.ok(res, { MessageId: id, MD5OfMessageBody: md5(String(input.MessageBody)) });
      }
      default:
        return this.error(res, 400, 'UnsupportedOperation', `${op} is not implemented by this peer`);
    }
  }

  private take(q: Queue, max: number, visibility: number): PeerMessage[] {
    const out: PeerMessage[] = [];
    for (const m of [...q.messages]) {
      if (out.length >= max) break;
      if (m.visibleAt > this.now()) continue;
      if (q.redrive && m.receiveCount >= q.redrive.maxReceiveCount) {
        // Redrive: received maxReceiveCount times without being deleted → dead-letter queue.
        q.messages.splice(q.messages.indexOf(m), 1);
        this.queue(q.redrive.dlq).messages.push({ ...m, receipt: null, visibleAt: this.now() });
        continue;
      }
      m.receiveCount++;
      m.receipt = `${m.id}#${randomUUID()}`;
      m.visibleAt = this.now() + visibility * 1000;
      out.push(m);
    }
    return out;
  }

  private async receive(q: Queue, input: Record<string, unknown>, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const max = Math.min(Number(input.MaxNumberOfMessages ?? 1), 10);
    const visibility = input.VisibilityTimeout !== undefined ? Number(input.VisibilityTimeout) : q.visibilityTimeout;
    const wait = Number(input.WaitTimeSeconds ?? 0);
    let got = this.take(q, max, visibility);
    if (got.length === 0 && wait > 0) {
      // Long polling: answer as soon as something is receivable, or empty after WaitTimeSeconds.
      let closed = false;
      req.socket.once('close', () => (closed = true));
      const deadline = Date.now() + wait * 1000;
      while (got.length === 0 && !closed && this.server && Date.now() < deadline) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, Math.max(1, deadline - Date.now()));
          this.waiters.push(() => (clearTimeout(t), resolve()));
        });
        got = this.take(q, max, visibility);
      }
      if (closed || !this.server) {
        // The client went away or the peer went down: what was just taken goes back.
        for (const m of got) {
          m.visibleAt = this.now();
          m.receipt = null;
          m.receiveCount--;
        }
        return;
      }
    }
    this.ok(res, {
      Messages: got.map((m) => ({
        MessageId: m.id, ReceiptHandle: m.receipt, MD5OfBody: md5(m.body), Body: m.body,
        Attributes: { ApproximateReceiveCount: String(m.receiveCount), SentTimestamp: String(m.sentAt) },
      })),
    });
  }

  private deleteBatch(q: Queue, input: Record<string, unknown>): unknown {
    const entries = (input.Entries as { Id: string; ReceiptHandle: string }[]) ?? [];
    const Successful: { Id: string }[] = [];
    const Failed: { Id: string; Code: string; Message: string; SenderFault: boolean }[] = [];
    for (const e of entries) {
      const m = q.messages.find((x) => x.receipt !== null && x.receipt === e.ReceiptHandle);
      if (m && this.expireNextDeletes > 0) {
        // As if the visibility timeout had passed and another receive took it: this handle is stale.
        this.expireNextDeletes--;
        m.receipt = null;
        m.visibleAt = this.now();
        Failed.push({ Id: e.Id, Code: 'ReceiptHandleIsInvalid', Message: 'The input receipt handle is invalid.', SenderFault: true });
        continue;
      }
      if (!m) {
        Failed.push({ Id: e.Id, Code: 'ReceiptHandleIsInvalid', Message: 'The input receipt handle is invalid.', SenderFault: true });
        continue;
      }
      q.messages.splice(q.messages.indexOf(m), 1);
      if (m.receiveCount > 1) this.redeliveredDeletes++;
      Successful.push({ Id: e.Id });
    }
    this.wake();
    return { Successful, Failed };
  }
}

function md5(s: string): string {
  return createHash('md5').update(s, 'utf8').digest('hex');
}

/** A CloudTrail record as an EventBridge rule delivers it to an SQS target (the event JSON is the body). */
export function eventBridgeEvent(record: Record<string, unknown>, detailType = 'AWS API Call via CloudTrail'): string {
  return JSON.stringify({
    version: '0',
    id: randomUUID(),
    'detail-type': detailType,
    source: `aws.${String(record.eventSource ?? 'unknown').split('.')[0]}`,
    account: String(record.recipientAccountId ?? (record.userIdentity as { accountId?: string } | undefined)?.accountId ?? '123456789012'),
    time: String(record.eventTime ?? new Date().toISOString()).replace(/\.\d+Z$/, 'Z'),
    region: String(record.awsRegion ?? 'us-east-1'),
    resources: [],
    detail: record,
  });
}
