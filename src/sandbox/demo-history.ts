import { waitUntil } from './proc.js';
import type { Sandbox } from './sandbox.js';

// The history `dockwarden demo` gives its throwaway engine: what a year-old host of a small
// team looks like, so that doctor, the GC plan and the dashboard have something true to
// say. Releases of an app built on one base layer (the old ones unused, one still used by
// a stopped container), images left dangling by re-tagging, a swarm service updated once
// (its previous spec keeps the rollback image), a pinned proxy, and a chatty worker
// without log limits whose log grows for the forecast.

const MiB = 1024 * 1024;

export interface DemoHistoryOptions {
  /** One line per step, for the progress display. */
  step: (line: string) => void;
}

export interface DemoHistory {
  /** What was made, one line each, for the demo's summary. */
  lines: string[];
}

const monthsAgo = (n: number): Date => new Date(Date.UTC(2026, 0, 1) - n * 30 * 24 * 3600 * 1000);

// The worker logs ~200 lines a second with no rotation (the json-file default): some
// 30 KiB/s on disk, enough for the forecast to see growth within a minute or two.
const CHATTY = 'n=0; while true; do n=$((n+1)); echo "worker: batch $n done: 250 orders, 0 errors, queue depth 12, took 41 ms"; [ $((n % 200)) -eq 0 ] && sleep 1; done';

export async function makeDemoHistory(sandbox: Sandbox, opts: DemoHistoryOptions): Promise<DemoHistory> {
  const d = (args: string[]) => sandbox.docker(args);
  const base = { sizeBytes: 24 * MiB, seed: 4242 };

  opts.step('releases of shop/web on one base layer');
  const releases = ['1.0', '1.1', '1.2', '1.3'];
  for (const [i, v] of releases.entries()) {
    await sandbox.importImage(`shop/web:${v}`, { sizeBytes: 6 * MiB, base, created: monthsAgo(12 - 3 * i) });
  }
  await d(['tag', 'shop/web:1.3', 'shop/web:latest']);

  opts.step('re-tagged builds (the old ones left dangling)');
  for (const seed of [1, 2, 3]) await sandbox.importImage('shop/worker:latest', { sizeBytes: 8 * MiB, seed, created: monthsAgo(4 - seed) });

  opts.step('containers: web running, a stopped migration, a chatty worker without log limits');
  await d(['run', '-d', '--network', 'none', '--name', 'web', 'shop/web:1.3', 'sleep', '100000000']);
  await d(['create', '--network', 'none', '--name', 'migrate-2025-11', 'shop/web:1.2', 'true']);
  await d(['run', '-d', '--network', 'none', '--name', 'worker', 'shop/worker:latest', 'sh', '-c', CHATTY]);

  opts.step('a swarm service updated once (its previous spec keeps the rollback image)');
  await d(['swarm', 'init', '--advertise-addr', '127.0.0.1']);
  // Old task containers go at once: the previous spec alone keeps the rollback image.
  await d(['swarm', 'update', '--task-history-limit', '0']);
  await sandbox.importImage('shop/api:2.0', { sizeBytes: 10 * MiB, created: monthsAgo(2) });
  await sandbox.importImage('shop/api:2.1', { sizeBytes: 10 * MiB, created: monthsAgo(1) });
  await d(['service', 'create', '--detach', '--quiet', '--name', 'api', 'shop/api:2.0', 'sleep', '100000000']);
  await d(['service', 'update', '--detach', '--quiet', '--image', 'shop/api:2.1', 'api']);
  const updated = async () => (await d(['ps', '-a', '--filter', 'label=com.docker.swarm.service.name=api', '--format', '{{.Image}} {{.State}}'])).stdout.trim() === 'shop/api:2.1 running';
  if (!(await waitUntil(updated, 60_000, 300))) throw new Error("the demo's swarm service api did not run shop/api:2.1 within 60 s");

  opts.step('a pinned proxy and old tools');
  await sandbox.importImage('infra/proxy:1.25', { sizeBytes: 4 * MiB, created: monthsAgo(10) });
  await sandbox.importImage('tools/debug:2024', { sizeBytes: 12 * MiB, created: monthsAgo(14) });

  // Engine 26's containerd store drops a re-tagged image instead of keeping it dangling: count.
  const dangling = (await d(['images', '--filter', 'dangling=true', '--quiet'])).stdout.split('\n').filter(Boolean).length;
  return {
    lines: [
      `shop/web ${releases.join(', ')} and latest, on one shared ${base.sizeBytes / MiB} MiB base layer; web runs 1.3, the stopped migrate-2025-11 uses 1.2`,
      `shop/worker:latest built three times (${dangling} dangling image${dangling === 1 ? '' : 's'} left); the worker container logs ~30 KiB/s with no log limit`,
      'swarm service api updated from shop/api:2.0 to 2.1: 2.0 is the rollback image',
      'infra/proxy:1.25 (pinned with --keep) and tools/debug:2024 (unused)',
    ],
  };
}
