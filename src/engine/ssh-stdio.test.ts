import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { engineFailure } from './testing/engine-failure.js';
import type { EndpointChoice } from './endpoint.js';
import { connectEngine } from './http-engine.js';
import { sshCommand } from './ssh-stdio.js';
import { json, ping, startEngineHttpServer, type EngineHttpServer } from './testing/engine-http-server.js';

// ssh:// against a stand-in for the system ssh: an `ssh` first on PATH that records its
// arguments and then acts as `ssh HOST docker system dial-stdio` would (its stdin and
// stdout joined to the engine's socket), or fails as ssh or the remote docker do.

const FAKE_SSH = `#!${process.execPath}
const { appendFileSync } = require('node:fs');
const { connect } = require('node:net');
appendFileSync(process.env.FAKE_SSH_LOG, JSON.stringify(process.argv.slice(2)) + '\\n');
switch (process.env.FAKE_SSH_MODE) {
  case 'refused':
    process.stderr.write('ops@node-3: Permission denied (publickey).\\r\\n');
    process.exit(255);
  case 'no-engine':
    process.stderr.write('failed to open the raw stream connection: dial unix /nonexistent/docker.sock: connect: no such file or directory\\n');
    process.exit(1);
  default: {
    const socket = connect(process.env.FAKE_SSH_SOCKET);
    process.stdin.pipe(socket);
    socket.pipe(process.stdout);
    socket.on('end', () => process.exit(0));
  }
}
`;

let dir: string;
let log: string;
let server: EngineHttpServer;
const saved = { PATH: process.env['PATH'], FAKE_SSH_LOG: process.env['FAKE_SSH_LOG'], FAKE_SSH_SOCKET: process.env['FAKE_SSH_SOCKET'] };
let inFlight = 0;
let mostInFlight = 0;
/** How long /info takes: long enough, in the cap's test, for every connection to be busy. */
let infoDelayMs = 0;

const choice: EndpointChoice = { endpoint: { kind: 'ssh', url: 'ssh://ops@node-3:2222', host: 'node-3', port: 2222, username: 'ops' }, attempts: ['DOCKER_HOST: ssh://ops@node-3:2222'] };
const spawned = (): string[][] =>
  readFileSync(log, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as string[]);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dw-ssh-stdio-'));
  writeFileSync(join(dir, 'ssh'), FAKE_SSH);
  chmodSync(join(dir, 'ssh'), 0o755);
  server = await startEngineHttpServer({
    'GET /_ping': ping('1.41'),
    'GET /info': (_req, res) => {
      inFlight += 1;
      mostInFlight = Math.max(mostInFlight, inFlight);
      setTimeout(() => {
        inFlight -= 1;
        json(res, 200, { Driver: 'overlay2' });
      }, infoDelayMs);
    },
  });
  process.env['PATH'] = `${dir}:${saved.PATH ?? '/usr/bin:/bin'}`;
  process.env['FAKE_SSH_SOCKET'] = server.socketPath;
  freshLog();
});

function freshLog(): void {
  log = join(dir, `spawned-${Date.now()}.log`);
  writeFileSync(log, '');
  process.env['FAKE_SSH_LOG'] = log;
}

afterEach(() => {
  delete process.env['FAKE_SSH_MODE'];
  freshLog();
});

afterAll(async () => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('sshCommand', () => {
  it('is what the docker CLI runs, never prompting, with the user and port only when the URL names them', () => {
    expect(sshCommand({ kind: 'ssh', url: 'ssh://ops@node-3:2222', host: 'node-3', port: 2222, username: 'ops' }, 30_000)).toEqual([
      '-o',
      'ConnectTimeout=30',
      '-o',
      'BatchMode=yes',
      '-T',
      '-l',
      'ops',
      '-p',
      '2222',
      '--',
      'node-3',
      'docker',
      'system',
      'dial-stdio',
    ]);
    expect(sshCommand({ kind: 'ssh', url: 'ssh://node-3', host: 'node-3', port: undefined, username: undefined }, 2_500)).toEqual([
      '-o',
      'ConnectTimeout=3',
      '-o',
      'BatchMode=yes',
      '-T',
      '--',
      'node-3',
      'docker',
      'system',
      'dial-stdio',
    ]);
  });
});

describe('ssh:// through the system ssh', () => {
  it('speaks HTTP over one kept-alive ssh process for sequential requests', async () => {
    const engine = await connectEngine(choice);
    for (let i = 0; i < 10; i++) expect((await engine.info()).Driver).toBe('overlay2');
    expect(spawned()).toEqual([sshCommand(choice.endpoint as Extract<EndpointChoice['endpoint'], { kind: 'ssh' }>, 30_000)]);
  });

  it('runs at most four ssh processes however many requests are in flight', async () => {
    const engine = await connectEngine(choice);
    mostInFlight = 0;
    infoDelayMs = 300;
    try {
      await Promise.all(Array.from({ length: 12 }, () => engine.info()));
    } finally {
      infoDelayMs = 0;
    }
    expect(spawned().length).toBeLessThanOrEqual(4);
    expect(mostInFlight).toBe(4);
  });

  it('says what ssh said when it cannot log in, in one line, and never blames dockerd', async () => {
    process.env['FAKE_SSH_MODE'] = 'refused';
    const err = await engineFailure(connectEngine(choice));
    expect(err.message).toBe(
      'SSH to node-3 failed: ops@node-3: Permission denied (publickey). Check that `ssh ops@node-3 -p 2222` logs in without a password or prompt (a key in ~/.ssh or an ssh-agent, the host in known_hosts).',
    );
  });

  it("passes on the remote docker's own complaint when dial-stdio cannot reach its engine", async () => {
    process.env['FAKE_SSH_MODE'] = 'no-engine';
    const err = await engineFailure(connectEngine(choice));
    expect(err.message).toBe(
      '`docker system dial-stdio` on the ssh host ssh://ops@node-3:2222 exited 1: failed to open the raw stream connection: dial unix /nonexistent/docker.sock: connect: no such file or directory. Check that docker is installed there and reaches its engine (`ssh ops@node-3 -p 2222 docker version`).',
    );
  });

  it('names the missing ssh client', async () => {
    const path = process.env['PATH'];
    process.env['PATH'] = dir.replace(/$/, '-nothing-here');
    try {
      const err = await engineFailure(connectEngine(choice));
      expect(err.message).toBe('ssh://ops@node-3:2222 is reached with the ssh client, and there is no `ssh` on PATH: install openssh-client.');
    } finally {
      process.env['PATH'] = path;
    }
  });

  it('lets a finished run exit although its ssh process is kept for the next request', async () => {
    const script = `import { connectEngine } from ${JSON.stringify(new URL('./http-engine.ts', import.meta.url).pathname)};
      const engine = await connectEngine(${JSON.stringify(choice)});
      console.log((await engine.info()).Driver);`;
    const started = Date.now();
    // Not spawnSync: the engine answering it is this process's server.
    const r = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 10_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('overlay2');
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
