import { describe, expect, it } from 'vitest';
import { parsePsOutput, renderProcessTable } from '../../src/core/runtime/container-top.js';

const PS_EF = `UID          PID    PPID  C STIME TTY          TIME CMD
root       22216   22206  0 11:30 ?        00:00:00 sleep 300
root       22300   22206  0 11:31 ?        00:00:00 sh -c while true; do sleep 1; done
`;

describe('top', () => {
  it('splits ps -ef into Docker\'s titles and processes, CMD keeping its spaces', () => {
    expect(parsePsOutput(PS_EF)).toEqual({
      titles: ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD'],
      processes: [
        ['root', '22216', '22206', '0', '11:30', '?', '00:00:00', 'sleep 300'],
        ['root', '22300', '22206', '0', '11:31', '?', '00:00:00', 'sh -c while true; do sleep 1; done'],
      ],
    });
  });
  it('needs a PID column', () => {
    expect(() => parsePsOutput('COMMAND\nsleep\n')).toThrow(/PID/);
  });
  it('renders as Docker\'s tabwriter (minimum width 20, padding 3)', () => {
    const out = renderProcessTable(parsePsOutput('PID   COMMAND\n1     sleep\n'));
    expect(out).toBe(`${'PID'.padEnd(20)}COMMAND\n${'1'.padEnd(20)}sleep\n`);
    const wide = renderProcessTable({ titles: ['A', 'B'], processes: [['x'.repeat(25), 'y']] });
    expect(wide.split('\n')[1]).toBe(`${'x'.repeat(25)}   y`);
  });
});
