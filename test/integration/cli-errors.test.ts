import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';

// Bad input and unreachable engines: one clear line on stderr, exit 3, no stack trace.

const NOBODY = 65534;
let dir: string;
let server: Server;
let lockedSocket: string;

function expectOneCleanLine(stderr: string) {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^dockwarden: /);
  expect(stderr).not.toMatch(/\n\s+at /);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dw-cli-'));
  chmodSync(dir, 0o755);
  // A listening socket only root may open: what a user outside the docker group meets.
  lockedSocket = join(dir, 'locked.sock');
  server = createServer();
  await new Promise<void>((resolve) => server.listen(lockedSocket, resolve));
  chmodSync(lockedSocket, 0o600);
});

afterAll(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('unreachable or forbidden engines', () => {
  it('a socket that does not exist', async () => {
    const r = await runCli(['doctor', '--host', `unix://${dir}/missing.sock`]);
    expect(r.code).toBe(3);
    expectOneCleanLine(r.stderr);
    expect(r.stderr).toContain(`Cannot reach the Docker engine at unix://${dir}/missing.sock: no such socket`);
    expect(r.stderr.trim()).toMatch(/No Docker engine on this machine\? `sudo npx dockwarden demo` runs one .*\.$/);
  });

  it('DOCKER_HOST pointing at a closed TCP port', async () => {
    const r = await runCli(['doctor'], { env: { DOCKER_HOST: 'tcp://127.0.0.1:1' } });
    expect(r.code).toBe(3);
    expectOneCleanLine(r.stderr);
    expect(r.stderr).toContain('Connection refused at tcp://127.0.0.1:1');
    expect(r.stderr).toContain('tried --host: not given; DOCKER_HOST: tcp://127.0.0.1:1');
    expect(r.stderr).toContain('`sudo npx dockwarden demo`');
  });

  it('permission denied on the socket, for a user outside the docker group', async () => {
    const r = await runCli(['doctor', '--host', `unix://${lockedSocket}`], { uid: NOBODY, gid: NOBODY });
    expect(r.code).toBe(3);
    expectOneCleanLine(r.stderr);
    expect(r.stderr).toContain(`Permission denied on unix://${lockedSocket}`);
    expect(r.stderr).toContain('docker group');
    // There is an engine: the demo is not the answer.
    expect(r.stderr).not.toContain('demo');
  });
});

describe('bad input', () => {
  it('--info with text that is neither docker info JSON nor its text output', async () => {
    const file = join(dir, 'garbage.txt');
    writeFileSync(file, 'hello world\nthis is not docker info\n');
    const r = await runCli(['doctor', '--info', file]);
    expect(r.code).toBe(3);
    expectOneCleanLine(r.stderr);
  });

  it('--info with broken JSON names the problem', async () => {
    const r = await runCli(['doctor', '--info', '-'], { input: '{"Driver": "overlay2",' });
    expect(r.code).toBe(3);
    expectOneCleanLine(r.stderr);
    expect(r.stderr).toMatch(/JSON/);
  });

  it('--facts with a file that is not a facts snapshot', async () => {
    const file = join(dir, 'not-facts.json');
    writeFileSync(file, '{"schemaVersion": 1}');
    const r = await runCli(['doctor', '--facts', file]);
    expect(r.code).toBe(3);
    expectOneCleanLine(r.stderr);
    expect(r.stderr).toContain('is not a dockwarden facts file');
  });

  it('a file that does not exist', async () => {
    const r = await runCli(['doctor', '--info', join(dir, 'nope.json')]);
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toBe(`dockwarden: --info ${join(dir, 'nope.json')} cannot be read (ENOENT).`);
  });

  it('an unknown flag', async () => {
    const r = await runCli(['doctor', '--frobnicate']);
    expect(r.code).toBe(3);
    expectOneCleanLine(r.stderr);
    expect(r.stderr).toContain("unknown option '--frobnicate'");
    expect(r.stdout).toBe('');
  });

  it('an unknown command', async () => {
    const r = await runCli(['doctr']);
    expect(r.code).toBe(3);
    expectOneCleanLine(r.stderr);
    expect(r.stderr).toMatch(/unknown command 'doctr' \(Did you mean doctor\?\)/);
  });

  it('--help exits 0 and lists the commands', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('doctor');
    expect(r.stdout).toContain('facts');
    expect(r.stdout).toContain('gc');
  });

  // Flags are checked before any engine is contacted: no socket is needed to be told.
  it.each([
    [['--high', '120'], "option '--high <pct>' argument '120' is invalid"],
    [['--high', '50', '--low', '60'], '--low 60 cannot be higher than --high 50'],
    [['--keep', '('], '--keep "(" is not a valid regular expression'],
    [['--min-age', '5x'], '--min-age "5x" is not a duration'],
    [['--max-age', '1m'], '--max-age 60s must be longer than --min-age 2m'],
    [['--budget', 'lots'], '--budget "lots" is not a size'],
    [['--concurrency', '0'], "option '--concurrency <n>' argument '0' is invalid"],
    // Number() reads hex, binary and exponents: "0x50" was taken as 80.
    [['--high', '0x50'], "option '--high <pct>' argument '0x50' is invalid. expected a percentage between 0 and 100"],
    [['--low', '1e1'], "option '--low <pct>' argument '1e1' is invalid"],
    // An unset variable in `--keep "$KEEP"`: the empty regex matched, and kept, every image.
    [['--keep', ''], "option '--keep <regex>' argument '' is invalid. an empty pattern matches every image"],
  ])('gc %j is refused with one line', async (args, message) => {
    const r = await runCli(['gc', ...args], { env: { DOCKER_HOST: `unix://${dir}/missing.sock` } });
    expect(r.code).toBe(3);
    expectOneCleanLine(r.stderr);
    expect(r.stderr).toContain(message);
    expect(r.stdout).toBe('');
  });

  it.each([
    [['plan', 'lvm', '--device', '/dev/sdb'], "'lvm' is invalid for argument 'kind'. Allowed choices are overlay2, direct-lvm, btrfs, zfs, pquota"],
    [['plan', 'overlay2'], "required option '--device <dev>' not specified"],
    [['plan', 'overlay2', '--device', '/dev/sdb', '--migrate', 'move'], "option '--migrate <mode>' argument 'move' is invalid"],
    [['plan', 'overlay2', '--device', '/dev/sdb', '--stop-command', 'true'], '--stop-command and --start-command go together'],
  ])('%j is refused with one line', async (args, message) => {
    const r = await runCli(args, { env: { DOCKER_HOST: `unix://${dir}/missing.sock` } });
    expect(r.code).toBe(3);
    expectOneCleanLine(r.stderr);
    expect(r.stderr).toContain(message);
    expect(r.stdout).toBe('');
  });
});

describe('docker contexts', () => {
  it('follows currentContext from ~/.docker/config.json and names the context in the error', async () => {
    const home = join(dir, 'home');
    const meta = join(home, '.docker/contexts/meta/b71199ebd070b36beab7317920c2c2f1d777df8d05e5527d8458fda57cb17a7a');
    mkdirSync(meta, { recursive: true });
    writeFileSync(join(home, '.docker/config.json'), '{"currentContext": "remote"}');
    writeFileSync(join(meta, 'meta.json'), JSON.stringify({ Name: 'remote', Endpoints: { docker: { Host: `unix://${dir}/remote.sock` } } }));
    const r = await runCli(['doctor'], { env: { HOME: home } });
    expect(r.code).toBe(3);
    expectOneCleanLine(r.stderr);
    expect(r.stderr).toContain(`docker context remote (${home}/.docker/config.json): unix://${dir}/remote.sock`);
  });

  it('an unknown DOCKER_CONTEXT is one clear error', async () => {
    const r = await runCli(['doctor'], { env: { DOCKER_CONTEXT: 'nope' } });
    expect(r.code).toBe(3);
    expectOneCleanLine(r.stderr);
    expect(r.stderr).toContain('docker context "nope" does not exist');
  });
});

describe('bad input that was taken for a bug (exit 70)', () => {
  const noEngine = { DOCKER_HOST: 'unix:///nonexistent/docker.sock' };
  /** config set prints what it could not inspect as notes; the refusal is the one other line. */
  const refusal = (stderr: string): string[] =>
    stderr
      .trim()
      .split('\n')
      .filter((l) => !l.startsWith('dockwarden: note: '));

  it('config set --daemon-json naming a directory', async () => {
    const r = await runCli(['config', 'set', 'data-root', '/data/docker', '--daemon-json', dir, '--dry-run'], { env: noEngine });
    expect(r.code).toBe(3);
    expect(refusal(r.stderr)).toEqual([`dockwarden: ${dir} cannot be read (EISDIR): it is a directory; give the daemon.json file itself.`]);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('config set on a daemon.json that a non-root user may not read', async () => {
    const file = join(dir, 'root-only.json');
    writeFileSync(file, '{}\n');
    chmodSync(file, 0o600);
    const r = await runCli(['config', 'set', 'data-root', '/data/docker', '--daemon-json', file, '--dry-run'], { env: noEngine, uid: NOBODY, gid: NOBODY });
    expect(r.code).toBe(3);
    expect(refusal(r.stderr)).toEqual([`dockwarden: ${file} cannot be read (EACCES): run dockwarden as root.`]);
  });

  it('config set on a daemon.json nested 100,000 levels deep', async () => {
    const file = join(dir, 'deep-daemon.json');
    writeFileSync(file, `{"labels": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
    const r = await runCli(['config', 'set', 'data-root', '/data/docker', '--daemon-json', file, '--dry-run'], { env: noEngine });
    expect(r.code).toBe(3);
    expect(refusal(r.stderr)).toEqual([
      `dockwarden: ${file} is nested more than 100 levels deep (line 1, column 111), deeper than any daemon.json option goes: dockerd will refuse to start with it; fix the file or move it aside.`,
    ]);
  });

  it.each([
    ['JSON', `{"Driver": "overlay2", "Labels": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`],
    ['text around JSON', `$ docker info --format '{{json .}}'\n${'['.repeat(100_000)}`],
  ])('doctor --info with a %s paste nested 100,000 levels deep', async (_what, paste) => {
    const r = await runCli(['doctor', '--info', '-'], { input: paste });
    expect(r.code).toBe(3);
    expectOneCleanLine(r.stderr);
    expect(r.stderr).toContain('nested more than 100 levels deep');
  });

  it('doctor --help names every exit code, 3 included', async () => {
    const r = await runCli(['doctor', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout.replace(/\s+/g, ' ')).toContain('exit 2 critical, 1 warning, 0 healthy, 3 bad input or no engine');
  });
});
