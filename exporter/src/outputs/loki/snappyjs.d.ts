declare module 'snappyjs' {
  /** Snappy block format (what Loki expects for protobuf pushes; not the framing format). */
  export function compress<T extends Uint8Array | ArrayBuffer>(input: T): T;
  export function uncompress<T extends Uint8Array | ArrayBuffer>(input: T, maxLength?: number): T;
}
