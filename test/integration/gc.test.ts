import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GcReport } from '../../src/gc/gc-report.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { loadProtectedImages } from '../support/protected-images.js';
import { runCli } from '../support/run-cli.js';

// gc against a real engine on a small, nearly full ext4: what containers (running or
// stopped) and a swarm service (current and previous spec) need survives, the dangling
// image goes first, usage ends at or below --low, --dry-run changes nothing, and a
// second run has nothing to do.

const MiB = 1024 * 1024;
let sandbox: Sandbox;
const ids: Record<string, string> = {};

async function gc(args: string[]): Promise<{ code: number | null; report: GcReport; stderr: string }> {
  const r = await runCli(['--host', sandbox.dockerHost, 'gc', '--json', ...args], { timeoutMs: 120_000 });
  return { code: r.code, report: JSON.parse(r.stdout) as GcReport, stderr: r.stderr };
}

async function imageIds(): Promise<string[]> {
  const out = (await sandbox.docker(['image', 'ls', '--all', '--no-trunc', '--format', '{{.ID}}'])).stdout;
  return out.split('\n').filter(Boolean).sort();
}

beforeAll(async () => {
  sandbox = await startSandbox({ fs: 'ext4', sizeMb: 512 });
  Object.assign(ids, await loadProtectedImages(sandbox, 8 * MiB));
  await sandbox.importImagesUntil(88, { prefix: 'fill/img', sizeBytes: 16 * MiB });
}, 300_000);

afterAll(async () => sandbox?.stop());

describe('gc on a filled filesystem', () => {
  it('plans without changing anything under --dry-run: dangling first, protected images kept', async () => {
    const before = await imageIds();
    const { code, report } = await gc(['--dry-run', '--min-age', '0', '--keep', '^infra/']);
    expect(await imageIds()).toEqual(before);
    expect(code).toBe(0);
    expect(report.dryRun).toBe(true);
    expect(report.before.usedPct).toBeGreaterThan(85);
    expect(report.after.usedPct).toBeLessThanOrEqual(80);
    expect(report.deleted[0]).toMatchObject({ id: ids['dangling'], tags: [], code: 'dangling' });
    const kept = new Map(report.kept.map((k) => [k.id, k]));
    expect(kept.get(ids['running'] as string)?.reason).toBe('in use by container web-1 (running)');
    expect(kept.get(ids['stopped'] as string)?.reason).toBe('in use by container batch-1 (created)');
    expect(kept.get(ids['svcPrevious'] as string)).toMatchObject({ code: 'previous-spec', reason: 'previous spec of service api, needed for rollback' });
    expect(kept.get(ids['svcCurrent'] as string)?.code).toMatch(/^(in-use|service)$/);
    expect(kept.get(ids['pinned'] as string)).toMatchObject({ code: 'keep', reason: 'matches --keep ^infra/' });
  });

  it('keeps every image that arrived minutes ago under the default --min-age, and says it cannot reach --low', async () => {
    const { code, report } = await gc(['--dry-run']);
    expect(code).toBe(1);
    expect(report.deleted).toEqual([]);
    expect(report.kept.filter((k) => k.code === 'min-age').length).toBeGreaterThan(10);
    expect(report.summary).toMatch(/younger than --min-age/);
  });

  it('deletes dangling then least recently used images until usage is at or below --low', async () => {
    const { code, report } = await gc(['--min-age', '0', '--keep', '^infra/']);
    expect(code).toBe(0);
    expect(report.failed).toEqual([]);
    const usage = await sandbox.usage();
    expect(usage.usedPct).toBeLessThanOrEqual(80);
    expect(report.after.usedPct).toBeCloseTo(usage.usedPct, 0);
    const left = await imageIds();
    for (const name of ['running', 'stopped', 'svcPrevious', 'svcCurrent', 'pinned']) expect(left).toContain(ids[name]);
    expect(left).not.toContain(ids['dangling']);
    // LRU among the fill images: every one deleted was loaded before every one kept.
    const number = (tags: string[]) => Number(tags.find((t) => t.startsWith('fill/img:'))?.split(':')[1]);
    const deletedFill = report.deleted.filter((d) => d.tags.some((t) => t.startsWith('fill/img:'))).map((d) => number(d.tags));
    const keptFill = report.kept.filter((k) => k.tags.some((t) => t.startsWith('fill/img:'))).map((k) => number(k.tags));
    expect(deletedFill.length).toBeGreaterThan(0);
    expect(Math.max(...deletedFill)).toBeLessThan(Math.min(...keptFill));
  });

  it('a second run has nothing to do', async () => {
    const before = await imageIds();
    const { code, report } = await gc(['--min-age', '0', '--keep', '^infra/']);
    expect(code).toBe(0);
    expect(report.deleted).toEqual([]);
    expect(await imageIds()).toEqual(before);
  });

  it('keeps the images under --budget, for engines whose filesystem it cannot measure', async () => {
    const { code, report } = await gc(['--min-age', '0', '--budget', '150MB', '--dry-run']);
    expect(code).toBe(0);
    expect(report.before.usedPct).toBeNull();
    expect(report.before.imageBytes).toBeGreaterThan(150e6);
    expect(report.after.imageBytes).toBeLessThanOrEqual(150e6);
  });

  it('exits 1 and says why when what fills the disk is not images', async () => {
    // Everything that may go goes first (0% cannot be reached: exit 1), then a plain file fills the disk.
    expect((await gc(['--min-age', '0', '--keep', '^infra/', '--high', '0', '--low', '0'])).code).toBe(1);
    await sandbox.fillTo(96);
    try {
      const { code, report } = await gc(['--min-age', '0', '--keep', '^infra/']);
      expect(code).toBe(1);
      expect(report.reachedTarget).toBe(false);
      expect(report.summary).toMatch(/every other image must stay: .*in use by containers?/);
      expect(report.summary).toMatch(/not images/);
      expect(await imageIds()).toEqual(expect.arrayContaining([ids['running'], ids['stopped'], ids['svcPrevious'], ids['pinned']]));
    } finally {
      await sandbox.clearFill();
    }
  });

  it('with --containers-older-than, removes old stopped containers first and collects their images', async () => {
    await sandbox.clearFill();
    const oldId = await sandbox.importImage('old/batch:1', { sizeBytes: 4 * MiB });
    await sandbox.docker(['create', '--name', 'old-batch', 'old/batch:1', 'true']);
    // dockerd prunes what was made before now - 1 s truncated to a whole second: 2.1 s on, old-batch is.
    await new Promise((r) => setTimeout(r, 2_100));
    const args = ['--min-age', '0', '--high', '0', '--low', '0', '--keep', '^infra/', '--containers-older-than', '1s', '--build-cache'];
    const dry = await gc([...args, '--dry-run']);
    expect(dry.report.containers?.removed).toBeGreaterThanOrEqual(1);
    expect(dry.report.buildCache).toEqual({ bytes: 0 });
    expect(dry.report.deleted.map((d) => d.id)).toContain(oldId);
    expect((await sandbox.docker(['ps', '-a', '--format', '{{.Names}}'])).stdout).toContain('old-batch');

    const real = await gc(args);
    const names = (await sandbox.docker(['ps', '-a', '--format', '{{.Names}}'])).stdout;
    expect(names).not.toContain('old-batch');
    expect(names).toContain('web-1');
    expect(real.report.deleted.map((d) => d.id)).toContain(oldId);
    expect(await imageIds()).toContain(ids['running']);
  });
});
