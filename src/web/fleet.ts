import { z } from 'zod';
import type { HostSummary } from './host-summary.js';

// Other agents, asked for their /api/summary: the fleet view's rows. A peer that does not
// answer is a row saying so, never a failed page: the host that is down is the one an
// operator most needs to see.

export interface Peer {
  url: string;
  /** Sent as `Authorization: Bearer`; null for an agent without --token. */
  token: string | null;
}

export interface FleetRow {
  url: string;
  summary: HostSummary | null;
  /** Why there is no summary: one sentence. */
  error: string | null;
}

const severityCounts = z.object({ critical: z.number(), warning: z.number(), info: z.number() });
// What comes back from another process on the network is checked, not trusted.
const summarySchema = z.object({
  host: z.string(),
  engineUp: z.boolean(),
  engineVersion: z.string().nullable(),
  driver: z.string().nullable(),
  dataRoot: z.string().nullable(),
  usedPct: z.number().nullable(),
  fullInSeconds: z.number().nullable(),
  findings: severityCounts,
  worst: z.object({ id: z.string(), severity: z.enum(['critical', 'warning', 'info']), title: z.string() }).nullable(),
  lastSampleAt: z.string().nullable(),
});

/** An agent address as --peer or a hosts file gives it, without a trailing slash. Tokens come from elsewhere, never from the URL (it ends up in logs). */
export function parsePeerUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`"${text}" is not a URL: give the agent's address, such as http://10.0.0.7:9476`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`"${text}" is not an http(s) URL`);
  return url.origin + url.pathname.replace(/\/+$/, '');
}

async function askPeer(peer: Peer, fetchImpl: typeof fetch, timeoutMs: number): Promise<FleetRow> {
  try {
    const res = await fetchImpl(`${peer.url}/api/summary`, {
      headers: peer.token ? { authorization: `Bearer ${peer.token}` } : {},
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body: unknown = await res.json().catch(() => null);
    if (!res.ok) {
      const said = body && typeof body === 'object' && 'error' in body ? String((body as { error: unknown }).error) : `HTTP ${res.status}`;
      return { url: peer.url, summary: null, error: said };
    }
    const parsed = summarySchema.safeParse(body);
    if (!parsed.success) return { url: peer.url, summary: null, error: 'answered, but not with a dockwarden summary (an older agent, or another service on that port)' };
    return { url: peer.url, summary: parsed.data, error: null };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    const why = e.name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : (e.cause?.code ?? e.message);
    return { url: peer.url, summary: null, error: `unreachable (${why})` };
  }
}

export async function fleetRows(peers: Peer[], opts: { fetch?: typeof fetch; timeoutMs?: number } = {}): Promise<FleetRow[]> {
  return Promise.all(peers.map((p) => askPeer(p, opts.fetch ?? fetch, opts.timeoutMs ?? 5_000)));
}

/**
 * A hosts file: one agent per line, `URL [TOKEN]`; `#` starts a comment. A line without
 * a token uses `defaultToken` (DOCKWARDEN_PEER_TOKEN or DOCKWARDEN_TOKEN). Every bad line
 * is reported at once, with its number.
 */
export function parseHostsFile(text: string, defaultToken: string | null): { peers: Peer[]; errors: string[] } {
  const peers: Peer[] = [];
  const errors: string[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') return;
    const [url, token, ...rest] = line.split(/\s+/);
    if (rest.length > 0) {
      errors.push(`line ${i + 1}: expected "URL [TOKEN]", found ${rest.length + 2} words`);
      return;
    }
    try {
      peers.push({ url: parsePeerUrl(url!), token: token ?? defaultToken });
    } catch (err) {
      errors.push(`line ${i + 1}: ${(err as Error).message}`);
    }
  });
  return { peers, errors };
}
