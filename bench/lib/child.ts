// Child-process plumbing for the pipeline benchmark: fork with IPC request/response, spawn with captured
// output, wait for a TCP port, stop a process we started (by its own pid only).

import { ChildProcess, fork, spawn } from 'node:child_process';
import * as net from 'node:net';

/** A forked helper process (sink, load generator) spoken to over IPC. */
export class IpcChild {
  readonly proc: ChildProcess;
  private seq = 0;
  private readonly waiters = new Map<number, (msg: Record<string, unknown>) => void>();
  private exited: string | undefined;
  private readonly output: OutputTail;
  /** The child's first message (id 0), e.g. {type:'listening', port} or {type:'ready', ...}. */
  readonly ready: Promise<Record<string, unknown>>;

  constructor(modulePath: string, args: string[] = []) {
    this.proc = fork(modulePath, args, { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    this.output = new OutputTail(this.proc);
    this.ready = new Promise((resolve, reject) => {
      this.waiters.set(0, (m) => (m.error ? reject(new Error(String(m.error))) : resolve(m)));
    });
    this.ready.catch(() => undefined);
    this.proc.on('message', (m: Record<string, unknown>) => {
      const id = m.id as number;
      const w = this.waiters.get(id);
      if (w) {
        this.waiters.delete(id);
        w(m);
      }
    });
    this.proc.on('exit', (code, sig) => {
      this.exited = `exited (code ${code}, signal ${sig}): ${this.output.text()}`;
      for (const w of this.waiters.values()) w({ error: this.exited });
      this.waiters.clear();
    });
  }

  /** Sends `{...msg, id}` and resolves with the reply carrying the same id. */
  request<T = Record<string, unknown>>(msg: Record<string, unknown>, timeoutMs = 120_000): Promise<T> {
    if (this.exited) return Promise.reject(new Error(this.exited));
    const id = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiters.delete(id);
        reject(new Error(`IPC request ${String(msg.cmd)} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.set(id, (m) => {
        clearTimeout(t);
        if (m.error) reject(new Error(String(m.error)));
        else resolve(m as T);
      });
      this.proc.send({ ...msg, id });
    });
  }

  async stop(): Promise<void> {
    await stopProcess(this.proc);
  }
}

/** Keeps the last few KB of a child's stdout+stderr for error messages. */
export class OutputTail {
  private buf = '';
  constructor(proc: ChildProcess, private readonly max = 4096) {
    const add = (d: Buffer) => {
      this.buf = (this.buf + d.toString('utf8')).slice(-this.max);
    };
    proc.stdout?.on('data', add);
    proc.stderr?.on('data', add);
  }
  text(): string {
    return this.buf.trim();
  }
}

/** Spawns a process with output captured (not inherited). */
export function spawnCaptured(cmd: string, args: string[], env?: NodeJS.ProcessEnv): { proc: ChildProcess; out: OutputTail } {
  const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env });
  return { proc, out: new OutputTail(proc, 8192) };
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
export function stopProcess(proc: ChildProcess, graceMs = 5000): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => proc.kill('SIGKILL'), graceMs);
    proc.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    proc.kill('SIGTERM');
  });
}

/** A loopback port that was free a moment ago (bind port 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function tryConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect({ host: '127.0.0.1', port });
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

/**
 * Waits until 127.0.0.1:port accepts connections. Rejects with the process's output if it exits first or the
 * time runs out.
 */
export async function waitForPort(port: number, proc: ChildProcess, out: OutputTail, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      throw new Error(`exited (code ${proc.exitCode}, signal ${proc.signalCode}) before listening: ${out.text() || '(no output)'}`);
    }
    if (await tryConnect(port)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`not listening on 127.0.0.1:${port} after ${timeoutMs} ms: ${out.text() || '(no output)'}`);
}
