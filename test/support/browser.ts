import { access, constants, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

// Browser tests drive Debian's chromium (installed by scripts/install-test-deps.sh) with
// playwright-core, which never downloads a browser of its own.

/**
 * Where chromium is looked for, in order. Debian's real binary comes first: /usr/bin/chromium
 * is a shell wrapper that sources /etc/chromium.d (adding --enable-gpu-rasterization and
 * extension flags to every launch) and, where /dev/shm is mounted twice as in some
 * containers, prints "[: unexpected operator" from its shared-memory size test.
 */
export const CHROMIUM_CANDIDATES = ['/usr/lib/chromium/chromium', '/usr/bin/chromium'];

/** The first executable candidate, or one error that says what was tried and how to install it. */
export async function findChromium(candidates: readonly string[] = CHROMIUM_CANDIDATES): Promise<string> {
  const tried: string[] = [];
  for (const path of candidates) {
    try {
      await access(path, constants.X_OK);
      return path;
    } catch (err) {
      tried.push(`${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
  }
  throw new Error(`Chromium for the browser tests was not found (tried ${tried.join('; ')}). ` + 'Install it with `bash scripts/install-test-deps.sh` (Debian package chromium).');
}

/**
 * A headless chromium. Chromium refuses to start as root with its sandbox on ("Running as
 * root without --no-sandbox is not supported"), so the sandbox is off (playwright then adds
 * --no-sandbox); the pages tests load are their own. playwright-core already passes
 * --disable-dev-shm-usage and --enable-unsafe-swiftshader, so a container's small /dev/shm
 * and the missing GPU need nothing more: without a GPU chromium renders with SwiftShader,
 * and --disable-gpu changed neither the result nor the time here.
 */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = await findChromium();
  return chromium.launch({ executablePath, headless: true, chromiumSandbox: false, timeout: 60_000 });
}

export interface PageOptions {
  /** @default { width: 1280, height: 800 } */
  viewport?: { width: number; height: number };
  /** What `prefers-color-scheme` matches inside the page. @default 'light' */
  colorScheme?: 'light' | 'dark';
}

/** A page in a fresh context of its own (no shared cookies or storage); closing the page closes the context. */
export function newPage(browser: Browser, opts: PageOptions = {}): Promise<Page> {
  return browser.newPage({
    viewport: opts.viewport ?? { width: 1280, height: 800 },
    colorScheme: opts.colorScheme ?? 'light',
    deviceScaleFactor: 1,
  });
}

/** A full-page PNG at `path`, creating its directory; returns the PNG's bytes. */
export async function saveScreenshot(page: Page, path: string): Promise<Buffer> {
  await mkdir(dirname(path), { recursive: true });
  return page.screenshot({ path, type: 'png', fullPage: true });
}
