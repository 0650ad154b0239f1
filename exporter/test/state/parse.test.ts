import { describe, expect, it } from 'vitest';
import { parseStateDocument, parseProviderRef, peekStateHeader, sensitivePaths } from '../../src/state/parse.js';
import { isSensitive } from '../../src/detect/sensitive.js';
import { AWS, source, stateText } from './helpers.js';

const parse = (text: string) => parseStateDocument(text, source());

describe('parseStateDocument', () => {
  it('builds addresses with module paths, count and for_each keys, and keeps provider aliases', () => {
    const snap = parse(
      stateText([
        { type: 'aws_security_group', name: 'web', module: 'module.net.module.sg', instances: [{ index_key: 'a', attributes: { id: 'sg-1' } }, { index_key: 'b"c', attributes: { id: 'sg-2' } }] },
        { type: 'aws_instance', name: 'vm', provider: `${AWS}.west`, instances: [{ index_key: 0, attributes: { id: 'i-0' } }, { index_key: 1, attributes: { id: 'i-1' } }] },
        { type: 'aws_vpc', name: 'main', module: 'module.net', provider: 'module.net.provider["registry.terraform.io/hashicorp/aws"].east', instances: [{ attributes: { id: 'vpc-1' } }] },
        { type: 'google_compute_network', name: 'n', provider: 'provider.google-beta', instances: [{ attributes: { id: 'projects/p/global/networks/n' } }] },
      ]),
    );
    expect(snap.resources.map((r) => r.address)).toEqual([
      'module.net.module.sg.aws_security_group.web["a"]',
      'module.net.module.sg.aws_security_group.web["b\\"c"]',
      'aws_instance.vm[0]',
      'aws_instance.vm[1]',
      'module.net.aws_vpc.main',
      'google_compute_network.n',
    ]);
    expect(snap.resources[2]).toMatchObject({ providerAlias: 'west', provider: 'aws', indexKey: 0, module: null });
    expect(snap.resources[4]).toMatchObject({ providerAlias: 'east', module: 'module.net' });
    expect(snap.resources[5]).toMatchObject({ provider: 'gcp', providerAlias: null });
  });

  it('keeps managed resources only and skips deposed objects', () => {
    const snap = parse(
      stateText([
        { type: 'aws_ami', name: 'ubuntu', mode: 'data', instances: [{ attributes: { id: 'ami-1' } }] },
        { type: 'aws_instance', name: 'vm', instances: [{ attributes: { id: 'i-new' } }, { deposed: '00000001', attributes: { id: 'i-old' } }] },
      ]),
    );
    expect(snap.resources.map((r) => r.attributes.id)).toEqual(['i-new']);
    expect(snap.dataSourcesSkipped).toBe(1);
  });

  it('reads sensitive_attributes in the legacy and the typed-index (Terraform ≥1.10) shapes', () => {
    const legacy = [[{ type: 'get_attr', value: 'password' }], [{ type: 'get_attr', value: 'tags' }, { type: 'index', value: 'Secret' }]];
    const typed = [
      [{ type: 'get_attr', value: 'master_password' }],
      [{ type: 'get_attr', value: 'environment' }, { type: 'index', value: { value: 0, type: 'number' } }, { type: 'get_attr', value: 'variables' }, { type: 'index', value: { value: 'TOKEN', type: 'string' } }],
    ];
    expect(sensitivePaths(legacy)).toEqual(['password', 'tags.Secret']);
    expect(sensitivePaths(typed)).toEqual(['master_password', 'environment.0.variables.TOKEN']);
    expect(sensitivePaths(['connection.0.key'])).toEqual(['connection.0.key']);
    // An unreadable step cuts the path there: more is redacted, never less.
    expect(sensitivePaths([[{ type: 'get_attr', value: 'settings' }, { type: 'index', value: { weird: true } }, { type: 'get_attr', value: 'x' }]])).toEqual(['settings']);
    const snap = parse(stateText([{ type: 'aws_db_instance', name: 'db', instances: [{ attributes: { id: 'db', tags: { Secret: 's', Team: 't' } }, sensitive_attributes: legacy }] }]));
    const res = snap.resources[0];
    expect(isSensitive('tags.Secret', res.sensitivePaths)).toBe(true);
    expect(isSensitive('tags', res.sensitivePaths)).toBe(true); // the whole map would reveal the key
    expect(isSensitive('tags.Team', res.sensitivePaths)).toBe(false);
  });

  it('recognises OpenTofu state by its registry', () => {
    const snap = parse(stateText([{ type: 'aws_vpc', name: 'v', provider: 'provider["registry.opentofu.org/hashicorp/aws"]', instances: [{ attributes: { id: 'vpc-1' } }] }]));
    expect(snap.flavour).toBe('opentofu');
    expect(snap.resources[0].provider).toBe('aws');
    expect(parse(stateText([])).flavour).toBe('terraform');
  });

  it('rejects what is not v4 state, saying what it is', () => {
    expect(() => parse('{"version": 5, "resources": []}')).toThrow(/format version 5; tfdrift reads state format version 4/);
    expect(() => parse('{"format_version":"1.0","values":{"root_module":{}}}')).toThrow(/terraform show -json` output, not a state file/);
    expect(() => parse('{"serial":1,"encrypted_data":"abc","encryption_version":"v0"}')).toThrow(/OpenTofu state encrypted/);
    expect(() => parse('not json')).toThrow(/not JSON/);
    expect(() => parse('[]')).toThrow(/not a JSON object/);
  });

  it('reads serial and lineage from the head without parsing the rest', () => {
    expect(peekStateHeader(stateText([], { serial: 42, lineage: 'abc' }))).toEqual({ serial: 42, lineage: 'abc' });
    expect(peekStateHeader('{"version":4}')).toEqual({ serial: null, lineage: null });
  });

  it('parses provider references of every era', () => {
    expect(parseProviderRef('provider["registry.terraform.io/hashicorp/azurerm"]')).toEqual({ name: 'azure', alias: null });
    expect(parseProviderRef('provider.aws.us')).toEqual({ name: 'aws', alias: 'us' });
    expect(parseProviderRef('provider["registry.terraform.io/integrations/github"]')).toEqual({ name: 'github', alias: null });
    expect(parseProviderRef(undefined)).toEqual({ name: 'unknown', alias: null });
  });
});

describe('parseStateDocumentAsync (sliced parsing of Terraform-indented state)', () => {
  it('gives the same snapshot as the one-shot parse, for indented and minified layouts', async () => {
    const { parseStateDocumentAsync, splitIndentedState } = await import('../../src/state/parse.js');
    const doc = {
      version: 4, terraform_version: '1.9.8', serial: 7, lineage: 'l', outputs: { o: { value: '\n    },\n    {', type: 'string' } },
      resources: [
        { mode: 'data', type: 'aws_ami', name: 'a', provider: AWS, instances: [{ attributes: { id: 'ami-1' } }] },
        { module: 'module.m', mode: 'managed', type: 'aws_vpc', name: 'v', provider: AWS, instances: [{ index_key: 'k', attributes: { id: 'vpc-1', tags: { note: '}\n    },\n    {' } } }] },
        { mode: 'managed', type: 'aws_subnet', name: 's', provider: AWS, instances: [{ index_key: 0, attributes: { id: 'subnet-1', nested: [{ a: [{}] }] }, sensitive_attributes: [] }] },
      ],
      check_results: null,
    };
    const indented = JSON.stringify(doc, null, 2);
    const split = splitIndentedState(indented);
    expect(split?.resources).toHaveLength(3);
    expect(split!.resources.map((r) => (JSON.parse(r) as { type: string }).type)).toEqual(['aws_ami', 'aws_vpc', 'aws_subnet']);
    expect(splitIndentedState(JSON.stringify(doc))).toBeNull();
    const strip = (s: { loadedAt: number }) => ({ ...s, loadedAt: 0 });
    for (const text of [indented, JSON.stringify(doc)]) {
      const sliced = await parseStateDocumentAsync(text, source(), { minChars: 0, sliceMs: 0 });
      expect(strip(sliced)).toEqual(strip(parse(text)));
    }
    // Broken text falls back to the one-shot parse and its message.
    await expect(parseStateDocumentAsync(indented.replace('"aws_subnet"', '"aws_subnet'), source(), { minChars: 0 })).rejects.toThrow(/not JSON/);
    await expect(parseStateDocumentAsync(indented.replace('"version": 4', '"version": 3'), source(), { minChars: 0 })).rejects.toThrow(/format version 3/);
  });
});

describe('JSON errors name a position, never the text', () => {
  it('reports line and column of the first error without quoting the state', async () => {
    const { describeJsonError } = await import('../../src/state/json-error.js');
    expect(describeJsonError('{"a": 1,\n "b": tru}')).toBe('syntax error at line 2, column 7 (offset 15)');
    expect(describeJsonError('{"a": 1')).toBe('syntax error at line 1, column 8 (offset 7)');
    expect(describeJsonError('{"a": "x\u0001"}')).toMatch(/offset 8/);
    expect(describeJsonError('[1, 2] x')).toMatch(/offset 7/);
    const secret = '{"version": 4, "resources": [{"password": "hunter2-super-secret" oops}]}';
    expect(() => parse(secret)).toThrow(/^test\.tfstate: not JSON \(syntax error at line 1, column 66 \(offset 65\)\)$/);
    try {
      parse(secret);
    } catch (err) {
      expect((err as Error).message).not.toContain('hunter2');
    }
  });
});
