import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessibilityViolations } from '../support/a11y.js';
import { findChromium, launchBrowser, newPage, saveScreenshot } from '../support/browser.js';

// The browser harness itself, before any dashboard test leans on it: Debian's chromium
// starts, renders and screenshots, emulates a dark colour scheme, and the accessibility
// check passes a good page and names exactly the three problems of a bad one.

const GOOD = `<!doctype html>
<html lang="en"><head><title>Good page</title>
<style>:root { color-scheme: light dark } .muted { color: #595959 } @media (prefers-color-scheme: dark) { .muted { color: #b0b0b0 } }</style>
</head><body>
<h1>Disk usage</h1>
<p class="muted">Sampled every 30 seconds.</p>
<label for="host">Host</label> <input id="host" type="text">
<label>Threshold <input type="number" name="threshold"></label>
<input type="search" aria-label="Filter images">
<button type="button">Refresh</button>
<img src="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='8' height='8'/%3E" alt="usage chart">
<p style="background: #1a1a1a; color: #ffffff; font-size: 24px">Large light text on dark</p>
</body></html>`;

const SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="80" height="20"><rect width="60" height="20" fill="#36c"/></svg>`;

const BAD = `<!doctype html>
<html lang="en"><head><title>Bad page</title></head><body>
<h1>Images</h1>
<p class="faint" style="color: #aaaaaa">Last sampled a minute ago.</p>
<input type="text" name="q">
<img src="/chart.svg?range=1h">
</body></html>`;

let server: Server;
let base: string;
let browser: Browser;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dw-browser-'));
  server = createServer((req, res) => {
    if (req.url?.startsWith('/chart.svg')) return void res.writeHead(200, { 'content-type': 'image/svg+xml' }).end(SVG);
    const page = req.url === '/good' ? GOOD : req.url === '/bad' ? BAD : undefined;
    res.writeHead(page ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' }).end(page ?? 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe('the browser harness', () => {
  it('renders a page and saves a full-page PNG, creating its directory', async () => {
    const page = await newPage(browser);
    await page.goto(`${base}/good`);
    expect(await page.title()).toBe('Good page');
    const path = join(dir, 'shots', 'nested', 'good.png');
    const png = await saveScreenshot(page, path);
    expect(png.length).toBeGreaterThan(1000);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(readFileSync(path).equals(png)).toBe(true);
    await page.close();
  });

  it('emulates the dark colour scheme', async () => {
    const dark = await newPage(browser, { colorScheme: 'dark' });
    const light = await newPage(browser);
    for (const page of [dark, light]) await page.goto(`${base}/good`);
    expect(await dark.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches)).toBe(true);
    expect(await light.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches)).toBe(false);
    await Promise.all([dark.close(), light.close()]);
  });

  it('finds nothing wrong with the accessible page, in light and in dark', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const page = await newPage(browser, { colorScheme });
      await page.goto(`${base}/good`);
      expect(await accessibilityViolations(page)).toEqual([]);
      await page.close();
    }
  });

  it('names the low-contrast paragraph, the unlabeled input and the image without alt', async () => {
    const page = await newPage(browser);
    await page.goto(`${base}/bad`);
    expect(await accessibilityViolations(page)).toEqual([
      'Form control `input[type=text][name=q]` has no accessible name: give it a <label for>, a wrapping <label>, aria-label or aria-labelledby.',
      'Image `img[src=chart.svg]` has no alt attribute: describe it in alt, or set alt="" if it is decorative.',
      'Text in `p.faint` ("Last sampled a minute ago.") has contrast 2.32:1 (#aaaaaa on #ffffff), below the 4.5:1 WCAG AA minimum for normal text.',
    ]);
    await page.close();
  });

  it('says how to install chromium when it is missing', async () => {
    await expect(findChromium(['/nonexistent/chromium'])).rejects.toThrow(/tried \/nonexistent\/chromium: ENOENT\)\. Install it with `bash scripts\/install-test-deps\.sh`/);
  });
});
