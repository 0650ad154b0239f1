import { describe, expect, it } from 'vitest';
import { alertFromResponse } from '../../src/ingest/proto.js';
import { demoRecords } from '../../src/cli/commands/demo.js';
import { corpusCloudTrail, responseFromCloudTrail } from './corpus.js';
import { ingestHarness } from './helpers.js';

describe('gRPC output_fields are strings', () => {
  it('ct.readonly "true"/"false" and JSON strings in ct.request reach the AWS adapter as Falco sends them', async () => {
    const h = await ingestHarness();
    const readOnly = (await corpusCloudTrail()).find((r) => r.readOnly === true && r.eventName === 'DescribeInstances')!;
    const ro = alertFromResponse(responseFromCloudTrail(readOnly));
    expect((ro.output_fields as Record<string, unknown>)['ct.readonly']).toBe('true');
    expect(h.processor.processFalcoAlert(ro, 'falco_grpc')).toEqual({ status: 'no_drift', reasons: ['read_only'] });
    const write = demoRecords().find((r) => r.eventName === 'AuthorizeSecurityGroupIngress')!;
    const wr = alertFromResponse(responseFromCloudTrail(write));
    expect((wr.output_fields as Record<string, unknown>)['ct.readonly']).toBe('false');
    const outcome = h.processor.processFalcoAlert(wr, 'falco_grpc');
    expect(outcome.status).toBe('drift');
    expect(outcome.status === 'drift' && outcome.records[0]).toMatchObject({ resource_type: 'aws_security_group', change_type: 'modified', falco: { priority: 'Warning', hostname: 'falco-grpc-0' } });
    await h.ingest.close();
  });

  it('maps the response envelope: Timestamp → ISO time, priority enum → Falco name, plugin source by field prefix when the string source is empty', () => {
    const a = alertFromResponse({ time: { seconds: '1722519461', nanos: 250_000_000 }, priority: 2, source_deprecated: 3, rule: 'r', output_fields: { 'gcp.methodName': 'x' } });
    expect(a).toMatchObject({ time: '2024-08-01T13:37:41.250Z', priority: 'Critical', source: null, hostname: null, tags: [] });
  });
});
