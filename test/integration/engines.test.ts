import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DoctorReport } from '../../src/doctor/doctor-report.js';
import type { GcReport } from '../../src/gc/gc-report.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { loadMultiPlatformImage } from '../../src/sandbox/oci-archive.js';
import { eventually, startAgentProcess } from '../support/agent-process.js';
import { engineMatrix, sandboxOptions, type MatrixEntry } from '../support/engine-matrix.js';
import { loadProtectedImages } from '../support/protected-images.js';
import { runCli } from '../support/run-cli.js';

// doctor, gc and the agent on every engine and layout our users run: Docker 20.10 (API
// 1.41), and 26.1 and 28.5 from Debian's archive, each with the overlay2 graph driver,
// with containerd's image store and dockerd's own containerd, and with containerd's image
// store and a separate containerd whose root is on a filesystem of its own — the
// packaged-host layout, where the filesystem that fills with images is not the data
// root's. Each engine's image filesystem is filled by images until a load fails for want
// of space (a pull on a full disk), and then: doctor exits 2 naming the full filesystem,
// gc with its defaults brings that filesystem to --low keeping everything a container or
// a service needs, and a second run deletes nothing.

const MiB = 1024 * 1024;
const matrix = await engineMatrix();
for (const line of matrix.skipped) console.warn(line);

describe.each(matrix.entries.map((e) => [e.name, e] as const))('%s', (_name: string, entry: MatrixEntry) => {
  let sandbox: Sandbox;
  const ids: Record<string, string> = {};
  const containerdStore = entry.imageStore === 'containerd';
  let hasDangling = false;

  const cli = (args: string[]) => runCli(['--host', sandbox.dockerHost, ...args], { timeoutMs: 180_000 });
  const gc = async (args: string[]): Promise<{ code: number | null; report: GcReport; stderr: string }> => {
    const r = await cli(['gc', '--json', ...args]);
    return { code: r.code, report: JSON.parse(r.stdout) as GcReport, stderr: r.stderr };
  };
  const doctor = async (): Promise<{ code: number | null; report: DoctorReport }> => {
    const r = await cli(['doctor', '--json']);
    expect(r.stderr).toBe('');
    return { code: r.code, report: JSON.parse(r.stdout) as DoctorReport };
  };
  const imageIds = async () => (await sandbox.docker(['image', 'ls', '--all', '--no-trunc', '--format', '{{.ID}}'])).stdout.split('\n').filter(Boolean).sort();

  beforeAll(async () => {
    sandbox = await startSandbox({ fs: 'ext4', sizeMb: 640, containerdSizeMb: 400, ...sandboxOptions(entry) });
    Object.assign(ids, await loadProtectedImages(sandbox, 6 * MiB));
    hasDangling = (await imageIds()).includes(ids['dangling']!);
    const { refusal } = await sandbox.importImagesUntilFull({ prefix: 'fill/img', sizeBytes: 16 * MiB });
    expect(refusal).toMatch(/no space left on device/i);
  }, 600_000);

  afterAll(async () => sandbox?.stop());

  it('doctor exits 2 with disk.pressure critical, naming the filesystem that holds the images', async () => {
    const { code, report } = await doctor();
    expect(code).toBe(2);
    expect(report.facts.imageStore).toBe(entry.imageStore);
    const pressure = report.findings.find((f) => f.id === 'disk.pressure');
    expect(pressure?.severity).toBe('critical');
    if (!containerdStore) {
      expect(report.facts.containerdRoot).toBeNull();
      expect(pressure?.title).toMatch(/^The data root filesystem is (9\d|100)\.\d% full/);
    } else {
      expect(report.facts.containerdRoot).toBe(sandbox.containerdRoot);
      expect(report.facts.containerdRootFs?.mountPoint.startsWith(sandbox.imageMountPoint)).toBe(true);
      expect(pressure?.title).toMatch(
        entry.containerd === 'separate' ? /^containerd's root filesystem is (9\d|100)\.\d% full/ : /^The filesystem of the data root and of containerd's root is (9\d|100)\.\d% full/,
      );
    }
    expect(pressure?.evidence[0]).toContain(sandbox.imageMountPoint);
    const human = await cli(['doctor']);
    expect(human.stdout.split('\n')[0]).toMatch(containerdStore ? new RegExp(`; images in containerd's root ${sandbox.containerdRoot}`) : /, root \//);
  });

  it('gc --dry-run plans dangling first, keeps what containers and the service need, and changes nothing', async () => {
    const before = await imageIds();
    const { code, report } = await gc(['--dry-run', '--min-age', '0s', '--keep', '^infra/']);
    expect(code).toBe(0);
    expect(await imageIds()).toEqual(before);
    expect(report.before.usedPct).toBeGreaterThan(95);
    expect(report.after.usedPct).toBeLessThanOrEqual(80);
    if (hasDangling || !containerdStore) expect(report.deleted[0]).toMatchObject({ id: ids['dangling'], code: 'dangling' });
    const kept = new Map(report.kept.map((k) => [k.id, k]));
    expect(kept.get(ids['running']!)?.reason).toBe('in use by container web-1 (running)');
    expect(kept.get(ids['stopped']!)?.reason).toBe('in use by container batch-1 (created)');
    expect(kept.get(ids['svcPrevious']!)?.code).toBe('previous-spec');
    expect(kept.get(ids['pinned']!)?.code).toBe('keep');
    if (containerdStore) expect(report.notes[0]).toContain(`measuring containerd's root ${sandbox.containerdRoot}`);
  });

  it('gc with its defaults and --min-age 0s brings the image filesystem to --low, and a second run deletes nothing', async () => {
    const { code, report } = await gc(['--min-age', '0s', '--keep', '^infra/']);
    expect(report.failed).toEqual([]);
    expect(code).toBe(0);
    const measured = await sandbox.imageUsage();
    expect(measured.usedPct).toBeLessThanOrEqual(80);
    expect(report.after.usedPct).toBeCloseTo(measured.usedPct, 0);
    const left = await imageIds();
    for (const name of ['running', 'stopped', 'svcPrevious', 'svcCurrent', 'pinned']) expect(left).toContain(ids[name]);
    expect(left).not.toContain(ids['dangling']);

    const again = await gc(['--min-age', '0s', '--keep', '^infra/']);
    expect(again.code).toBe(0);
    expect(again.report.deleted).toEqual([]);
    expect(await imageIds()).toEqual(left);
  });

  it('predicts what deleting frees in the image store within a few percent', async () => {
    const before = await sandbox.imageUsage();
    const { report } = await gc(['--min-age', '0s', '--high', '0', '--low', '0', '--keep', '^(infra|keep|svc)/']);
    const after = await sandbox.imageUsage();
    const predicted = report.deleted.reduce((s, d) => s + d.bytes, 0);
    const freed = after.availBytes - before.availBytes;
    expect(report.deleted.length).toBeGreaterThan(3);
    // Block rounding and filesystem metadata: the prediction counts file bytes.
    expect(Math.abs(freed - predicted)).toBeLessThan(0.05 * predicted + 2 * MiB);
  });

  it.runIf(containerdStore)("counts every platform's content of a multi-platform image, and plans partial images without failing", async () => {
    const full = await loadMultiPlatformImage(sandbox.socketPath, 'multi/app:full', {
      platforms: [
        { architecture: 'amd64', sizeBytes: 3 * MiB },
        { architecture: 'arm64', sizeBytes: 5 * MiB },
      ],
      seed: 10,
    });
    // A pull of both platforms that stopped half way: arm64's manifest is there, its config and layer are not.
    const half = await loadMultiPlatformImage(sandbox.socketPath, 'multi/app:half', {
      platforms: [
        { architecture: 'amd64', sizeBytes: 3 * MiB },
        { architecture: 'arm64', sizeBytes: 5 * MiB },
      ],
      withoutBlobs: ['arm64'],
      seed: 20,
    });
    // Content removed under the engine: a layer blob of a single-platform image.
    const broken = await sandbox.importImage('broken/app:1', { sizeBytes: 2 * MiB });
    const manifest = JSON.parse((await sandbox.ctr(['content', 'get', broken])).stdout) as { layers: { digest: string }[] };
    await sandbox.ctr(['content', 'rm', manifest.layers[0]!.digest]);
    // Engine 28 lists such an image (866 B, its layer gone); Engine 26 hides it from every listing.
    const brokenListed = (await imageIds()).includes(broken);

    const only = ['--min-age', '0s', '--high', '0', '--low', '0', '--keep', '^(infra|keep|svc|fill|app)/'];
    const dry = await gc([...only, '--dry-run']);
    expect(dry.code).toBe(1);
    const planned = new Map(dry.report.deleted.map((d) => [d.id, d]));
    // Both platforms' layers are in the store and go with the image: well over the amd64 layer alone.
    expect(planned.get(full)?.bytes).toBeGreaterThan(3 * MiB + 5 * MiB);
    expect(planned.get(half)?.reason).toMatch(/partly missing: 1 of 2 platforms held complete, 2 blobs it names not in containerd's content store/);
    if (brokenListed) expect(planned.get(broken)?.reason).toMatch(/partly missing: .*not in containerd's content store|partly missing: the engine cannot read all of it/);
    else expect(planned.has(broken)).toBe(false);
    expect(dry.report.notes.join('\n')).toMatch(/multi\/app:half is partly missing/);

    // The multi-platform images first, to compare what they free with what was predicted...
    const before = await sandbox.imageUsage();
    const multi = await gc([...only.slice(0, -1), '^(infra|keep|svc|fill|app|broken)/']);
    expect(multi.report.failed).toEqual([]);
    expect(multi.report.deleted.map((d) => d.id).sort()).toEqual([full, half].sort());
    const freed = (await sandbox.imageUsage()).availBytes - before.availBytes;
    const predicted = multi.report.deleted.reduce((s, d) => s + d.bytes, 0);
    expect(Math.abs(freed - predicted)).toBeLessThan(0.05 * predicted + MiB);
    // ...then the broken one, whose snapshot the engine no longer accounts for: it goes without an error.
    const rest = await gc(only);
    expect(rest.report.failed).toEqual([]);
    expect(await imageIds()).not.toContain(broken);
  });

  it('the agent samples the filesystems holding engine data and exports each', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dw-engines-'));
    const agent = await startAgentProcess(['--host', sandbox.dockerHost, '--db', join(dir, 'a.db'), '--interval', '1s', '--gc-interval', '1h', '--no-gc']);
    try {
      const metrics = await eventually(
        async () => {
          const body = (await agent.get('/metrics')).body;
          return /^dockwarden_fs_size_bytes\{/m.test(body) && body;
        },
        30_000,
        'the first sample in /metrics',
      );
      expect(metrics).toMatch(/^dockwarden_fs_size_bytes\{fs="data-root",mountpoint="[^"]+"\} \d+/m);
      const separate = /^dockwarden_fs_size_bytes\{fs="containerd-root",mountpoint="([^"]+)"\} \d+/m.exec(metrics);
      if (entry.containerd === 'separate') expect(separate?.[1]).toBe(sandbox.imageMountPoint);
      else expect(separate).toBeNull();
    } finally {
      expect(await agent.stop()).toBe(0);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// Switching stores hides every image of the other one, as a data-root move does (story 002).
const newest = matrix.entries.filter((e) => e.engine).at(-1)?.engine;
describe.runIf(newest !== undefined)(`the agent on an engine that switches image stores (${newest?.id ?? 'none'})`, () => {
  let sandbox: Sandbox;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dw-switch-'));
    sandbox = await startSandbox({ fs: 'ext4', sizeMb: 384, engine: newest });
    for (let i = 1; i <= 6; i++) await sandbox.importImage(`switch/img:${i}`, { sizeBytes: MiB });
  }, 120_000);
  afterAll(async () => {
    await sandbox?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("flags the switch to containerd's image store as data-root.drift, naming both stores and the way back", async () => {
    const agent = await startAgentProcess(['--host', sandbox.dockerHost, '--db', join(dir, 'a.db'), '--interval', '1s', '--gc-interval', '1h', '--no-gc']);
    try {
      await eventually(async () => (await agent.get('/healthz')).json<{ engineUp: boolean }>().engineUp, 30_000, 'the agent to see the engine');
      await sandbox.restart({ daemonJson: { features: { 'containerd-snapshotter': true } } });
      const drift = await eventually(
        async () =>
          (await agent.get('/api/findings')).json<{ findings: { id: string; severity: string; title: string; fix: { summary: string } }[] }>().findings.find((f) => f.id === 'data-root.drift'),
        60_000,
        'data-root.drift',
      );
      expect(drift.severity).toBe('critical');
      expect(drift.title).toBe(`The image store switched from the overlay2 graph driver to containerd's image store (overlayfs snapshotter) on ${sandbox.dataRoot}`);
      expect(drift.fix.summary).toContain('"features": {"containerd-snapshotter": false}');
    } finally {
      expect(await agent.stop()).toBe(0);
    }
  });
});
