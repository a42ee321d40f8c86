import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ALL_CAPABILITIES,
  DEFAULT_CAPABILITIES,
  UnavailableCapabilityError,
  UnknownCapabilityError,
  applyCapabilityChanges,
  capabilitiesFromMask,
  capabilityMask,
  normalizeCapability,
} from '../../src/core/runtime/capabilities.js';

describe('capability sets', () => {
  it("has Docker's 14 defaults", () => {
    expect(DEFAULT_CAPABILITIES).toEqual([
      'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID',
      'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
    ]);
  });

  it('lists every capability of Linux 6.x by number', () => {
    expect(ALL_CAPABILITIES).toHaveLength(41);
    expect(ALL_CAPABILITIES[0]).toBe('CAP_CHOWN');
    expect(ALL_CAPABILITIES[21]).toBe('CAP_SYS_ADMIN');
    expect(ALL_CAPABILITIES[24]).toBe('CAP_SYS_RESOURCE');
    expect(ALL_CAPABILITIES[40]).toBe('CAP_CHECKPOINT_RESTORE');
    expect(new Set(ALL_CAPABILITIES).size).toBe(41);
  });
});

describe('capabilityMask', () => {
  it("gives Docker's well-known CapEff for the defaults", () => {
    expect(capabilityMask(DEFAULT_CAPABILITIES).toString(16)).toBe('a80425fb');
  });

  it('sets every bit up to 40 for all capabilities', () => {
    expect(capabilityMask(ALL_CAPABILITIES)).toBe((1n << 41n) - 1n);
  });

  it('round-trips with capabilitiesFromMask, including this process’s own bounding set', () => {
    expect(capabilitiesFromMask(0x1fffeffffffn)).not.toContain('CAP_SYS_RESOURCE');
    expect(capabilitiesFromMask(0x1fffeffffffn)).toHaveLength(40);
    const status = readFileSync('/proc/self/status', 'utf8');
    const hex = /^CapBnd:\s*([0-9a-f]+)$/m.exec(status)![1];
    expect(capabilityMask(capabilitiesFromMask(BigInt(`0x${hex}`))).toString(16).padStart(16, '0')).toBe(hex);
  });

  it('accepts short and lower-case names', () => {
    expect(capabilityMask(['chown', 'cap_kill'])).toBe((1n << 0n) | (1n << 5n));
  });
});

describe('normalizeCapability', () => {
  it('upper-cases and adds the CAP_ prefix', () => {
    expect(normalizeCapability('net_admin')).toBe('CAP_NET_ADMIN');
    expect(normalizeCapability('Cap_Sys_Admin')).toBe('CAP_SYS_ADMIN');
    expect(normalizeCapability('all')).toBe('ALL');
  });

  it('refuses unknown names, naming them', () => {
    expect(() => normalizeCapability('foo')).toThrow(UnknownCapabilityError);
    expect(() => normalizeCapability('foo')).toThrow('unknown capability: "CAP_FOO"');
  });
});

describe('applyCapabilityChanges', () => {
  it('returns the base when nothing changes', () => {
    expect(applyCapabilityChanges(DEFAULT_CAPABILITIES, [], [])).toEqual(DEFAULT_CAPABILITIES);
  });

  it('drops, then appends adds, case-insensitively and with or without CAP_', () => {
    const caps = applyCapabilityChanges(DEFAULT_CAPABILITIES, ['net_admin', 'CAP_SYS_PTRACE'], ['mknod', 'CAP_NET_RAW']);
    expect(caps).not.toContain('CAP_MKNOD');
    expect(caps).not.toContain('CAP_NET_RAW');
    expect(caps.slice(-2)).toEqual(['CAP_NET_ADMIN', 'CAP_SYS_PTRACE']);
    expect(caps).toHaveLength(14);
  });

  it('does not duplicate a capability added twice or already present', () => {
    expect(applyCapabilityChanges(['CAP_CHOWN'], ['chown', 'CHOWN'], [])).toEqual(['CAP_CHOWN']);
  });

  it('lets an add win over a drop of the same capability, as Docker does', () => {
    expect(applyCapabilityChanges(['CAP_CHOWN'], ['CAP_KILL'], ['KILL'])).toEqual(['CAP_CHOWN', 'CAP_KILL']);
  });

  it('ALL in add gives every available capability except the drops', () => {
    const caps = applyCapabilityChanges(DEFAULT_CAPABILITIES, ['ALL'], ['sys_admin']);
    expect(caps).toHaveLength(40);
    expect(caps).not.toContain('CAP_SYS_ADMIN');
  });

  it('ALL in drop keeps only the adds', () => {
    expect(applyCapabilityChanges(DEFAULT_CAPABILITIES, ['chown', 'setuid'], ['all'])).toEqual(['CAP_CHOWN', 'CAP_SETUID']);
    expect(applyCapabilityChanges(DEFAULT_CAPABILITIES, [], ['ALL'])).toEqual([]);
  });

  it('refuses unknown names in add or drop', () => {
    expect(() => applyCapabilityChanges(DEFAULT_CAPABILITIES, ['bogus'], [])).toThrow('unknown capability: "CAP_BOGUS"');
    expect(() => applyCapabilityChanges(DEFAULT_CAPABILITIES, [], ['CAP_NOPE'])).toThrow(UnknownCapabilityError);
  });

  it('limits ALL to the available set and refuses an explicit unavailable capability', () => {
    const available = capabilitiesFromMask(0x1fffeffffffn);
    expect(applyCapabilityChanges(DEFAULT_CAPABILITIES, ['ALL'], [], available)).not.toContain('CAP_SYS_RESOURCE');
    expect(() => applyCapabilityChanges(DEFAULT_CAPABILITIES, ['sys_resource'], [], available)).toThrow(UnavailableCapabilityError);
  });
});
