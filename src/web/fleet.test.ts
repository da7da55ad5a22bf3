import { describe, expect, it } from 'vitest';
import { fleetExitCode } from '../cli/fleet-command.js';
import { fleetRows, parseHostsFile, type FleetRow } from './fleet.js';
import type { HostSummary } from './host-summary.js';

const summary = (overrides: Partial<HostSummary> = {}): HostSummary => ({
  host: 'h',
  engineUp: true,
  engineVersion: '20.10.24',
  driver: 'overlay2',
  dataRoot: '/var/lib/docker',
  usedPct: 50,
  fullInSeconds: null,
  findings: { critical: 0, warning: 0, info: 0 },
  worst: null,
  lastSampleAt: null,
  ...overrides,
});

describe('parseHostsFile', () => {
  it('reads URL [TOKEN] lines, skips comments, and reports every bad line with its number', () => {
    const text = '# fleet\nhttp://a:9476 tok-a\n\nhttps://b.example:9476/   # default token\nftp://c\nhttp://d x y\n';
    const { peers, errors } = parseHostsFile(text, 'shared');
    expect(peers).toEqual([
      { url: 'http://a:9476', token: 'tok-a' },
      { url: 'https://b.example:9476', token: 'shared' },
    ]);
    expect(errors).toEqual(['line 5: "ftp://c" is not an http(s) URL', 'line 6: expected "URL [TOKEN]", found 3 words']);
  });
});

describe('fleetRows', () => {
  it('says why a peer has no summary: an HTTP error, an answer that is not a summary, a timeout', async () => {
    const fake = (async (url: string) => {
      if (url.startsWith('http://denied')) return new Response('{"error":"This agent needs an Authorization: Bearer <token> header"}', { status: 401 });
      if (url.startsWith('http://other')) return new Response('{"status":"ok"}', { status: 200 });
      throw Object.assign(new Error('timed out'), { name: 'TimeoutError' });
    }) as typeof fetch;
    const rows = await fleetRows(
      ['http://denied', 'http://other', 'http://slow'].map((url) => ({ url, token: null })),
      { fetch: fake, timeoutMs: 2_000 },
    );
    expect(rows.map((r) => r.error)).toEqual([
      'This agent needs an Authorization: Bearer <token> header',
      'answered, but not with a dockwarden summary (an older agent, or another service on that port)',
      'unreachable (no answer within 2 s)',
    ]);
  });
});

describe('fleetExitCode', () => {
  const row = (s: HostSummary | null): FleetRow => ({ url: 'http://x', summary: s, error: s ? null : 'unreachable' });
  it('is 2 for a critical, down or unreachable host, 1 for a warning, 0 when all are healthy', () => {
    expect(fleetExitCode([row(summary()), row(summary())])).toBe(0);
    expect(fleetExitCode([row(summary()), row(summary({ findings: { critical: 0, warning: 2, info: 0 } }))])).toBe(1);
    expect(fleetExitCode([row(summary()), row(null)])).toBe(2);
    expect(fleetExitCode([row(summary({ engineUp: false }))])).toBe(2);
    expect(fleetExitCode([row(summary({ findings: { critical: 1, warning: 0, info: 0 } }))])).toBe(2);
  });
});
