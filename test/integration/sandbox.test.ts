import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupStaleSandboxes, startSandbox, stopAllSandboxes, type Sandbox, type SandboxFs } from '../../src/sandbox/index.js';
import { fetchedEngines } from '../../src/sandbox/engines.js';
import { writeMarker } from '../../src/sandbox/marker.js';
import { listProcesses } from '../../src/sandbox/proc.js';

// The sandbox is what every other integration test stands on, so this checks what they
// rely on: the filesystem and driver are the ones asked for, images load and run, and
// stop() leaves nothing behind (mount, loop device, process, directory).

afterAll(stopAllSandboxes);

interface DockerInfo {
  Driver: string;
  DriverStatus: Array<[string, string]> | null;
  DockerRootDir: string;
}

async function info(s: Sandbox): Promise<DockerInfo> {
  return JSON.parse((await s.docker(['info', '--format', '{{json .}}'])).stdout) as DockerInfo;
}

async function traces(dir: string): Promise<{ mounts: string[]; loops: string[]; processes: string[] }> {
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  const { stdout: loops } = await promisify(execFile)('losetup', ['-a']);
  return {
    mounts: mountinfo.split('\n').filter((l) => l.includes(`${dir}/`)),
    loops: loops.split('\n').filter((l) => l.includes(`${dir}/`)),
    processes: (await listProcesses()).filter((p) => p.argv.join(' ').includes(dir)).map((p) => p.argv.join(' ')),
  };
}

const newest = (await fetchedEngines()).engines.at(-1);

async function expectGone(dir: string): Promise<void> {
  expect(existsSync(dir)).toBe(false);
  expect(await traces(dir)).toEqual({ mounts: [], loops: [], processes: [] });
}

const cases: Array<{ fs: SandboxFs; storageDriver?: string; driver: string; status: Record<string, string> }> = [
  { fs: 'ext4', driver: 'overlay2', status: { 'Backing Filesystem': 'extfs', 'Supports d_type': 'true' } },
  { fs: 'xfs', driver: 'overlay2', status: { 'Backing Filesystem': 'xfs', 'Supports d_type': 'true' } },
  { fs: 'btrfs', storageDriver: 'btrfs', driver: 'btrfs', status: {} },
];

// Side by side on purpose: the sandboxes must not see each other.
describe.concurrent('sandbox per filesystem', () => {
  it.each(cases)('$fs: $driver engine runs a loaded image and leaves nothing behind', async ({ fs, storageDriver, driver, status }) => {
    const s = await startSandbox({ fs, storageDriver, sizeMb: 512 });
    expect(s.dockerHost).toBe(`unix://${s.socketPath}`);
    expect((await readFile('/proc/self/mountinfo', 'utf8')).includes(` ${s.mountPoint} `)).toBe(true);

    const i = await info(s);
    expect(i.Driver).toBe(driver);
    expect(i.DockerRootDir).toBe(s.dataRoot);
    expect(Object.fromEntries(i.DriverStatus ?? [])).toMatchObject(status);

    const id = await s.importImage('test/a:1', { sizeBytes: 5 * 1024 * 1024 });
    const [inspected] = JSON.parse((await s.docker(['image', 'inspect', 'test/a:1'])).stdout) as Array<{ Id: string; Size: number }>;
    expect(inspected?.Id).toBe(id);
    expect(inspected?.Size).toBeGreaterThan(5 * 1024 * 1024);
    expect((await s.docker(['run', '--rm', '--network', 'none', 'test/a:1', 'sh', '-c', 'echo ok && true'])).stdout).toBe('ok\n');
    // Left running: stop() must get rid of it, and of the swarm. Each sandbox has its own
    // network namespace, so all three can listen on swarm's fixed ports at once.
    await s.docker(['run', '-d', '--network', 'none', 'test/a:1', 'sleep', '1000']);
    await s.docker(['swarm', 'init', '--advertise-addr', '127.0.0.1']);
    await s.docker(['service', 'create', '--detach', '--name', 'idle', 'test/a:1', 'sleep', '1000']);
    // dockerd's libtrust key lands in the sandbox, not in the host's /etc/docker.
    expect(existsSync(join(s.dir, 'key.json'))).toBe(true);

    await s.stop();
    await s.stop(); // idempotent
    await expectGone(s.dir);
  });
});

describe('sandbox lifecycle', () => {
  it('restarts on another data root, fills its disk, and images share nothing across seeds', async () => {
    const s = await startSandbox({ sizeMb: 256 });
    const a = await s.importImage('test/a:1', { sizeBytes: 1024 * 1024, seed: 1 });
    const b = await s.importImage('test/b:1', { sizeBytes: 1024 * 1024, seed: 2 });
    const again = await s.importImage('test/a:2', { sizeBytes: 1024 * 1024, seed: 1 });
    expect(b).not.toBe(a);
    expect(again).toBe(a);

    const second = join(s.mountPoint, 'docker-moved');
    await s.restart({ dataRoot: second });
    expect(s.dataRoot).toBe(second);
    expect((await info(s)).DockerRootDir).toBe(second);
    expect((await s.docker(['images', '-q'])).stdout).toBe('');

    const filled = await s.fillTo(90);
    expect(filled.usedPct).toBeGreaterThanOrEqual(90);
    expect(filled.usedPct).toBeLessThan(95);
    await s.clearFill();
    const before = (await s.usage()).usedPct;
    const refs = await s.importImagesUntil(before + 5, { sizeBytes: 4 * 1024 * 1024 });
    expect(refs.length).toBeGreaterThan(0);
    expect((await s.usage()).usedPct).toBeGreaterThanOrEqual(before + 5);

    await s.stop();
    await expectGone(s.dir);
  });

  it('refuses a config dockerd cannot start with and shows its log', async () => {
    const s = await startSandbox({ sizeMb: 128 });
    // The data-root.config-conflict case: the flag and daemon.json both set it.
    await expect(s.restart({ daemonJson: { 'data-root': '/tmp/elsewhere' } })).rejects.toThrow(/data-root/);
    await s.restart({ daemonJson: {} });
    expect((await info(s)).DockerRootDir).toBe(s.dataRoot);
    await s.stop();
    await expectGone(s.dir);
  });

  it('removes a sandbox whose owner died, and scripts/sandbox-cleanup.sh removes one by name', async () => {
    const orphan = await startSandbox({ sizeMb: 128 });
    const named = await startSandbox({ sizeMb: 128 });
    await orphan.importImage('test/a:1');
    await orphan.docker(['run', '-d', '--network', 'none', 'test/a:1', 'sleep', '1000']);
    // Our own pid with a wrong start time: how a dead owner whose pid was reused looks.
    await writeMarker(join(orphan.dir, 'sandbox.env'), { ownerPid: process.pid, ownerStart: 1 });
    expect(await cleanupStaleSandboxes(() => {})).toContain(orphan.dir);
    await expectGone(orphan.dir);

    await promisify(execFile)('bash', [join(import.meta.dirname, '../../scripts/sandbox-cleanup.sh'), named.dir]);
    await expectGone(named.dir);
  });

  it.runIf(newest !== undefined)('packaged-host layout: a separate containerd on its own filesystem; stop() and scripts/sandbox-cleanup.sh leave nothing of either', async () => {
    for (const how of ['stop', 'script'] as const) {
      const s = await startSandbox({ sizeMb: 128, containerdSizeMb: 128, engine: newest, imageStore: 'containerd', containerd: 'separate' });
      await s.importImage('test/a:1');
      await s.docker(['run', '-d', '--network', 'none', 'test/a:1', 'sleep', '1000']);
      expect(s.containerdRoot).toBe(join(s.dir, 'cmnt', 'containerd'));
      expect(existsSync(join(s.containerdRoot!, 'io.containerd.content.v1.content'))).toBe(true);
      if (how === 'stop') await s.stop();
      else await promisify(execFile)('bash', [join(import.meta.dirname, '../../scripts/sandbox-cleanup.sh'), s.dir]);
      await expectGone(s.dir);
    }
  });
});
