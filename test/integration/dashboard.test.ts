import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { openStore } from '../../src/store/sqlite-store.js';
import { accessibilityViolations } from '../support/a11y.js';
import { startAgentProcess, type AgentProcess } from '../support/agent-process.js';
import { launchBrowser, newPage, saveScreenshot } from '../support/browser.js';
import { seedMonth } from '../support/usage-history.js';

// The dashboard in a real browser (Debian's chromium via playwright-core) against real
// agents on a sandbox engine: agent A has a token, a month of history and B as its peer;
// agent B has no token, so it must refuse to run GC from the page.
// Screenshots go to a temporary directory (taken anyway, so a page that cannot be drawn
// fails here); the README's come from a real demo (scripts/demo-screenshots.ts), not from
// this test's made-up month.

const MiB = 1024 * 1024;
const TOKEN = 'dashboard-test-token';

let sandbox: Sandbox;
let browser: Browser;
let a: AgentProcess;
let b: AgentProcess;
let dir: string;
let shots: string;

async function openDashboard(agent: AgentProcess, opts: { token?: string; colorScheme?: 'light' | 'dark'; viewport?: { width: number; height: number } } = {}): Promise<Page> {
  const page = await newPage(browser, { colorScheme: opts.colorScheme ?? 'light', ...(opts.viewport ? { viewport: opts.viewport } : {}) });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // The token lives in localStorage, as a user's would after typing it once.
  if (opts.token) await page.addInitScript((t) => localStorage.setItem('dockwarden.token', t), opts.token);
  await page.goto(`${agent.url}/`);
  await page.waitForSelector('body[data-loaded="true"]', { timeout: 30_000 });
  expect(errors).toEqual([]);
  return page;
}

const rowNames = (page: Page) => page.$$eval('#images tbody tr td:first-child', (tds) => tds.map((td) => td.textContent ?? ''));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dw-dash-'));
  shots = join(dir, 'shots');
  sandbox = await startSandbox({ fs: 'ext4', sizeMb: 512 });
  await sandbox.importImage('shop/api:2', { sizeBytes: 24 * MiB });
  await sandbox.importImage('shop/worker:7', { sizeBytes: 12 * MiB });
  await sandbox.importImage('tools/debug:1', { sizeBytes: 2 * MiB });
  await sandbox.docker(['create', '--name', 'api-1', '--network', 'none', 'shop/api:2', 'sleep', '600']);
  const dbA = join(dir, 'a.db');
  const store = openStore(dbA, { now: () => Date.now() });
  seedMonth(store, Date.now() - 60_000);
  store.close();
  // --high/--low 1: the dry run has work to do on this nearly empty disk; --no-gc keeps it a dry run.
  const common = ['--host', sandbox.dockerHost, '--interval', '2s', '--high', '1', '--low', '1', '--min-age', '0', '--no-gc'];
  b = await startAgentProcess([...common, '--db', join(dir, 'b.db')]);
  a = await startAgentProcess([...common, '--db', dbA, '--token', TOKEN, '--peer', b.url]);
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await a?.stop();
  await b?.stop();
  await sandbox?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the dashboard', () => {
  it('shows the engine, the findings with evidence and fix, and copies the fix', async () => {
    const page = await openDashboard(a, { token: TOKEN });
    expect(await page.textContent('#host-facts')).toMatch(/^Docker 20\.10\.\S+ · overlay2 · \/tmp\/dw-\w+\/mnt\/docker on ext4/);
    const finding = page.locator('#findings li[data-id="logging.unbounded"]');
    await expect.poll(() => finding.count()).toBe(1);
    expect(await finding.locator('.severity').textContent()).toBe('warning');
    expect(await finding.locator('.evidence li').count()).toBeGreaterThan(0);
    expect(await finding.locator('.fix pre').textContent()).toContain('max-size');
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await finding.getByRole('button', { name: /Copy the commands/ }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toContain('max-size');
    await page.close();
  });

  it('draws a month of usage as a chart, with the points the API downsampled', async () => {
    const page = await openDashboard(a, { token: TOKEN });
    await page.selectOption('#range', '30d');
    await expect.poll(async () => Number(await page.getAttribute('#chart', 'data-points'))).toBeGreaterThan(500);
    expect(Number(await page.getAttribute('#chart', 'data-points'))).toBeLessThanOrEqual(1000);
    const canvas = page.locator('#chart canvas');
    expect(await canvas.count()).toBe(1);
    // Something was drawn: the canvas is not one flat colour.
    const colours = await canvas.evaluate((c: HTMLCanvasElement) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      const seen = new Set<number>();
      for (let i = 0; i < d.length; i += 4 * 97) seen.add((d[i]! << 16) | (d[i + 1]! << 8) | d[i + 2]!);
      return seen.size;
    });
    expect(colours).toBeGreaterThan(2);
    await saveScreenshot(page, join(shots, 'dashboard.png'));
    await page.close();
  });

  it('sorts the images by size and by last use, and shows the GC dry run with verdicts', async () => {
    const page = await openDashboard(a, { token: TOKEN });
    await expect.poll(() => rowNames(page)).toEqual(['shop/api:2', 'shop/worker:7', 'tools/debug:1']);
    await page.locator('button.sort[data-sort="size"]').click();
    expect(await rowNames(page)).toEqual(['tools/debug:1', 'shop/worker:7', 'shop/api:2']);
    expect(await page.getAttribute('#images th:nth-child(2)', 'aria-sort')).toBe('ascending');
    await page.locator('button.sort[data-sort="lastUsed"]').click();
    expect(await page.getAttribute('#images th:nth-child(3)', 'aria-sort')).toBe('descending');
    expect(await page.textContent('#gc-summary')).toMatch(/^Dry run: .* images would go, freeing about/);
    // The image a container uses is kept, with the reason; the others are planned for deletion.
    const verdictOf = (name: string) => page.locator('#images tbody tr', { hasText: name }).locator('td:nth-child(4)').textContent();
    expect(await verdictOf('shop/api:2')).toBe('keep');
    expect(await page.locator('#images tbody tr', { hasText: 'shop/api:2' }).locator('td:nth-child(5)').textContent()).toContain('api-1');
    expect(await verdictOf('tools/debug:1')).toBe('delete');
    await page.close();
  });

  it('refuses to run GC without a token: disabled on the page, 403 from the API', async () => {
    const page = await openDashboard(b);
    expect(await page.isDisabled('#gc-run')).toBe(true);
    expect(await page.textContent('#gc-note')).toContain('needs the agent started with --token');
    const res = await page.evaluate(async () => {
      const r = await fetch('/api/gc', { method: 'POST', body: JSON.stringify({ confirm: true }) });
      return { status: r.status, error: ((await r.json()) as { error: string }).error };
    });
    expect(res.status).toBe(403);
    await page.close();
    // On A, the page without the token cannot either.
    const noToken = await openDashboard(a);
    expect(await noToken.isDisabled('#gc-run')).toBe(true);
    expect(await noToken.textContent('#error')).toContain('Bearer');
    await noToken.close();
  });

  it('lists both agents in the fleet view, with a link to the peer', async () => {
    const page = await openDashboard(a, { token: TOKEN });
    await expect.poll(() => page.locator('#fleet tbody tr').count()).toBe(2);
    expect(await page.isVisible('#fleet-section')).toBe(true);
    expect(await page.locator('#fleet tbody tr').first().textContent()).toContain('(this host)');
    expect(await page.locator(`#fleet a[href="${b.url}/"]`).count()).toBe(1);
    await page.close();
  });

  it('passes the accessibility basics in light and dark, and fits a phone', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const page = await openDashboard(a, { token: TOKEN, colorScheme });
      expect(await accessibilityViolations(page), colorScheme).toEqual([]);
      if (colorScheme === 'dark') await saveScreenshot(page, join(shots, 'dashboard-dark.png'));
      await page.close();
    }
    const phone = await openDashboard(a, { token: TOKEN, viewport: { width: 390, height: 844 } });
    // Nothing wider than the screen: the page does not scroll sideways.
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(await accessibilityViolations(phone)).toEqual([]);
    await saveScreenshot(phone, join(shots, 'dashboard-phone.png'));
    await phone.close();
  });
});
