import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from './run-command.js';

// Certificates for an engine behind `dockerd --tlsverify`, made with the openssl CLI the
// way Docker's "Protect the Docker daemon socket" guide makes them: a CA, a server
// certificate for the engine's IP addresses (Go checks IP SANs, never the CN) and a client
// certificate with clientAuth (Go refuses one without it). EC P-256 keys: quick to make.
// Plus a client certificate from another CA, which the engine must refuse.

export interface TlsFiles {
  ca: string;
  cert: string;
  key: string;
}

export interface TlsCerts {
  /** For dockerd: --tlscacert, --tlscert, --tlskey. */
  server: TlsFiles;
  /** A DOCKER_CERT_PATH the engine accepts: ca.pem, cert.pem, key.pem. */
  clientDir: string;
  client: TlsFiles;
  /** A DOCKER_CERT_PATH with the right ca.pem but a client certificate from another CA. */
  strangerDir: string;
  /** dockerd's flags for serving the API on `listen` (host:port) with client verification. */
  dockerdArgs(listen: string): string[];
}

async function openssl(args: string[], cwd: string): Promise<void> {
  const r = await runCommand('openssl', args, { cwd });
  if (r.code !== 0) throw new Error(`openssl ${args.join(' ')} failed (${r.code}): ${r.stderr.trim()}`);
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function makeCa(dir: string, name: string): Promise<{ cert: string; key: string }> {
  const cert = join(dir, `${name}.pem`);
  const key = join(dir, `${name}-key.pem`);
  await openssl(
    [
      'req',
      '-x509',
      ...EC_KEY,
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '2',
      '-subj',
      `/CN=dockwarden test ${name}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
  return { cert, key };
}

/** A leaf key and certificate signed by `ca`, with the given extensions, written as `<dest>/{cert,key}.pem`. */
async function makeLeaf(workDir: string, ca: { cert: string; key: string }, dest: string, cn: string, extensions: string[]): Promise<TlsFiles> {
  await mkdir(dest, { recursive: true, mode: 0o700 });
  const key = join(dest, 'key.pem');
  const cert = join(dest, 'cert.pem');
  const csr = join(workDir, `${cn}.csr`);
  const ext = join(workDir, `${cn}.ext`);
  await writeFile(ext, `${extensions.join('\n')}\n`);
  await openssl(['req', '-new', ...EC_KEY, '-keyout', key, '-out', csr, '-subj', `/CN=${cn}`], workDir);
  const serial = `0x${Date.now().toString(16)}${Math.floor(Math.random() * 0xffff).toString(16)}`;
  await openssl(['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-set_serial', serial, '-days', '2', '-out', cert, '-extfile', ext], workDir);
  return { ca: ca.cert, cert, key };
}

/** Makes the CA, the engine's certificate for `ips` and the client directories under `dir`. */
export async function makeTlsCerts(dir: string, ips: string[]): Promise<TlsCerts> {
  const work = join(dir, 'work');
  await mkdir(work, { recursive: true, mode: 0o700 });
  const ca = await makeCa(work, 'ca');
  const stranger = await makeCa(work, 'stranger-ca');
  const leafUsage = 'keyUsage=critical,digitalSignature';
  const server = await makeLeaf(work, ca, join(dir, 'server'), 'engine', [`subjectAltName=${ips.map((ip) => `IP:${ip}`).join(',')}`, 'extendedKeyUsage=serverAuth', leafUsage]);
  const clientDir = join(dir, 'client');
  const client = await makeLeaf(work, ca, clientDir, 'operator', ['extendedKeyUsage=clientAuth', leafUsage]);
  const strangerDir = join(dir, 'stranger');
  await makeLeaf(work, stranger, strangerDir, 'stranger', ['extendedKeyUsage=clientAuth', leafUsage]);
  // DOCKER_CERT_PATH directories hold the CA beside the client's pair, named as the docker CLI expects.
  for (const d of [clientDir, strangerDir]) await openssl(['x509', '-in', ca.cert, '-out', join(d, 'ca.pem')], work);
  return {
    server,
    clientDir,
    client: { ca: join(clientDir, 'ca.pem'), cert: client.cert, key: client.key },
    strangerDir,
    dockerdArgs: (listen) => ['--tlsverify', '--tlscacert', server.ca, '--tlscert', server.cert, '--tlskey', server.key, '-H', `tcp://${listen}`],
  };
}
