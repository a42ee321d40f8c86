import { describe, expect, it } from 'vitest';
import { imageMatcherFor, matchesContainerQuery, matchesImageQuery, parseContainerQuery } from '../../../src/ui/state/list-filter.js';
import { effectiveOffset, findMatches, initialLogsView, layoutLogLines, logsReducer, nextMatch, MAX_LOG_RECORDS } from '../../../src/ui/state/logs-view.js';
import { scrollOffset } from '../../../src/ui/state/scroll-window.js';
import { editField } from '../../../src/ui/state/text-prompt.js';
import { fit, joinCells, layoutColumns, type ColumnSpec } from '../../../src/ui/components/columns.js';
import { container, image, logRecord } from './fake-backend.js';

describe('container filter text', () => {
  const web = container('web', 'running', { image: 'nginx:1.25' });
  const old = container('old', 'exited', { exitCode: 137 });
  const none = imageMatcherFor([]);
  const match = (text: string, rec = web) => matchesContainerQuery(parseContainerQuery(text), rec, none);

  it('free words must all occur in name, image or short ID', () => {
    expect(match('web')).toBe(true);
    expect(match('ngin')).toBe(true);
    expect(match('WEB nginx')).toBe(true);
    expect(match('web busybox')).toBe(false);
    expect(match(web.id.slice(0, 6))).toBe(true);
  });

  it('key=value words are ps filters, a status being typed matches its prefix', () => {
    expect(match('status=running')).toBe(true);
    expect(match('status=exited')).toBe(false);
    expect(match('status=exited', old)).toBe(true);
    expect(match('status=ex', old)).toBe(true);
    expect(match('status=r')).toBe(true);
    expect(match('status=', old)).toBe(true);
    expect(match('exited=137', old)).toBe(true);
    expect(match('name=^w')).toBe(true);
    expect(match('status=running status=exited', old)).toBe(true); // values of one key: OR
  });

  it('reports words that are no filter and ignores them', () => {
    const q = parseContainerQuery('status=bogus exited=x web');
    expect(q.errors).toEqual(['status=bogus', 'exited=x']);
    expect(matchesContainerQuery(q, web, none)).toBe(true);
  });

  it('ancestor= matches the image by tag, repository or ID', () => {
    const m = imageMatcherFor([{ ...image('busybox', 'latest'), id: web.imageId }]);
    const q = (t: string) => matchesContainerQuery(parseContainerQuery(t), web, m);
    expect(q('ancestor=busybox')).toBe(true);
    expect(q('ancestor=busybox:latest')).toBe(true);
    expect(q(`ancestor=${web.imageId.slice(7, 15)}`)).toBe(true);
    expect(q('ancestor=alpine')).toBe(false);
  });

  it('images match on repository:tag and ID', () => {
    const i = image('library/busybox', '1.36', 'a');
    expect(matchesImageQuery('', i)).toBe(true);
    expect(matchesImageQuery('busy 1.36', i)).toBe(true);
    expect(matchesImageQuery('aaaa', i)).toBe(true);
    expect(matchesImageQuery('alpine', i)).toBe(false);
  });
});

describe('logs viewer', () => {
  const records = ['one', 'two needle', 'three', 'four NEEDLE'].map((c) => logRecord(c));

  it('lays out lines, with timestamps and wrapping on demand', () => {
    expect(layoutLogLines(records.slice(0, 2), { timestamps: false, wrap: false, width: 5 })).toEqual(['one', 'two needle']);
    expect(layoutLogLines(records.slice(1, 2), { timestamps: false, wrap: true, width: 4 })).toEqual(['two ', 'need', 'le']);
    expect(layoutLogLines(records.slice(0, 1), { timestamps: true, wrap: false, width: 80 })).toEqual(['2024-06-01T12:00:00.000000000Z one']);
    expect(layoutLogLines([logRecord('a\tb\x1b[31mc')], { timestamps: false, wrap: false, width: 80 })).toEqual(['a    b[31mc']);
  });

  it('search finds lines case-insensitively; n and N wrap around', () => {
    const lines = layoutLogLines(records, { timestamps: false, wrap: false, width: 80 });
    const m = findMatches(lines, 'needle');
    expect(m).toEqual([1, 3]);
    expect(nextMatch(m, -1, 1)).toBe(1);
    expect(nextMatch(m, 1, 1)).toBe(3);
    expect(nextMatch(m, 3, 1)).toBe(1);
    expect(nextMatch(m, 3, -1)).toBe(1);
    expect(nextMatch(m, 1, -1)).toBe(3);
    expect(nextMatch([], 0, 1)).toBeUndefined();
    expect(findMatches(lines, '')).toEqual([]);
  });

  it('follows the end until the user scrolls up; G follows again', () => {
    let s = logsReducer(initialLogsView(), { type: 'append', records });
    expect(effectiveOffset(s, 4, 2)).toBe(2);
    s = logsReducer(s, { type: 'scroll', delta: -1, total: 4, height: 2 });
    expect(s.follow).toBe(false);
    expect(effectiveOffset(s, 10, 2)).toBe(1);
    s = logsReducer(s, { type: 'scrollTo', where: 'last', total: 4, height: 2 });
    expect(s.follow).toBe(true);
    s = logsReducer(s, { type: 'jump', line: 3, total: 4, height: 2 });
    expect(s).toMatchObject({ follow: false, matchLine: 3, offset: 2 });
  });

  it('toggles and keeps a bounded number of lines', () => {
    let s = logsReducer(initialLogsView(), { type: 'toggleTimestamps' });
    s = logsReducer(s, { type: 'toggleWrap' });
    expect(s).toMatchObject({ timestamps: true, wrap: true });
    s = logsReducer(s, { type: 'append', records: Array.from({ length: MAX_LOG_RECORDS + 5 }, (_, i) => logRecord(`l${i}`)) });
    expect(s.records).toHaveLength(MAX_LOG_RECORDS);
    expect(s.records[0]!.content).toBe('l5');
  });
});

describe('list window and columns', () => {
  it('scrolls as little as needed to show the selection', () => {
    expect(scrollOffset(0, 5, 10, 100)).toBe(0);
    expect(scrollOffset(0, 10, 10, 100)).toBe(1);
    expect(scrollOffset(50, 55, 10, 100)).toBe(50);
    expect(scrollOffset(50, 40, 10, 100)).toBe(40);
    expect(scrollOffset(95, 99, 10, 100)).toBe(90);
    expect(scrollOffset(30, 3, 10, 5)).toBe(0);
  });

  const specs: ColumnSpec[] = [
    { title: 'NAME', min: 10, grow: 1, priority: 9 },
    { title: 'ID', min: 12, grow: 0, priority: 2 },
    { title: 'STATUS', min: 10, grow: 1, max: 15, priority: 5 },
  ];

  it('gives spare width to growing columns and drops low-priority ones when narrow', () => {
    expect(layoutColumns(specs, 34)).toEqual([10, 12, 10]);
    expect(layoutColumns(specs, 44)).toEqual([15, 12, 15]);
    expect(layoutColumns(specs, 60)).toEqual([31, 12, 15]);
    expect(layoutColumns(specs, 25)).toEqual([12, 0, 12]);
    expect(layoutColumns(specs, 8)).toEqual([8, 0, 0]);
  });

  it('fits text into cells', () => {
    expect(fit('hello', 8)).toBe('hello   ');
    expect(fit('hello world', 8)).toBe('hello w…');
    expect(fit('42', 4, 'right')).toBe('  42');
    expect(fit('a\nb', 3)).toBe('a b');
    expect(joinCells(['a', 'b', 'c'], [2, 0, 3])).toBe('a  c  ');
  });
});

describe('text prompt', () => {
  it('edits at the end (where the cursor starts), submits and cancels', () => {
    expect(editField('sta', undefined, 't', 't')).toEqual({ kind: 'edit', text: 'stat', cursor: 4 });
    expect(editField('abc', undefined, 'backspace', '\x7f')).toEqual({ kind: 'edit', text: 'ab', cursor: 2 });
    expect(editField('status=exited web', undefined, 'ctrl+w', '\x17')).toEqual({ kind: 'edit', text: 'status=exited ', cursor: 14 });
    expect(editField('abc', undefined, 'ctrl+u', '\x15')).toEqual({ kind: 'edit', text: '', cursor: 0 });
    expect(editField('a', undefined, 'space', ' ')).toEqual({ kind: 'edit', text: 'a ', cursor: 2 });
    expect(editField('abc', undefined, 'enter', '\r')).toEqual({ kind: 'submit', text: 'abc' });
    expect(editField('abc', undefined, 'escape', '\x1b')).toEqual({ kind: 'cancel' });
    expect(editField('abc', undefined, 'up', '\x1b[A')).toEqual({ kind: 'ignore' });
  });
});
