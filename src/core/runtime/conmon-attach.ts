import type { PtySession } from './exec-pty.js';
import { open } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { TsdockError } from '../errors.js';

/** conmon puts the stream id in front of every packet on the attach socket: 2 stdout, 3 stderr. */
const STDERR = 3;

export interface AttachOptions {
  /** `<socket dir>/<id>/attach`: conmon's SOCK_SEQPACKET attach socket. */
  socketPath: string;
  /** `<bundle>/ctl`: conmon's control fifo (window resizes). */
  controlPath: string;
  stdin?: Readable;
  stdout: Writable;
  stderr: Writable;
  /** Key sequence that detaches without stopping the container (Docker: ctrl-p ctrl-q). */
  detachKeys: number[];
  /** The user's terminal, when the container has a tty: its size is sent now and on every change. */
  terminal?: NodeJS.WriteStream;
}

export type AttachEnd = 'detached' | 'closed';

/** Docker's `--detach-keys` syntax: "ctrl-p,ctrl-q", "ctrl-a,x". */
export function parseDetachKeys(spec: string): number[] {
  return spec.split(',').map((k) => {
    const key = k.trim().toLowerCase();
    const ctrl = /^ctrl-(.)$/.exec(key);
    if (ctrl) {
      const c = ctrl[1]!;
      if (c >= 'a' && c <= 'z') return c.charCodeAt(0) - 96;
      const special: Record<string, number> = { '@': 0, '[': 27, '\\': 28, ']': 29, '^': 30, _: 31 };
      if (c in special) return special[c]!;
    }
    if (key.length === 1) return key.charCodeAt(0);
    throw new TsdockError('invalid-argument', `invalid detach keys "${spec}": use a comma-separated list like ctrl-p,ctrl-q`);
  });
}

/** Connects to conmon's attach socket (SOCK_SEQPACKET, which Node's `net` cannot open). */
async function connectAttachSocket(path: string): Promise<import('node-unix-socket').SeqpacketSocket> {
  // The native binding loads only for attach.
  const { SeqpacketSocket } = await import('node-unix-socket');
  // A socket address holds 107 bytes: a longer path (a deep run root) is reached through an
  // open descriptor of its directory, as Podman does.
  const dir = path.length > 100 ? await open(dirname(path), 'r') : undefined;
  try {
    const sock = new SeqpacketSocket();
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      try {
        sock.connect(dir ? `/proc/self/fd/${dir.fd}/${basename(path)}` : path, () => resolve());
      } catch (err) {
        reject(err);
      }
    }).catch((err: Error) => {
      sock.destroy();
      throw err;
    });
    return sock;
  } finally {
    await dir?.close();
  }
}

/**
 * Attaches to a container that conmon holds (started detached): output packets are
 * demultiplexed to stdout/stderr, input goes to the container's stdin, and the detach sequence
 * ends the session while the container keeps running.
 */
export async function attachToConmon(o: AttachOptions): Promise<AttachEnd> {
  return (await openAttach(o)).ended;
}

/** An attach in progress: output is being read from the moment it is returned. */
export interface OpenAttach {
  /** Resolves when conmon closed the socket (the container exited) or the detach keys were typed. */
  ended: Promise<AttachEnd>;
  /** Sends the terminal's size (done at once unless `sizeLater`: conmon has a pty to size only once the container is created). */
  sendSize(): Promise<void>;
  /** Ends the attach without stopping the container. */
  close(): void;
}

/** conmon reads at most this much of one packet: larger input is cut into packets of this size. */
const MAX_INPUT_PACKET = 8192;

/**
 * Connects and starts reading before it returns, so a caller can start the container right
 * after without losing its first output (a foreground run: created by conmon, attached, then
 * `runc start`). With `closeStdinOnEnd` the end of stdin half-closes the socket, and conmon
 * (without --leave-stdin-open) closes the container's stdin: `echo x | run -i ... cat` ends.
 */
export async function openAttach(o: AttachOptions & { closeStdinOnEnd?: boolean; sizeLater?: boolean }): Promise<OpenAttach> {
  const sock = await connectAttachSocket(o.socketPath);
  const sendSize = async () => {
    // A lost resize only leaves the old size; conmon may not have made its fifo yet.
    if (o.terminal?.rows) await sendResize(o.controlPath, o.terminal.rows, o.terminal.columns).catch(() => {});
  };
  const resize = () => void sendSize();
  // The first size is in place before the caller starts the process (`stty size` at once is right).
  if (!o.sizeLater) await sendSize();
  o.terminal?.on('resize', resize);
  let finish: (how: AttachEnd) => void = () => {};
  const ended = new Promise<AttachEnd>((resolve) => {
    let matched = 0;
    let done = false;
    const send = (data: Buffer) => {
      for (let at = 0; at < data.length; at += MAX_INPUT_PACKET) sock.write(data.subarray(at, at + MAX_INPUT_PACKET));
    };
    const onInput = (chunk: Buffer | string) => {
      // Input passes through until the whole detach sequence was typed.
      const out: number[] = [];
      for (const byte of typeof chunk === 'string' ? Buffer.from(chunk) : chunk) {
        if (byte === o.detachKeys[matched]) {
          matched++;
          if (matched === o.detachKeys.length) {
            finish('detached');
            return;
          }
          continue;
        }
        if (matched > 0) out.push(...o.detachKeys.slice(0, matched));
        matched = 0;
        out.push(byte);
      }
      if (out.length) send(Buffer.from(out));
    };
    const onInputEnd = () => {
      if (!done) sock.end();
    };
    finish = (how: AttachEnd) => {
      if (done) return;
      done = true;
      o.terminal?.off('resize', resize);
      o.stdin?.off('data', onInput);
      o.stdin?.off('end', onInputEnd);
      o.stdin?.pause();
      sock.destroy();
      resolve(how);
    };
    sock.on('data', (pkt: Buffer) => {
      if (pkt.length < 1) return;
      (pkt[0] === STDERR ? o.stderr : o.stdout).write(pkt.subarray(1));
    });
    sock.on('end', () => finish('closed'));
    sock.on('error', () => finish('closed'));
    o.stdin?.on('data', onInput);
    if (o.closeStdinOnEnd) o.stdin?.once('end', onInputEnd);
    o.stdin?.resume();
  });
  return { ended, sendSize, close: () => finish('detached') };
}

/** conmon's control fifo takes `1 <rows> <cols>` for a resize. */
async function sendResize(controlPath: string, rows: number, cols: number): Promise<void> {
  const fh = await open(controlPath, 'w');
  try {
    await fh.write(`1 ${rows} ${cols}\n`);
  } finally {
    await fh.close();
  }
}

/** What a terminal pane needs of an attach: a PtySession without a process of its own, whose kill() only detaches. */
export type AttachSession = PtySession;

/**
 * An attach to a conmon-held tty container as a session a terminal pane can show (the TUI's
 * split panes): output packets become data, input goes to the container's stdin, resizes go
 * through the control fifo. The session ends (onExit, code 0) when conmon closes the socket,
 * i.e. the container exited, or on kill(), which only detaches.
 */
export async function openAttachSession(o: { socketPath: string; controlPath: string; cols: number; rows: number; command: string[] }): Promise<AttachSession> {
  const sock = await connectAttachSocket(o.socketPath);
  const data = new Set<(d: string) => void>();
  const exits = new Set<(e: { exitCode: number }) => void>();
  let ended = false;
  // A character may be split across packets.
  const decoder = new StringDecoder('utf8');
  const end = () => {
    if (ended) return;
    ended = true;
    sock.destroy();
    for (const l of exits) l({ exitCode: 0 });
  };
  sock.on('data', (pkt: Buffer) => {
    if (pkt.length < 1) return;
    const text = decoder.write(pkt.subarray(1));
    for (const l of data) l(text);
  });
  sock.on('end', end);
  sock.on('error', end);
  // A lost resize only leaves the old size (the container may be ending).
  const resize = (cols: number, rows: number) => void sendResize(o.controlPath, rows, cols).catch(() => {});
  resize(o.cols, o.rows);
  return {
    pid: 0,
    command: o.command,
    onData(l) {
      data.add(l);
      return () => data.delete(l);
    },
    onExit(l) {
      exits.add(l);
      return () => exits.delete(l);
    },
    write(d) {
      if (!ended) sock.write(Buffer.from(d, 'utf8'));
    },
    resize,
    kill: end,
  };
}
