import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { Agent } from 'node:http';
import { Duplex } from 'node:stream';
import type { Endpoint } from './endpoint.js';
import { TransportFailure } from './engine-errors.js';

// ssh:// the way the docker CLI does it (cli/connhelper): the system's ssh runs `docker
// system dial-stdio` on the host, whose stdin and stdout are then a connection to that
// host's engine, and HTTP is spoken over them. ssh's own config, keys, agent, known_hosts
// and ProxyJump apply, as they do for the docker CLI; BatchMode makes it fail instead of
// asking for a password or a host key confirmation nobody would see.
//
// One ssh process per HTTP connection, kept alive between requests, at most MAX_SSH at
// once: each is a login, and sshd drops logins beyond MaxStartups (10 by default) that
// are still authenticating. The process is created synchronously, so Node's agent counts
// it against maxSockets at once (with an asynchronous createConnection it would not).

const MAX_SSH = 4;
const STDERR_LIMIT = 4096;

type SshEndpoint = Extract<Endpoint, { kind: 'ssh' }>;

/** `ssh [options] [-l USER] [-p PORT] -- HOST docker system dial-stdio`: the port and user only when the URL names them. */
export function sshCommand(endpoint: SshEndpoint, connectTimeoutMs: number): string[] {
  const args = ['-o', `ConnectTimeout=${Math.max(1, Math.ceil(connectTimeoutMs / 1000))}`, '-o', 'BatchMode=yes', '-T'];
  if (endpoint.username) args.push('-l', endpoint.username);
  if (endpoint.port !== undefined) args.push('-p', String(endpoint.port));
  return [...args, '--', endpoint.host, 'docker', 'system', 'dial-stdio'];
}

/** An http.Agent whose every connection is an `ssh … docker system dial-stdio` process. */
export function sshStdioAgent(endpoint: SshEndpoint, timeoutMs: number): Agent {
  const agent = new Agent({ keepAlive: true, maxSockets: MAX_SSH });
  const args = sshCommand(endpoint, timeoutMs);
  agent.createConnection = () => new SshStdioSocket(spawn('ssh', args, { stdio: 'pipe' }), endpoint);
  return agent;
}

/**
 * The ssh process as http wants a socket: a stream with setTimeout (an idle timer),
 * setNoDelay, setKeepAlive and ref/unref. When ssh or dial-stdio fails, its stdout ends
 * before the exit status is known: the end is held back until the process has exited,
 * so that the request fails with what ssh or the remote docker said on stderr rather
 * than "socket hang up".
 */
class SshStdioSocket extends Duplex {
  timeout = 0;
  private timer: NodeJS.Timeout | undefined;
  private stderr = '';
  private ended = false;

  constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly endpoint: SshEndpoint,
  ) {
    super();
    child.stderr.on('data', (d: Buffer) => {
      if (this.stderr.length < STDERR_LIMIT) this.stderr += d.toString();
    });
    child.stdout.on('data', (d: Buffer) => {
      this.arm();
      if (!this.push(d)) child.stdout.pause();
    });
    // EPIPE on stdin once ssh is gone: its exit (below) says why.
    child.stdin.on('error', () => undefined);
    child.on('error', (err: NodeJS.ErrnoException) => {
      this.ended = true;
      this.destroy(
        err.code === 'ENOENT'
          ? new TransportFailure(`${endpoint.url} is reached with the ssh client, and there is no \`ssh\` on PATH: install openssh-client.`)
          : new TransportFailure(`Starting ssh for ${endpoint.url} failed: ${err.message}.`),
      );
    });
    child.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(this.timer);
      if (this.ended || this.destroyed) return;
      this.ended = true;
      if (code === 0) this.push(null);
      else this.destroy(new TransportFailure(this.failure(code, signal)));
    });
  }

  /** One line from what ssh (exit 255) or the remote command (any other status) said. */
  private failure(code: number | null, signal: NodeJS.Signals | null): string {
    const said = this.stderr
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter(Boolean)
      .join('; ')
      .replace(/\.$/, '');
    const { url, host } = this.endpoint;
    const login = `ssh ${this.endpoint.username ? `${this.endpoint.username}@` : ''}${host}${this.endpoint.port !== undefined ? ` -p ${this.endpoint.port}` : ''}`;
    if (signal) return `ssh to ${host} (for ${url}) was ended by ${signal}${said ? `: ${said}` : ''}.`;
    if (code === 255) {
      return `SSH to ${host} failed: ${said || 'ssh exited 255 without a message'}. Check that \`${login}\` logs in without a password or prompt (a key in ~/.ssh or an ssh-agent, the host in known_hosts).`;
    }
    return `\`docker system dial-stdio\` on the ssh host ${url} exited ${code}: ${said || 'no message'}. Check that docker is installed there and reaches its engine (\`${login} docker version\`).`;
  }

  override _read(): void {
    this.child.stdout.resume();
  }

  override _write(chunk: Buffer, encoding: BufferEncoding, done: (err?: Error | null) => void): void {
    this.arm();
    this.child.stdin.write(chunk, encoding, () => done());
  }

  override _final(done: () => void): void {
    this.child.stdin.end();
    done();
  }

  override _destroy(err: Error | null, done: (err: Error | null) => void): void {
    clearTimeout(this.timer);
    // Closed by us (idle, aborted, timed out): ssh ends its session, dial-stdio exits.
    if (!this.ended) {
      this.ended = true;
      this.child.stdin.destroy();
      this.child.kill('SIGTERM');
    }
    done(err);
  }

  /** As net.Socket's: 0 turns the timer off and takes `onTimeout` away again (http does so after each answer). */
  setTimeout(ms: number, onTimeout?: () => void): this {
    this.timeout = ms;
    if (onTimeout && ms === 0) this.removeListener('timeout', onTimeout);
    else if (onTimeout) this.once('timeout', onTimeout);
    this.arm();
    return this;
  }

  private arm(): void {
    clearTimeout(this.timer);
    if (this.timeout > 0) this.timer = setTimeout(() => this.emit('timeout'), this.timeout).unref();
  }

  setNoDelay(): this {
    return this;
  }

  setKeepAlive(): this {
    return this;
  }

  /** The agent unrefs a pooled connection: an idle ssh must not keep a finished CLI run alive. */
  unref(): this {
    for (const handle of [this.child, this.child.stdin, this.child.stdout, this.child.stderr] as { unref?: () => void }[]) handle.unref?.();
    return this;
  }

  ref(): this {
    for (const handle of [this.child, this.child.stdin, this.child.stdout, this.child.stderr] as { ref?: () => void }[]) handle.ref?.();
    return this;
  }
}
