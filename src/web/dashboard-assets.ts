import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

// The dashboard's files, read once at start: the page and its script and styles from
// assets/dashboard/ (shipped with the package), uPlot from node_modules. Nothing is
// fetched from a CDN: agents run where nothing outside is reachable.

export interface Asset {
  body: string;
  type: string;
}

const DASHBOARD_DIR = new URL('../../assets/dashboard/', import.meta.url);

export function loadDashboardAssets(): Map<string, Asset> {
  const require = createRequire(import.meta.url);
  const own = (name: string, type: string): [string, Asset] => [name, { body: readFileSync(new URL(name, DASHBOARD_DIR), 'utf8'), type }];
  const vendor = (name: string, module: string, type: string): [string, Asset] => [name, { body: readFileSync(require.resolve(module), 'utf8'), type }];
  return new Map([
    own('index.html', 'text/html; charset=utf-8'),
    own('app.js', 'text/javascript; charset=utf-8'),
    own('style.css', 'text/css; charset=utf-8'),
    vendor('uplot.js', 'uplot/dist/uPlot.iife.min.js', 'text/javascript; charset=utf-8'),
    vendor('uplot.css', 'uplot/dist/uPlot.min.css', 'text/css; charset=utf-8'),
  ]);
}
