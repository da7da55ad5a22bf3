import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { engineFailure } from './testing/engine-failure.js';
import type { EngineEvent } from './engine-api.js';
import { connectEngine } from './http-engine.js';
import { json, ping, startEngineHttpServer, type EngineHttpServer, type Route } from './testing/engine-http-server.js';

let server: EngineHttpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const start = async (routes: Record<string, Route>) => (server = await startEngineHttpServer(routes));

const INFO: Route = (_req, res) => json(res, 200, { Driver: 'overlay2', DockerRootDir: '/var/lib/docker', Images: 3 });
const VERSION_41: Route = (_req, res) => json(res, 200, { Version: '20.10.24', ApiVersion: '1.41', MinAPIVersion: '1.12' });

describe('API version negotiation', () => {
  it("speaks /_ping's Api-Version and never asks /version when nobody needs it (gc)", async () => {
    const s = await start({ 'GET /_ping': ping('1.41'), 'GET /info': INFO, 'GET /version': VERSION_41 });
    const engine = await connectEngine(s.choice);
    expect((await engine.info()).Driver).toBe('overlay2');
    expect(s.requests).toEqual(['GET /_ping', 'GET /v1.41/info']);
  });

  it('reads /version once, when first asked, with the negotiated version and the components kept', async () => {
    const s = await start({
      'GET /_ping': ping('1.41'),
      'GET /version': (_req, res) => json(res, 200, { Version: '4.3.1', ApiVersion: '1.41', MinAPIVersion: '1.24', Components: [{ Name: 'Podman Engine', Version: '4.3.1' }] }),
    });
    const engine = await connectEngine(s.choice);
    const [a, b] = await Promise.all([engine.version(), engine.version()]);
    expect(a).toEqual({ version: '4.3.1', apiVersion: '1.41', minApiVersion: '1.24', negotiatedApiVersion: '1.41', components: [{ name: 'Podman Engine', version: '4.3.1' }] });
    expect(b).toBe(a);
    await engine.version();
    expect(s.requests).toEqual(['GET /_ping', 'GET /v1.41/version']);
  });

  it('reads a header with a patch level as major.minor', async () => {
    const s = await start({ 'GET /_ping': ping('1.41.0'), 'GET /info': INFO });
    await (await connectEngine(s.choice)).info();
    expect(s.requests).toEqual(['GET /_ping', 'GET /v1.41/info']);
  });

  it('caps a newer engine at the highest version dockwarden speaks', async () => {
    const s = await start({ 'GET /_ping': ping('1.52'), 'GET /info': INFO });
    await (await connectEngine(s.choice)).info();
    expect(s.requests).toEqual(['GET /_ping', 'GET /v1.51/info']);
  });

  it('falls back to /version for an engine whose /_ping has no Api-Version header (before API 1.25)', async () => {
    const s = await start({
      'GET /_ping': ping(null),
      'GET /version': (_req, res) => json(res, 200, { Version: '1.12.6', ApiVersion: '1.24' }),
      'GET /info': INFO,
    });
    const engine = await connectEngine(s.choice);
    await engine.info();
    expect((await engine.version()).negotiatedApiVersion).toBe('1.24');
    expect(s.requests).toEqual(['GET /_ping', 'GET /version', 'GET /v1.24/info']);
  });

  it('refuses an engine older than API 1.24 in a sentence', async () => {
    const s = await start({ 'GET /_ping': ping(null), 'GET /version': (_req, res) => json(res, 200, { Version: '1.11.2', ApiVersion: '1.23' }) });
    expect((await engineFailure(connectEngine(s.choice))).message).toMatch(/speaks API 1.23; dockwarden needs at least 1.24/);
  });

  it('says the engine needs a newer dockwarden when it refuses our version as below its minimum', async () => {
    const s = await start({
      'GET /_ping': ping('1.60'),
      'GET /info': (_req, res) => json(res, 400, { message: 'client version 1.51 is too old. Minimum supported API version is 1.55, please upgrade your client to a newer version' }),
    });
    const err = await engineFailure((await connectEngine(s.choice)).info());
    expect(err.message).toBe(`The engine at unix://${s.socketPath} needs API 1.55 or newer; this dockwarden speaks up to 1.51. Upgrade dockwarden.`);
    expect(err.details.status).toBe(400);
  });
});

describe('errors', () => {
  it.each([
    [404, 'No such image: sha256:abc'],
    [409, 'conflict: unable to delete 3f1a (must be forced) - image is being used by stopped container 1f2e'],
    [500, 'error while removing image: something broke'],
  ])('an answer %i is an EngineError with the engine message, the status and the path', async (status, message) => {
    const s = await start({ 'GET /_ping': ping('1.41'), 'DELETE /images': (_req, res) => json(res, status, { message }) });
    const err = await engineFailure((await connectEngine(s.choice)).removeImage('sha256:abc'));
    expect(err.message).toBe(`The Docker engine at unix://${s.socketPath} answered ${status} to /images/sha256:abc: ${message}.`);
    expect(err.details).toMatchObject({ status, path: '/images/sha256:abc', said: message, attempts: s.choice.attempts });
    expect(s.requests.at(-1)).toBe('DELETE /v1.41/images/sha256:abc');
  });

  it('takes a plain-text error body as the message (older engines)', async () => {
    const s = await start({
      'GET /_ping': ping('1.41'),
      'GET /services': (_req, res) => {
        res.writeHead(503, { 'Content-Type': 'text/plain' });
        res.end('This node is not a swarm manager.\n');
      },
    });
    const err = await engineFailure((await connectEngine(s.choice)).listServices());
    expect(err.details).toMatchObject({ status: 503, said: 'This node is not a swarm manager.' });
  });

  it('says "no such socket" for a socket that does not exist', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dw-http-engine-'));
    try {
      const socketPath = join(dir, 'missing.sock');
      const err = await engineFailure(connectEngine({ endpoint: { kind: 'unix', url: `unix://${socketPath}`, socketPath }, attempts: ['DOCKER_HOST: unset'] }));
      expect(err.message).toBe(
        `Cannot reach the Docker engine at unix://${socketPath}: no such socket. Is dockerd running (systemctl start docker)? Otherwise point --host or DOCKER_HOST at its socket (tried DOCKER_HOST: unset).`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says "connection refused" when nothing listens', async () => {
    const probe = createNetServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const err = await engineFailure(connectEngine({ endpoint: { kind: 'tcp', url: `tcp://127.0.0.1:${port}`, host: '127.0.0.1', port, tls: null }, attempts: [] }));
    expect(err.message).toBe(`Connection refused at tcp://127.0.0.1:${port}: nothing is listening there. Is dockerd running (systemctl status docker)?`);
  });

  it('says "permission denied" on a socket this user may not open', async () => {
    const s = await start({ 'GET /_ping': ping('1.41') });
    chmodSync(join(s.socketPath, '..'), 0o755);
    chmodSync(s.socketPath, 0o600);
    // root opens any socket: the client runs as nobody then.
    const script = `import { connectEngine } from ${JSON.stringify(new URL('./http-engine.ts', import.meta.url).pathname)};
      connectEngine(${JSON.stringify(s.choice)}).then(() => console.log('connected'), (e) => console.log(e.message));`;
    const asRoot = process.getuid?.() === 0;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', cwd: process.cwd(), ...(asRoot ? { uid: 65534, gid: 65534 } : {}) });
    expect(r.stdout.trim()).toBe(
      `Permission denied on unix://${s.socketPath}: run dockwarden as root or as a member of the docker group (usermod -aG docker $USER, then log in again) (tried --host: unix://${s.socketPath}).`,
    );
  });

  it('gives up on a request the engine does not answer, after the timeout, naming the path', async () => {
    const s = await start({ 'GET /_ping': ping('1.41'), 'GET /system/df': () => undefined });
    const engine = await connectEngine(s.choice, { timeoutMs: 200 });
    const started = Date.now();
    const err = await engineFailure(engine.systemDf());
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(err.message).toBe(`The Docker engine at unix://${s.socketPath} did not answer in time (/system/df): it may be hung; check journalctl -u docker.`);
  });

  it('refuses a list entry without an Id instead of guessing', async () => {
    const s = await start({ 'GET /_ping': ping('1.41'), 'GET /containers/json': (_req, res) => json(res, 200, [{ Names: ['/web'], ImageID: 'sha256:1' }]) });
    const err = await engineFailure((await connectEngine(s.choice)).listContainers());
    expect(err.message).toMatch(/^Talking to the Docker engine at unix:\/\/.* failed: \/containers\/json answered an entry without Id/);
  });
});

describe('connections', () => {
  it('keeps one connection alive for sequential requests', async () => {
    const s = await start({ 'GET /_ping': ping('1.41'), 'GET /info': INFO });
    const engine = await connectEngine(s.choice);
    for (let i = 0; i < 20; i++) await engine.info();
    expect(s.connections()).toBe(1);
  });

  it('sends a read again when the pooled connection turns out closed (the engine ended it as the request left)', async () => {
    const served = new WeakMap<object, number>();
    const s = await start({
      'GET /_ping': ping('1.41'),
      'GET /info': (req, res) => {
        const n = (served.get(req.socket) ?? 0) + 1;
        served.set(req.socket, n);
        if (n === 2) return req.socket.destroy(); // the second request on a kept-alive connection
        INFO(req, res, new URL('http://engine'));
      },
    });
    const engine = await connectEngine(s.choice);
    await engine.info();
    expect((await engine.info()).Images).toBe(3);
    expect(s.connections()).toBe(2);
  });

  it('never sends a deletion twice', async () => {
    const served = new WeakMap<object, number>();
    const s = await start({
      'GET /_ping': ping('1.41'),
      'DELETE /images': (req, res) => {
        const n = (served.get(req.socket) ?? 0) + 1;
        served.set(req.socket, n);
        if (n === 1) return req.socket.destroy();
        json(res, 200, [{ Deleted: 'sha256:abc' }]);
      },
    });
    const engine = await connectEngine(s.choice);
    const err = await engineFailure(engine.removeImage('sha256:abc'));
    expect(err.message).toContain('(ECONNRESET)');
    expect(s.requests.filter((r) => r.startsWith('DELETE'))).toHaveLength(1);
  });

  it('sends query parameters as the engine reads them', async () => {
    const s = await start({
      'GET /_ping': ping('1.41'),
      'GET /images/json': (_req, res) => json(res, 200, []),
      'POST /images': (_req, res) => {
        res.writeHead(201);
        res.end();
      },
      'POST /containers/prune': (_req, res) => json(res, 200, { ContainersDeleted: null, SpaceReclaimed: 0 }),
    });
    const engine = await connectEngine(s.choice);
    await engine.listImages({ all: true, danglingOnly: true });
    await engine.tagImage('sha256:abc', 'registry:5000/app:v2');
    expect(await engine.pruneContainers('86400s')).toEqual({ deleted: [], spaceReclaimed: 0 });
    expect(s.requests.slice(1)).toEqual([
      `GET /v1.41/images/json?all=1&filters=${encodeURIComponent('{"dangling":["true"]}')}`,
      'POST /v1.41/images/sha256:abc/tag?repo=registry%3A5000%2Fapp&tag=v2',
      `POST /v1.41/containers/prune?filters=${encodeURIComponent('{"until":["86400s"]}')}`,
    ]);
  });
});

describe('the events stream', () => {
  const event = (action: string, id: string, timeNano: string) =>
    `{"status":"${action}","id":"${id}","Type":"container","Action":"${action}","Actor":{"ID":"${id}","Attributes":{"image":"app:1"}},"scope":"local","time":${timeNano.slice(0, 10)},"timeNano":${timeNano}}\n`;

  it('yields one event per line, also when lines arrive split or several in one chunk, without a timeout while quiet', async () => {
    const a = event('start', 'c1', '1733310000123456789');
    const b = event('die', 'c2', '1733310001000000001');
    const c = event('destroy', 'c3', '1733310002999999999');
    const s = await start({
      'GET /_ping': ping('1.41'),
      'GET /events': (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.flushHeaders();
        const steps: [number, string][] = [
          [0, a.slice(0, 17)],
          [400, a.slice(17) + b],
          [50, c.slice(0, c.length - 1)],
          [50, '\n'],
        ];
        let at = 0;
        for (const [delay, text] of steps) setTimeout(() => res.write(text), (at += delay));
        setTimeout(() => res.end(), at + 50);
      },
    });
    const engine = await connectEngine(s.choice, { timeoutMs: 150 });
    const seen: EngineEvent[] = [];
    for await (const e of engine.events({ since: '1733310000' })) seen.push(e);
    expect(seen.map((e) => [e.action, e.actorId, e.timeNano])).toEqual([
      ['start', 'c1', 1733310000123456789n],
      ['die', 'c2', 1733310001000000001n],
      ['destroy', 'c3', 1733310002999999999n],
    ]);
    expect(seen[0]?.attributes).toEqual({ image: 'app:1' });
    expect(s.requests.at(-1)).toBe('GET /v1.41/events?since=1733310000');
  });

  it('ends the iteration when the signal aborts, and frees the connection', async () => {
    let closed = false;
    const s = await start({
      'GET /_ping': ping('1.41'),
      'GET /events': (req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.write(event('start', 'c1', '1733310000000000000'));
        req.socket.on('close', () => (closed = true));
      },
    });
    const engine = await connectEngine(s.choice);
    const controller = new AbortController();
    const seen: string[] = [];
    for await (const e of engine.events({ signal: controller.signal })) {
      seen.push(e.actorId);
      setTimeout(() => controller.abort(), 20);
    }
    expect(seen).toEqual(['c1']);
    await new Promise((r) => setTimeout(r, 50));
    expect(closed).toBe(true);
  });

  it('ends at once when aborted before the engine answered', async () => {
    const s = await start({ 'GET /_ping': ping('1.41'), 'GET /events': () => undefined });
    const engine = await connectEngine(s.choice);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const seen: EngineEvent[] = [];
    for await (const e of engine.events({ signal: controller.signal })) seen.push(e);
    expect(seen).toEqual([]);
  });

  it('throws an EngineError when the connection breaks mid-stream', async () => {
    const s = await start({
      'GET /_ping': ping('1.41'),
      'GET /events': (req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.write(event('start', 'c1', '1733310000000000000'));
        setTimeout(() => req.socket.destroy(), 30);
      },
    });
    const engine = await connectEngine(s.choice);
    const seen: string[] = [];
    const err = await engineFailure(
      (async () => {
        for await (const e of engine.events({})) seen.push(e.actorId);
      })(),
    );
    expect(seen).toEqual(['c1']);
    expect(err.details.path).toBe('/events');
  });
});

describe('removeImageAndReferences on Podman', () => {
  const ID = `sha256:${'a'.repeat(64)}`;
  const podman = (tag: Route): Record<string, Route> => ({
    'GET /_ping': ping('1.41'),
    'GET /version': (_req, res) => json(res, 200, { Version: '4.3.1', ApiVersion: '1.41', MinAPIVersion: '1.24', Components: [{ Name: 'Podman Engine', Version: '4.3.1' }] }),
    'GET /images': (_req, res) => json(res, 200, { RepoTags: ['app:a', 'app:b'], RepoDigests: [] }),
    'POST /libpod/images': (_req, res) => json(res, 200, {}),
    'DELETE /images': (_req, res) => json(res, 409, { message: `image ${ID.slice(7, 19)} is in use by a container` }),
    'POST /images': tag,
  });

  it('puts the tags back when the delete is refused, and the refusal is all the error says', async () => {
    const s = await start(podman((_req, res) => json(res, 201, {})));
    const err = await engineFailure((await connectEngine(s.choice)).removeImageAndReferences(ID));
    expect(err.details.status).toBe(409);
    expect(err.details.said).toBe(`image ${'a'.repeat(12)} is in use by a container`);
    expect(s.requests.filter((r) => r.includes('/tag?'))).toHaveLength(2);
  });

  it('names in the error each tag it could not put back, keeping the refusal and its status', async () => {
    const s = await start(podman((_req, res, url) => (url.searchParams.get('tag') === 'b' ? json(res, 500, { message: 'storage is read-only' }) : json(res, 201, {}))));
    const err = await engineFailure((await connectEngine(s.choice)).removeImageAndReferences(ID));
    expect(err.details.status).toBe(409);
    expect(err.details.said).toBe(`image ${'a'.repeat(12)} is in use by a container; the image's tag app:b (storage is read-only) could not be put back after it was untagged for the delete`);
    expect(err.message).toMatch(/app:b \(storage is read-only\) could not be put back/);
  });
});
