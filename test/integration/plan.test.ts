import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchedEngines } from '../../src/sandbox/engines.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { runCli } from '../support/run-cli.js';
import { runCommand } from '../support/run-command.js';

// The plans run for real: a sandbox engine configured through its daemon.json (as a
// systemd host is), a blank loop device, and the generated script with the sandbox's own
// stop/start in place of systemctl. What must hold afterwards is read from the engine.

const SANDBOX_CLI = fileURLToPath(new URL('../../scripts/sandbox', import.meta.url));
const MiB = 1024 * 1024;

interface ScriptRun {
  code: number | null;
  output: string;
}

/** Runs a plan script without a controlling terminal (setsid), as cron or CI would. */
async function runScript(path: string, args: string[], dockerHost: string): Promise<ScriptRun> {
  const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: '/nonexistent-home', DOCKER_HOST: dockerHost, DOCKER_CONFIG: '/nonexistent-docker-config' };
  const r = await runCommand('setsid', ['bash', path, ...args], { env, timeoutMs: 240_000 });
  return { code: r.code, output: r.stdout + r.stderr };
}

async function makePlan(sandbox: Sandbox, kind: string, device: string, extra: string[]): Promise<string> {
  const script = join(sandbox.dir, `plan-${kind}.sh`);
  const fstab = join(sandbox.dir, 'fstab');
  await writeFile(fstab, '# test fstab\n', { flag: 'a' });
  const r = await runCli([
    '--host',
    sandbox.dockerHost,
    'plan',
    kind,
    '--device',
    device,
    '--data-root',
    join(sandbox.dir, `root-${kind}`),
    '--stop-command',
    `${SANDBOX_CLI} engine-stop ${sandbox.dir}`,
    '--start-command',
    `${SANDBOX_CLI} engine-start ${sandbox.dir}`,
    '--fstab',
    fstab,
    '--state-dir',
    join(sandbox.dir, `state-${kind}`),
    '-o',
    script,
    ...extra,
  ]);
  expect(r.stderr).toContain(`wrote ${script}`);
  expect(r.code).toBe(0);
  return script;
}

async function info(sandbox: Sandbox, template: string): Promise<string> {
  return (await sandbox.docker(['info', '--format', template])).stdout.trim();
}

async function driverStatus(sandbox: Sandbox): Promise<Record<string, string>> {
  return Object.fromEntries(JSON.parse(await info(sandbox, '{{json .DriverStatus}}')) as Array<[string, string]>);
}

async function imageIds(sandbox: Sandbox): Promise<string[]> {
  return (await sandbox.docker(['image', 'ls', '-aq', '--no-trunc'])).stdout.split('\n').filter(Boolean).sort();
}

/** Two images, a volume and a stopped container that wrote to it: what a move must bring along. Returns the image ids. */
async function seedWorkload(sandbox: Sandbox): Promise<string[]> {
  await sandbox.importImage('app/web:1', { sizeBytes: 4 * MiB });
  await sandbox.importImage('app/worker:1', { sizeBytes: 4 * MiB });
  await sandbox.docker(['volume', 'create', 'data']);
  await sandbox.docker(['run', '--name', 'writer', '--network', 'none', '-v', 'data:/data', 'app/web:1', 'sh', '-c', 'echo kept > /data/proof']);
  return imageIds(sandbox);
}

/** The volume still holds what the stopped container wrote, read by a container of the other image. */
async function workloadProof(sandbox: Sandbox): Promise<string> {
  return (await sandbox.docker(['run', '--rm', '--network', 'none', '-v', 'data:/data', 'app/worker:1', 'cat', '/data/proof'])).stdout.trim();
}

describe('plan overlay2 --migrate copy, run for real', () => {
  let sandbox: Sandbox;
  let device: string;
  let script: string;
  let oldRoot: string;
  let idsBefore: string[];

  beforeAll(async () => {
    sandbox = await startSandbox({ fs: 'ext4', sizeMb: 512, rootInDaemonJson: true });
    oldRoot = sandbox.dataRoot;
    idsBefore = await seedWorkload(sandbox);
    device = await sandbox.blankDevice(320);
    script = await makePlan(sandbox, 'overlay2', device, ['--migrate', 'copy']);
  });

  afterAll(async () => sandbox?.stop());

  it('writes a script that passes shellcheck', async () => {
    const check = await runCommand('shellcheck', [script]);
    expect(check.stdout).toBe('');
    expect(check.code).toBe(0);
  });

  it('stops before the first destructive step when nobody can say yes', async () => {
    const r = await runScript(script, [], sandbox.dockerHost);
    expect(r.code).toBe(1);
    expect(r.output).toContain('needs a yes and there is no terminal');
    // The engine still runs on the old root: the stop step was refused before it ran.
    expect(await info(sandbox, '{{.DockerRootDir}}')).toBe(oldRoot);
  });

  it('moves the engine to overlay2 on XFS with d_type, and everything comes along', async () => {
    const r = await runScript(script, ['--yes'], sandbox.dockerHost);
    expect(r.output).toContain('Done.');
    expect(r.code).toBe(0);
    const newRoot = join(sandbox.dir, 'root-overlay2');
    expect(await info(sandbox, '{{.Driver}} {{.DockerRootDir}}')).toBe(`overlay2 ${newRoot}`);
    const status = await driverStatus(sandbox);
    expect(status['Backing Filesystem']).toBe('xfs');
    expect(status['Supports d_type']).toBe('true');
    expect(await imageIds(sandbox)).toEqual(idsBefore);
    // Containers and volumes came too, and work on the new root.
    expect((await sandbox.docker(['ps', '-a', '--format', '{{.Names}}'])).stdout.trim()).toBe('writer');
    expect(await workloadProof(sandbox)).toBe('kept');
  });

  it('changes nothing when run again', async () => {
    const r = await runScript(script, ['--yes'], sandbox.dockerHost);
    expect(r.code).toBe(0);
    // Every change step says it is already done; none runs (the engine is not even stopped).
    expect(r.output.match(/already done/g)?.length).toBe(8);
    expect(r.output).not.toContain('!!');
  });

  it('rolls back to the old root and configuration', async () => {
    const r = await runScript(script, ['--rollback', '--yes'], sandbox.dockerHost);
    expect(r.output).toContain('Rolled back.');
    expect(r.code).toBe(0);
    expect(await info(sandbox, '{{.Driver}} {{.DockerRootDir}}')).toBe(`overlay2 ${oldRoot}`);
    expect(await imageIds(sandbox)).toEqual(idsBefore);
  });
});

describe('plan btrfs --migrate save, run for real', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ fs: 'ext4', sizeMb: 512, rootInDaemonJson: true });
    await sandbox.importImage('app/api:2', { sizeBytes: 4 * MiB });
    await sandbox.importImage('app/db:5', { sizeBytes: 4 * MiB });
  });

  afterAll(async () => sandbox?.stop());

  it('refuses a device that holds a filesystem, before touching the engine', async () => {
    const used = await sandbox.blankDevice(200);
    expect((await runCommand('mkfs.ext4', ['-q', used])).code).toBe(0);
    const script = await makePlan(sandbox, 'btrfs', used, ['--migrate', 'save', '--state-dir', join(sandbox.dir, 'state-refused')]);
    const r = await runScript(script, ['--yes'], sandbox.dockerHost);
    expect(r.code).toBe(1);
    expect(r.output).toContain(`${used} holds data (ext4)`);
    expect(await info(sandbox, '{{.Driver}}')).toBe('overlay2');
  });

  it('moves the engine to the btrfs driver, the images through docker save/load, finishing after a failed start', async () => {
    const device = await sandbox.blankDevice(300);
    // The first start fails (as a unit with a typo would): the run stops there, and the
    // second run picks up with the engine down, skipping everything already done.
    const starter = join(sandbox.dir, 'start-fails-once.sh');
    const marker = join(sandbox.dir, 'start-failed-once');
    await writeFile(starter, `#!/bin/bash\nif [[ ! -e ${marker} ]]; then touch ${marker}; echo 'simulated start failure' >&2; exit 1; fi\nexec ${SANDBOX_CLI} engine-start ${sandbox.dir}\n`, {
      mode: 0o755,
    });
    const script = await makePlan(sandbox, 'btrfs', device, ['--migrate', 'save', '--start-command', starter]);
    const failed = await runScript(script, ['--yes'], sandbox.dockerHost);
    expect(failed.code).toBe(1);
    expect(failed.output).toContain('simulated start failure');
    const r = await runScript(script, ['--yes'], sandbox.dockerHost);
    expect(r.output).toContain('Done.');
    expect(r.code).toBe(0);
    expect(r.output.match(/already done/g)?.length).toBe(7);
    expect(await info(sandbox, '{{.Driver}} {{.DockerRootDir}}')).toBe(`btrfs ${join(sandbox.dir, 'root-btrfs')}`);
    const refs = (await sandbox.docker(['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}'])).stdout.split('\n').filter(Boolean).sort();
    expect(refs).toEqual(['app/api:2', 'app/db:5']);
    // An image loaded onto btrfs runs: its layers are subvolumes now.
    expect((await sandbox.docker(['run', '--rm', '--network', 'none', 'app/db:5', 'echo', 'up'])).stdout.trim()).toBe('up');
  });
});

describe('plan pquota, run for real', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ fs: 'ext4', sizeMb: 512, rootInDaemonJson: true });
    await sandbox.importImage('app/web:1', { sizeBytes: MiB });
  });

  afterAll(async () => sandbox?.stop());

  // Debian's and most distribution kernels have XFS quotas; this machine's kernel is built
  // without them (no /proc/fs/xfs/xqm), and the pquota mount would fail half-way. The
  // plan must find out in its preflight, before the engine is stopped.
  const xfsQuota = existsSync('/proc/fs/xfs/xqm');

  it.runIf(xfsQuota)('mounts XFS with project quotas, and a container cannot write past the default size', async () => {
    const script = await makePlan(sandbox, 'pquota', await sandbox.blankDevice(320), ['--default-size', '64M']);
    const r = await runScript(script, ['--yes'], sandbox.dockerHost);
    expect(r.output).toContain('Done.');
    expect(r.code).toBe(0);
    const write = (mb: number) =>
      sandbox.docker(['run', '--rm', '--network', 'none', 'app/web:1', 'sh', '-c', `dd if=/dev/zero of=/fill bs=1M count=${mb} 2>&1`]).then(
        () => 'written',
        (err: Error) => err.message,
      );
    expect(await write(16)).toBe('written');
    expect(await write(100)).toMatch(/No space left on device|Disk quota exceeded/);
  });

  it.skipIf(xfsQuota)('stops in preflight on a kernel without XFS quotas, engine untouched', async () => {
    const script = await makePlan(sandbox, 'pquota', await sandbox.blankDevice(320), ['--default-size', '64M']);
    const r = await runScript(script, ['--yes'], sandbox.dockerHost);
    expect(r.code).toBe(1);
    expect(r.output).toContain('no XFS quota support');
    expect(r.output).not.toContain('[2/');
    expect(await info(sandbox, '{{.Driver}} {{.DockerRootDir}}')).toBe(`overlay2 ${sandbox.dataRoot}`);
  });
});

// containerd's image store: dockerd's own containerd keeps images under the data root, so
// the overlay2 plan moves them with it; a separate containerd keeps them elsewhere, so it
// refuses and says how to move containerd's root instead. On the newest fetched engine.
const { engines } = await fetchedEngines();
const newest = engines.find((e) => e.id === 'sid') ?? engines.at(-1);
if (!newest) console.warn("plan on containerd's image store skipped: no engine from scripts/fetch-engines.sh runs here.");

describe.runIf(newest !== undefined)(`plan overlay2 on containerd's image store (${newest?.label ?? 'no engine'}), run for real`, () => {
  let sandbox: Sandbox;
  let device: string;
  let idsBefore: string[];

  beforeAll(async () => {
    sandbox = await startSandbox({ fs: 'ext4', sizeMb: 512, rootInDaemonJson: true, engine: newest, imageStore: 'containerd' });
    idsBefore = await seedWorkload(sandbox);
    device = await sandbox.blankDevice(320);
  });

  afterAll(async () => sandbox?.stop());

  it("moves the data root and containerd's root inside it; images, containers and volumes come along on the same snapshotter", async () => {
    const script = await makePlan(sandbox, 'overlay2', device, ['--migrate', 'copy']);
    expect((await runCommand('shellcheck', [script])).code).toBe(0);
    const r = await runScript(script, ['--yes'], sandbox.dockerHost);
    expect(r.output).toContain('Done.');
    expect(r.code).toBe(0);
    const newRoot = join(sandbox.dir, 'root-overlay2');
    expect(await info(sandbox, '{{.Driver}} {{.DockerRootDir}}')).toBe(`overlayfs ${newRoot}`);
    expect((await driverStatus(sandbox))['driver-type']).toBe('io.containerd.snapshotter.v1');
    expect(existsSync(join(newRoot, 'containerd/daemon/io.containerd.content.v1.content/blobs'))).toBe(true);
    expect(await imageIds(sandbox)).toEqual(idsBefore);
    expect(await workloadProof(sandbox)).toBe('kept');
  });
});

describe.runIf(newest !== undefined)("plan overlay2 with a separate containerd's image store", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ fs: 'ext4', sizeMb: 256, containerdSizeMb: 128, engine: newest, imageStore: 'containerd', containerd: 'separate' });
  });
  afterAll(async () => sandbox?.stop());

  it("refuses in one line: moving the data root would leave every image in containerd's root behind", async () => {
    const r = await runCli(['--host', sandbox.dockerHost, 'plan', 'overlay2', '--device', '/dev/sdx', '--data-root', '/data/docker']);
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`Images live in containerd's root ${sandbox.containerdRoot}`);
    expect(r.stderr).toContain('moving the data root would leave every image behind');
  });
});
