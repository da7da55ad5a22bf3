import { describe, expect, it } from 'vitest';
import { chooseEndpoint, type EndpointInputs } from './endpoint.js';

const inputs = (overrides: Partial<EndpointInputs> = {}): EndpointInputs => ({
  env: {},
  homeDir: '/home/op',
  probeSocket: () => 'missing',
  ...overrides,
});

describe('chooseEndpoint', () => {
  it('prefers --host over DOCKER_HOST', () => {
    const choice = chooseEndpoint(inputs({ hostFlag: 'unix:///tmp/a.sock', env: { DOCKER_HOST: 'tcp://h:2375' } }));
    expect(choice.endpoint).toEqual({ kind: 'unix', url: 'unix:///tmp/a.sock', socketPath: '/tmp/a.sock' });
  });

  it('uses DOCKER_HOST with TLS settings from DOCKER_TLS_VERIFY and DOCKER_CERT_PATH', () => {
    const choice = chooseEndpoint(inputs({ env: { DOCKER_HOST: 'tcp://10.0.0.5:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs' } }));
    expect(choice.endpoint).toEqual({
      kind: 'tcp',
      url: 'tcp://10.0.0.5:2376',
      host: '10.0.0.5',
      port: 2376,
      tls: { certPath: '/certs', verify: true, from: 'DOCKER_TLS_VERIFY', caRequired: true },
    });
    expect(choice.attempts).toEqual(['--host: not given', 'DOCKER_HOST: tcp://10.0.0.5:2376']);
  });

  it('speaks plain HTTP on 2375 without TLS settings', () => {
    const choice = chooseEndpoint(inputs({ env: { DOCKER_HOST: 'tcp://build-1' } }));
    expect(choice.endpoint).toMatchObject({ kind: 'tcp', host: 'build-1', port: 2375, tls: null });
  });

  it('parses ssh:// with user and port', () => {
    const choice = chooseEndpoint(inputs({ hostFlag: 'ssh://ops@node-3:2222' }));
    expect(choice.endpoint).toEqual({ kind: 'ssh', url: 'ssh://ops@node-3:2222', host: 'node-3', port: 2222, username: 'ops' });
  });

  it('falls back through the local sockets and records why each was passed over', () => {
    const state: Record<string, 'ok' | 'missing' | 'permission denied'> = {
      '/var/run/docker.sock': 'permission denied',
      '/run/user/1000/docker.sock': 'ok',
    };
    const choice = chooseEndpoint(inputs({ env: { XDG_RUNTIME_DIR: '/run/user/1000' }, probeSocket: (p) => state[p] ?? 'missing' }));
    expect(choice.endpoint).toMatchObject({ kind: 'unix', socketPath: '/run/user/1000/docker.sock' });
    expect(choice.attempts).toEqual(['--host: not given', 'DOCKER_HOST: unset', 'docker context: none', '/var/run/docker.sock: permission denied', '/run/user/1000/docker.sock: found']);
  });

  it('names the socket it may not open when nothing answers, so the error says "permission denied"', () => {
    const choice = chooseEndpoint(inputs({ probeSocket: (p) => (p === '/var/run/docker.sock' ? 'permission denied' : 'missing') }));
    expect(choice.endpoint).toMatchObject({ socketPath: '/var/run/docker.sock' });
  });

  it('uses the docker context after DOCKER_HOST, and the sockets for the "default" context', () => {
    const remote = chooseEndpoint(inputs({ context: { name: 'prod', from: 'DOCKER_CONTEXT', host: 'ssh://ops@prod-1', tls: null } }));
    expect(remote.endpoint).toMatchObject({ kind: 'ssh', host: 'prod-1', username: 'ops' });
    expect(remote.attempts.at(-1)).toBe('docker context prod (DOCKER_CONTEXT): ssh://ops@prod-1');
    const both = chooseEndpoint(inputs({ env: { DOCKER_HOST: 'unix:///tmp/x.sock' }, context: { name: 'prod', from: 'DOCKER_CONTEXT', host: 'ssh://ops@prod-1', tls: null } }));
    expect(both.endpoint).toMatchObject({ kind: 'unix', socketPath: '/tmp/x.sock' });
    const local = chooseEndpoint(inputs({ context: { name: 'default', from: 'config.json', host: null, tls: null }, probeSocket: () => 'ok' }));
    expect(local.endpoint).toMatchObject({ kind: 'unix', socketPath: '/var/run/docker.sock' });
  });

  it('speaks TLS the way the docker CLI reads DOCKER_TLS, and verifies whenever the TLS port or https:// is all there is', () => {
    const tlsOnly = chooseEndpoint(inputs({ env: { DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS: '1' } }));
    expect(tlsOnly.endpoint).toMatchObject({ tls: { certPath: '/home/op/.docker', verify: false, from: 'DOCKER_TLS, DOCKER_CERT_PATH unset', caRequired: false } });
    const byPort = chooseEndpoint(inputs({ env: { DOCKER_HOST: 'tcp://h:2376' } }));
    expect(byPort.endpoint).toMatchObject({ tls: { verify: true, from: 'port 2376, DOCKER_CERT_PATH unset', caRequired: false } });
    const byScheme = chooseEndpoint(inputs({ hostFlag: 'https://h', env: { DOCKER_CERT_PATH: '/c' } }));
    expect(byScheme.endpoint).toMatchObject({ port: 2376, tls: { certPath: '/c', verify: true, from: 'https://', caRequired: false } });
    const off = chooseEndpoint(inputs({ env: { DOCKER_HOST: 'tcp://h:2375', DOCKER_TLS_VERIFY: '0' } }));
    expect(off.endpoint).toMatchObject({ tls: null });
  });

  it("uses a context's own TLS files and skip-tls-verify, and never DOCKER_TLS_VERIFY or DOCKER_CERT_PATH for it", () => {
    const env = { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/env-certs' };
    const dir = '/home/op/.docker/contexts/tls/abc/docker';
    const verified = chooseEndpoint(inputs({ env, context: { name: 'prod', from: 'DOCKER_CONTEXT', host: 'tcp://10.0.0.5:2376', tls: { dir, skipVerify: false } } }));
    expect(verified.endpoint).toMatchObject({ kind: 'tcp', port: 2376, tls: { certPath: dir, verify: true, from: 'docker context prod', caRequired: false } });
    expect(verified.attempts.at(-1)).toBe(`docker context prod (DOCKER_CONTEXT): tcp://10.0.0.5:2376, TLS material in ${dir}`);
    const skipped = chooseEndpoint(inputs({ context: { name: 'lab', from: 'config.json', host: 'tcp://lab:2376', tls: { dir, skipVerify: true } } }));
    expect(skipped.endpoint).toMatchObject({ tls: { verify: false } });
    expect(skipped.attempts.at(-1)).toMatch(/, skip-tls-verify$/);
    // No TLS files and no skip: plain HTTP, even on 2376 and with DOCKER_TLS_VERIFY set.
    const plain = chooseEndpoint(inputs({ env, context: { name: 'ci', from: 'DOCKER_CONTEXT', host: 'tcp://ci:2376', tls: null } }));
    expect(plain.endpoint).toMatchObject({ kind: 'tcp', port: 2376, tls: null });
    // TLS files mean nothing to an ssh:// or unix:// context.
    const ssh = chooseEndpoint(inputs({ context: { name: 's', from: 'DOCKER_CONTEXT', host: 'ssh://ops@h', tls: { dir, skipVerify: false } } }));
    expect(ssh.endpoint).toEqual({ kind: 'ssh', url: 'ssh://ops@h', host: 'h', port: undefined, username: 'ops' });
  });

  it('rejects what is not a Docker host URL with one sentence', () => {
    expect(() => chooseEndpoint(inputs({ hostFlag: 'ftp://x' }))).toThrow('--host ftp://x has an unsupported scheme ftp:; use unix://, tcp:// or ssh://.');
    expect(() => chooseEndpoint(inputs({ hostFlag: 'unix://relative.sock' }))).toThrow(/absolute socket path/);
  });
});
