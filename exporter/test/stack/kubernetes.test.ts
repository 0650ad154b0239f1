/**
 * deploy/kubernetes: the manifests kustomize assembles, and what they say about each other
 * and about the image (port, user, config path, token, probes).
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { envKeyToPath } from '../../src/config/load.js';
import { runCliInProcess, startCli, waitFor } from '../helpers/cli.js';
import {
  dockerfileInstructions,
  exists,
  listenPort,
  readText,
  readYaml,
  repoPath,
  type Doc,
} from './stack.js';

const DIR = 'deploy/kubernetes';
const KUSTOMIZATION = readYaml(`${DIR}/kustomization.yaml`);
const DOCS: Doc[] = KUSTOMIZATION.resources.flatMap((f: string) =>
  YAML.parseAllDocuments(readText(`${DIR}/${f}`)).map((d) => d.toJS()),
);
const byKind = (kind: string): Doc => {
  const found = DOCS.filter((d) => d.kind === kind);
  expect(found, kind).toHaveLength(1);
  return found[0];
};
const DEPLOYMENT = byKind('Deployment');
const POD = DEPLOYMENT.spec.template.spec;
const CONTAINER = POD.containers[0];
const SERVICE = byKind('Service');
const CONFIG_FILE = `${DIR}/${KUSTOMIZATION.configMapGenerator[0].files[0]}`;
const CONFIG = readYaml(CONFIG_FILE);
const subset = (small: Record<string, string>, big: Record<string, string>): boolean =>
  Object.entries(small).every(([k, v]) => big[k] === v);

describe('deploy/kubernetes', () => {
  it('lists resources and generated files that exist', () => {
    for (const f of KUSTOMIZATION.resources) expect(exists(`${DIR}/${f}`), f).toBe(true);
    expect(exists(CONFIG_FILE)).toBe(true);
    expect(DOCS.map((d) => d.kind).sort()).toEqual([
      'Deployment',
      'PodDisruptionBudget',
      'Service',
      'ServiceAccount',
      'ServiceMonitor',
    ]);
    expect(KUSTOMIZATION.images.map((i: Doc) => i.name)).toContain(CONTAINER.image);
  });

  it('mounts the generated config where the container reads it, and the config is valid with the Secret token', async () => {
    const configPath = CONTAINER.args[CONTAINER.args.indexOf('--config') + 1];
    const volume = POD.volumes.find(
      (v: Doc) => v.configMap?.name === KUSTOMIZATION.configMapGenerator[0].name,
    );
    const mount = CONTAINER.volumeMounts.find((m: Doc) => m.name === volume.name);
    expect(configPath).toBe(`${mount.mountPath}/${KUSTOMIZATION.configMapGenerator[0].files[0]}`);
    const result = await runCliInProcess(['config', 'check', '--config', repoPath(CONFIG_FILE)], {
      env: { TFDRIFT_SERVER_TOKEN: 'k8s-test' },
    });
    expect(result.code, result.stderr).toBe(0);
  });

  it('wires one port through container, Service and ServiceMonitor, on the port the config listens on', () => {
    const port = CONTAINER.ports.find((p: Doc) => p.name === 'http');
    expect(port.containerPort).toBe(listenPort(CONFIG.server.listen));
    const svcPort = SERVICE.spec.ports.find((p: Doc) => p.targetPort === 'http');
    expect(svcPort).toBeDefined();
    const endpoint = byKind('ServiceMonitor').spec.endpoints[0];
    expect(endpoint.port).toBe(svcPort.name);
    expect(endpoint.path).toBe('/metrics');
  });

  it('selects the pods from Service, PodDisruptionBudget and the Deployment, and the Service from the ServiceMonitor', () => {
    const podLabels = DEPLOYMENT.spec.template.metadata.labels;
    expect(subset(DEPLOYMENT.spec.selector.matchLabels, podLabels)).toBe(true);
    expect(subset(SERVICE.spec.selector, podLabels)).toBe(true);
    expect(subset(byKind('PodDisruptionBudget').spec.selector.matchLabels, podLabels)).toBe(true);
    expect(subset(byKind('ServiceMonitor').spec.selector.matchLabels, SERVICE.metadata.labels)).toBe(true);
    // the alert rules and recording rules expect job="tfdrift": the operator uses the Service name
    expect(SERVICE.metadata.name).toBe(CONFIG.outputs.loki.labels.job);
    expect(POD.serviceAccountName).toBe(byKind('ServiceAccount').metadata.name);
  });

  it('takes the token from one Secret for the exporter and the ServiceMonitor, never a literal', () => {
    const tokenEnv = CONTAINER.env.find((e: Doc) => e.name === 'TFDRIFT_SERVER_TOKEN');
    expect(tokenEnv.value).toBeUndefined();
    const ref = tokenEnv.valueFrom.secretKeyRef;
    const creds = byKind('ServiceMonitor').spec.endpoints[0].authorization.credentials;
    expect(creds).toEqual({ name: ref.name, key: ref.key });
    expect(DOCS.some((d) => d.kind === 'Secret')).toBe(false);
    for (const e of CONTAINER.env.filter((x: Doc) => x.name.startsWith('TFDRIFT_')))
      expect(envKeyToPath(e.name.slice(8).split('_')), e.name).not.toBeNull();
  });

  it('runs as the image’s non-root user with a read-only root filesystem and writable storage and /tmp', () => {
    const image = dockerfileInstructions(readText('exporter/Dockerfile'));
    const user = image
      .filter((i) => i.keyword === 'USER')
      .pop()!
      .args.split(':')[0];
    expect(POD.securityContext.runAsNonRoot).toBe(true);
    expect(String(POD.securityContext.runAsUser)).toBe(user);
    expect(CONTAINER.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    const storageDir =
      CONTAINER.env.find((e: Doc) => e.name === 'TFDRIFT_STORAGE_DIR')?.value ?? CONFIG.storage.dir;
    const writable = CONTAINER.volumeMounts.filter((m: Doc) => !m.readOnly).map((m: Doc) => m.mountPath);
    expect(writable).toContain(storageDir);
    expect(writable).toContain('/tmp');
  });

  it('keeps an exporter answering during rollouts and drains (HA for Falco’s fire-and-forget posts)', () => {
    expect(DEPLOYMENT.spec.replicas).toBeGreaterThanOrEqual(2);
    expect(DEPLOYMENT.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
    expect(byKind('PodDisruptionBudget').spec.minAvailable).toBe(1);
  });

  it('probes /healthz and /readyz with the token: the probe commands pass and fail against a real exporter', async () => {
    const probes = {
      startup: CONTAINER.startupProbe,
      liveness: CONTAINER.livenessProbe,
      readiness: CONTAINER.readinessProbe,
    };
    for (const [name, p] of Object.entries(probes)) expect(p?.exec?.command?.[0], name).toBe('node');
    expect(CONTAINER.readinessProbe.exec.command.join(' ')).toMatch(/\/readyz/);
    expect(CONTAINER.livenessProbe.exec.command.join(' ')).toMatch(/\/healthz/);

    const token = 'k8s-probe-token';
    const port = listenPort(CONFIG.server.listen);
    for (const p of Object.values(probes))
      expect(p.exec.command.join(' ')).toContain(`http://127.0.0.1:${port}/`);
    // A free port for the test exporter; the probe commands are pointed at it.
    const child = startCli(['demo', '--interval', '1000'], {
      TFDRIFT_SERVER_TOKEN: token,
      TFDRIFT_SERVER_LISTEN: '127.0.0.1:0',
    });
    try {
      const [, actual] = await waitFor(child.stderr!, /"url":"http:\/\/127\.0\.0\.1:(\d+)"/, 150_000);
      const run = (cmd: string[], env: NodeJS.ProcessEnv): number | null =>
        spawnSync(
          process.execPath,
          cmd.slice(1).map((a) => a.replace(`127.0.0.1:${port}/`, `127.0.0.1:${actual}/`)),
          {
            env: { PATH: process.env.PATH, ...env },
            timeout: 60_000,
          },
        ).status;
      for (const [name, p] of Object.entries(probes)) {
        expect(run(p.exec.command, { TFDRIFT_SERVER_TOKEN: token }), `${name} with token`).toBe(0);
        expect(run(p.exec.command, { TFDRIFT_SERVER_TOKEN: 'wrong' }), `${name} wrong token`).toBe(1);
      }
    } finally {
      child.kill('SIGTERM');
    }
  }, 300_000); // the waits are on the child's events; the limits only guard against a hang
});
