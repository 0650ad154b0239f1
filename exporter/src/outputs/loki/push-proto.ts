import protobuf from 'protobufjs';

/**
 * Loki's push schema (grafana/loki pkg/push/push.proto, package logproto), written from the documented
 * wire schema rather than loaded from a .proto file so the build needs no asset copying:
 *
 *   message PushRequest      { repeated StreamAdapter streams = 1; }
 *   message StreamAdapter    { string labels = 1; repeated EntryAdapter entries = 2; uint64 hash = 3; }
 *   message EntryAdapter     { google.protobuf.Timestamp timestamp = 1; string line = 2;
 *                              repeated LabelPairAdapter structuredMetadata = 3; }
 *   message LabelPairAdapter { string name = 1; string value = 2; }
 *   message google.protobuf.Timestamp { int64 seconds = 1; int32 nanos = 2; }
 */
const root = protobuf.Root.fromJSON({
  nested: {
    google: { nested: { protobuf: { nested: { Timestamp: { fields: { seconds: { type: 'int64', id: 1 }, nanos: { type: 'int32', id: 2 } } } } } } },
    logproto: {
      nested: {
        PushRequest: { fields: { streams: { rule: 'repeated', type: 'StreamAdapter', id: 1 } } },
        StreamAdapter: {
          fields: { labels: { type: 'string', id: 1 }, entries: { rule: 'repeated', type: 'EntryAdapter', id: 2 }, hash: { type: 'uint64', id: 3 } },
        },
        EntryAdapter: {
          fields: {
            timestamp: { type: 'google.protobuf.Timestamp', id: 1 },
            line: { type: 'string', id: 2 },
            structuredMetadata: { rule: 'repeated', type: 'LabelPairAdapter', id: 3 },
          },
        },
        LabelPairAdapter: { fields: { name: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } },
      },
    },
  },
});

export const PushRequest = root.lookupType('logproto.PushRequest');
