import { access, readFile } from 'node:fs/promises';

// bench/install: what `npm ci` compiles on a clean clone. A package the lock file marks
// with an install script runs it at install time; one that ships a binding.gyp builds a
// native addon with node-gyp there. The target: better-sqlite3 is the only native build
// (dockerode brought ssh2's and cpu-features', and protobufjs' postinstall).

const TARGET = ['better-sqlite3'];

export async function benchInstall(): Promise<string[]> {
  const root = new URL('../', import.meta.url);
  const lock = JSON.parse(await readFile(new URL('package-lock.json', root), 'utf8')) as { packages: Record<string, { hasInstallScript?: boolean; dev?: boolean }> };
  const scripted = Object.entries(lock.packages).filter(([path, p]) => path !== '' && p.hasInstallScript);
  const native: string[] = [];
  const other: string[] = [];
  for (const [path, p] of scripted) {
    const name = path.replace(/^.*node_modules\//, '');
    const gyp = await access(new URL(`${path}/binding.gyp`, root)).then(
      () => true,
      () => false,
    );
    (gyp ? native : other).push(`${name}${p.dev ? ' (dev)' : ''}`);
  }
  const extra = native.filter((n) => !TARGET.includes(n));
  return [
    `npm ci: native builds: ${native.sort().join(', ') || 'none'}; other install scripts: ${other.sort().join(', ') || 'none'} ` +
      `(target: ${TARGET.join(', ')} the only native build${extra.length > 0 ? `; not met: ${extra.join(', ')}` : ', met'})`,
  ];
}
