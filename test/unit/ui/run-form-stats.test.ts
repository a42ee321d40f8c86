import { describe, expect, it } from 'vitest';
import { newRunForm, runFormKey, validateRunForm, type RunForm } from '../../../src/ui/state/run-form.js';
import { addStatsSample, sparkline } from '../../../src/ui/state/stats-history.js';
import { appReducer } from '../../../src/ui/state/app-reducer.js';
import { initialState } from '../../../src/ui/state/app-state.js';
import { buildKeymap, commandsFor, matchCommand } from '../../../src/ui/state/keymap.js';
import { helpLines } from '../../../src/ui/components/HelpOverlay.js';
import type { StatsEntry } from '../../../src/core/runtime/container-stats.js';

const typeInto = (form: RunForm, text: string) => [...text].reduce((f, ch) => runFormKey(f, undefined, ch === ' ' ? 'space' : ch, ch).form, form);

describe('run form', () => {
  it('starts on the name with the CLI default network', () => {
    const f = newRunForm('busybox:latest');
    expect(f.values.network).toBe('bridge');
    expect(f.focus).toBe(0);
  });

  it('edits the focused field, moves with tab and shift-tab (wrapping)', () => {
    let f = typeInto(newRunForm('busybox'), 'web1');
    f = runFormKey(f, 'nextField', 'tab', '\t').form;
    f = typeInto(f, 'sleep 5');
    expect(f.values).toMatchObject({ name: 'web1', command: 'sleep 5' });
    expect(runFormKey(newRunForm('b'), 'prevField', 'shift+tab', '').form.focus).toBe(6);
  });

  it('turns a valid form into the CLI run options', () => {
    const f = { ...newRunForm('busybox'), values: { name: 'web', command: `sh -c "echo hi"`, env: 'A=1 B=2', ports: '127.0.0.1:8080:80', volumes: '/tmp:/data:ro', memory: '32m', network: 'bridge' } };
    expect(validateRunForm(f)).toEqual({
      spec: { image: 'busybox', name: 'web', cmd: ['sh', '-c', 'echo hi'], options: { env: ['A=1', 'B=2'], publish: ['127.0.0.1:8080:80'], volume: ['/tmp:/data:ro'], memory: '32m', network: 'bridge' } },
    });
  });

  it('puts each problem beside its field and focuses the first one on submit', () => {
    const f = { ...newRunForm('busybox'), focus: 6, values: { name: 'ok', command: "echo 'x", env: '=1', ports: '99999:80', volumes: 'rel', memory: '1k', network: 'container:' } };
    const r = runFormKey(f, 'submitForm', 'enter', '\r');
    expect(r.effect).toBeUndefined();
    expect(r.form.focus).toBe(1);
    expect(r.form.errors).toEqual({
      command: expect.stringContaining('unterminated single quote'),
      env: expect.stringContaining('the name is empty'),
      ports: expect.any(String),
      volumes: expect.stringContaining('must be absolute'),
      memory: 'Minimum memory limit allowed is 6MB',
      network: expect.stringContaining('needs a container name or ID'),
    });
    // Typing in a field clears its message.
    expect(typeInto(r.form, 'x').errors.command).toBeUndefined();
  });

  it('submits once: keys do nothing while the engine works, the refusal lands in the form', () => {
    let s = appReducer(initialState(), { type: 'openOverlay', overlay: { kind: 'runForm', form: newRunForm('busybox') } });
    const r = runFormKey(s.overlay.kind === 'runForm' ? s.overlay.form : newRunForm('x'), 'submitForm', 'enter', '\r');
    expect(r.effect).toBe('submit');
    s = appReducer(s, { type: 'runFormUpdate', form: r.form });
    expect(runFormKey(r.form, 'submitForm', 'enter', '\r').effect).toBeUndefined();
    s = appReducer(s, { type: 'runFormFailed', error: 'name in use' });
    expect(s.overlay.kind === 'runForm' && s.overlay.form).toMatchObject({ submitting: false, errors: { form: 'name in use' } });
  });
});

describe('stats history and sparklines', () => {
  const entry = (id: string, cpu: number, memory: number): StatsEntry => ({ id, name: id, cpuPercent: cpu, memory, memoryLimit: 100, memoryPercent: memory, netRx: 0, netTx: 0, blockRead: 0, blockWrite: 0, pids: 1 });

  it('keeps the last samples per container and drops containers no longer sampled', () => {
    let h = addStatsSample({}, [entry('a', 1, 10), entry('b', 5, 50)]);
    h = addStatsSample(h, [entry('a', 2, 20)], 2);
    h = addStatsSample(h, [entry('a', 3, 30)], 2);
    expect(Object.keys(h)).toEqual(['a']);
    expect(h.a!.cpu).toEqual([2, 3]);
    expect(h.a!.memory).toEqual([20, 30]);
    expect(h.a!.latest.cpuPercent).toBe(3);
  });

  it('draws values as blocks scaled to the maximum, newest on the right', () => {
    expect(sparkline([0, 50, 100], 3, 100)).toBe('▁▅█');
    expect(sparkline([1, 2], 4)).toBe('  ▅█');
    expect(sparkline([5, 0, 0, 0, 0], 3)).toBe('▁▁▁');
  });

  it('samples are taken only while the stats view is open', () => {
    const s = appReducer(initialState(), { type: 'statsSampled', entries: [entry('a', 1, 1)] });
    expect(s.stats).toEqual({});
  });
});

describe('keymap of the new views', () => {
  it('binds the new commands, lists them in help, and lets the config remap them', () => {
    const { keymap } = buildKeymap({ runImage: ['ctrl+o'] });
    expect(matchCommand(keymap, 'list', 'ctrl+o')).toBe('runImage');
    expect(matchCommand(keymap, 'list', 'R')).toBeUndefined();
    expect(matchCommand(keymap, 'list', 'P')).toBe('pull');
    expect(matchCommand(keymap, 'list', 'S')).toBe('stats');
    expect(matchCommand(keymap, 'list', '+')).toBe('addRepository');
    expect(matchCommand(keymap, 'list', 'enter')).toBe('pickTag');
    expect(matchCommand(keymap, 'picker', 'enter')).toBe('pickerChoose');
    expect(matchCommand(keymap, 'picker', 'q')).toBeUndefined(); // text in the picker's filter
    expect(matchCommand(keymap, 'form', 'tab')).toBe('nextField');
    expect(matchCommand(keymap, 'form', 'q')).toBeUndefined();
    expect(commandsFor(keymap, 'form').map((c) => c.command)).toEqual(['nextField', 'prevField', 'submitForm', 'cancelForm']);
    const help = helpLines(keymap, 'images').join('\n');
    expect(help).toMatch(/ctrl\+o +run a container from the image/);
    expect(help).toMatch(/P +pull an image by reference/);
    expect(help).toContain('Tag picker');
    expect(help).toMatch(/enter +create and start the container/);
    expect(helpLines(keymap, 'repositories').join('\n')).toMatch(/enter t +pick a remote tag to pull/);
    expect(helpLines(keymap, 'containers').join('\n')).toMatch(/S +CPU and memory/);
  });
});
