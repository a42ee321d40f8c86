import { watch, type FSWatcher } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { unlessMissing } from './missing-path.js';

export interface WatchedPaths {
  /** containers/: one directory per container, its record `container.json` replaced atomically. */
  containersDir: string;
  /** conmon writes a container's exit code here when its process ends. */
  exitDir: string;
  /** The store root: `repositories.json` (tags) is replaced atomically there. */
  storeRoot: string;
  /** images/: one record per image. */
  imagesDir: string;
}

/**
 * Tells the TUI when the lists change, whoever changed them (this process, a CLI in another
 * terminal, conmon recording an exit), without polling: inotify watches on the directories whose
 * entries are renamed into place. Bursts of events become one call per kind after `debounceMs`.
 */
export class StoreWatcher {
  private readonly watchers = new Map<string, FSWatcher>();
  private readonly timers = new Map<'containers' | 'images', NodeJS.Timeout>();
  private closed = false;

  constructor(
    private readonly paths: WatchedPaths,
    private readonly onChange: (what: 'containers' | 'images') => void,
    private readonly debounceMs = 120,
  ) {}

  start(): void {
    this.add(this.paths.containersDir, (name) => {
      // A container directory came or went: watch the new ones, forget the removed ones.
      if (name && /^[a-f0-9]{64}$/.test(name)) void this.syncContainerDirs();
      this.fire('containers');
    });
    this.add(this.paths.exitDir, () => this.fire('containers'));
    this.add(this.paths.storeRoot, (name) => {
      if (name === 'repositories.json') this.fire('images');
    });
    this.add(this.paths.imagesDir, (name) => {
      if (name && name.endsWith('.json') && !name.startsWith('.tmp-')) this.fire('images');
    });
    void this.syncContainerDirs();
  }

  close(): void {
    this.closed = true;
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  private fire(what: 'containers' | 'images'): void {
    if (this.closed || this.timers.has(what)) return;
    const t = setTimeout(() => {
      this.timers.delete(what);
      if (!this.closed) this.onChange(what);
    }, this.debounceMs);
    this.timers.set(what, t);
  }

  private add(dir: string, listener: (name: string | null) => void): void {
    if (this.closed || this.watchers.has(dir)) return;
    try {
      const w = watch(dir, { persistent: false }, (_event, name) => listener(name === null ? null : String(name)));
      // A watched directory that is removed (a container deleted) ends its watch.
      w.on('error', () => this.remove(dir));
      this.watchers.set(dir, w);
    } catch {
      // The directory does not exist (yet): nothing to watch there.
    }
  }

  private remove(dir: string): void {
    this.watchers.get(dir)?.close();
    this.watchers.delete(dir);
  }

  private async syncContainerDirs(): Promise<void> {
    const ids = new Set((await unlessMissing(readdir(this.paths.containersDir), [] as string[])).filter((n) => /^[a-f0-9]{64}$/.test(n)));
    if (this.closed) return;
    for (const id of ids) {
      this.add(join(this.paths.containersDir, id), (name) => {
        if (name === 'container.json') this.fire('containers');
      });
    }
    for (const dir of [...this.watchers.keys()]) {
      const parent = join(dir, '..');
      const id = dir.slice(parent.length + 1);
      if (parent === this.paths.containersDir && !ids.has(id)) this.remove(dir);
    }
  }
}
