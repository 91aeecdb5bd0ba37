import { isAbsolute, relative, sep } from 'node:path';
import { REPO_ROOT, loadInputs, scenarioPath } from '@aset/command-line';

/**
 * The deployment files that depend on a scenario's clusters, rendered from templates (this file):
 * the Compose file (one worker service per cluster), its Prometheus scrape configuration (every
 * service of the Compose file), one Kubernetes worker Deployment per cluster, the kustomization
 * that lists them and the ConfigMap that names the scenario. The other files of infra/ (NATS
 * configurations, Dockerfile, the other manifests, Grafana, Prometheus on Kubernetes) are hand-written.
 *
 * `npm run infra:render -- --scenario <name|file>` writes them (infra-render.main.ts); the spec
 * checks that the committed infra/ is what `demo` renders. Plain templates rather than a YAML
 * library: the files are read by people, and their comments are most of their value.
 */

/** A rendered file: its path relative to the output folder (infra/ by default, `/`-separated) and its exact text. */
export type RenderedFile = { path: string; text: string };

/** What the files depend on: the scenario's file, relative to the repository root, and its clusters' ids, in declaration order. */
export type InfraSource = { scenarioFile: string; clusterIds: readonly string[] };

/** Where worker Deployments live, relative to the output folder, and how their files are named. */
export const K8S_DIR = 'k8s';
export const WORKER_FILE = /^worker-.+\.yaml$/;

/**
 * Loads a --scenario argument (a name under scenarios/ or a file) with the repository's loader, so
 * a bad scenario fails with the same error as every other command. Throws when the file lies
 * outside the repository: the services read SCENARIO_FILE inside the image, which holds the repository.
 */
export function loadInfraSource(scenarioArg: string): InfraSource {
  const { scenario } = loadInputs(scenarioArg);
  const file = scenarioPath(scenarioArg);
  const inRepo = relative(REPO_ROOT, file);
  if (inRepo === '' || inRepo.startsWith('..') || isAbsolute(inRepo)) {
    throw new Error(
      `--scenario ${scenarioArg}: ${file} is outside the repository (${REPO_ROOT}); the services read SCENARIO_FILE inside the image, which holds the repository: put the scenario under scenarios/`,
    );
  }
  return { scenarioFile: inRepo.split(sep).join('/'), clusterIds: scenario.clusters.map((c) => c.id) };
}

/** The files for a scenario, in a fixed order: the Compose file, the ConfigMap, the kustomization, then one worker per cluster. */
export function renderInfra(source: InfraSource): RenderedFile[] {
  const problems = [...scenarioFileProblems(source.scenarioFile), ...source.clusterIds.flatMap(clusterIdProblems)];
  if (source.clusterIds.length === 0) problems.push(`${source.scenarioFile} has no cluster`);
  if (problems.length > 0) throw new Error(`cannot render the deployment files of ${source.scenarioFile}:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  const s = { file: source.scenarioFile, command: renderCommand(source.scenarioFile) };
  return [
    { path: 'compose/compose.yaml', text: composeFile(s, source.clusterIds) },
    { path: 'prometheus/prometheus.yml', text: prometheusFile(s, source.clusterIds) },
    { path: `${K8S_DIR}/config.yaml`, text: configFile(s) },
    { path: `${K8S_DIR}/kustomization.yaml`, text: kustomizationFile(s, source.clusterIds) },
    ...source.clusterIds.map((id) => ({ path: `${K8S_DIR}/${workerFileName(id)}`, text: workerFile(s, id) })),
  ];
}

/** The file name of a cluster's worker Deployment under k8s/. */
export function workerFileName(clusterId: string): string {
  return `worker-${clusterId}.yaml`;
}

/** Worker files found under k8s/ (file names) that the rendered files no longer contain, sorted. */
export function staleWorkerFiles(existing: readonly string[], rendered: readonly RenderedFile[]): string[] {
  const kept = new Set(rendered.filter((f) => f.path.startsWith(`${K8S_DIR}/`)).map((f) => f.path.slice(K8S_DIR.length + 1)));
  return existing.filter((name) => WORKER_FILE.test(name) && !kept.has(name)).sort();
}

/** The command that renders a scenario file: by name when it is one under scenarios/, else by its path (npm runs scripts from the repository root). */
export function renderCommand(scenarioFile: string): string {
  return `npm run infra:render -- --scenario ${renderedScenarioArg(scenarioFile)}`;
}

/** The --scenario argument that names a scenario file: its name when it is one under scenarios/, else its path. */
function renderedScenarioArg(scenarioFile: string): string {
  return /^scenarios\/(.+)\.yaml$/.exec(scenarioFile)?.[1] ?? scenarioFile;
}

type Source = { file: string; command: string };

/** A plain YAML scalar for the path, which Compose also reads for `$` interpolation: refuse anything else rather than quote. */
function scenarioFileProblems(file: string): string[] {
  return /^[A-Za-z0-9_][A-Za-z0-9._/-]*$/.test(file)
    ? []
    : [`the scenario's path ${JSON.stringify(file)} must use only letters, digits, '.', '_', '-' and '/' (it is written into SCENARIO_FILE)`];
}

/** worker-<id> names a Deployment and labels its pods: an RFC 1123 label (at most 63 characters, lowercase letters, digits and '-'). */
function clusterIdProblems(id: string): string[] {
  const name = `worker-${id}`;
  return /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(id) && name.length <= 63
    ? []
    : [`cluster "${id}": ${name} cannot name a Kubernetes Deployment; use at most ${63 - 'worker-'.length} lowercase letters, digits or '-', starting and ending with a letter or digit`];
}

/** A cluster id as a YAML value: plain unless YAML would read it as something else than a string (a number, a boolean, null). */
function scalar(id: string): string {
  const plainString = /^[a-z][a-z0-9-]*$/.test(id) && !/^(y|n|yes|no|on|off|true|false|null)$/.test(id);
  return plainString ? id : JSON.stringify(id);
}

/** A `# ---- title ---` section rule of the Compose file, 95 characters wide when the title allows. */
function rule(title: string): string {
  const head = `  # ---- ${title} `;
  return head + '-'.repeat(Math.max(4, 95 - head.length));
}

function renderedNote(s: Source): string {
  return `# Rendered from ${s.file} by \`${s.command}\`
# (tools/scenario/src/infra.render.ts): change the template there and re-render, not this file.`;
}

function composeFile(s: Source, clusterIds: readonly string[]): string {
  const workers = clusterIds
    .map(
      (id) => `  worker-${id}:
    <<: *aset-app
    command: ["node", "apps/worker/dist/main.js"]
    environment:
      <<: *aset-env
      HTTP_PORT: 8090
      CLUSTER_ID: ${scalar(id)}
      INFERENCE_THREADS: 1
      HEARTBEAT_MS: 500
    secrets: [nats-ca, { source: nats-seed-worker-${id}, target: nats-seed }]
    depends_on: *worker-depends
`,
    )
    .join('\n');
  const dependsOnWorkers = clusterIds
    .map(
      (id) => `      worker-${id}:
        condition: service_healthy
`,
    )
    .join('');
  return `${renderedNote(s)}
#
# ASET on one Docker host: NATS (JetStream), PostgreSQL, the metrics store, the scheduler and one
# worker per cluster of ${s.file}. The workload generator is a one-shot run under the
# \`run\` profile. From the repository root:
#
#   npm run nats:credentials -- --scenario ${renderedScenarioArg(s.file)} --out infra/secrets/nats/auth   # once: NATS users
#   infra/nats/tls/make-certs.sh infra/secrets/nats/tls                        # once: NATS CA and certificates
#   docker compose -f infra/compose/compose.yaml up -d --build --wait
#   docker compose -f infra/compose/compose.yaml --profile run run --rm workload-generator
#   curl 'http://127.0.0.1:8080/reports/summary?run=<run id printed by the generator>'
#   open http://127.0.0.1:3000 (Grafana, dashboard "ASET"; Prometheus on 9090)
#   docker compose -f infra/compose/compose.yaml down        # add -v to delete NATS/Postgres data
#
# Shell variables read here (all optional): POSTGRES_PASSWORD, NATS_PREFIX, SCHEDULER_POLICY,
# LOG_LEVEL, ASET_CODE_VERSION, host ports NATS_HOST_PORT, NATS_MONITOR_HOST_PORT,
# METRICS_HOST_PORT, PROMETHEUS_HOST_PORT, PUSHGATEWAY_HOST_PORT, GRAFANA_HOST_PORT,
# GRAFANA_ADMIN_PASSWORD, and for a run RUN_ID, QUERIES, WARMUP_QUERIES, RATE_SCALE, SEED.
# Everything runs on one host: this is the emulated testbed, not a distributed one (infra/README.md).
# NATS requires TLS and a user per service (docs/reliability.md#security): the files under
# infra/secrets/nats must exist, and the seed files must be readable by uid 1000 (the image's
# \`node\` user; Compose mounts them with their owner and mode 0600).

name: aset

# ---- shared fragments (x-* keys are ignored by Compose; used through YAML anchors) -------------

x-aset-build: &aset-build
  context: ../..
  dockerfile: infra/compose/Dockerfile
  args:
    ASET_CODE_VERSION: \${ASET_CODE_VERSION:-dev}

# Every service reads these; services add their own below.
x-aset-env: &aset-env
  NATS_URL: nats://nats:4222
  NATS_PREFIX: \${NATS_PREFIX:-aset}
  SCENARIO_FILE: ${s.file}
  MODELS_MANIFEST: models/manifest.json
  # Listen on all interfaces of the container (the services default to 127.0.0.1).
  HTTP_HOST: 0.0.0.0
  LOG_LEVEL: \${LOG_LEVEL:-log}
  # NATS over TLS, as the service's own user: the CA and its nkey seed are the secrets below.
  NATS_TLS_CA: /run/secrets/nats-ca
  NATS_NKEY_SEED_FILE: /run/secrets/nats-seed

# GET /health on the service's own HTTP_PORT (set explicitly in every service below). The image
# has no curl/wget: Node's fetch does the probe. /health is 200 only when NATS (and, for the
# metrics store, the database) is up.
x-aset-healthcheck: &aset-healthcheck
  test:
    - CMD
    - node
    - -e
    - >-
      fetch('http://127.0.0.1:' + process.env.HTTP_PORT + '/health')
      .then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))
  interval: 5s
  timeout: 3s
  retries: 6
  start_period: 60s

# One image (aset:local) for all services. They all declare the same build, so Compose builds
# the image once (older Compose versions build it per service, all but the first from cache).
x-aset-app: &aset-app
  image: aset:local
  build: *aset-build
  init: true
  # NATS has no container healthcheck (below): if a service starts before NATS accepts clients,
  # it exits and is restarted until it connects.
  restart: unless-stopped
  stop_grace_period: 20s
  healthcheck: *aset-healthcheck

x-worker-depends: &worker-depends
  nats:
    condition: service_started

services:
  # ---- infrastructure ----------------------------------------------------------------------

  nats:
    # The official image is built FROM scratch: no shell, curl or wget, so no container
    # healthcheck is possible. Dependants wait for \`service_started\` and retry (restart policy);
    # their own /health checks include the NATS connection. Monitoring: http://127.0.0.1:8222.
    image: nats:2.10
    command: ["--config", "/etc/nats/hub.conf", "-js"]
    volumes:
      - ../nats/hub.conf:/etc/nats/hub.conf:ro
      # npm run nats:credentials (users and permissions) and infra/nats/tls/make-certs.sh.
      - ../secrets/nats/auth:/etc/nats/auth:ro
      - ../secrets/nats/tls:/etc/nats/tls:ro
      - nats-data:/data
    ports:
      - "127.0.0.1:\${NATS_HOST_PORT:-4222}:4222"
      - "127.0.0.1:\${NATS_MONITOR_HOST_PORT:-8222}:8222"
      # Leaf nodes of remote edge sites would dial 7422; not published in the one-host demo.
      # - "7422:7422"
    restart: unless-stopped

  postgres:
    image: postgres:16
    environment:
      POSTGRES_USER: aset
      POSTGRES_PASSWORD: \${POSTGRES_PASSWORD:-aset}
      POSTGRES_DB: aset
    volumes:
      - postgres-data:/var/lib/postgresql/data
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U aset -d aset"]
      interval: 5s
      timeout: 3s
      retries: 10
      start_period: 30s
    restart: unless-stopped

  # ---- central services --------------------------------------------------------------------

  metrics-store:
    <<: *aset-app
    command: ["node", "apps/metrics-store/dist/main.js"]
    environment:
      <<: *aset-env
      HTTP_PORT: 8080
      # If POSTGRES_PASSWORD has URL-reserved characters (@ : / ? #), percent-encode it here.
      DATABASE_URL: postgres://aset:\${POSTGRES_PASSWORD:-aset}@postgres:5432/aset
      # Required (the store listens beyond loopback here): clients of the reports API and dashboard
      # send it as Authorization: Bearer <token>. At least 32 characters, e.g. openssl rand -hex 32.
      REPORTS_TOKEN: \${REPORTS_TOKEN:-}
    secrets: [nats-ca, { source: nats-seed-metrics-store, target: nats-seed }]
    ports:
      # GET /health, /metrics (open); /reports/summary?run=<id>, /runs, /dashboard (REPORTS_TOKEN)
      - "127.0.0.1:\${METRICS_HOST_PORT:-8080}:8080"
    depends_on:
      postgres:
        condition: service_healthy
      nats:
        condition: service_started

  scheduler:
    <<: *aset-app
    command: ["node", "apps/scheduler/dist/main.js"]
    environment:
      <<: *aset-env
      HTTP_PORT: 8081
      SCHEDULER_POLICY: \${SCHEDULER_POLICY:-closest}
      # The workers' heartbeat period: a cluster silent for 3 of them is held down.
      HEARTBEAT_MS: 500
    secrets: [nats-ca, { source: nats-seed-scheduler, target: nats-seed }]
    depends_on:
      nats:
        condition: service_started

${rule(`one worker per cluster of ${s.file}`)}
  # CLUSTER_ID must name a cluster of the scenario. Several containers of the same cluster would
  # share its queue group (worker-<CLUSTER_ID>); each one serves the cluster's \`slots\`.

${workers}
  # ---- one run of the workload generator (profile \`run\`) ------------------------------------
  #   docker compose -f infra/compose/compose.yaml --profile run run --rm workload-generator
  #   RUN_ID=demo-1 QUERIES=500 docker compose -f infra/compose/compose.yaml --profile run run --rm workload-generator
  # It prints the run summary and exits (code 1 if the run failed or lost records).

  workload-generator:
    <<: *aset-app
    profiles: ["run"]
    restart: "no"
    command: ["node", "apps/workload-generator/dist/main.js"]
    environment:
      <<: *aset-env
      HTTP_PORT: 8082
      RUN_POLICY: \${SCHEDULER_POLICY:-closest}
      PROGRESS: "off"
      # Its final metrics outlive the container here (and in the run's record, runs.generator_metrics).
      PUSHGATEWAY_URL: http://pushgateway:9091
      # Left empty: taken from the shell when set there, otherwise not set at all, so the
      # scenario's defaults apply (and a fresh run id is generated).
      RUN_ID:
      QUERIES:
      WARMUP_QUERIES:
      RATE_SCALE:
      SEED:
    secrets: [nats-ca, { source: nats-seed-workload-generator, target: nats-seed }]
    # Every worker, so that a run starts with every cluster of the scenario up.
    depends_on:
      metrics-store:
        condition: service_healthy
      scheduler:
        condition: service_healthy
${dependsOnWorkers}
  # ---- observability: Prometheus, the Pushgateway and Grafana ----------------------------------
  # Prometheus scrapes every service above (infra/prometheus/prometheus.yml, rendered with this
  # file); Grafana shows the provisioned dashboard "ASET" (infra/grafana/dashboards/aset.json).

  prometheus:
    image: prom/prometheus:v2.53.0
    command: ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.retention.time=7d"]
    volumes:
      - ../prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro
      - prometheus-data:/prometheus
    ports:
      - "127.0.0.1:\${PROMETHEUS_HOST_PORT:-9090}:9090"
    restart: unless-stopped

  pushgateway:
    image: prom/pushgateway:v1.9.0
    ports:
      - "127.0.0.1:\${PUSHGATEWAY_HOST_PORT:-9091}:9091"
    restart: unless-stopped

  grafana:
    image: grafana/grafana:11.1.0
    environment:
      GF_SECURITY_ADMIN_PASSWORD: \${GRAFANA_ADMIN_PASSWORD:-admin}
      GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH: /etc/grafana/dashboards/aset.json
    volumes:
      - ../grafana/provisioning:/etc/grafana/provisioning:ro
      - ../grafana/dashboards:/etc/grafana/dashboards:ro
      - grafana-data:/var/lib/grafana
    ports:
      - "127.0.0.1:\${GRAFANA_HOST_PORT:-3000}:3000"
    depends_on:
      prometheus:
        condition: service_started
    restart: unless-stopped

# The NATS CA and one nkey seed per service (mounted as /run/secrets/nats-seed in its container).
secrets:
  nats-ca:
    file: ../secrets/nats/tls/ca.pem
${['workload-generator', 'scheduler', 'metrics-store', ...clusterIds.map((id) => `worker-${id}`)].map((user) => `  nats-seed-${user}:\n    file: ../secrets/nats/auth/${user}.nk\n`).join('')}
volumes:
  nats-data:
  postgres-data:
  prometheus-data:
  grafana-data:
`;
}

/** The HTTP port (/health, /metrics) of each ASET service in the Compose file and the Kubernetes manifests. */
export const SERVICE_PORTS = { 'metrics-store': 8080, scheduler: 8081, 'workload-generator': 8082, worker: 8090 } as const;

function prometheusFile(s: Source, clusterIds: readonly string[]): string {
  // The workers' own series carry their cluster label; a target label would clash with it.
  const workers = clusterIds.map((id) => `          - "worker-${id}:${SERVICE_PORTS.worker}"`).join('\n');
  return `${renderedNote(s)}
#
# Prometheus for infra/compose/compose.yaml: scrapes every ASET service there (/metrics), and the
# Pushgateway, where each workload generator pushes its final metrics before it exits
# (PUSHGATEWAY_URL). Grafana (infra/grafana) reads it. On Kubernetes, use prometheus-k8s.yml.
# Check it with: promtool check config infra/prometheus/prometheus.yml

global:
  scrape_interval: 5s
  evaluation_interval: 5s

scrape_configs:
  - job_name: aset-metrics-store
    static_configs:
      - targets: ["metrics-store:${SERVICE_PORTS['metrics-store']}"]
  - job_name: aset-scheduler
    static_configs:
      - targets: ["scheduler:${SERVICE_PORTS.scheduler}"]
  # One target per cluster of ${s.file} (the worker-<cluster> services).
  - job_name: aset-worker
    static_configs:
      - targets:
${workers}
  # Up only while a run lasts (a one-shot service); its final metrics stay on the Pushgateway.
  - job_name: aset-workload-generator
    static_configs:
      - targets: ["workload-generator:${SERVICE_PORTS['workload-generator']}"]
  # The pushed groups keep their own job and run_id/part labels.
  - job_name: pushgateway
    honor_labels: true
    static_configs:
      - targets: ["pushgateway:9091"]
`;
}

function configFile(s: Source): string {
  return `# Settings shared by every ASET service (envFrom in each Deployment and in the Job).
${renderedNote(s)}
# SCENARIO_FILE and MODELS_MANIFEST are paths inside the image (relative to /app). Every service
# must read the same scenario, and kustomization.yaml lists one worker per cluster of it: for
# another scenario, render again with it. To run one without rebuilding the image, keep it in the
# repository (e.g. scenarios/custom/lab.yaml), render with that file, and mount it from a
# ConfigMap at the same path under /app (e.g. at /app/scenarios/custom).
apiVersion: v1
kind: ConfigMap
metadata:
  name: aset-config
  namespace: aset
  labels:
    app.kubernetes.io/part-of: aset
data:
  NATS_PREFIX: aset
  SCENARIO_FILE: ${s.file}
  MODELS_MANIFEST: models/manifest.json
  # The hub NATS of this namespace. A worker Deployment that runs at an edge site next to a NATS
  # leaf node overrides NATS_URL with its local leaf node (see the comments in worker-*.yaml).
  NATS_URL: nats://nats:4222
  # Over TLS, each service as its own NATS user: every Deployment mounts its own nkey seed and the
  # CA at /etc/aset/nats (Secrets nats-seeds and nats-tls; see infra/README.md).
  NATS_NKEY_SEED_FILE: /etc/aset/nats/nats.nk
  NATS_TLS_CA: /etc/aset/nats/ca.pem
  # The services bind 127.0.0.1 by default; probes and Services need all interfaces.
  HTTP_HOST: 0.0.0.0
  LOG_FORMAT: json
  LOG_LEVEL: log
`;
}

function kustomizationFile(s: Source, clusterIds: readonly string[]): string {
  return `# ASET on Kubernetes: kubectl apply -k infra/k8s
# (then, per run: kubectl create -f infra/k8s/workload-generator.job.yaml)
${renderedNote(s)}
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization

namespace: aset

resources:
  - namespace.yaml
  - config.yaml
  # PLACEHOLDER credentials: edit before applying (see the file).
  - db-secret.yaml
  - nats.yaml
  # In-cluster PostgreSQL; remove for a managed database (DATABASE_URL in db-secret.yaml).
  - postgres.yaml
  - metrics-store.yaml
  - scheduler.yaml
  # One worker Deployment per cluster of ${s.file}, rendered with this file.
${clusterIds.map((id) => `  - ${workerFileName(id)}\n`).join('')}  # Not listed: workload-generator.job.yaml (one Job per run, created with kubectl create).

# The ASET image built by infra/compose/Dockerfile. aset:local works where the nodes see local
# images (kind load docker-image aset:local, minikube image load aset:local); otherwise push it
# to a registry and set it here, e.g. newName: registry.example.org/aset, newTag: "0.1.0".
images:
  - name: aset
    newName: aset
    newTag: local
`;
}

function workerFile(s: Source, id: string): string {
  const v = scalar(id);
  return `# Worker of cluster ${id} of ${s.file}: one Deployment per cluster of the
# scenario, all listed in kustomization.yaml. CLUSTER_ID must name a cluster of the scenario.
${renderedNote(s)}
#
# Replicas of one cluster share its queue group (worker-<CLUSTER_ID>), so NATS spreads that
# cluster's queries over them. Each replica serves the cluster's \`slots\` from the scenario, so
# the real capacity is replicas x slots, while the scheduler sums their heartbeats into one
# cluster: keep replicas: 1 when runs must match the scenario's capacity model.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: worker-${id}
  namespace: aset
  labels:
    app.kubernetes.io/name: worker
    app.kubernetes.io/instance: worker-${id}
    app.kubernetes.io/part-of: aset
    aset.io/cluster: ${v}
spec:
  replicas: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: worker
      aset.io/cluster: ${v}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: worker
        app.kubernetes.io/instance: worker-${id}
        app.kubernetes.io/part-of: aset
        aset.io/cluster: ${v}
    spec:
      # The image runs as \`node\` (uid 1000): the NATS credential files are readable by its group.
      securityContext:
        fsGroup: 1000
      # Distributed testbed: pin the worker to the nodes of its edge site, e.g.
      # nodeSelector:
      #   aset.io/site: ${id}
      terminationGracePeriodSeconds: 30
      containers:
        - name: worker
          image: aset:local
          imagePullPolicy: IfNotPresent
          command: ["node", "apps/worker/dist/main.js"]
          envFrom:
            - configMapRef:
                name: aset-config
          env:
            - name: CLUSTER_ID
              value: ${v}
            - name: HTTP_PORT
              value: "8090"
            - name: INFERENCE_THREADS
              value: "1"
            - name: HEARTBEAT_MS
              value: "500"
            # Unique per pod: shows which replica sent a heartbeat.
            - name: INSTANCE_ID
              valueFrom:
                fieldRef:
                  fieldPath: metadata.name
            # Distributed testbed: connect to the NATS leaf node of this edge site instead of the
            # hub (infra/nats/leaf-edge.conf; this overrides NATS_URL from aset-config). E.g. with
            # the leaf node running on each edge host (systemd, or a hostNetwork DaemonSet):
            # - name: NODE_IP
            #   valueFrom:
            #     fieldRef:
            #       fieldPath: status.hostIP
            # - name: NATS_URL
            #   value: nats://$(NODE_IP):4222
          ports:
            - name: http
              containerPort: 8090
          # Loading the ONNX models takes a few seconds; /health is 200 once NATS is connected.
          startupProbe:
            httpGet:
              path: /health
              port: http
            periodSeconds: 2
            failureThreshold: 90
          readinessProbe:
            httpGet:
              path: /health
              port: http
            periodSeconds: 5
            timeoutSeconds: 3
            failureThreshold: 2
          livenessProbe:
            httpGet:
              path: /health
              port: http
            periodSeconds: 10
            timeoutSeconds: 5
            failureThreshold: 6
          # No CPU limit on purpose: CFS throttling would add latency that the scenario does not
          # model. For strict isolation use whole CPUs with limits equal to requests.
          resources:
            requests:
              cpu: 500m
              memory: 256Mi
            limits:
              memory: 512Mi
          volumeMounts:
            - name: nats-credentials
              mountPath: /etc/aset/nats
              readOnly: true
      # NATS_NKEY_SEED_FILE and NATS_TLS_CA of aset-config point here: this worker's own nkey seed
      # (Secret nats-seeds, key worker-${id}.nk) and the CA (Secret nats-tls); see infra/README.md.
      volumes:
        - name: nats-credentials
          projected:
            defaultMode: 0440
            sources:
              - secret:
                  name: nats-seeds
                  items:
                    - key: worker-${id}.nk
                      path: nats.nk
              - secret:
                  name: nats-tls
                  items:
                    - key: ca.pem
                      path: ca.pem
`;
}
