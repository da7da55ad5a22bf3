import { copyFile, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contextTlsDir } from '../../src/engine/docker-context.js';
import type { GcReport } from '../../src/gc/gc-report.js';
import { layoutFor } from '../../src/sandbox/options.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import type { AgentProcess } from '../support/agent-process.js';
import { eventually } from '../support/agent-process.js';
import { runCliInNetns, runInNetns, startAgentInNetns } from '../support/netns-cli.js';
import { makeOwnedDir, removeOwnedDir } from '../support/owned-dir.js';
import { startSshHost, type SshHost } from '../support/sshd.js';
import { makeTlsCerts, type TlsCerts } from '../support/tls-certs.js';

// Remote engines for real: one sandbox engine reached three ways from inside its network
// namespace — tcp:// with TLS and client certificates (DOCKER_TLS_VERIFY/DOCKER_CERT_PATH),
// a docker context made by the real docker CLI holding its own TLS files, and ssh:// through
// Debian's sshd with the system ssh client (as the docker CLI reaches it) — by doctor,
// gc --budget, the agent and fleet.
//
// The engine listens on every address of its namespace, and is addressed as 192.0.2.1
// (TEST-NET-1, added to the namespace's lo): dockwarden takes a loopback tcp:// engine for
// one on this machine (and reads this host's files for it), and this test is about an
// engine elsewhere, whose filesystem cannot be seen.

const MiB = 1024 * 1024;
const REMOTE_IP = '192.0.2.1';
const TLS_PORT = 2376;
const TLS_HOST = `tcp://${REMOTE_IP}:${TLS_PORT}`;

let sandbox: Sandbox;
let netns: string;
let dir: string;
let certs: TlsCerts;
let ssh: SshHost;
const agents: AgentProcess[] = [];
const inUse: Record<string, string> = {};

const tlsEnv = (): Record<string, string> => ({ DOCKER_HOST: TLS_HOST, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs.clientDir });
const sshEnv = (): Record<string, string> => ({ DOCKER_HOST: ssh.dockerHost, ...ssh.clientEnv });

function expectOneCleanLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^dockwarden: /);
  expect(stderr).not.toMatch(/\n\s+at |internal error/);
  return lines[0] as string;
}

interface DoctorJson {
  facts: { endpoint: string; serverVersion: string | null; dockerRootDir: string | null; dataRootFs: unknown };
  notChecked: { id: string; reason: string }[];
  gaps: string[];
}

/** doctor --json in the namespace: it diagnosed the sandbox's engine and left this host's files alone. */
async function remoteDoctor(env: Record<string, string>, endpoint: string): Promise<DoctorJson> {
  const r = await runCliInNetns(netns, ['doctor', '--json'], { env });
  expect(r.stderr).toBe('');
  expect([0, 1, 2]).toContain(r.code);
  const report = JSON.parse(r.stdout) as DoctorJson;
  expect(report.facts.endpoint).toBe(endpoint);
  expect(report.facts.dockerRootDir).toBe(sandbox.dataRoot);
  expect(report.facts.dataRootFs).toBeNull();
  expect(report.gaps).toContain(`The engine is not on this machine (${endpoint}): its filesystem and config files were not inspected; run dockwarden on that host for those checks.`);
  expect(report.notChecked.map((n) => n.id)).toEqual(expect.arrayContaining(['disk.pressure', 'data-root.on-root-fs']));
  return report;
}

async function gc(env: Record<string, string>, args: string[]): Promise<{ code: number | null; report: GcReport; stderr: string }> {
  const r = await runCliInNetns(netns, ['gc', '--json', '--min-age', '0', ...args], { env, timeoutMs: 120_000 });
  if (!r.stdout) throw new Error(`gc printed no report (exit ${r.code}): ${r.stderr}`);
  return { code: r.code, report: JSON.parse(r.stdout) as GcReport, stderr: r.stderr };
}

async function imageRefs(): Promise<string[]> {
  return (await sandbox.docker(['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}'])).stdout.split('\n').filter(Boolean).sort();
}

async function startAgent(env: Record<string, string>, port: number, budget: string): Promise<AgentProcess> {
  const agent = await startAgentInNetns(netns, `127.0.0.1:${port}`, ['--db', join(dir, `agent-${port}.db`), '--budget', budget, '--min-age', '0', '--interval', '1s', '--gc-interval', '2s'], env);
  agents.push(agent);
  return agent;
}

beforeAll(async () => {
  dir = await makeOwnedDir('dw-tls-');
  certs = await makeTlsCerts(dir, ['127.0.0.1', REMOTE_IP]);
  sandbox = await startSandbox({ fs: 'ext4', sizeMb: 512, extraArgs: certs.dockerdArgs(`0.0.0.0:${TLS_PORT}`) });
  netns = layoutFor(sandbox.dir).netnsPath;
  const added = await runInNetns(netns, 'ip', ['addr', 'add', `${REMOTE_IP}/32`, 'dev', 'lo']);
  if (added.code !== 0) throw new Error(`ip addr add failed: ${added.stderr}`);
  // Images a container refers to (running and stopped): gc must keep them whatever the budget.
  inUse['running'] = await sandbox.importImage('keep/running:1', { sizeBytes: 4 * MiB });
  await sandbox.docker(['run', '-d', '--name', 'web-1', 'keep/running:1', 'sleep', '600']);
  inUse['stopped'] = await sandbox.importImage('keep/stopped:1', { sizeBytes: 4 * MiB });
  await sandbox.docker(['create', '--name', 'batch-1', 'keep/stopped:1', 'true']);
  for (let i = 1; i <= 12; i++) await sandbox.importImage(`old/img:${i}`, { sizeBytes: 4 * MiB });
  ssh = await startSshHost({ netnsPath: netns, dockerHost: sandbox.dockerHost });
}, 180_000);

afterAll(async () => {
  await Promise.allSettled(agents.map((a) => a.stop()));
  await ssh?.stop();
  await sandbox?.stop();
  if (dir) await removeOwnedDir(dir);
});

describe('tcp:// with TLS (DOCKER_TLS_VERIFY, DOCKER_CERT_PATH)', () => {
  it('runs doctor, listing the host checks as not checked because the engine is elsewhere', async () => {
    await remoteDoctor(tlsEnv(), TLS_HOST);
  });

  it('says in one line, exit 3, that gc needs --budget for an engine whose filesystem it cannot see', async () => {
    const r = await runCliInNetns(netns, ['gc', '--dry-run'], { env: tlsEnv() });
    expect(r.code).toBe(3);
    expect(expectOneCleanLine(r.stderr)).toContain(`The engine at ${TLS_HOST} is not on this machine`);
    expect(r.stderr).toContain('give --budget SIZE');
  });

  it('deletes down to --budget, least recently used first, and keeps the images containers use', async () => {
    const before = await imageRefs();
    const { code, report } = await gc(tlsEnv(), ['--budget', '40MB']);
    expect(code).toBe(0);
    expect(report.before.imageBytes).toBeGreaterThan(40e6);
    expect(report.after.imageBytes).toBeLessThanOrEqual(40e6);
    expect(report.deleted.length).toBeGreaterThan(0);
    const after = await imageRefs();
    expect(after).toEqual(expect.arrayContaining(['keep/running:1', 'keep/stopped:1']));
    expect(after.length).toBe(before.length - report.deleted.length);
    expect(report.deleted.every((d) => d.tags.every((t) => t.startsWith('old/img:')))).toBe(true);
  });

  it('refuses a client certificate from another CA in one line, exit 3', async () => {
    const r = await runCliInNetns(netns, ['doctor'], { env: { ...tlsEnv(), DOCKER_CERT_PATH: certs.strangerDir } });
    expect(r.code).toBe(3);
    // OpenSSL's words for the alert: "sslv3 alert …" under Node 20, "ssl/tls alert …" under Node 22+.
    expect(expectOneCleanLine(r.stderr).replace('(ssl/tls alert', '(sslv3 alert')).toBe(
      `dockwarden: The engine at ${TLS_HOST} (DOCKER_TLS_VERIFY) refused the client certificate ${certs.strangerDir}/cert.pem (sslv3 alert bad certificate): it is not signed by a CA the engine trusts (dockerd --tlscacert); use the cert.pem and key.pem issued for this engine.`,
    );
  });

  it('says a client certificate is needed when DOCKER_CERT_PATH holds only ca.pem, in one line, exit 3', async () => {
    const caOnly = join(dir, 'ca-only');
    await mkdir(caOnly);
    await copyFile(certs.client.ca, join(caOnly, 'ca.pem'));
    const r = await runCliInNetns(netns, ['doctor'], { env: { ...tlsEnv(), DOCKER_CERT_PATH: caOnly } });
    expect(r.code).toBe(3);
    expect(expectOneCleanLine(r.stderr)).toContain(`requires a client certificate and ${caOnly} holds no cert.pem and key.pem`);
  });

  it('says where ca.pem was looked for when DOCKER_CERT_PATH is missing, in one line, exit 3', async () => {
    const { DOCKER_CERT_PATH: _, ...env } = tlsEnv();
    const r = await runCliInNetns(netns, ['doctor'], { env });
    expect(r.code).toBe(3);
    expect(expectOneCleanLine(r.stderr)).toBe(
      `dockwarden: TLS is on for ${TLS_HOST} (DOCKER_TLS_VERIFY, DOCKER_CERT_PATH unset) but /nonexistent-home/.docker/ca.pem cannot be read (ENOENT): set DOCKER_CERT_PATH to the directory holding ca.pem, cert.pem and key.pem.`,
    );
  });
});

describe('a docker context with its own TLS files, made by the docker CLI', () => {
  let configDir: string;
  const docker = async (args: string[]) => {
    const r = await runInNetns(netns, 'docker', args, { env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', DOCKER_CONFIG: configDir, HOME: '/nonexistent-home' } });
    if (r.code !== 0) throw new Error(`docker ${args.join(' ')} failed: ${r.stderr}`);
    return r.stdout;
  };

  beforeAll(async () => {
    configDir = join(dir, 'docker-config');
    const c = certs.client;
    await docker(['context', 'create', 'remote-tls', '--docker', `host=${TLS_HOST},ca=${c.ca},cert=${c.cert},key=${c.key}`]);
    await docker(['context', 'create', 'remote-skip', '--docker', `host=${TLS_HOST},skip-tls-verify=true,cert=${c.cert},key=${c.key}`]);
    await docker(['context', 'create', 'remote-unverified', '--docker', `host=${TLS_HOST},cert=${c.cert},key=${c.key}`]);
    // The docker CLI itself reaches the engine through the context: the context is sound.
    expect((await docker(['--context', 'remote-tls', 'version', '--format', '{{.Server.Version}}'])).trim()).toMatch(/^\d+\./);
  });

  it('uses the TLS files the CLI stored under contexts/tls/<sha256(name)>/docker, by DOCKER_CONTEXT', async () => {
    const stored = await runInNetns(netns, 'ls', [contextTlsDir(configDir, 'remote-tls')]);
    expect(stored.stdout.split('\n').filter(Boolean).sort()).toEqual(['ca.pem', 'cert.pem', 'key.pem']);
    await remoteDoctor({ DOCKER_CONFIG: configDir, DOCKER_CONTEXT: 'remote-tls' }, TLS_HOST);
  });

  it("and by config.json's currentContext after `docker context use`", async () => {
    await docker(['context', 'use', 'remote-tls']);
    try {
      await remoteDoctor({ DOCKER_CONFIG: configDir }, TLS_HOST);
    } finally {
      await docker(['context', 'use', 'default']);
    }
  });

  it('skips verifying the engine only when the context says skip-tls-verify', async () => {
    await remoteDoctor({ DOCKER_CONFIG: configDir, DOCKER_CONTEXT: 'remote-skip' }, TLS_HOST);
    // Without a ca.pem and without skip-tls-verify, the system's CAs do not know this engine.
    const r = await runCliInNetns(netns, ['doctor'], { env: { DOCKER_CONFIG: configDir, DOCKER_CONTEXT: 'remote-unverified' } });
    expect(r.code).toBe(3);
    expect(expectOneCleanLine(r.stderr)).toMatch(
      new RegExp(
        `^dockwarden: The engine at ${TLS_HOST} \\(docker context remote-unverified\\) presented a certificate that .*/docker/ca.pem \\(or, without one, the system's CAs\\) does not vouch for`,
      ),
    );
  });

  it('ignores DOCKER_TLS_VERIFY and DOCKER_CERT_PATH for a context, as the docker CLI does', async () => {
    await remoteDoctor({ DOCKER_CONFIG: configDir, DOCKER_CONTEXT: 'remote-tls', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs.strangerDir }, TLS_HOST);
  });
});

describe('ssh:// through sshd and the system ssh client', () => {
  it('is reachable with the system ssh client and the config of this HOME', async () => {
    const r = await runInNetns(netns, 'ssh', [...ssh.sshArgs, 'root@127.0.0.1', '--', 'docker', 'version', '--format', '{{.Server.Version}}'], {
      env: { ...ssh.clientEnv, PATH: process.env['PATH'] ?? '/usr/bin:/bin' },
    });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toMatch(/^\d+\./);
  });

  it('runs doctor, with the host checks not checked', async () => {
    await remoteDoctor(sshEnv(), ssh.dockerHost);
  });

  it("leaves the user and port to ssh's config when the URL names neither, as the docker CLI does", async () => {
    const url = 'ssh://127.0.0.1';
    await remoteDoctor({ ...sshEnv(), DOCKER_HOST: url }, url);
  });

  it("needs no ssh-agent: ssh's own keys and config are enough", async () => {
    const { SSH_AUTH_SOCK: _, ...env } = sshEnv();
    await remoteDoctor(env, ssh.dockerHost);
  });

  it('deletes down to --budget over ssh, keeping the images containers use', async () => {
    const { code, report } = await gc(sshEnv(), ['--budget', '24MB']);
    expect(code).toBe(0);
    expect(report.after.imageBytes).toBeLessThanOrEqual(24e6);
    expect(report.deleted.length).toBeGreaterThan(0);
    expect(await imageRefs()).toEqual(expect.arrayContaining(['keep/running:1', 'keep/stopped:1']));
  });

  it('says what ssh said when sshd refuses the key, in one line, exit 3, and never blames dockerd', async () => {
    const r = await runCliInNetns(netns, ['doctor'], { env: { ...sshEnv(), ...ssh.badEnv.strangerKey } });
    expect(r.code).toBe(3);
    const line = expectOneCleanLine(r.stderr);
    expect(line).toMatch(/^dockwarden: SSH to 127\.0\.0\.1 failed: .*Permission denied \(publickey\)\. Check that `ssh root@127\.0\.0\.1 -p 2222` logs in without a password or prompt/);
    expect(line).not.toMatch(/dockerd/);
  });

  it('says so in one line when the host key is not in known_hosts, instead of asking', async () => {
    const r = await runCliInNetns(netns, ['doctor'], { env: { ...sshEnv(), ...ssh.badEnv.unknownHostKey } });
    expect(r.code).toBe(3);
    expect(expectOneCleanLine(r.stderr)).toContain('SSH to 127.0.0.1 failed: ');
    expect(r.stderr).toContain('Host key verification failed');
  });

  it('says in one line when no sshd listens, not that dockerd is down', async () => {
    const url = 'ssh://root@127.0.0.1:2299';
    const r = await runCliInNetns(netns, ['doctor'], { env: { ...sshEnv(), DOCKER_HOST: url } });
    expect(r.code).toBe(3);
    const line = expectOneCleanLine(r.stderr);
    expect(line).toContain('SSH to 127.0.0.1 failed: ssh: connect to host 127.0.0.1 port 2299: Connection refused.');
    expect(line).not.toMatch(/dockerd/);
  });

  it('names the missing ssh client in one line', async () => {
    // A PATH with nsenter (which runs the CLI in the namespace) and no ssh.
    const noSsh = join(dir, 'no-ssh-bin');
    await mkdir(noSsh, { recursive: true });
    await symlink('/usr/bin/nsenter', join(noSsh, 'nsenter')).catch(() => undefined);
    const r = await runCliInNetns(netns, ['doctor'], { env: { ...sshEnv(), PATH: noSsh } });
    expect(r.code).toBe(3);
    expect(expectOneCleanLine(r.stderr)).toBe(`dockwarden: ${ssh.dockerHost} is reached with the ssh client, and there is no \`ssh\` on PATH: install openssh-client.`);
  });

  it("passes on the remote docker's own complaint when it cannot reach its engine, in one line, exit 3", async () => {
    const broken = await startSshHost({ netnsPath: netns, dockerHost: 'unix:///nonexistent/docker.sock', port: 2223 });
    try {
      const r = await runCliInNetns(netns, ['doctor'], { env: { DOCKER_HOST: broken.dockerHost, ...broken.clientEnv } });
      expect(r.code).toBe(3);
      expect(expectOneCleanLine(r.stderr)).toContain(
        `\`docker system dial-stdio\` on the ssh host ${broken.dockerHost} exited 1: failed to open the raw stream connection: dial unix /nonexistent/docker.sock`,
      );
    } finally {
      await broken.stop();
    }
  });
});

describe('the agent and fleet against remote engines', () => {
  it('runs an agent over TLS and one over ssh with --budget, and fleet lists both', async () => {
    for (let i = 13; i <= 20; i++) await sandbox.importImage(`old/img:${i}`, { sizeBytes: 4 * MiB });
    const overTls = await startAgent(tlsEnv(), 9476, '1GB');
    const overSsh = await startAgent(sshEnv(), 9477, '28MB');
    for (const agent of [overTls, overSsh]) {
      await eventually(async () => (await agent.get('/healthz')).json<{ engineUp: boolean }>().engineUp, 30_000, `${agent.url} to see the engine`);
    }
    // The ssh agent's budget is below what the images take: its GC timer brings them under it.
    await eventually(
      async () => {
        const runs = (await overSsh.get('/api/gc')).json<{ runs: { deleted: number }[] }>().runs;
        return runs.some((r) => r.deleted > 0);
      },
      30_000,
      'the agent over ssh to delete images',
    );
    expect(await imageRefs()).toEqual(expect.arrayContaining(['keep/running:1', 'keep/stopped:1']));
    const hosts = join(dir, 'fleet-hosts');
    await writeFile(hosts, `${overTls.url}\n${overSsh.url}\n`);
    const r = await runCliInNetns(netns, ['fleet', '--hosts', hosts, '--json']);
    expect(r.stderr).toBe('');
    const rows = (JSON.parse(r.stdout) as { hosts: { url: string; summary: { engineUp: boolean; engineVersion: string | null } | null; error: string | null }[] }).hosts;
    expect(rows.map((h) => h.url)).toEqual([overTls.url, overSsh.url]);
    for (const row of rows) {
      expect(row.error).toBeNull();
      expect(row.summary?.engineUp).toBe(true);
      expect(row.summary?.engineVersion).toMatch(/^\d+\./);
    }
    expect(overTls.log()).not.toMatch(/is down/);
    expect(overSsh.log()).not.toMatch(/is down/);
    for (const agent of [overTls, overSsh]) expect(await agent.stop()).toBe(0);
  }, 120_000);
});
