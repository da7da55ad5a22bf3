import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isAlive, waitUntil } from '../../src/sandbox/proc.js';
import { makeOwnedDir, removeOwnedDir } from './owned-dir.js';
import { runCommand } from './run-command.js';

// An ssh:// Docker host on this machine: Debian's sshd with a private config on
// 127.0.0.1 inside a network namespace, key authentication only, whose sessions get
// DOCKER_HOST pointing at a sandbox's socket (sshd_config SetEnv), so the remote
// `docker system dial-stdio` that an ssh:// client runs reaches that engine. The client's
// key is made here, kept in a private HOME's .ssh and loaded into an ssh-agent of its own.
//
// dockwarden runs the system ssh, as the docker CLI does: $HOME/.ssh holds id_ed25519,
// known_hosts (the host key pinned for [127.0.0.1]:PORT) and a config file. OpenSSH takes
// ~ from the passwd entry, never from $HOME, so a client must be pointed at that config
// with `-F` (`sshArgs`); for dockwarden, `clientEnv` puts first on PATH an `ssh` that
// adds `-F` ($DW_SSH_CONFIG, else that config) and runs the real one. `badEnv` holds
// configs that fail: a key sshd does not know, a host key known_hosts lacks.
//
// Every process here names the scratch directory in its arguments: a killed run's sshd
// and ssh-agent are found and killed by the next run (owned-dir.ts).

export interface SshHost {
  dir: string;
  port: number;
  /** ssh://root@127.0.0.1:PORT */
  dockerHost: string;
  /** A HOME holding .ssh/{id_ed25519,id_ed25519.pub,known_hosts,config}. */
  home: string;
  /** The ssh-agent's socket, holding the key. */
  authSock: string;
  /** Options for the system ssh client: `ssh ${sshArgs} root@127.0.0.1 -- docker system dial-stdio`. */
  sshArgs: string[];
  /** HOME, SSH_AUTH_SOCK and a PATH whose `ssh` reads this HOME's config, for dockwarden. */
  clientEnv: Record<string, string>;
  /** Added to clientEnv: ssh offers a key sshd does not accept / meets a host key it does not know. */
  badEnv: { strangerKey: Record<string, string>; unknownHostKey: Record<string, string> };
  /** sshd's log (LogLevel VERBOSE): accepted keys, refused ones, sessions. */
  log(): Promise<string>;
  /** Kills sshd, its sessions and the ssh-agent, and deletes the directory; idempotent. */
  stop(): Promise<void>;
}

export interface SshHostOptions {
  /** The namespace sshd listens in (a sandbox's `layoutFor(dir).netnsPath`). */
  netnsPath: string;
  /** What the sessions' DOCKER_HOST is: the sandbox's unix:// socket. */
  dockerHost: string;
  /** @default 2222 (the namespace is private: any port is free) */
  port?: number;
}

async function keygen(file: string, comment: string): Promise<void> {
  const r = await runCommand('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file]);
  if (r.code !== 0) throw new Error(`ssh-keygen -f ${file} failed: ${r.stderr.trim()}`);
}

/** Starts a long-lived program detached from the test's terminal, its output in `logFile`; resolves once `ready()`. */
async function startDaemon(program: string, args: string[], logFile: string, env: NodeJS.ProcessEnv, ready: () => Promise<boolean>, what: string): Promise<ChildProcess> {
  const fd = openSync(logFile, 'a');
  let exited: string | null = null;
  let child: ChildProcess;
  try {
    child = spawn(program, args, { detached: true, stdio: ['ignore', fd, fd], env });
  } finally {
    closeSync(fd);
  }
  child.on('exit', (code, sig) => (exited = sig ? `was killed by ${sig}` : `exited with code ${code}`));
  child.on('error', (err) => (exited = `could not start: ${err.message}`));
  child.unref();
  const ok = await waitUntil(async () => exited !== null || (await ready()), 10_000, 50);
  if (exited !== null || !ok) {
    const log = await readFile(logFile, 'utf8').catch(() => '');
    throw new Error(`${what} ${exited ?? 'did not become ready in 10 s'}:\n${log.trim()}`);
  }
  return child;
}

export async function startSshHost(opts: SshHostOptions): Promise<SshHost> {
  const port = opts.port ?? 2222;
  const dir = await makeOwnedDir('dw-ssh-');
  const stop = () => removeOwnedDir(dir);
  try {
    const home = join(dir, 'home');
    const dotSsh = join(home, '.ssh');
    await mkdir(dotSsh, { recursive: true, mode: 0o700 });
    const identity = join(dotSsh, 'id_ed25519');
    const strangerIdentity = join(dotSsh, 'id_stranger');
    const hostKey = join(dir, 'ssh_host_ed25519_key');
    await Promise.all([keygen(identity, 'dockwarden-test-client'), keygen(strangerIdentity, 'dockwarden-test-stranger'), keygen(hostKey, 'dockwarden-test-host')]);
    const [clientPub, hostPub] = await Promise.all([readFile(`${identity}.pub`, 'utf8'), readFile(`${hostKey}.pub`, 'utf8')]);
    // `restrict`: no pty, no forwarding; a command (dial-stdio) is all the key may run.
    await writeFile(join(dir, 'authorized_keys'), `restrict ${clientPub.trim()}\n`, { mode: 0o600 });
    const knownHosts = join(dotSsh, 'known_hosts');
    await writeFile(knownHosts, `[127.0.0.1]:${port} ${hostPub.split(' ').slice(0, 2).join(' ')}\n`, { mode: 0o600 });
    const writeConfig = (file: string, key: string, hosts: string) =>
      writeFile(
        file,
        [
          'Host 127.0.0.1',
          `  Port ${port}`,
          '  User root',
          `  IdentityFile ${key}`,
          '  IdentitiesOnly yes',
          `  UserKnownHostsFile ${hosts}`,
          '  StrictHostKeyChecking yes',
          '  BatchMode yes',
          '',
        ].join('\n'),
        { mode: 0o600 },
      );
    const clientConfig = join(dotSsh, 'config');
    const strangerConfig = join(dotSsh, 'config-stranger-key');
    const unknownHostConfig = join(dotSsh, 'config-unknown-host');
    await writeFile(join(dotSsh, 'known_hosts-empty'), '', { mode: 0o600 });
    await Promise.all([
      writeConfig(clientConfig, identity, knownHosts),
      writeConfig(strangerConfig, strangerIdentity, knownHosts),
      writeConfig(unknownHostConfig, identity, join(dotSsh, 'known_hosts-empty')),
    ]);
    const bin = join(dir, 'bin');
    await mkdir(bin);
    await writeFile(join(bin, 'ssh'), `#!/bin/sh\nexec /usr/bin/ssh -F "\${DW_SSH_CONFIG:-${clientConfig}}" "$@"\n`);
    await chmod(join(bin, 'ssh'), 0o755);
    // The sessions' HOME: Debian's bash sources ~/.bashrc even for `ssh host command`
    // (built with SSH_SOURCE_BASHRC), and root's may take a second (pyenv init, here) on
    // every dial-stdio. The remote docker CLI's config dir keeps root's contexts out.
    const remoteHome = join(dir, 'remote-home');
    const remoteDockerConfig = join(remoteHome, '.docker');
    await mkdir(remoteDockerConfig, { recursive: true, mode: 0o700 });
    const pidFile = join(dir, 'sshd.pid');
    const sshdConfig = join(dir, 'sshd_config');
    await writeFile(
      sshdConfig,
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${hostKey}`,
        `PidFile ${pidFile}`,
        `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
        // The files live under /tmp, which is world-writable: StrictModes would refuse them.
        'StrictModes no',
        'PubkeyAuthentication yes',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PermitRootLogin prohibit-password',
        'AllowUsers root',
        'UsePAM no',
        `SetEnv HOME=${remoteHome} DOCKER_HOST=${opts.dockerHost} DOCKER_CONFIG=${remoteDockerConfig}`,
        'LogLevel VERBOSE',
        '',
      ].join('\n'),
    );
    // sshd refuses to start without its privilege separation directory (systemd's
    // RuntimeDirectory makes it on a host; here nothing has).
    await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
    const sshdLog = join(dir, 'sshd.log');
    const sshd = await startDaemon(
      'nsenter',
      [`--net=${opts.netnsPath}`, '--', '/usr/sbin/sshd', '-D', '-f', sshdConfig, '-E', sshdLog],
      join(dir, 'sshd.out'),
      { PATH: process.env['PATH'] ?? '/usr/sbin:/usr/bin:/bin' },
      // sshd writes its pidfile once it listens.
      async () => (await readFile(pidFile, 'utf8').catch(() => '')).trim() !== '',
      'sshd',
    );
    const authSock = join(dir, 'agent.sock');
    await startDaemon(
      'ssh-agent',
      ['-D', '-a', authSock],
      join(dir, 'ssh-agent.out'),
      { PATH: process.env['PATH'] ?? '/usr/bin:/bin' },
      async () => {
        return (await runCommand('ssh-add', ['-l'], { env: { SSH_AUTH_SOCK: authSock, PATH: process.env['PATH'] ?? '/usr/bin:/bin' } })).code === 1; // 1: agent up, no keys yet
      },
      'ssh-agent',
    );
    const added = await runCommand('ssh-add', [identity], { env: { SSH_AUTH_SOCK: authSock, PATH: process.env['PATH'] ?? '/usr/bin:/bin' } });
    if (added.code !== 0) throw new Error(`ssh-add ${identity} failed: ${added.stderr.trim()}`);
    if (sshd.pid === undefined || !(await isAlive(sshd.pid))) throw new Error(`sshd died after starting:\n${await readFile(sshdLog, 'utf8').catch(() => '')}`);
    return {
      dir,
      port,
      dockerHost: `ssh://root@127.0.0.1:${port}`,
      home,
      authSock,
      sshArgs: ['-F', clientConfig],
      clientEnv: { HOME: home, SSH_AUTH_SOCK: authSock, PATH: `${bin}:${process.env['PATH'] ?? '/usr/bin:/bin'}` },
      badEnv: { strangerKey: { DW_SSH_CONFIG: strangerConfig }, unknownHostKey: { DW_SSH_CONFIG: unknownHostConfig } },
      log: () => readFile(sshdLog, 'utf8').catch(() => ''),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
