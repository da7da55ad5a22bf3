import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEMO_LOCK } from '../../src/sandbox/demo-lock.js';
import { fetchedEngines } from '../../src/sandbox/engines.js';
import { CLI, runCli } from '../support/run-cli.js';
import { childEnv } from '../support/run-command.js';

// `dockwarden demo` as a user runs it: a whole demo on a small disk, looked at from
// outside (its output, its dashboard, a second demo), then stopped with SIGTERM; and one
// stopped with Ctrl-C half way through its setup. Either way nothing may be left: no
// process, mount, loop device, file or lock.

const NOBODY = 65534;
const TOKEN = 'demo-test-token';

interface DemoProcess {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function startDemo(args: string[]): DemoProcess {
  const child = spawn(process.execPath, [CLI, 'demo', '--size', '600M', '--listen', '127.0.0.1:0', '--token', TOKEN, ...args], {
    env: childEnv({ PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: '/nonexistent-home', NO_COLOR: '1' }),
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

async function until<T>(what: string, find: () => T | null | undefined | Promise<T | null | undefined>, timeoutMs: number, demo?: DemoProcess): Promise<T> {
  for (const end = Date.now() + timeoutMs; Date.now() < end; await new Promise((r) => setTimeout(r, 250))) {
    const found = await find();
    if (found) return found;
  }
  throw new Error(`${what} did not happen within ${timeoutMs / 1000} s${demo ? `:\n${demo.stdout()}\n${demo.stderr()}` : ''}`);
}

const sandboxDirs = () => new Set(readdirSync('/tmp').filter((n) => /^dw-[0-9a-f]{8}$/.test(n)));

/** What a stopped demo could leave behind of its sandbox directory. */
function leftovers(dir: string): string[] {
  const found: string[] = [];
  if (existsSync(dir)) found.push(`directory ${dir}`);
  for (const line of readFileSync('/proc/mounts', 'utf8').split('\n')) if (line.includes(dir)) found.push(`mount ${line}`);
  for (const dev of readdirSync('/sys/block').filter((d) => d.startsWith('loop'))) {
    const backing = `/sys/block/${dev}/loop/backing_file`;
    if (existsSync(backing) && readFileSync(backing, 'utf8').includes(dir)) found.push(`loop device /dev/${dev}`);
  }
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    const cmdline = (() => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      } catch {
        return '';
      }
    })();
    if (cmdline.includes(dir)) found.push(`process ${pid}: ${cmdline}`);
  }
  if (existsSync(DEMO_LOCK)) found.push(`lock ${DEMO_LOCK}`);
  return found;
}

/** Waits for the demo's last line; its output, sandbox directory and dashboard. */
async function ready(demo: DemoProcess): Promise<{ out: string; dir: string; url: string }> {
  await until('the demo being ready', () => demo.stdout().includes('Ctrl-C (or SIGTERM) stops the demo'), 240_000, demo);
  const out = demo.stdout();
  const dir = /engine: unix:\/\/(\/tmp\/dw-[0-9a-f]{8})\/docker\.sock/.exec(out)?.[1];
  const url = /── dashboard: (http:\/\/127\.0\.0\.1:\d+)\/ ──/.exec(out)?.[1];
  if (!dir || !url) throw new Error(`no engine or dashboard in the demo's output:\n${out}`);
  return { out, dir, url };
}

/** The GC dry run deletes something and keeps, with their reasons, the images containers, the service's rollback and --keep need. */
function expectPrintedPlan(out: string): void {
  expect(out).toMatch(/WOULD DELETE \d+ images/);
  expect(out).toMatch(/shop\/api:2\.0 +[\d.]+ MiB +previous spec of service api, needed for rollback/);
  expect(out).toMatch(/shop\/web:1\.3, shop\/web:latest +[\d.]+ MiB +in use by container web \(running\)/);
  expect(out).toMatch(/shop\/web:1\.2 +[\d.]+ MiB +in use by container migrate-2025-11 \(created\)/);
  expect(out).toMatch(/infra\/proxy:1\.25 +[\d.]+ MiB +matches --keep \^infra\//);
}

async function stopAndExpectNothingLeft(demo: DemoProcess, dir: string): Promise<void> {
  demo.child.kill('SIGTERM');
  expect(await demo.exited).toBe(0);
  expect(leftovers(dir)).toEqual([]);
  expect(demo.stderr()).toContain('demo: stopped; the engine, its disk and its files are gone.');
}

const matrix = await fetchedEngines();

describe('dockwarden demo', () => {
  it('as a user other than root: one line saying so, exit 3, nothing made', async () => {
    const before = sandboxDirs();
    const r = await runCli(['demo'], { uid: NOBODY, gid: NOBODY });
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toEqual(['dockwarden: dockwarden demo must run as root (it loop-mounts a filesystem and starts a private dockerd): sudo npx dockwarden demo']);
    expect([...sandboxDirs()].filter((d) => !before.has(d))).toEqual([]);
  });

  it('shows doctor, a dry run keeping the in-use and rollback images, and the dashboard; refuses a second demo; SIGTERM leaves nothing', async () => {
    const demo = startDemo([]);
    try {
      const { out, dir, url } = await ready(demo);
      expect(out).toMatch(/data root filesystem is \d+\.\d% full .* disk\.pressure/);
      expect(out).toContain('logging.unbounded');
      expectPrintedPlan(out);
      expect(out).toContain(`token: ${TOKEN}`);

      // The dashboard: the page, findings, and the agent's GC on pressure (the disk starts past --high).
      const get = async (path: string) => fetch(`${url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect((await get('/')).status).toBe(200);
      const findings = (await (await get('/api/findings')).json()) as { findings: Array<{ id: string }> };
      expect(findings.findings.map((f) => f.id)).toEqual(expect.arrayContaining(['disk.pressure', 'logging.unbounded', 'swarm.no-rollback']));
      await until(
        "the agent's GC on pressure",
        async () => ((await (await get('/api/gc')).json()) as { runs: Array<{ trigger: string; deleted: number }> }).runs.find((r) => r.trigger === 'pressure' && r.deleted > 0),
        30_000,
        demo,
      );

      const second = await runCli(['demo']);
      expect(second.code).toBe(3);
      expect(second.stderr.trim()).toMatch(
        new RegExp(
          `^dockwarden: a demo is already running \\(pid ${demo.child.pid}, since .*; its dashboard is ${url}, its engine unix://${dir}/docker.sock\\): stop it with Ctrl-C in its terminal, or kill ${demo.child.pid}\\.$`,
        ),
      );

      await stopAndExpectNothingLeft(demo, dir);
      await expect(fetch(url)).rejects.toThrow();
    } finally {
      demo.child.kill('SIGKILL');
    }
  }, 360_000);

  const newest = [...matrix.engines].sort((a, b) => a.label.localeCompare(b.label, undefined, { numeric: true })).at(-1);
  it.skipIf(!newest)(
    `on ${newest?.label ?? 'a fetched engine'} with containerd's image store: the same plan, and nothing left`,
    async () => {
      const demo = startDemo(['--engine', newest!.id, '--image-store', 'containerd']);
      try {
        const { out, dir } = await ready(demo);
        expect(out).toContain("containerd's image store");
        expectPrintedPlan(out);
        await stopAndExpectNothingLeft(demo, dir);
      } finally {
        demo.child.kill('SIGKILL');
      }
    },
    360_000,
  );

  it('Ctrl-C half way through the setup stops it and leaves nothing', async () => {
    const before = sandboxDirs();
    const demo = startDemo([]);
    try {
      const dir = await until('the sandbox directory', () => [...sandboxDirs()].find((d) => !before.has(d) && existsSync(`/tmp/${d}/docker.sock`)), 60_000, demo);
      demo.child.kill('SIGINT');
      expect(await demo.exited).toBe(0);
      expect(demo.stdout()).not.toContain('── dashboard');
      expect(leftovers(`/tmp/${dir}`)).toEqual([]);
    } finally {
      demo.child.kill('SIGKILL');
    }
  }, 180_000);
});
