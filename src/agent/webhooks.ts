import type { FindingChange } from './finding-changes.js';

// Alerts: one POST per finding change (new, escalated, resolved) to every --webhook, as
// JSON a script can read plus a `text` field that Slack and Mattermost incoming webhooks
// show as is. A receiver that is down gets retries with backoff; a change is never
// posted twice because changes are computed against the store (finding-changes.ts).

export interface AlertContext {
  hostName: string;
  engineId: string | null;
}

export interface AlertPayload {
  kind: FindingChange['kind'];
  id: string;
  severity: string;
  host: string;
  engineId: string | null;
  title: string;
  detail: string;
  evidence: string[];
  fix: { summary: string; commands: string[] };
  /** unix ms of the change */
  at: number;
  text: string;
}

const ICON: Record<FindingChange['kind'], string> = { new: ':rotating_light:', escalated: ':arrow_double_up:', resolved: ':white_check_mark:' };

export function alertPayload(change: FindingChange, ctx: AlertContext, at: number): AlertPayload {
  const f = change.finding;
  const head = `${ICON[change.kind]} [${ctx.hostName}] ${change.kind === 'resolved' ? 'resolved' : f.severity}: ${f.title} (${f.id})`;
  const body =
    change.kind === 'resolved'
      ? ''
      : `\n${f.evidence
          .slice(0, 6)
          .map((e) => `• ${e}`)
          .join('\n')}\nFix: ${f.fix.summary}`;
  return {
    kind: change.kind,
    id: f.id,
    severity: f.severity,
    host: ctx.hostName,
    engineId: ctx.engineId,
    title: f.title,
    detail: f.detail,
    evidence: f.evidence,
    fix: f.fix,
    at,
    text: `${head}${body}`,
  };
}

export interface PostOptions {
  attempts?: number;
  firstDelayMs?: number;
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  log: (line: string) => void;
}

/** Posts to one URL, retrying on network errors and 5xx/429; gives up (and says so) after the last attempt. */
export async function postAlert(url: string, payload: AlertPayload, opts: PostOptions): Promise<boolean> {
  const attempts = opts.attempts ?? 4;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let problem = '';
  for (let i = 0; i < attempts; i++) {
    if (i > 0) await sleep((opts.firstDelayMs ?? 1000) * 2 ** (i - 1));
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'dockwarden-agent' },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(opts.timeoutMs ?? 5000),
      });
      if (res.ok) return true;
      problem = `HTTP ${res.status}`;
      // A 4xx other than 429 will not get better by asking again.
      if (res.status < 500 && res.status !== 429) break;
    } catch (err) {
      problem = (err as Error).message;
    }
  }
  opts.log(`webhook ${url}: giving up on ${payload.kind} ${payload.id} (${problem})`);
  return false;
}
