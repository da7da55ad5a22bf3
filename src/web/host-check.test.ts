import { describe, expect, it } from 'vitest';
import { checkHost, hostName } from './host-check.js';
import { parseListen } from './listen.js';

describe('hostName', () => {
  it.each([
    ['127.0.0.1:9476', '127.0.0.1'],
    ['LocalHost', 'localhost'],
    ['[::1]:9476', '::1'],
    ['[::1]', '::1'],
    ['agent.lan:', 'agent.lan'],
    [' evil.example:80 ', 'evil.example'],
  ])('%s addresses %s', (header, name) => expect(hostName(header)).toBe(name));

  it.each(['', '::1:9476', 'a b', '[nope]:1'])('%s is not a Host header', (header) => expect(hostName(header)).toBeNull());
});

describe('checkHost (a tokenless agent)', () => {
  const loopback = parseListen('127.0.0.1:9476');

  it.each(['127.0.0.1:9476', '127.9.9.9', 'localhost:9476', '[::1]:9476', '[::ffff:127.0.0.1]:9476'])('answers %s', (header) => {
    expect(checkHost(header, loopback)).toEqual({ ok: true });
  });

  it.each(['evil.example:9476', 'localhost.evil.example', '10.0.0.5:9476', '[::2]'])('refuses %s, naming the names it answers', (header) => {
    const verdict = checkHost(header, loopback);
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.reason).toMatch(/^This agent has no --token, so it answers only requests addressed to localhost, 127\.0\.0\.1, \[::1\] \(this one had Host ".*"\)/);
  });

  it('refuses a request without a Host header', () => {
    expect(checkHost(undefined, loopback)).toMatchObject({ ok: false, reason: expect.stringContaining('(this one had no Host header)') });
  });

  it('answers the --listen address by name, and names it among those it answers', () => {
    const listen = parseListen('agent.lan:9476');
    expect(checkHost('agent.lan:9476', listen)).toEqual({ ok: true });
    expect(checkHost('AGENT.LAN', listen)).toEqual({ ok: true });
    expect(checkHost('evil.example', listen)).toMatchObject({ ok: false, reason: expect.stringContaining('localhost, 127.0.0.1, [::1], agent.lan (') });
    // Every interface is no name: only loopback names pass.
    expect(checkHost('evil.example', parseListen(':9476')).ok).toBe(false);
  });
});
