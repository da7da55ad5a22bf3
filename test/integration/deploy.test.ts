import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { parseDuration } from '../../src/core/duration.js';
import { FINDING_IDS } from '../../src/finding.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { METRIC_NAMES } from '../../src/web/metrics.js';
import { AlertRules, DaemonSet, GrafanaDashboard, K8sObject, K8sService, ScrapeConfigs } from '../support/deploy-schemas.js';
import { dockerIgnored, execForm, parseDockerfile, type DockerStage } from '../support/dockerfile-model.js';
import { labelValues, metricNames } from '../support/promql-names.js';
import { freshVolume, layOutImage, ownershipOf, runImageInNetns, workdirOf, type ImageRun } from '../support/image-run.js';
import { runCommand, type CommandResult } from '../support/run-command.js';
import { runCli } from '../support/run-cli.js';

// deploy/ checked by the tools that will read it: the docker CLI renders the stack, a
// sandbox swarm runs `docker stack deploy` and doctor judges the result, promtool checks
// and unit-tests the rules, the Compose Specification's own JSON Schema checks the
// compose file, and the image's command runs from the image's file layout against a
// sandbox engine (as the image's user, and as the manifests' capability-less root) and
// answers its own HEALTHCHECK. What no tool here can read (the DaemonSet, the dashboard)
// is held to the fields the agent depends on; every file may name only the metrics
// src/web/metrics.ts exports, and each runs the agent with the command the run tests use.
// The image itself is not built: no registry is reachable for node:20-bookworm-slim.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const at = (...p: string[]) => join(ROOT, ...p);
const read = (...p: string[]) => readFileSync(at(...p), 'utf8');
const yamlFile = (...p: string[]): unknown => parseYaml(read(...p));
const EXPECTED_CMD = ['agent', '--listen', '0.0.0.0:9476', '--host-root', '/host', '--db', '/var/lib/dockwarden/dockwarden.db'];
const ALLOWED_METRICS = new Set<string>([...METRIC_NAMES, 'up']);

const tmpDirs: string[] = [];
function tmp(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `dw-deploy-${prefix}-`));
  tmpDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
});

/** `docker stack config` with no engine and no ~/.docker: it must not need either. */
function stackConfig(file: string): Promise<CommandResult> {
  const config = tmp('docker-config');
  return runCommand('docker', ['stack', 'config', '-c', file], {
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', DOCKER_HOST: 'unix:///nonexistent/docker.sock', DOCKER_CONFIG: config },
  });
}

const dockerfile = parseDockerfile(read('deploy', 'Dockerfile'));
const [buildStage, finalStage] = dockerfile.stages as [DockerStage, DockerStage];
const inStage = (stage: DockerStage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword);
const only = <T>(items: T[], what: string): T => {
  expect(items, what).toHaveLength(1);
  return items[0] as T;
};

describe('deploy/Dockerfile, checked statically (not built: no registry is reachable here)', () => {
  it('parses without a diagnostic into a build stage and a runtime stage, both node:20-bookworm-slim', () => {
    expect(dockerfile.diagnostics).toEqual([]);
    expect(dockerfile.stages.map((s) => [s.name, s.image])).toEqual([
      ['build', 'node:20-bookworm-slim'],
      [null, 'node:20-bookworm-slim'],
    ]);
  });

  it('builds with npm ci (never npm install), compilers only in the build stage, devDependencies pruned', () => {
    const runs = (stage: DockerStage) => inStage(stage, 'RUN').map((r) => r.args);
    const build = runs(buildStage).join('\n');
    for (const tool of ['python3', 'make', 'g\\+\\+']) expect(build).toMatch(new RegExp(`apt-get install [^\\n]*\\b${tool}`));
    expect(build).toMatch(/\bnpm ci\b/);
    expect(build).toMatch(/\bnpm run build\b/);
    expect(build).toMatch(/\bnpm prune --omit=dev\b/);
    for (const line of [...runs(buildStage), ...runs(finalStage)]) expect(line).not.toMatch(/\bnpm (install|i|add)\b/);
    expect(runs(finalStage).join('\n')).not.toMatch(/apt-get|g\+\+|python3|\bnpm\b/);
    // The TypeScript build needs the sources: it must come after they are copied.
    const order = buildStage.instructions.map((i) => `${i.keyword} ${i.args}`);
    expect(order.findIndex((l) => /npm run build/.test(l))).toBeGreaterThan(order.findIndex((l) => /^COPY src\b/.test(l)));
    expect(dockerfile.stages.flatMap((s) => inStage(s, 'ADD'))).toEqual([]);
  });

  it('runs as a non-root user, exposes 9476, checks /healthz and starts `dockwarden agent` as documented', () => {
    const user = inStage(finalStage, 'USER').at(-1)?.args;
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    expect(only(inStage(finalStage, 'EXPOSE'), 'EXPOSE').words).toEqual(['9476']);
    const health = only(inStage(finalStage, 'HEALTHCHECK'), 'HEALTHCHECK');
    expect(health.flags).toMatchObject({ interval: expect.any(String), timeout: expect.any(String), 'start-period': expect.any(String), retries: expect.any(String) });
    expect(execForm(health).join(' ')).toMatch(/http:\/\/127\.0\.0\.1:9476\/healthz/);
    expect(execForm(only(inStage(finalStage, 'ENTRYPOINT'), 'ENTRYPOINT'))).toEqual(['dockwarden']);
    expect(execForm(only(inStage(finalStage, 'CMD'), 'CMD'))).toEqual(EXPECTED_CMD);
  });

  it('copies only paths that exist and .dockerignore lets through, and everything package.json ships', () => {
    const ignore = read('.dockerignore').split('\n');
    const buildDir = workdirOf(buildStage);
    const finalDir = workdirOf(finalStage);
    const copied: string[] = [];
    for (const stage of [buildStage, finalStage]) {
      for (const copy of inStage(stage, 'COPY')) {
        const sources = copy.words.slice(0, -1);
        const from = copy.flags['from'];
        for (const source of sources) {
          // From the build stage: a path under its WORKDIR, i.e. the same path in the context.
          const rel = from === 'build' ? posix.relative(buildDir, source) : source;
          expect(from === undefined || from === 'build', `COPY --from=${from}`).toBe(true);
          expect(rel.startsWith('..'), `${source} is outside ${buildDir}`).toBe(false);
          if (stage === finalStage) copied.push(posix.normalize(rel));
          // node_modules and dist/ are made in the build stage (npm ci, tsc), not copied in.
          if (rel === 'node_modules' || rel === 'dist') continue;
          expect(existsSync(at(rel)), `COPY ${source}: ${rel} is not in the repository`).toBe(true);
          if (from === undefined) expect(dockerIgnored(rel, ignore), `${rel} is excluded by .dockerignore`).toBe(false);
        }
      }
    }
    // dist/ is what tsc writes: the build config must put it there.
    expect((JSON.parse(read('tsconfig.build.json')) as { compilerOptions: { outDir: string } }).compilerOptions.outDir).toBe('dist');
    const pkg = JSON.parse(read('package.json')) as { files: string[]; bin: Record<string, string>; type: string };
    expect(pkg.type).toBe('module');
    expect(copied).toEqual(expect.arrayContaining(['package.json', 'node_modules', ...pkg.files]));
    // ENTRYPOINT dockwarden is a link to package.json's bin, which must be executable.
    expect(
      inStage(finalStage, 'RUN')
        .map((r) => r.args)
        .join('\n'),
    ).toContain(`ln -s ${posix.join(finalDir, pkg.bin['dockwarden'] as string)} /usr/local/bin/dockwarden`);
    expect(statSync(at(pkg.bin['dockwarden'] as string)).mode & 0o111).not.toBe(0);
  });

  it('needs at run time only what `npm prune --omit=dev` keeps: dist/ imports no devDependency', () => {
    expect(existsSync(at('dist', 'cli', 'main.js')), 'dist/ is missing: npm run build').toBe(true);
    const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string> };
    const imported = new Set<string>();
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.js')) {
          for (const m of readFileSync(p, 'utf8').matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g)) {
            const spec = m[1] as string;
            if (spec.startsWith('.') || spec.startsWith('node:')) continue;
            imported.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] as string));
          }
        }
      }
    };
    walk(at('dist'));
    expect(imported.size).toBeGreaterThan(3);
    expect([...imported].filter((name) => !(name in pkg.dependencies))).toEqual([]);
  });
});

describe('deploy/docker-compose.yml', () => {
  const compose = yamlFile('deploy', 'docker-compose.yml') as Record<string, unknown>;

  it('is valid against the Compose Specification JSON Schema (the docker compose plugin is not installed here)', () => {
    // Draft-07, Ajv's default; its `$schema` spells the meta-schema's URL in a way Ajv does not know.
    const { $schema: _draft, ...schema } = JSON.parse(read('test', 'fixtures', 'compose-spec', 'compose-spec.json')) as Record<string, unknown>;
    const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
    expect(validate(compose), JSON.stringify(validate.errors, null, 2)).toBe(true);
    // The schema is live: a misspelt key fails it.
    const services = compose['services'] as Record<string, Record<string, unknown>>;
    expect(validate({ ...compose, services: { agent: { ...services['agent'], restart_policy: 'always' } } })).toBe(false);
  });

  it('runs the image the Dockerfile builds: token required, socket and / read-only, a named volume for the store, no host PID or network', () => {
    const services = compose['services'] as Record<string, Record<string, unknown>>;
    const agent = services['agent'] as Record<string, unknown>;
    const build = agent['build'] as { context: string; dockerfile: string };
    expect(build.dockerfile).toBe('deploy/Dockerfile');
    expect(join(at('deploy'), build.context, build.dockerfile)).toBe(at('deploy', 'Dockerfile'));
    expect(agent['restart']).toBe('unless-stopped');
    expect((agent['environment'] as Record<string, string>)['DOCKWARDEN_TOKEN']).toMatch(/^\$\{DOCKWARDEN_TOKEN:\?.+\}$/);
    expect(agent['group_add']).toEqual([expect.stringMatching(/^\$\{DOCKER_GID:\?.+\}$/)]);
    expect(agent['pid']).toBeUndefined();
    expect(agent['network_mode']).toBeUndefined();
    expect(agent['command']).toBeUndefined();
    const volumes = agent['volumes'] as { type: string; source: string; target: string; read_only?: boolean }[];
    expect(volumes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'bind', source: '/var/run/docker.sock', target: '/var/run/docker.sock', read_only: true }),
        expect.objectContaining({ type: 'bind', source: '/', target: '/host', read_only: true }),
        expect.objectContaining({ type: 'volume', source: 'data', target: '/var/lib/dockwarden' }),
      ]),
    );
    expect(Object.keys(compose['volumes'] as object)).toContain('data');
    expect(agent['ports']).toEqual(['${DOCKWARDEN_PUBLISH:-127.0.0.1}:9476:9476']);
    expect(agent['deploy']).toMatchObject({ resources: { limits: { cpus: expect.any(String), memory: expect.any(String) } } });
  });
});

describe('deploy/swarm-stack.yml', () => {
  it('renders with `docker stack config` (no engine needed): global, rollback on failure, stop-first, monitor past the health check', async () => {
    const r = await stackConfig(at('deploy', 'swarm-stack.yml'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const service = (parseYaml(r.stdout) as { services: Record<string, Record<string, any>> }).services['agent'] as Record<string, any>;
    const deploy = service['deploy'];
    expect(deploy.mode).toBe('global');
    expect(deploy.update_config).toMatchObject({ parallelism: 1, order: 'stop-first', failure_action: 'rollback' });
    expect(deploy.rollback_config).toMatchObject({ parallelism: 1, order: 'stop-first' });
    // A task that turns unhealthy within `monitor` fails the update; it must be able to.
    const hc = service['healthcheck'];
    const latestUnhealthy = parseDuration(hc.start_period, 'start_period') + parseDuration(hc.interval, 'interval') * hc.retries;
    for (const cfg of [deploy.update_config, deploy.rollback_config]) expect(parseDuration(cfg.monitor, 'monitor')).toBeGreaterThan(latestUnhealthy);
    expect(hc.test.join(' ')).toMatch(/127\.0\.0\.1:9476\/healthz/);
    expect(deploy.resources.limits).toMatchObject({ cpus: expect.any(String), memory: expect.any(String) });
    expect(service['ports']).toEqual([{ mode: 'host', target: 9476, published: 9476, protocol: 'tcp' }]);
    expect(service['command']).toEqual(EXPECTED_CMD);
    expect(service['secrets']).toEqual([{ source: 'dockwarden_token' }]);
  });

  it('is really validated by `docker stack config`: a misspelt key fails it', async () => {
    const dir = tmp('stack');
    writeFileSync(join(dir, 'stack.yml'), read('deploy', 'swarm-stack.yml').replace('failure_action: rollback', 'failure_acton: rollback'));
    const r = await stackConfig(join(dir, 'stack.yml'));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/failure_acton/);
  });

  it('hands the swarm secret to the agent as DOCKWARDEN_TOKEN, and the command as its arguments', async () => {
    const rendered = parseYaml((await stackConfig(at('deploy', 'swarm-stack.yml'))).stdout) as { services: { agent: { entrypoint: string[]; command: string[] } } };
    const { entrypoint, command } = rendered.services.agent;
    const dir = tmp('entrypoint');
    mkdirSync(join(dir, 'bin'));
    writeFileSync(join(dir, 'bin', 'dockwarden'), '#!/bin/sh\necho "token=$DOCKWARDEN_TOKEN"\nfor a in "$@"; do echo "arg=$a"; done\n');
    chmodSync(join(dir, 'bin', 'dockwarden'), 0o755);
    writeFileSync(join(dir, 'token'), 's3cret');
    const script = entrypoint.map((part) => part.replace('/run/secrets/dockwarden_token', join(dir, 'token')));
    const env = { PATH: `${join(dir, 'bin')}:/usr/bin:/bin` };
    const ok = await runCommand(script[0] as string, [...script.slice(1), ...command], { env });
    expect(ok.stdout.trim().split('\n')).toEqual(['token=s3cret', ...command.map((a) => `arg=${a}`)]);
    // No secret mounted: stop, rather than start an agent that refuses 0.0.0.0 anyway.
    rmSync(join(dir, 'token'));
    const missing = await runCommand(script[0] as string, [...script.slice(1), ...command], { env });
    expect(missing.code).not.toBe(0);
    expect(missing.stdout).toBe('');
  });
});

describe('deploy/kubernetes/daemonset.yaml', () => {
  const raw = parseAllDocuments(read('deploy', 'kubernetes', 'daemonset.yaml')).map((d) => d.toJS() as unknown);
  const docs = raw.map((d) => K8sObject.parse(d));
  const daemonSet = DaemonSet.parse(raw[docs.findIndex((d) => d.kind === 'DaemonSet')]);
  const pod = daemonSet.spec.template;
  const container = pod.spec.containers[0] as (typeof pod.spec.containers)[number];

  it('holds a Namespace, a ServiceAccount, the DaemonSet and a headless Service, in one namespace, namespace first', () => {
    expect(docs.map((d) => `${d.apiVersion} ${d.kind}`)).toEqual(['v1 Namespace', 'v1 ServiceAccount', 'apps/v1 DaemonSet', 'v1 Service']);
    const ns = docs[0]?.metadata.name;
    expect(docs.slice(1).map((d) => d.metadata.namespace)).toEqual([ns, ns, ns]);
    expect(pod.spec.serviceAccountName).toBe(docs[1]?.metadata.name);
    const service = K8sService.parse(raw[3]);
    expect(service.spec.clusterIP).toBe('None');
    expect(pod.metadata.labels).toMatchObject(service.spec.selector);
    expect(container.ports.map((p) => p.name)).toContain(service.spec.ports[0]?.targetPort);
  });

  it('selects its own pods, runs the image CMD with the token from a Secret, probes /healthz on 9476, sets limits', () => {
    expect(pod.metadata.labels).toMatchObject(daemonSet.spec.selector.matchLabels);
    expect(container.args).toEqual(EXPECTED_CMD);
    expect(container.env).toEqual([{ name: 'DOCKWARDEN_TOKEN', valueFrom: { secretKeyRef: { name: 'dockwarden-token', key: 'token' } } }]);
    for (const probe of [container.livenessProbe, container.readinessProbe]) expect(probe.httpGet).toEqual({ path: '/healthz', port: 9476 });
    expect(container.ports).toContainEqual(expect.objectContaining({ containerPort: 9476 }));
    expect(container.resources.limits.memory).toMatch(/^\d+(Mi|Gi)$/);
    expect(container.resources.limits.cpu).toMatch(/^\d+m?$/);
    expect(pod.metadata.annotations).toMatchObject({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9476', 'prometheus.io/path': '/metrics' });
  });

  it('mounts the host read-only (socket, /, the data root), writes only its store, and is as tight as a socket holder can be', () => {
    const volumes = new Map(pod.spec.volumes.map((v) => [v.name, v]));
    const mounts = new Map(container.volumeMounts.map((m) => [volumes.get(m.name)?.hostPath?.path ?? `(${m.name})`, m]));
    expect(container.volumeMounts.every((m) => volumes.has(m.name))).toBe(true);
    expect(mounts.get('/var/run/docker.sock')).toMatchObject({ mountPath: '/var/run/docker.sock', readOnly: true });
    expect(mounts.get('/')).toMatchObject({ mountPath: '/host', readOnly: true });
    expect(mounts.get('/var/lib/docker')).toMatchObject({ mountPath: '/host/var/lib/docker', readOnly: true });
    expect(volumes.get('docker-sock')?.hostPath?.type).toBe('Socket');
    // Every hostPath but the agent's own store is read-only.
    const writable = container.volumeMounts.filter((m) => volumes.get(m.name)?.hostPath && !m.readOnly).map((m) => volumes.get(m.name)?.hostPath?.path);
    expect(writable).toEqual(['/var/lib/dockwarden']);
    expect(container.securityContext.capabilities).toEqual({ drop: ['ALL'] });
    expect([pod.spec.hostNetwork, pod.spec.hostPID, pod.spec.hostIPC]).not.toContain(true);
    expect(pod.spec.tolerations).toContainEqual({ operator: 'Exists' });
  });
});

describe('deploy/prometheus', () => {
  const promtool = (args: string[], cwd?: string) => runCommand('promtool', args, { cwd, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' } });
  const rules = AlertRules.parse(yamlFile('deploy', 'prometheus', 'alerts.yml')).groups.flatMap((g) => g.rules);
  const rule = (name: string) => rules.find((r) => r.alert === name);

  it('promtool check rules accepts alerts.yml', async () => {
    const r = await promtool(['check', 'rules', at('deploy', 'prometheus', 'alerts.yml')]);
    expect(r.stdout + r.stderr).toMatch(/SUCCESS: 7 rules found/);
    expect(r.code).toBe(0);
  });

  it('promtool check config accepts prometheus.yml, its rule file and token file resolved beside it', async () => {
    const dir = tmp('prometheus');
    for (const f of ['prometheus.yml', 'alerts.yml']) cpSync(at('deploy', 'prometheus', f), join(dir, f));
    writeFileSync(join(dir, 'dockwarden.token'), 'token\n');
    const r = await promtool(['check', 'config', join(dir, 'prometheus.yml')]);
    expect(r.stdout + r.stderr).toMatch(/SUCCESS: 1 rule files found/);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    // The check is real: without the token file the config is refused.
    rmSync(join(dir, 'dockwarden.token'));
    expect((await promtool(['check', 'config', join(dir, 'prometheus.yml')])).code).not.toBe(0);
  });

  it('promtool test rules: the forecast alert fires under 6 h, the drift alert on its finding series', async () => {
    const r = await promtool(['test', 'rules', 'alerts.test.yml'], at('deploy', 'prometheus'));
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/SUCCESS/);
    const tests = (yamlFile('deploy', 'prometheus', 'alerts.test.yml') as { tests: { alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[] }).tests;
    const firing = new Set(tests.flatMap((t) => t.alert_rule_test.filter((a) => a.exp_alerts.length > 0).map((a) => a.alertname)));
    expect([...firing]).toEqual(expect.arrayContaining(['DockwardenDiskFullWithin6h', 'DockwardenDataRootDrift']));
  });

  it('alerts use only metrics the agent exports and finding ids doctor has, and cover what an operator must hear', () => {
    for (const r of rules) {
      for (const name of metricNames(r.expr)) expect(ALLOWED_METRICS.has(name), `${r.alert}: ${name} is not exported`).toBe(true);
      for (const id of labelValues(r.expr, 'id')) expect(FINDING_IDS as readonly string[]).toContain(id);
    }
    expect(rule('DockwardenDiskFullWithin24h')?.expr).toBe('dockwarden_fs_full_seconds < 24 * 3600');
    expect(rule('DockwardenDiskFullWithin6h')?.expr).toBe('dockwarden_fs_full_seconds < 6 * 3600');
    expect(rule('DockwardenDataRootDrift')?.expr).toContain('dockwarden_finding{id="data-root.drift"}');
    expect(rule('DockwardenThinPoolSpaceLow')?.expr).toContain('dockwarden_finding{id="thinpool.space-low"}');
    expect(rule('DockwardenEngineDown')?.expr).toBe('dockwarden_engine_up == 0');
    expect(rule('DockwardenDiskUsageHigh')?.expr).toMatch(/dockwarden_fs_used_bytes \/ dockwarden_fs_size_bytes >/);
    // The agent-down rule watches every job that scrapes agents.
    const jobRegex = /job=~"([^"]+)"/.exec(rule('DockwardenAgentDown')?.expr ?? '')?.[1] ?? '(none)';
    const jobs = [
      ...ScrapeConfigs.parse(yamlFile('deploy', 'prometheus', 'prometheus.yml')).scrape_configs,
      ...ScrapeConfigs.parse(yamlFile('deploy', 'prometheus', 'scrape-kubernetes.yml')).scrape_configs,
    ].map((j) => j.job_name);
    expect(jobs.length).toBeGreaterThanOrEqual(4);
    for (const job of jobs) expect(job).toMatch(new RegExp(`^(?:${jobRegex})$`));
  });

  it('scrapes exactly what deploy/ runs: the DaemonSet pods, the stack label and port, with the bearer token', () => {
    const docs = parseAllDocuments(read('deploy', 'kubernetes', 'daemonset.yaml')).map((d) => d.toJS() as Record<string, any>);
    const ds = DaemonSet.parse(docs.find((d) => d['kind'] === 'DaemonSet'));
    const [k8s] = ScrapeConfigs.parse(yamlFile('deploy', 'prometheus', 'scrape-kubernetes.yml')).scrape_configs;
    const sd = k8s?.kubernetes_sd_configs?.[0];
    expect(sd?.namespaces.names).toEqual([ds.metadata.namespace]);
    const [key, value] = (sd?.selectors[0]?.label ?? '').split('=');
    expect(ds.spec.template.metadata.labels[key as string]).toBe(value);
    const keep = (label: string) => k8s?.relabel_configs?.find((r) => r.action === 'keep' && r.source_labels[0] === label)?.regex;
    expect(keep('__meta_kubernetes_pod_annotation_prometheus_io_scrape')).toBe(ds.spec.template.metadata.annotations['prometheus.io/scrape']);
    expect(keep('__meta_kubernetes_pod_container_port_number')).toBe('9476');

    const stack = yamlFile('deploy', 'swarm-stack.yml') as { services: { agent: { deploy: { labels: Record<string, string> } } } };
    const prom = yamlFile('deploy', 'prometheus', 'prometheus.yml') as { scrape_configs: Record<string, any>[] };
    const swarm = prom.scrape_configs.find((j) => j['job_name'] === 'dockwarden-swarm') as Record<string, any>;
    const [labelKey, labelValue] = Object.entries(stack.services.agent.deploy.labels)[0] as [string, string];
    const labelMeta = `__meta_dockerswarm_service_label_${labelKey.replace(/[^A-Za-z0-9_]/g, '_')}`;
    expect(swarm['relabel_configs']).toContainEqual({ source_labels: [labelMeta], regex: labelValue, action: 'keep' });
    const dns = prom.scrape_configs.find((j) => j['job_name'] === 'dockwarden-swarm-dns') as Record<string, any>;
    expect(dns['dns_sd_configs'][0]).toMatchObject({ names: ['tasks.dockwarden_agent'], port: 9476 });
    for (const job of prom.scrape_configs) expect(job['authorization']).toEqual({ type: 'Bearer', credentials_file: 'dockwarden.token' });
  });
});

describe('deploy/grafana/dockwarden.json', () => {
  const raw = JSON.parse(read('deploy', 'grafana', 'dockwarden.json')) as unknown;
  const dashboard = GrafanaDashboard.parse(raw);

  it('imports anywhere: a DS_PROMETHEUS input, an instance variable, unique panel ids, panels on the grid without overlap', () => {
    expect(dashboard.__inputs).toEqual([expect.objectContaining({ name: 'DS_PROMETHEUS', pluginId: 'prometheus' })]);
    expect(dashboard.schemaVersion).toBe(39);
    const variable = dashboard.templating.list.find((v) => v.name === 'instance');
    expect(variable?.definition).toMatch(/^label_values\(dockwarden_\w+, instance\)$/);
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
    const cells = new Set<string>();
    for (const { gridPos: g, title } of dashboard.panels) {
      expect(g.x + g.w, title).toBeLessThanOrEqual(24);
      for (let x = g.x; x < g.x + g.w; x++) {
        for (let y = g.y; y < g.y + g.h; y++) {
          expect(cells.has(`${x},${y}`), `${title} overlaps another panel at ${x},${y}`).toBe(false);
          cells.add(`${x},${y}`);
        }
      }
    }
  });

  it('queries only metrics the agent exports (or up), each filtered by $instance, and shows every one of them', () => {
    const shown = new Set<string>();
    for (const panel of dashboard.panels) {
      for (const { expr } of panel.targets) {
        expect(expr, panel.title).toContain('instance=~"$instance"');
        for (const name of metricNames(expr)) {
          expect(ALLOWED_METRICS.has(name), `${panel.title}: ${name} is not exported by the agent`).toBe(true);
          shown.add(name);
        }
      }
    }
    expect([...METRIC_NAMES].filter((m) => !shown.has(m))).toEqual([]);
  });

  it('(the name check itself) finds metrics and skips functions, labels, ranges and variables', () => {
    expect(metricNames('rate(dockwarden_gc_deleted_bytes_total{instance=~"$instance"}[$__rate_interval])')).toEqual(['dockwarden_gc_deleted_bytes_total']);
    expect(metricNames('max by (instance, id) (dockwarden_finding{id="a"}) / on(instance) group_left dockwarden_fs_free_bytes offset 5m')).toEqual(['dockwarden_finding', 'dockwarden_fs_free_bytes']);
    expect(metricNames('100 * x / y > bool 0.9 and up')).toEqual(['up', 'x', 'y']);
  });
});

describe('the image, run from its file layout against a sandbox engine', () => {
  // Ids in the official node images: the `node` user the Dockerfile's USER names, root's group.
  const IDS: Record<string, number> = { node: 1000, root: 0 };
  let sandbox: Sandbox;
  let layout: string;
  let hostRoot: string;
  let socketGid: number;

  /** The image's CMD with the container's paths mapped to this machine's: / for /host, a new volume for the store. */
  function imageCmd(): string[] {
    const store = ownershipOf(dockerfile, '/var/lib/dockwarden');
    expect(store, 'the Dockerfile sets no owner and mode on /var/lib/dockwarden').not.toBeNull();
    const volume = freshVolume(tmp('volumes'), IDS[store?.user ?? ''] ?? NaN, IDS[store?.group ?? ''] ?? NaN, store?.mode ?? 0);
    return execForm(only(inStage(finalStage, 'CMD'), 'CMD')).map((a) => (a === '/host' ? hostRoot : a.startsWith('/var/lib/dockwarden/') ? join(volume, posix.basename(a)) : a));
  }

  /** argv that runs the entrypoint (the bin its symlink points at) with the given credentials. */
  const entrypoint = (credentials: string[], args: string[]) => ['setpriv', ...credentials, '--', process.execPath, join(layout, 'bin', 'dockwarden.js'), '--host', sandbox.dockerHost, ...args];
  /** USER node, plus --group-add <the socket's group> when `withSocketGroup`. */
  const imageUser = (withSocketGroup: boolean) => [`--reuid=${IDS['node']}`, `--regid=${IDS['node']}`, withSocketGroup ? `--groups=${socketGid}` : '--clear-groups'];
  /** `user: "0"` with `cap_drop: [ALL]`, as swarm-stack.yml and the DaemonSet run it. */
  const rootWithoutCapabilities = ['--bounding-set=-all', '--inh-caps=-all'];
  const env = (extra: Record<string, string> = {}) => ({ PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: '/nonexistent-home', ...extra });

  function expectHealthyAgent(out: ImageRun): void {
    expect(out.before, 'the healthcheck passed with no agent running').not.toBe(0);
    expect(out.after, out.log).toBe(0);
    expect(out.anonymous).toBe(401);
    expect(out.status).toBe(200);
    expect(out.metrics).toMatch(/^dockwarden_engine_up 1$/m);
    expect(out.metrics).toMatch(/^dockwarden_fs_size_bytes\{fs="data-root",mountpoint="[^"]+"\} \d+/m);
    for (const name of METRIC_NAMES) expect(out.metrics).toContain(`# TYPE ${name} `);
    expect(out.code, out.log).toBe(0);
  }

  beforeAll(async () => {
    sandbox = await startSandbox({ fs: 'ext4', sizeMb: 512 });
    // The sandbox keeps its socket in a root-only directory; a host's /var/run is open to
    // all, and the socket's own mode decides, as on a host.
    chmodSync(sandbox.dir, 0o711);
    socketGid = statSync(sandbox.dockerHost.replace(/^unix:\/\//, '')).gid;
    layout = layOutImage(dockerfile, ROOT, tmp('image'));
    const hostRootDir = tmp('hostroot');
    chmodSync(hostRootDir, 0o755);
    hostRoot = join(hostRootDir, 'host');
    symlinkSync('/', hostRoot);
  }, 180_000);

  afterAll(async () => sandbox?.stop());

  it('refuses to listen on 0.0.0.0 without DOCKWARDEN_TOKEN, naming the fix', async () => {
    expect(inStage(finalStage, 'USER').at(-1)?.args).toBe('node');
    const [bin, ...args] = entrypoint(imageUser(true), imageCmd());
    const r = await runCommand(bin as string, args, { env: env(), timeoutMs: 30_000 });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/token/i);
  });

  it("as the image's user without the socket's group (--group-add), it stops at once and says what it lacks", async () => {
    const [bin, ...args] = entrypoint(imageUser(false), imageCmd());
    const r = await runCommand(bin as string, args, { env: env({ DOCKWARDEN_TOKEN: 'deploy-test-token' }), timeoutMs: 30_000 });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/Permission denied on unix:.*docker group/);
  });

  it("as the image's user with the socket's group: starts with the CMD, passes its HEALTHCHECK, exports every metric deploy/ queries", async () => {
    expectHealthyAgent(await runImageInNetns(dockerfile, entrypoint(imageUser(true), imageCmd()), env({ DOCKWARDEN_TOKEN: 'deploy-test-token' })));
  });

  it('as uid 0 without a capability (the Swarm and Kubernetes way): reaches the socket and writes its store in a new volume', async () => {
    expectHealthyAgent(await runImageInNetns(dockerfile, entrypoint(rootWithoutCapabilities, imageCmd()), env({ DOCKWARDEN_TOKEN: 'deploy-test-token' })));
  });

  it('deploys as a stack on a sandbox swarm (engine API 1.41), and doctor finds no swarm.no-rollback in it', async () => {
    const d = (args: string[], input?: string) => sandbox.docker(args, { input });
    await d(['swarm', 'init', '--advertise-addr', '127.0.0.1']);
    await d(['secret', 'create', 'dockwarden_token', '-'], 'deploy-test-token');
    await d(['stack', 'deploy', '--detach=true', '--resolve-image', 'never', '-c', at('deploy', 'swarm-stack.yml'), 'dockwarden']);
    // A service as people create it by hand: the finding's control case.
    await d(['service', 'create', '--detach', '--quiet', '--name', 'bare', 'busybox', 'sleep', '600']);
    const spec = JSON.parse((await d(['service', 'inspect', 'dockwarden_agent', '--format', '{{json .Spec}}'])).stdout) as Record<string, any>;
    expect(spec['Mode']).toEqual({ Global: {} });
    expect(spec['UpdateConfig']).toMatchObject({ Parallelism: 1, FailureAction: 'rollback', Order: 'stop-first', Monitor: 150e9 });
    expect(spec['RollbackConfig']).toMatchObject({ Parallelism: 1, Order: 'stop-first', Monitor: 150e9 });
    expect(spec['EndpointSpec']['Ports']).toEqual([{ Protocol: 'tcp', TargetPort: 9476, PublishedPort: 9476, PublishMode: 'host' }]);
    expect(spec['TaskTemplate']['ContainerSpec']).toMatchObject({ User: '0', ReadOnly: true, CapabilityDrop: ['ALL'] });
    const r = await runCli(['--host', sandbox.dockerHost, 'doctor', '--json'], { timeoutMs: 60_000 });
    const report = JSON.parse(r.stdout) as { findings: { id: string; evidence: string[] }[] };
    const evidence = report.findings.filter((f) => f.id === 'swarm.no-rollback').flatMap((f) => f.evidence);
    expect(evidence.some((e) => e.startsWith('service bare '))).toBe(true);
    expect(evidence.filter((e) => e.includes('dockwarden_agent'))).toEqual([]);
  });
});
