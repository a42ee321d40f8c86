import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render } from 'ink-testing-library';
import { ConfirmDialog } from '../../../src/ui/components/ConfirmDialog.js';
import { HelpOverlay, helpLines } from '../../../src/ui/components/HelpOverlay.js';
import { StatusLine } from '../../../src/ui/components/StatusLine.js';
import { FilterBar } from '../../../src/ui/components/FilterBar.js';
import { TextViewer } from '../../../src/ui/components/TextViewer.js';
import { PaletteOverlay, paletteItems } from '../../../src/ui/components/PaletteOverlay.js';
import { Header } from '../../../src/ui/components/Header.js';
import { buildKeymap, defaultKeymap } from '../../../src/ui/state/keymap.js';

afterEach(() => cleanup());

describe('ConfirmDialog', () => {
  it('lists what will be removed and how to answer', () => {
    const { lastFrame } = render(<ConfirmDialog title="Remove 2 containers?" items={['old1  abc  exited', 'old2  def  exited']} width={78} height={12} />);
    const frame = lastFrame()!;
    expect(frame).toContain('Remove 2 containers?');
    expect(frame).toContain('old1  abc  exited');
    expect(frame).toContain('old2  def  exited');
    expect(frame).toContain('y/enter: remove   n/esc: cancel');
  });

  it('says how many more when the list does not fit', () => {
    const items = Array.from({ length: 30 }, (_, i) => `c${i}`);
    const { lastFrame } = render(<ConfirmDialog title="Remove 30 containers?" items={items} width={60} height={12} />);
    expect(lastFrame()).toContain('c4');
    expect(lastFrame()).not.toContain('c5 ');
    expect(lastFrame()).toContain('… and 25 more');
    expect(lastFrame()!.split('\n').length).toBeLessThanOrEqual(12);
  });
});

describe('HelpOverlay', () => {
  it('lists the keys of the focused pane', () => {
    const { lastFrame } = render(<HelpOverlay keymap={defaultKeymap()} pane="containers" offset={0} width={78} height={60} />);
    const frame = lastFrame()!;
    expect(frame).toContain('Containers pane');
    expect(frame).toMatch(/s\s+start \/ stop/);
    expect(frame).toMatch(/e\s+shell in a split pane/);
    expect(frame).toMatch(/f6 ctrl\+]\s+focus: list <-> shell/);
    expect(frame).toMatch(/t\s+toggle timestamps/);
  });

  it('leaves out what the pane cannot do and shows remapped keys', () => {
    const { keymap } = buildKeymap({ delete: ['D'] });
    const images = helpLines(keymap, 'images').join('\n');
    expect(images).toContain('Images pane');
    expect(images).not.toContain('start / stop');
    expect(images).toMatch(/D\s+delete marked/);
    expect(helpLines(keymap, 'repositories').join('\n')).not.toContain('delete marked');
  });

  it('scrolls', () => {
    const { lastFrame } = render(<HelpOverlay keymap={defaultKeymap()} pane="containers" offset={3} width={78} height={8} />);
    expect(lastFrame()).not.toContain('move up');
    expect(lastFrame()).toMatch(/4-9 of \d+/);
  });
});

describe('small parts', () => {
  it('StatusLine shows the message, else the hint', () => {
    const { lastFrame, rerender } = render(<StatusLine hint="q quit" width={40} />);
    expect(lastFrame()).toContain('q quit');
    rerender(<StatusLine status={{ text: 'stop web: no such container', level: 'error' }} hint="q quit" width={40} />);
    expect(lastFrame()).toContain('stop web: no such container');
    expect(lastFrame()).not.toContain('q quit');
  });

  it('FilterBar shows the prompt and the filter words it cannot use', () => {
    const { lastFrame, rerender } = render(<FilterBar filter="status=exi" editing errors={[]} width={60} />);
    expect(lastFrame()).toContain('/status=exi▏');
    rerender(<FilterBar filter="status=bogus" editing={false} errors={['status=bogus']} width={60} />);
    expect(lastFrame()).toContain('filter: status=bogus  not a filter: status=bogus');
  });

  it('TextViewer shows a window of the lines', () => {
    const lines = Array.from({ length: 50 }, (_, i) => `line ${i}`);
    const { lastFrame } = render(<TextViewer title="Inspect: web" lines={lines} offset={10} width={40} height={7} />);
    expect(lastFrame()).toContain('Inspect: web');
    expect(lastFrame()).toContain('line 10');
    expect(lastFrame()).toContain('line 14');
    expect(lastFrame()).not.toContain('line 15');
    expect(lastFrame()).toContain('11-15 of 50');
  });

  it('PaletteOverlay narrows the commands as you type', () => {
    const items = paletteItems(defaultKeymap(), 'containers', 'rest');
    expect(items.map((i) => i.command)).toEqual(['restart']);
    expect(paletteItems(defaultKeymap(), 'images', 'start').map((i) => i.command)).toEqual([]);
    const { lastFrame } = render(<PaletteOverlay items={paletteItems(defaultKeymap(), 'containers', 'log')} query="log" selected={0} width={60} height={8} />);
    expect(lastFrame()).toContain(':log▏');
    expect(lastFrame()).toMatch(/logs\s+l/);
  });

  it('Header shows the panes with their counts and the marks', () => {
    const { lastFrame } = render(<Header pane="images" counts={{ containers: 3, images: 2, repositories: 1 }} marked={2} width={100} />);
    expect(lastFrame()).toMatch(/1 Containers \(3\)\s+2 Images \(2\)\s+3 Repositories \(1\)/);
    expect(lastFrame()).toContain('2 marked');
  });
});
