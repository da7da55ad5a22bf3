import { spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backupStamp, writeFileAtomically } from './atomic-write.js';

const NOW = new Date('2026-11-25T10:15:00.456Z');
const OLD = '{\n  "data-root": "/var/lib/docker"\n}\n';
const NEW = '{\n  "data-root": "/data/docker"\n}\n';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dockwarden-atomic-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const leftovers = (): string[] => readdirSync(dir).filter((n) => n.includes('dockwarden-tmp'));

describe('backupStamp', () => {
  it('is the UTC second, compact', () => {
    expect(backupStamp(NOW)).toBe('20261125T101500Z');
  });
});

describe('writeFileAtomically', () => {
  it('backs up the old file byte for byte, then replaces it', async () => {
    const path = join(dir, 'daemon.json');
    writeFileSync(path, OLD);
    const result = await writeFileAtomically(path, NEW, { now: NOW });
    expect(result).toEqual({ path, backupPath: `${path}.dockwarden-20261125T101500Z`, changed: true });
    expect(readFileSync(result.backupPath!, 'utf8')).toBe(OLD);
    expect(readFileSync(path, 'utf8')).toBe(NEW);
    expect(leftovers()).toEqual([]);
  });

  it('keeps the old mode and owner', async () => {
    const path = join(dir, 'docker');
    writeFileSync(path, OLD);
    chmodSync(path, 0o600);
    const root = process.getuid?.() === 0;
    if (root) chownSync(path, 1234, 2345);
    await writeFileAtomically(path, NEW, { now: NOW });
    const st = statSync(path);
    expect(st.mode & 0o7777).toBe(0o600);
    if (root) expect([st.uid, st.gid]).toEqual([1234, 2345]);
  });

  it('creates a missing file 0644 in a new 0755 directory, with no backup', async () => {
    const path = join(dir, 'etc', 'docker', 'daemon.json');
    const result = await writeFileAtomically(path, NEW, { now: NOW });
    expect(result).toEqual({ path, backupPath: null, changed: true });
    expect(statSync(path).mode & 0o7777).toBe(0o644);
    expect(statSync(join(dir, 'etc', 'docker')).mode & 0o777).toBe(0o755);
  });

  it('writes nothing when the text is the same', async () => {
    const path = join(dir, 'daemon.json');
    writeFileSync(path, OLD);
    const before = statSync(path);
    expect(await writeFileAtomically(path, OLD, { now: NOW })).toEqual({ path, backupPath: null, changed: false });
    expect(readdirSync(dir)).toEqual(['daemon.json']);
    expect(statSync(path).ino).toBe(before.ino);
  });

  it('does not overwrite an earlier backup from the same second', async () => {
    const path = join(dir, 'daemon.json');
    writeFileSync(path, OLD);
    await writeFileAtomically(path, NEW, { now: NOW });
    const second = await writeFileAtomically(path, '{}\n', { now: NOW });
    expect(second.backupPath).toBe(`${path}.dockwarden-20261125T101500Z-2`);
    expect(readFileSync(`${path}.dockwarden-20261125T101500Z`, 'utf8')).toBe(OLD);
    expect(readFileSync(second.backupPath!, 'utf8')).toBe(NEW);
  });

  it('writes through a symlink to the file it points at', async () => {
    const real = join(dir, 'real.json');
    writeFileSync(real, OLD);
    const { symlinkSync, lstatSync } = await import('node:fs');
    symlinkSync(real, join(dir, 'daemon.json'));
    await writeFileAtomically(join(dir, 'daemon.json'), NEW, { now: NOW });
    expect(lstatSync(join(dir, 'daemon.json')).isSymbolicLink()).toBe(true);
    expect(readFileSync(real, 'utf8')).toBe(NEW);
  });

  it('leaves the old file and no temp file when it fails just before the rename', async () => {
    const path = join(dir, 'daemon.json');
    writeFileSync(path, OLD);
    const failing = writeFileAtomically(path, NEW, {
      now: NOW,
      hooks: {
        beforeRename: async () => {
          expect(leftovers()).toHaveLength(1);
          throw new Error('disk unplugged');
        },
      },
    });
    await expect(failing).rejects.toThrow('disk unplugged');
    expect(readFileSync(path, 'utf8')).toBe(OLD);
    expect(leftovers()).toEqual([]);
  });

  it('leaves the old file intact when the writer is SIGKILLed mid-write', async () => {
    const path = join(dir, 'daemon.json');
    writeFileSync(path, OLD);
    const module = fileURLToPath(new URL('./atomic-write.ts', import.meta.url));
    // 50 MB, and a hook that never returns: whenever the kill lands (writing, fsync, or
    // waiting), it is before the rename, as a crash or power cut would be.
    const script = `
      const { writeFileAtomically } = await import(${JSON.stringify(module)});
      setInterval(() => {}, 1000);
      await writeFileAtomically(${JSON.stringify(path)}, '{"x":"' + 'y'.repeat(50 * 1024 * 1024) + '"}', {
        now: new Date(), hooks: { beforeRename: () => new Promise(() => {}) } });
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: 'inherit' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    const deadline = Date.now() + 20_000;
    while (leftovers().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1));
    expect(leftovers()).toHaveLength(1);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(readFileSync(path, 'utf8')).toBe(OLD);
  }, 30_000);
});
