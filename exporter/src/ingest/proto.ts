import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';
import { InputError } from '../util/errors.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** The repository's top-level proto/ (from src/ingest or dist/ingest), or a copy packaged in the exporter. */
export function protoDir(): string {
  const candidates = [path.resolve(HERE, '../../../proto'), path.resolve(HERE, '../../proto')];
  const found = candidates.find((d) => existsSync(path.join(d, 'outputs.proto')));
  if (!found) throw new Error(`Falco proto files not found (looked in ${candidates.join(', ')})`);
  return found;
}

/** Longs as strings, enums as numbers (priority aliases make names ambiguous), defaults filled. */
export const LOADER_OPTIONS: protoLoader.Options = { keepCase: true, longs: String, defaults: true, oneofs: true };

export function loadFalcoProtos(dir = protoDir()): protoLoader.PackageDefinition {
  return protoLoader.loadSync(['outputs.proto', 'version.proto'], { ...LOADER_OPTIONS, includeDirs: [dir] });
}

/**
 * The client definitions with `sub`/`get` responses left as their protobuf bytes: the receive
 * side only journals them (decoding costs more than the whole HTTP/2 transport), and a bad
 * frame can never end the stream. Decoding happens when the journal is processed.
 */
export function rawResponseDefinition(def: protoLoader.PackageDefinition): protoLoader.PackageDefinition {
  const copy: protoLoader.PackageDefinition = { ...def };
  const service = { ...(def['falco.outputs.service'] as protoLoader.ServiceDefinition) };
  for (const name of ['sub', 'get'] as const) service[name] = { ...service[name], responseDeserialize: (buf: Buffer) => buf };
  copy['falco.outputs.service'] = service;
  return copy;
}

let responseType: protobuf.Type | null = null;

/** Decodes a `falco.outputs.response`; throws InputError (bad_grpc_message) on bytes that are not one. */
export function decodeFalcoResponse(buf: Uint8Array): FalcoResponse {
  if (!responseType) {
    const root = new protobuf.Root();
    const dir = protoDir();
    root.resolvePath = (_origin, target) => (existsSync(path.join(dir, target)) ? path.join(dir, target) : target);
    root.loadSync('outputs.proto', { keepCase: true });
    responseType = root.lookupType('falco.outputs.response');
  }
  let m: Record<string, unknown>;
  try {
    m = responseType.decode(buf) as unknown as Record<string, unknown>;
  } catch (err) {
    throw new InputError(`undecodable gRPC response (${(err as Error).message})`, 'bad_grpc_message');
  }
  const time = m.time as { seconds?: number | { toNumber(): number }; nanos?: number } | null | undefined;
  // int64 seconds arrive as a Long; epoch seconds fit a double (Long's toString is slow).
  const seconds = time ? (typeof time.seconds === 'number' ? time.seconds : (time.seconds?.toNumber() ?? 0)) : 0;
  return {
    time: time ? { seconds, nanos: time.nanos ?? 0 } : null,
    priority: m.priority as number,
    source_deprecated: m.source_deprecated as number,
    rule: m.rule as string,
    output: m.output as string,
    output_fields: m.output_fields as Record<string, string>,
    hostname: m.hostname as string,
    tags: m.tags as string[],
    source: m.source as string,
  };
}

export interface FalcoClients {
  outputs: grpc.Client & Record<string, (...args: unknown[]) => unknown>;
  version: grpc.Client & Record<string, (...args: unknown[]) => unknown>;
}

type Ctor = new (address: string, creds: grpc.ChannelCredentials, options?: grpc.ChannelOptions) => grpc.Client;

export function falcoClientConstructors(def = rawResponseDefinition(loadFalcoProtos())): { Outputs: Ctor; Version: Ctor } {
  const pkg = grpc.loadPackageDefinition(def) as unknown as {
    falco: { outputs: { service: Ctor }; version: { service: Ctor } };
  };
  return { Outputs: pkg.falco.outputs.service, Version: pkg.falco.version.service };
}

export const PRIORITY_NAMES = ['Emergency', 'Alert', 'Critical', 'Error', 'Warning', 'Notice', 'Informational', 'Debug'] as const;
const ENUM_SOURCES = ['syscall', 'k8s_audit', 'internal'] as const;

export interface FalcoResponse {
  time?: { seconds?: string | number; nanos?: number } | null;
  priority?: number;
  source_deprecated?: number;
  rule?: string;
  output?: string;
  output_fields?: Record<string, string>;
  hostname?: string;
  tags?: string[];
  source?: string;
}

/**
 * A gRPC `response` as the JSON alert http_output would have sent. When Falco sent no string
 * source (before 0.31), plugin alerts are recognised by their field prefix downstream.
 */
export function alertFromResponse(r: FalcoResponse): Record<string, unknown> {
  let time: string | null = null;
  if (r.time) {
    const ms = Number(r.time.seconds ?? 0) * 1000 + Math.floor((r.time.nanos ?? 0) / 1e6);
    const d = new Date(ms);
    time = Number.isFinite(d.getTime()) ? d.toISOString() : null;
  }
  const enumSource = r.source_deprecated !== undefined && r.source_deprecated > 0 ? ENUM_SOURCES[r.source_deprecated] : undefined;
  return {
    time,
    priority: PRIORITY_NAMES[r.priority ?? -1] ?? null,
    rule: r.rule ?? null,
    output: r.output ?? null,
    output_fields: r.output_fields ?? {},
    hostname: r.hostname || null,
    tags: r.tags ?? [],
    source: r.source || enumSource || null,
  };
}
