import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { REPO_ROOT } from '@aset/command-line';
import { POLICY_LAB_SCENARIO } from '@aset/scenario/testing';
import { SERVICE_PORTS, loadInfraSource, renderCommand, renderInfra, staleWorkerFiles, type RenderedFile } from './infra.render.js';

const INFRA = join(REPO_ROOT, 'infra');
const RERENDER = 'run `npm run infra:render -- --scenario demo` (templates: tools/scenario/src/infra.render.ts)';

type Compose = { services: Record<string, { environment?: Record<string, unknown>; depends_on?: Record<string, unknown> | unknown }> };
type Deployment = {
  kind: string;
  metadata: { name: string; labels: Record<string, string> };
  spec: {
    replicas: number;
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string> }; spec: { containers: { env: { name: string; value?: unknown }[] }[] } };
  };
};

/** Parses one rendered file: exactly one YAML document, no errors or warnings. */
function yamlOf<T>(file: RenderedFile): T {
  const docs = parseAllDocuments(file.text);
  expect(docs, file.path).toHaveLength(1);
  const doc = docs[0]!;
  expect([...doc.errors, ...doc.warnings].map((e) => e.message), file.path).toEqual([]);
  return parse(file.text, { merge: true }) as T;
}

const byPath = (files: RenderedFile[], path: string) => {
  const f = files.find((x) => x.path === path);
  if (!f) throw new Error(`${path} was not rendered`);
  return f;
};

describe('infra/ (committed) is what scenarios/demo.yaml renders', () => {
  const files = renderInfra(loadInfraSource('demo'));

  it.each(files.map((f) => [f.path, f] as const))('infra/%s', (path, f) => {
    const file = join(INFRA, path);
    expect(existsSync(file), `infra/${path} is missing: ${RERENDER}`).toBe(true);
    expect(readFileSync(file, 'utf8'), `infra/${path} differs from what scenarios/demo.yaml renders: ${RERENDER}`).toBe(f.text);
  });

  it('has no worker Deployment of a cluster that demo lacks', () => {
    expect(staleWorkerFiles(readdirSync(join(INFRA, 'k8s')), files), `stale worker files in infra/k8s: ${RERENDER}`).toEqual([]);
  });

  it('renders the same bytes every time, whether the scenario is named or given as a file', () => {
    expect(renderInfra(loadInfraSource('demo'))).toEqual(files);
    expect(renderInfra(loadInfraSource(join(REPO_ROOT, 'scenarios/demo.yaml')))).toEqual(files);
  });
});

describe('renderInfra for another cluster set (the policy-lab fixture: 4 clusters)', () => {
  const source = loadInfraSource(POLICY_LAB_SCENARIO);
  const files = renderInfra(source);
  const ids = ['far-edge-1', 'far-edge-2', 'near-edge-1', 'cloud-1'];
  const scenarioFile = relative(REPO_ROOT, POLICY_LAB_SCENARIO);

  it('takes the clusters from the scenario, in order, and its path relative to the repository', () => {
    expect(source).toEqual({ scenarioFile, clusterIds: ids });
    expect(files.map((f) => f.path)).toEqual(['compose/compose.yaml', 'prometheus/prometheus.yml', 'k8s/config.yaml', 'k8s/kustomization.yaml', ...ids.map((id) => `k8s/worker-${id}.yaml`)]);
  });

  it('Compose: one worker service per cluster, each a dependency of the generator, and the scenario file for every service', () => {
    const compose = yamlOf<Compose>(byPath(files, 'compose/compose.yaml'));
    const workers = Object.keys(compose.services).filter((s) => s.startsWith('worker-'));
    expect(workers).toEqual(ids.map((id) => `worker-${id}`));
    for (const id of ids) expect(compose.services[`worker-${id}`]!.environment).toMatchObject({ CLUSTER_ID: id, SCENARIO_FILE: scenarioFile });
    expect(Object.keys(compose.services['workload-generator']!.depends_on as Record<string, unknown>)).toEqual(['metrics-store', 'scheduler', ...workers]);
    for (const s of ['nats', 'postgres', 'metrics-store', 'scheduler']) expect(compose.services[s]).toBeDefined();
    expect(compose.services['scheduler']!.environment).toMatchObject({ SCENARIO_FILE: scenarioFile });
  });

  it('Compose: NATS over TLS with a user per service, each service mounting its own seed and nobody else\'s', () => {
    const compose = yamlOf<Compose & { secrets: Record<string, { file: string }> }>(byPath(files, 'compose/compose.yaml'));
    const users = ['workload-generator', 'scheduler', 'metrics-store', ...ids.map((id) => `worker-${id}`)];
    expect(compose.secrets).toEqual({
      'nats-ca': { file: '../secrets/nats/tls/ca.pem' },
      ...Object.fromEntries(users.map((u) => [`nats-seed-${u}`, { file: `../secrets/nats/auth/${u}.nk` }])),
    });
    for (const user of users) {
      const service = compose.services[user] as { environment: Record<string, unknown>; secrets: unknown[] };
      expect(service.environment, user).toMatchObject({ NATS_TLS_CA: '/run/secrets/nats-ca', NATS_NKEY_SEED_FILE: '/run/secrets/nats-seed' });
      expect(service.secrets, user).toEqual(['nats-ca', { source: `nats-seed-${user}`, target: 'nats-seed' }]);
    }
    expect((compose.services['nats'] as { volumes: string[] }).volumes).toEqual(expect.arrayContaining(['../secrets/nats/auth:/etc/nats/auth:ro', '../secrets/nats/tls:/etc/nats/tls:ro']));
  });

  it('Kubernetes: the kustomization lists exactly the rendered workers beside the other resources, and the ConfigMap names the scenario', () => {
    const k = yamlOf<{ resources: string[] }>(byPath(files, 'k8s/kustomization.yaml'));
    expect(k.resources).toEqual(['namespace.yaml', 'config.yaml', 'db-secret.yaml', 'nats.yaml', 'postgres.yaml', 'metrics-store.yaml', 'scheduler.yaml', ...ids.map((id) => `worker-${id}.yaml`)]);
    expect(yamlOf<{ data: Record<string, string> }>(byPath(files, 'k8s/config.yaml')).data['SCENARIO_FILE']).toBe(scenarioFile);
  });

  it.each(ids)('k8s/worker-%s.yaml is a Deployment whose CLUSTER_ID is its cluster', (id) => {
    const d = yamlOf<Deployment>(byPath(files, `k8s/worker-${id}.yaml`));
    expect(d.kind).toBe('Deployment');
    expect(d.metadata.name).toBe(`worker-${id}`);
    expect(d.metadata.labels['aset.io/cluster']).toBe(id);
    expect(d.spec.replicas).toBe(1);
    expect(d.spec.template.metadata.labels).toMatchObject(d.spec.selector.matchLabels);
    expect(d.spec.template.spec.containers[0]!.env.find((e) => e.name === 'CLUSTER_ID')?.value).toBe(id);
  });

  it.each(ids)('k8s/worker-%s.yaml mounts its own nkey seed and the CA where aset-config points NATS_NKEY_SEED_FILE and NATS_TLS_CA', (id) => {
    const config = yamlOf<{ data: Record<string, string> }>(byPath(files, 'k8s/config.yaml')).data;
    expect(config).toMatchObject({ NATS_NKEY_SEED_FILE: '/etc/aset/nats/nats.nk', NATS_TLS_CA: '/etc/aset/nats/ca.pem' });
    const pod = yamlOf<Deployment>(byPath(files, `k8s/worker-${id}.yaml`)).spec.template.spec as unknown as {
      containers: { volumeMounts: { name: string; mountPath: string }[] }[];
      volumes: { name: string; projected: { sources: { secret: { name: string; items: { key: string; path: string }[] } }[] } }[];
    };
    expect(pod.containers[0]!.volumeMounts).toContainEqual(expect.objectContaining({ name: 'nats-credentials', mountPath: '/etc/aset/nats' }));
    const sources = pod.volumes.find((v) => v.name === 'nats-credentials')!.projected.sources.map((s) => s.secret);
    expect(sources).toEqual([
      { name: 'nats-seeds', items: [{ key: `worker-${id}.nk`, path: 'nats.nk' }] },
      { name: 'nats-tls', items: [{ key: 'ca.pem', path: 'ca.pem' }] },
    ]);
  });

  it('tells which worker files of another scenario are stale (worker files only)', () => {
    const demo = renderInfra(loadInfraSource('demo')).map((f) => f.path.replace(/^k8s\//, ''));
    expect(staleWorkerFiles([...demo, 'nats.yaml', 'workload-generator.job.yaml', 'worker-notes.txt'], files)).toEqual([
      'worker-cloud-2.yaml',
      'worker-far-edge-3.yaml',
      'worker-near-edge-2.yaml',
    ]);
  });
});

describe('observability: Prometheus scrapes every service, Grafana shows it (Compose), Kubernetes pods are discovered', () => {
  const source = loadInfraSource(POLICY_LAB_SCENARIO);
  const files = renderInfra(source);
  type Scrape = { job_name: string; honor_labels?: boolean; static_configs: { targets: string[] }[] };
  type Service = { environment?: Record<string, unknown>; volumes?: string[]; profiles?: string[] };
  const compose = yamlOf<{ services: Record<string, Service>; volumes: Record<string, unknown> }>(byPath(files, 'compose/compose.yaml'));
  const prometheus = yamlOf<{ scrape_configs: Scrape[] }>(byPath(files, 'prometheus/prometheus.yml'));
  const hasPromtool = spawnSync('promtool', ['--version']).error === undefined;

  it("scrapes every ASET service of the Compose file on its HTTP_PORT, and the Pushgateway with the pushers' labels", () => {
    const targets = prometheus.scrape_configs.flatMap((j) => j.static_configs.flatMap((c) => c.targets));
    const asetServices = Object.entries(compose.services).filter(([, s]) => s.environment?.['HTTP_PORT'] !== undefined);
    expect(asetServices.map(([name]) => name).sort()).toEqual(['metrics-store', 'scheduler', 'workload-generator', ...source.clusterIds.map((id) => `worker-${id}`)].sort());
    expect(targets.sort()).toEqual([...asetServices.map(([name, s]) => `${name}:${String(s.environment?.['HTTP_PORT'])}`), 'pushgateway:9091'].sort());
    for (const [name, s] of asetServices) expect(Number(s.environment?.['HTTP_PORT']), name).toBe(SERVICE_PORTS[name.startsWith('worker-') ? 'worker' : (name as keyof typeof SERVICE_PORTS)]);
    expect(prometheus.scrape_configs.find((j) => j.job_name === 'pushgateway')?.honor_labels).toBe(true);
    expect(compose.services['workload-generator']?.environment?.['PUSHGATEWAY_URL']).toBe('http://pushgateway:9091');
  });

  it.skipIf(!hasPromtool)('the rendered prometheus.yml passes promtool check config', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'aset-prom-')), 'prometheus.yml');
    writeFileSync(file, byPath(files, 'prometheus/prometheus.yml').text);
    const result = spawnSync('promtool', ['check', 'config', file], { encoding: 'utf8' });
    expect(`${result.stdout}${result.stderr}`).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });

  it('Compose runs Prometheus, the Pushgateway and Grafana, with the provisioned data source and dashboard', () => {
    for (const s of ['prometheus', 'pushgateway', 'grafana']) expect(compose.services[s], s).toBeDefined();
    expect(compose.services['prometheus']?.volumes).toContain('../prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro');
    const grafanaVolumes = compose.services['grafana']?.volumes ?? [];
    expect(grafanaVolumes).toEqual(expect.arrayContaining(['../grafana/provisioning:/etc/grafana/provisioning:ro', '../grafana/dashboards:/etc/grafana/dashboards:ro']));
    // Every bind mount of the observability services is a file or folder of infra/.
    for (const v of [...(compose.services['prometheus']?.volumes ?? []), ...grafanaVolumes].filter((x) => x.startsWith('../'))) {
      expect(existsSync(join(INFRA, 'compose', v.split(':')[0] as string)), v).toBe(true);
    }
    const provider = parse(readFileSync(join(INFRA, 'grafana/provisioning/dashboards/aset.yaml'), 'utf8')) as { providers: { options: { path: string } }[] };
    expect(provider.providers[0]?.options.path).toBe('/etc/grafana/dashboards');
    const datasource = parse(readFileSync(join(INFRA, 'grafana/provisioning/datasources/prometheus.yaml'), 'utf8')) as { datasources: { uid: string; url: string }[] };
    expect(datasource.datasources[0]).toMatchObject({ uid: 'aset-prometheus', url: 'http://prometheus:9090' });
    const dashboard = JSON.parse(readFileSync(join(INFRA, 'grafana/dashboards/aset.json'), 'utf8')) as { panels: { title: string; datasource: { uid: string }; targets: { expr: string }[] }[] };
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(6);
    for (const p of dashboard.panels) expect(p.datasource.uid, p.title).toBe('aset-prometheus');
  });

  it('Kubernetes: the pod discovery keeps what every ASET manifest declares (part-of aset, a container port named http)', () => {
    const k8s = parse(readFileSync(join(INFRA, 'prometheus/prometheus-k8s.yml'), 'utf8')) as { scrape_configs: { relabel_configs?: { source_labels: string[]; regex?: string; action?: string }[] }[] };
    const keeps = k8s.scrape_configs[0]?.relabel_configs?.filter((r) => r.action === 'keep') ?? [];
    expect(keeps).toEqual([
      { source_labels: ['__meta_kubernetes_pod_label_app_kubernetes_io_part_of'], regex: 'aset', action: 'keep' },
      { source_labels: ['__meta_kubernetes_pod_container_port_name'], regex: 'http', action: 'keep' },
    ]);
    const manifests = readdirSync(join(INFRA, 'k8s')).filter((f) => f.startsWith('worker-') || ['scheduler.yaml', 'metrics-store.yaml', 'workload-generator.job.yaml'].includes(f));
    expect(manifests.length).toBeGreaterThanOrEqual(4);
    for (const f of manifests) {
      const pods = parseAllDocuments(readFileSync(join(INFRA, 'k8s', f), 'utf8'))
        .map((d) => d.toJS() as { kind: string; spec: { template: { metadata: { labels: Record<string, string> }; spec: { containers: { ports?: { name: string }[] }[] } } } })
        .filter((d) => d.kind === 'Deployment' || d.kind === 'Job');
      expect(pods, f).toHaveLength(1);
      const pod = pods[0]!.spec.template;
      expect(pod.metadata.labels['app.kubernetes.io/part-of'], f).toBe('aset');
      expect(pod.spec.containers.flatMap((c) => c.ports ?? []).map((p) => p.name), f).toContain('http');
    }
  });
});

describe('renderInfra refuses what would not deploy', () => {
  it('names the clusters whose ids cannot name a Kubernetes Deployment', () => {
    expect(() => renderInfra({ scenarioFile: 'scenarios/x.yaml', clusterIds: ['ok-1', 'Edge_1', `e${'x'.repeat(56)}`] })).toThrow(
      /cannot render the deployment files of scenarios\/x\.yaml:\n {2}cluster "Edge_1": worker-Edge_1 cannot name a Kubernetes Deployment.*\n {2}cluster "ex+": /,
    );
    expect(() => renderInfra({ scenarioFile: 'scenarios/x.yaml', clusterIds: [] })).toThrow(/scenarios\/x\.yaml has no cluster/);
    expect(() => renderInfra({ scenarioFile: 'scenarios/my lab.yaml', clusterIds: ['a'] })).toThrow(/the scenario's path "scenarios\/my lab\.yaml" must use only/);
  });

  it('quotes the ids that YAML would not read as strings', () => {
    const files = renderInfra({ scenarioFile: 'scenarios/x.yaml', clusterIds: ['7', 'yes', '1e3'] });
    const compose = yamlOf<Compose>(byPath(files, 'compose/compose.yaml'));
    expect(['7', 'yes', '1e3'].map((id) => compose.services[`worker-${id}`]!.environment!['CLUSTER_ID'])).toEqual(['7', 'yes', '1e3']);
    const d = yamlOf<Deployment>(byPath(files, 'k8s/worker-yes.yaml'));
    expect(d.metadata.labels['aset.io/cluster']).toBe('yes');
    expect(d.spec.template.spec.containers[0]!.env.find((e) => e.name === 'CLUSTER_ID')?.value).toBe('yes');
  });

  it('writes the command that renders again: by name under scenarios/, else by path', () => {
    expect(renderCommand('scenarios/demo.yaml')).toBe('npm run infra:render -- --scenario demo');
    expect(renderCommand('scenarios/suite/base.yaml')).toBe('npm run infra:render -- --scenario suite/base');
    expect(renderCommand('lab/edge.yml')).toBe('npm run infra:render -- --scenario lab/edge.yml');
  });
});
