import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { UsageError } from '../core/errors.js';
import { checkListenAuth, formatListen, isLoopback, parseListen, startWebServer, type WebServer } from './listen.js';

describe('parseListen', () => {
  it.each([
    ['127.0.0.1:9476', { host: '127.0.0.1', port: 9476 }],
    [':9476', { host: null, port: 9476 }],
    ['0.0.0.0:9476', { host: '0.0.0.0', port: 9476 }],
    ['[::1]:9476', { host: '::1', port: 9476 }],
    ['[::]:9476', { host: '::', port: 9476 }],
    ['localhost:9476', { host: 'localhost', port: 9476 }],
    ['Agent-1.example.com:80', { host: 'agent-1.example.com', port: 80 }],
    ['127.0.0.1:0', { host: '127.0.0.1', port: 0 }],
  ])('reads %s', (text, expected) => {
    expect(parseListen(text)).toEqual(expected);
    expect(formatListen(parseListen(text))).toBe(text.toLowerCase());
  });

  it.each(['9476', '127.0.0.1', '127.0.0.1:', '127.0.0.1:99999', '::1:9476', '[::1]', '[127.0.0.1]:9476', 'a b:9476', 'http://0.0.0.0:9476', ''])(
    'refuses %j in one line that shows the forms it takes',
    (text) => {
      expect(() => parseListen(text)).toThrow(UsageError);
      try {
        parseListen(text);
      } catch (err) {
        expect((err as Error).message).toMatch(/^--listen /);
        expect((err as Error).message).toContain('127.0.0.1:9476');
        expect((err as Error).message).not.toContain('\n');
      }
    },
  );
});

describe('checkListenAuth', () => {
  it.each(['127.0.0.1:9476', '127.1.2.3:9476', '[::1]:9476', 'localhost:9476', '[::ffff:127.0.0.1]:9476'])('lets %s listen without a token', (text) => {
    expect(isLoopback(parseListen(text))).toBe(true);
    expect(() => checkListenAuth(parseListen(text), null)).not.toThrow();
  });

  it.each(['0.0.0.0:9476', ':9476', '[::]:9476', '10.0.0.5:9476', 'agent.example.com:9476'])('wants a token for %s', (text) => {
    const listen = parseListen(text);
    expect(isLoopback(listen)).toBe(false);
    expect(() => checkListenAuth(listen, null)).toThrow(UsageError);
    expect(() => checkListenAuth(listen, '')).toThrow(UsageError);
    expect(() => checkListenAuth(listen, 's3cret-token')).not.toThrow();
  });

  it('says which address and how to fix it', () => {
    expect(() => checkListenAuth(parseListen('0.0.0.0:9476'), null)).toThrow(
      /^--listen 0\.0\.0\.0:9476 is not a loopback address: give --token \(or DOCKWARDEN_TOKEN\) .* or listen on 127\.0\.0\.1:9476\.$/,
    );
  });

  it('refuses a token that no client could send in a Bearer header', () => {
    expect(() => checkListenAuth(parseListen('0.0.0.0:9476'), 'two words')).toThrow(/--token must not contain spaces/);
  });
});

describe('startWebServer', () => {
  const started: WebServer[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((s) => s.close()));
  });
  const app = new Hono().get('/', (c) => c.text('hello'));

  it('binds port 0 to a free port and reports the real one', async () => {
    const server = await startWebServer(app, parseListen('127.0.0.1:0'));
    started.push(server);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.url).not.toMatch(/:0$/);
    const res = await fetch(server.url);
    expect(await res.text()).toBe('hello');
  });

  it('closes promptly although the client keeps its connection alive', async () => {
    const server = await startWebServer(app, parseListen('127.0.0.1:0'));
    await fetch(server.url).then((r) => r.text());
    const t0 = performance.now();
    await server.close();
    expect(performance.now() - t0).toBeLessThan(1000);
    await expect(fetch(server.url)).rejects.toThrow();
  });

  it('turns a port in use into one line naming the address', async () => {
    const first = await startWebServer(app, parseListen('127.0.0.1:0'));
    started.push(first);
    const port = Number(new URL(first.url).port);
    const second = startWebServer(app, parseListen(`127.0.0.1:${port}`));
    await expect(second).rejects.toThrow(UsageError);
    await expect(second).rejects.toThrow(`--listen 127.0.0.1:${port}: the address is already in use`);
    await second.catch((err: Error) => expect(err.message).not.toContain('\n'));
  });
});
