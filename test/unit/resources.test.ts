import { describe, expect, it } from 'vitest';
import {
  CPU_PERIOD_US,
  MIN_MEMORY_BYTES,
  ResourceError,
  cpuQuota,
  parseCpus,
  parseMemory,
  pidsLimitValue,
  validateCpus,
  validateMemory,
} from '../../src/core/runtime/resources.js';

describe('parseMemory', () => {
  it('reads plain bytes and binary units', () => {
    expect(parseMemory('1024')).toBe(1024);
    expect(parseMemory('32m')).toBe(33554432);
    expect(parseMemory('1k')).toBe(1024);
    expect(parseMemory('2g')).toBe(2 * 1024 ** 3);
    expect(parseMemory('1t')).toBe(1024 ** 4);
    expect(parseMemory('1p')).toBe(1024 ** 5);
  });

  it('is case-insensitive and accepts b, kb, KiB forms', () => {
    expect(parseMemory('32M')).toBe(33554432);
    expect(parseMemory('32mb')).toBe(33554432);
    expect(parseMemory('32MiB')).toBe(33554432);
    expect(parseMemory('100b')).toBe(100);
    expect(parseMemory('100B')).toBe(100);
    expect(parseMemory('32 m')).toBe(33554432);
  });

  it('accepts fractions and truncates to whole bytes', () => {
    expect(parseMemory('1.5k')).toBe(1536);
    expect(parseMemory('0.5m')).toBe(524288);
    expect(parseMemory('10.7')).toBe(10);
  });

  it('refuses malformed input, naming it', () => {
    for (const bad of ['', 'abc', 'm', '-1m', '10x', '10mbb', '10bm', '10kix', '1,5m', ' 10m']) {
      expect(() => parseMemory(bad), bad).toThrow(ResourceError);
      expect(() => parseMemory(bad), bad).toThrow(`'${bad}'`);
    }
  });
});

describe('validateMemory', () => {
  it('refuses limits below 6 MiB with Docker’s message', () => {
    expect(MIN_MEMORY_BYTES).toBe(6291456);
    expect(() => validateMemory(parseMemory('4m'))).toThrow('Minimum memory limit allowed is 6MB');
    expect(() => validateMemory(6291455)).toThrow(ResourceError);
  });

  it('accepts 0 (unlimited) and anything from 6 MiB', () => {
    expect(() => validateMemory(0)).not.toThrow();
    expect(() => validateMemory(6291456)).not.toThrow();
  });
});

describe('cpus', () => {
  it('maps --cpus to a CFS quota over a 100 ms period', () => {
    expect(CPU_PERIOD_US).toBe(100000);
    expect(cpuQuota(1)).toEqual({ quota: 100000, period: 100000 });
    expect(cpuQuota(0.5)).toEqual({ quota: 50000, period: 100000 });
    expect(cpuQuota(1.5)).toEqual({ quota: 150000, period: 100000 });
    expect(cpuQuota(0.01)).toEqual({ quota: 1000, period: 100000 });
    expect(cpuQuota(0.1)).toEqual({ quota: 10000, period: 100000 });
    expect(cpuQuota(0.333)).toEqual({ quota: 33300, period: 100000 });
  });

  it('truncates quota as Docker’s integer arithmetic does', () => {
    expect(cpuQuota(0.0123456).quota).toBe(1234);
  });

  it('parses --cpus with at most nanosecond precision', () => {
    expect(parseCpus('1.5')).toBe(1.5);
    expect(parseCpus('.5')).toBe(0.5);
    expect(parseCpus('2')).toBe(2);
    expect(parseCpus('0.0000000010')).toBe(1e-9);
    expect(() => parseCpus('0.0000000001')).toThrow('value is too precise');
    expect(() => parseCpus('abc')).toThrow(ResourceError);
    expect(() => parseCpus('-1')).toThrow(ResourceError);
  });

  it('checks the range against the host’s CPUs', () => {
    expect(() => validateCpus(2, 2)).not.toThrow();
    expect(() => validateCpus(0.01, 2)).not.toThrow();
    expect(() => validateCpus(3, 2)).toThrow('range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available');
    expect(() => validateCpus(0.001, 2)).toThrow(ResourceError);
    expect(() => validateCpus(Number.NaN, 2)).toThrow(ResourceError);
  });
});

describe('pidsLimitValue', () => {
  it('keeps positive limits and maps 0 and negatives to unlimited (-1)', () => {
    expect(pidsLimitValue(100)).toBe(100);
    expect(pidsLimitValue(0)).toBe(-1);
    expect(pidsLimitValue(-5)).toBe(-1);
    expect(() => pidsLimitValue(1.5)).toThrow(ResourceError);
  });
});
