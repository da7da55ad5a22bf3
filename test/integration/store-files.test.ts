import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';

// --db pointed at a file that is not the agent's store (a daemon.json, say): every
// command refuses it in one line with exit 3, and no command renames, rewrites or
// creates anything beside it. Only the agent, the store's writer, ever moves a file
// aside, and only a damaged store of its own.

const DAEMON_JSON = '{\n  "data-root": "/srv/docker",\n  "log-opts": { "max-size": "10m" }\n}\n';
/** No engine answers here: a command that got past --db would fail differently. */
const NO_ENGINE = 'unix:///nonexistent/docker.sock';

let dir: string;
let file: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dw-store-files-'));
  file = join(dir, 'daemon.json');
  writeFileSync(file, DAEMON_JSON);
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

function expectOneCleanLine(stderr: string): void {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^dockwarden: /);
  expect(stderr).not.toMatch(/\n\s+at /);
}

function expectUntouched(): void {
  expect(readdirSync(dir)).toEqual(['daemon.json']);
  expect(readFileSync(file, 'utf8')).toBe(DAEMON_JSON);
}

describe('--db given a file that is not a dockwarden store', () => {
  it.each([
    ['status', ['status', '--db']],
    ['gc --dry-run', ['--host', NO_ENGINE, 'gc', '--dry-run', '--db']],
    ['gc', ['--host', NO_ENGINE, 'gc', '--db']],
    ['agent', ['--host', NO_ENGINE, 'agent', '--listen', '127.0.0.1:0', '--db']],
  ])('%s refuses it in one line, exit 3, and leaves it byte for byte as it was', async (_name, args) => {
    const r = await runCli([...args, file]);
    expect(r.code).toBe(3);
    expectOneCleanLine(r.stderr);
    expect(r.stderr).toContain(`The file ${file} is not a SQLite database, so not a dockwarden store`);
    expectUntouched();
  });

  it('status refuses an empty file without making it a store', async () => {
    writeFileSync(file, '');
    const r = await runCli(['status', '--db', file]);
    expect(r.code).toBe(3);
    expectOneCleanLine(r.stderr);
    expect(r.stderr).toContain('is empty, not a dockwarden store');
    expect(readdirSync(dir)).toEqual(['daemon.json']);
    expect(readFileSync(file)).toHaveLength(0);
  });
});
