// The README's dashboard screenshots, taken from a real `dockwarden demo` in Debian's
// chromium: one engine, one history, so the chart, the forecast, the findings, the images
// and the GC runs tell the same story. Needs root and a build (npm run build).
//   npx tsx scripts/demo-screenshots.ts [--out docs] [--max-wait-min 15]
// It waits until the agent has a forecast (5 minutes of samples at least), then takes
// docs/dashboard.png (light), docs/dashboard-dark.png and docs/dashboard-phone.png.
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { launchBrowser, newPage, saveScreenshot } from '../test/support/browser.js';
import { CLI } from '../test/support/run-cli.js';

const { values } = parseArgs({ options: { out: { type: 'string', default: 'docs' }, 'max-wait-min': { type: 'string', default: '15' } } });
const out = resolve(values.out);
const maxWaitMs = Number(values['max-wait-min']) * 60_000;
const TOKEN = 'demo-screenshots';
const log = (line: string) => process.stderr.write(`demo-screenshots: ${line}\n`);

const demo = spawn(process.execPath, [CLI, 'demo', '--listen', '127.0.0.1:0', '--token', TOKEN], { stdio: ['ignore', 'pipe', 'inherit'] });
let stdout = '';
demo.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
const exited = new Promise<number | null>((r) => demo.on('close', r));

async function waitFor<T>(what: string, find: () => Promise<T | null> | T | null, timeoutMs: number): Promise<T> {
  for (const end = Date.now() + timeoutMs; Date.now() < end; await new Promise((r) => setTimeout(r, 2000))) {
    const found = await find();
    if (found) return found;
  }
  throw new Error(`${what} did not happen within ${Math.round(timeoutMs / 60_000)} min`);
}

try {
  const url = await waitFor('the demo', () => /── dashboard: (http:\/\/[^\s/]+)\/ ──/.exec(stdout)?.[1] ?? null, 240_000);
  log(`demo ready at ${url}; waiting for the forecast`);
  const api = async <T>(path: string) => (await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } })).json() as Promise<T>;
  await waitFor('a forecast', async () => (await api<{ fullInSeconds: number | null }>('/api/usage')).fullInSeconds, maxWaitMs);
  const browser = await launchBrowser();
  try {
    const shots: Array<[string, Parameters<typeof newPage>[1]]> = [
      ['dashboard.png', { colorScheme: 'light' }],
      ['dashboard-dark.png', { colorScheme: 'dark' }],
      ['dashboard-phone.png', { colorScheme: 'light', viewport: { width: 390, height: 844 } }],
    ];
    for (const [name, opts] of shots) {
      const page = await newPage(browser, opts);
      // The token as a user leaves it after typing it once.
      await page.addInitScript((t) => localStorage.setItem('dockwarden.token', t), TOKEN);
      // The last hour: the demo has minutes of samples, and the forecast line runs on from them.
      await page.goto(`${url}/?range=1h`);
      await page.waitForSelector('body[data-loaded="true"]', { timeout: 30_000 });
      await saveScreenshot(page, join(out, name));
      await page.close();
      log(`wrote ${join(out, name)}`);
    }
  } finally {
    await browser.close();
  }
} finally {
  demo.kill('SIGTERM');
  log(`demo exited ${await exited}`);
}
