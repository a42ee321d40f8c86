import { describe, expect, it } from 'vitest';
import { ALL_CAPABILITIES, DEFAULT_CAPABILITIES, capabilitiesFromMask } from '../../src/core/runtime/capabilities.js';
import { ResourceError } from '../../src/core/runtime/resources.js';
import {
  SecurityOptError,
  buildOciSpec,
  parseSecurityOpts,
  type OciMount,
  type SpecInput,
} from '../../src/core/runtime/oci-spec.js';

function input(over: Partial<SpecInput> = {}): SpecInput {
  return {
    id: 'c0ffee',
    rootfsPath: '/var/lib/tsdock/overlay/c0ffee/merged',
    readOnlyRootfs: false,
    process: { args: ['sh', '-c', 'echo hi'], env: ['PATH=/bin', 'HOSTNAME=c0ffee'], cwd: '/srv', uid: 1000, gid: 1000, additionalGids: [10, 50], terminal: false },
    hostname: 'c0ffee',
    privileged: false,
    capAdd: [],
    capDrop: [],
    securityOpt: [],
    network: 'private',
    cgroupsPath: '/tsdock/c0ffee',
    mounts: [],
    ...over,
  };
}

const byDest = (mounts: OciMount[], d: string) => mounts.find((m) => m.destination === d);
const DEFAULT_DESTINATIONS = ['/proc', '/dev', '/dev/pts', '/sys', '/sys/fs/cgroup', '/dev/mqueue', '/dev/shm'];

describe('buildOciSpec: the basics', () => {
  const spec = buildOciSpec(input());

  it('declares OCI 1.0.2, the rootfs and the hostname', () => {
    expect(spec.ociVersion).toBe('1.0.2');
    expect(spec.root).toEqual({ path: '/var/lib/tsdock/overlay/c0ffee/merged', readonly: false });
    expect(spec.hostname).toBe('c0ffee');
    expect(spec.linux.cgroupsPath).toBe('/tsdock/c0ffee');
  });

  it('runs the process as given, with the primary gid first among the groups', () => {
    expect(spec.process).toMatchObject({
      terminal: false,
      args: ['sh', '-c', 'echo hi'],
      env: ['PATH=/bin', 'HOSTNAME=c0ffee'],
      cwd: '/srv',
      user: { uid: 1000, gid: 1000, additionalGids: [1000, 10, 50] },
    });
    expect(buildOciSpec(input({ process: { ...input().process, terminal: true, cwd: '' } })).process).toMatchObject({ terminal: true, cwd: '/' });
  });

  it('does not list the primary gid twice', () => {
    const s = buildOciSpec(input({ process: { ...input().process, gid: 0, additionalGids: [0, 10] } }));
    expect(s.process.user.additionalGids).toEqual([0, 10]);
  });

  it("grants Docker's default capabilities, with empty inheritable and ambient sets", () => {
    expect(spec.process.capabilities).toEqual({
      bounding: [...DEFAULT_CAPABILITIES],
      effective: [...DEFAULT_CAPABILITIES],
      permitted: [...DEFAULT_CAPABILITIES],
      inheritable: [],
      ambient: [],
    });
  });

  it('creates mount, network, uts, pid, ipc and cgroup namespaces', () => {
    expect(spec.linux.namespaces.map((n) => n.type).sort()).toEqual(['cgroup', 'ipc', 'mount', 'network', 'pid', 'uts']);
    expect(spec.linux.namespaces.every((n) => !('path' in n))).toBe(true);
  });

  it("mounts Docker's defaults", () => {
    expect(spec.mounts.map((m) => m.destination)).toEqual(DEFAULT_DESTINATIONS);
    expect(byDest(spec.mounts, '/proc')).toEqual({ destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] });
    expect(byDest(spec.mounts, '/dev')).toMatchObject({ type: 'tmpfs', options: expect.arrayContaining(['nosuid', 'mode=755', 'size=65536k']) });
    expect(byDest(spec.mounts, '/dev/pts')).toMatchObject({
      type: 'devpts',
      options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
    });
    expect(byDest(spec.mounts, '/sys')).toMatchObject({ type: 'sysfs', options: expect.arrayContaining(['ro', 'nosuid', 'noexec', 'nodev']) });
    expect(byDest(spec.mounts, '/sys/fs/cgroup')).toMatchObject({ type: 'cgroup', options: expect.arrayContaining(['ro']) });
    expect(byDest(spec.mounts, '/dev/mqueue')).toMatchObject({ type: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] });
    expect(byDest(spec.mounts, '/dev/shm')).toMatchObject({ type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=67108864'] });
  });

  it("masks and write-protects Docker's kernel paths", () => {
    expect(spec.linux.maskedPaths).toEqual(
      expect.arrayContaining(['/proc/kcore', '/proc/keys', '/proc/timer_list', '/proc/sched_debug', '/proc/acpi', '/proc/scsi', '/sys/firmware', '/proc/interrupts']),
    );
    expect(spec.linux.readonlyPaths).toEqual(['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger']);
  });

  it("denies all devices, then allows Docker's list (runc adds its standard nodes itself)", () => {
    const rules = spec.linux.resources.devices;
    expect(rules[0]).toEqual({ allow: false, access: 'rwm' });
    const allowed = rules.filter((r) => r.allow).map((r) => `${r.type} ${r.major}:${r.minor}`);
    expect(allowed).toEqual(['c 1:5', 'c 1:3', 'c 1:9', 'c 1:8', 'c 5:0', 'c 5:1']);
    expect(rules.at(-1)).toEqual({ allow: false, type: 'c', major: 10, minor: 229, access: 'rwm' });
  });

  it('applies the default seccomp profile for the granted capabilities', () => {
    expect(spec.linux.seccomp?.defaultAction).toBe('SCMP_ACT_ERRNO');
    expect(spec.linux.seccomp?.syscalls.some((r) => r.names.includes('mount'))).toBe(false);
    const admin = buildOciSpec(input({ capAdd: ['SYS_ADMIN'] }));
    expect(admin.linux.seccomp?.syscalls.some((r) => r.action === 'SCMP_ACT_ALLOW' && r.names.includes('mount'))).toBe(true);
  });

  it('sets no limits, no rlimits and no-new-privileges unless asked', () => {
    expect(spec.linux.resources).not.toHaveProperty('memory');
    expect(spec.linux.resources).not.toHaveProperty('cpu');
    expect(spec.linux.resources).not.toHaveProperty('pids');
    expect(spec.process).not.toHaveProperty('rlimits');
    expect(spec.process).not.toHaveProperty('noNewPrivileges');
  });

  it("sets Docker's network sysctls for a private network namespace", () => {
    expect(spec.linux.sysctl).toEqual({ 'net.ipv4.ping_group_range': '0 2147483647', 'net.ipv4.ip_unprivileged_port_start': '0' });
  });

  it('is plain JSON (nothing lost in serialisation)', () => {
    expect(JSON.parse(JSON.stringify(spec))).toEqual(spec);
  });
});

describe('buildOciSpec: network', () => {
  it('shares the host network namespace for host, without network sysctls', () => {
    const spec = buildOciSpec(input({ network: 'host' }));
    expect(spec.linux.namespaces.map((n) => n.type)).not.toContain('network');
    expect(spec.linux.namespaces.map((n) => n.type).sort()).toEqual(['cgroup', 'ipc', 'mount', 'pid', 'uts']);
    expect(spec.linux).not.toHaveProperty('sysctl');
    expect(byDest(spec.mounts, '/sys')?.options).toContain('ro');
  });

  it('gives none its own (empty) network namespace', () => {
    const spec = buildOciSpec(input({ network: 'none' }));
    expect(spec.linux.namespaces.map((n) => n.type)).toContain('network');
    expect(spec.linux.sysctl).toBeDefined();
  });
});

describe('buildOciSpec: capabilities', () => {
  it('applies --cap-add and --cap-drop', () => {
    const caps = buildOciSpec(input({ capAdd: ['net_admin'], capDrop: ['CAP_MKNOD'] })).process.capabilities;
    expect(caps.effective).toContain('CAP_NET_ADMIN');
    expect(caps.effective).not.toContain('CAP_MKNOD');
    expect(caps.bounding).toEqual(caps.effective);
    expect(caps.permitted).toEqual(caps.effective);
  });

  it('refuses an unknown capability', () => {
    expect(() => buildOciSpec(input({ capAdd: ['bogus'] }))).toThrow('unknown capability: "CAP_BOGUS"');
  });

  it('limits --cap-add ALL to the capabilities the runtime holds', () => {
    const available = capabilitiesFromMask(0x1fffeffffffn);
    const caps = buildOciSpec(input({ capAdd: ['ALL'], availableCapabilities: available })).process.capabilities;
    expect(caps.effective).toEqual(available);
  });
});

describe('buildOciSpec: --privileged', () => {
  const spec = buildOciSpec(input({ privileged: true, capDrop: ['ALL'] }));

  it('grants every capability (cap-drop ignored, as Docker does)', () => {
    expect(spec.process.capabilities.effective).toEqual([...ALL_CAPABILITIES]);
    expect(spec.process.capabilities.bounding).toEqual([...ALL_CAPABILITIES]);
  });

  it('grants only the available capabilities when the runtime lacks some', () => {
    const available = capabilitiesFromMask(0x1fffeffffffn);
    const s = buildOciSpec(input({ privileged: true, availableCapabilities: available }));
    expect(s.process.capabilities.permitted).not.toContain('CAP_SYS_RESOURCE');
    expect(s.process.capabilities.permitted).toHaveLength(40);
  });

  it('masks nothing and write-protects nothing', () => {
    expect(spec.linux.maskedPaths).toEqual([]);
    expect(spec.linux.readonlyPaths).toEqual([]);
  });

  it('mounts /sys and the cgroup tree read-write', () => {
    expect(byDest(spec.mounts, '/sys')?.options).not.toContain('ro');
    expect(byDest(spec.mounts, '/sys/fs/cgroup')?.options).not.toContain('ro');
  });

  it('allows every device in the devices cgroup', () => {
    expect(spec.linux.resources.devices).toEqual([{ allow: true, access: 'rwm' }]);
  });

  it('runs without seccomp unless a custom profile is given', () => {
    expect(spec.linux).not.toHaveProperty('seccomp');
    const custom = JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['keyctl'], action: 'SCMP_ACT_ERRNO' }] });
    const s = buildOciSpec(input({ privileged: true, securityOpt: [`seccomp=${custom}`] }));
    expect(s.linux.seccomp).toEqual({ defaultAction: 'SCMP_ACT_ALLOW', architectures: [], syscalls: [{ names: ['keyctl'], action: 'SCMP_ACT_ERRNO' }] });
  });
});

describe('buildOciSpec: security options', () => {
  it('sets noNewPrivileges from no-new-privileges in its three spellings', () => {
    for (const opt of ['no-new-privileges', 'no-new-privileges=true', 'no-new-privileges:true']) {
      expect(buildOciSpec(input({ securityOpt: [opt] })).process.noNewPrivileges, opt).toBe(true);
    }
    expect(buildOciSpec(input({ securityOpt: ['no-new-privileges=false'] })).process).not.toHaveProperty('noNewPrivileges');
  });

  it('drops seccomp with seccomp=unconfined', () => {
    expect(buildOciSpec(input({ securityOpt: ['seccomp=unconfined'] })).linux).not.toHaveProperty('seccomp');
    expect(buildOciSpec(input({ securityOpt: ['seccomp:unconfined'] })).linux).not.toHaveProperty('seccomp');
  });

  it('uses a custom Docker-format profile passed as JSON', () => {
    const custom = JSON.stringify({
      defaultAction: 'SCMP_ACT_ALLOW',
      archMap: [{ architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86'] }],
      syscalls: [{ names: ['chroot'], action: 'SCMP_ACT_ERRNO', errnoRet: 1, excludes: { caps: ['CAP_SYS_CHROOT'] } }],
    });
    const seccomp = buildOciSpec(input({ securityOpt: [`seccomp=${custom}`] })).linux.seccomp;
    expect(seccomp).toEqual({ defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'], syscalls: [] });
  });

  it('refuses malformed or unsupported options', () => {
    expect(() => buildOciSpec(input({ securityOpt: ['bogus'] }))).toThrow(SecurityOptError);
    expect(() => parseSecurityOpts(['no-new-privileges=maybe'])).toThrow(SecurityOptError);
    expect(() => parseSecurityOpts(['seccomp=/etc/profile.json'])).toThrow('JSON content');
    expect(() => parseSecurityOpts(['apparmor=docker-default'])).toThrow('not supported');
    expect(() => parseSecurityOpts(['unknown=1'])).toThrow('invalid --security-opt');
    expect(parseSecurityOpts(['apparmor=unconfined', 'label=disable', 'seccomp=builtin'])).toEqual({ noNewPrivileges: false, seccomp: 'default' });
  });
});

describe('buildOciSpec: --read-only', () => {
  const spec = buildOciSpec(
    input({ readOnlyRootfs: true, mounts: [{ destination: '/data', source: '/vol/data', type: 'bind', options: ['rbind'] }] }),
  );

  it('makes the root read-only', () => {
    expect(spec.root.readonly).toBe(true);
  });

  it('keeps /proc, /dev, /dev/pts, /dev/shm and /dev/mqueue writable, /sys read-only', () => {
    for (const d of ['/proc', '/dev', '/dev/pts', '/dev/shm', '/dev/mqueue']) expect(byDest(spec.mounts, d)?.options, d).not.toContain('ro');
    expect(byDest(spec.mounts, '/sys')?.options.filter((o) => o === 'ro')).toHaveLength(1);
    expect(byDest(spec.mounts, '/sys/fs/cgroup')?.options).toContain('ro');
  });

  it('leaves user mounts as requested', () => {
    expect(byDest(spec.mounts, '/data')?.options).toEqual(['rbind']);
  });
});

describe('buildOciSpec: --init', () => {
  const spec = buildOciSpec(
    input({ init: { hostPath: '/usr/bin/catatonit' }, mounts: [{ destination: '/dev', source: '/host/dev', type: 'bind', options: ['rbind'] }] }),
  );

  it('runs the command under /dev/init --', () => {
    expect(spec.process.args).toEqual(['/dev/init', '--', 'sh', '-c', 'echo hi']);
  });

  it('binds the init binary read-only at /dev/init, last so nothing hides it', () => {
    expect(spec.mounts.at(-1)).toEqual({ destination: '/dev/init', type: 'bind', source: '/usr/bin/catatonit', options: ['bind', 'ro'] });
  });

  it('leaves the args alone without --init', () => {
    expect(buildOciSpec(input()).process.args).toEqual(['sh', '-c', 'echo hi']);
    expect(buildOciSpec(input()).mounts.some((m) => m.destination === '/dev/init')).toBe(false);
  });
});

describe('buildOciSpec: user mounts', () => {
  it('comes after the defaults, parents before children, otherwise in the given order', () => {
    const spec = buildOciSpec(
      input({
        mounts: [
          { destination: '/data/logs', source: '/v/logs', type: 'bind', options: ['rbind', 'ro'] },
          { destination: '/etc/hosts', source: '/run/tsdock/c0ffee/hosts', type: 'bind', options: ['bind'] },
          { destination: '/data', source: '/v/data', type: 'bind', options: ['rbind'] },
          { destination: '/cache', source: 'tmpfs', type: 'tmpfs', options: ['size=1m'] },
          { destination: '/etc/resolv.conf', source: '/run/tsdock/c0ffee/resolv.conf', type: 'bind', options: ['bind'] },
        ],
      }),
    );
    expect(spec.mounts.map((m) => m.destination)).toEqual([
      ...DEFAULT_DESTINATIONS,
      '/data',
      '/cache',
      '/data/logs',
      '/etc/hosts',
      '/etc/resolv.conf',
    ]);
    expect(byDest(spec.mounts, '/cache')).toEqual({ destination: '/cache', type: 'tmpfs', source: 'tmpfs', options: ['size=1m'] });
    expect(byDest(spec.mounts, '/data/logs')).toEqual({ destination: '/data/logs', type: 'bind', source: '/v/logs', options: ['rbind', 'ro'] });
  });

  it('adds the recursive bind flag when the options lack one', () => {
    const spec = buildOciSpec(input({ mounts: [{ destination: '/x/', source: '/h/x', type: 'bind', options: ['ro'] }] }));
    expect(byDest(spec.mounts, '/x')).toEqual({ destination: '/x', type: 'bind', source: '/h/x', options: ['rbind', 'ro'] });
  });

  it('replaces a default mount with the same destination', () => {
    const spec = buildOciSpec(input({ mounts: [{ destination: '/dev/shm', source: 'tmpfs', type: 'tmpfs', options: ['size=1g'] }] }));
    const shm = spec.mounts.filter((m) => m.destination === '/dev/shm');
    expect(shm).toEqual([{ destination: '/dev/shm', type: 'tmpfs', source: 'tmpfs', options: ['size=1g'] }]);
  });

  it('drops every default under /dev when /dev itself is mounted', () => {
    const spec = buildOciSpec(input({ mounts: [{ destination: '/dev', source: '/dev', type: 'bind', options: ['rbind'] }] }));
    expect(spec.mounts.map((m) => m.destination)).toEqual(['/proc', '/sys', '/sys/fs/cgroup', '/dev']);
  });
});

describe('buildOciSpec: resources', () => {
  it('sets the memory limit only (swap left to the kernel default)', () => {
    const spec = buildOciSpec(input({ memory: 32 * 1024 * 1024 }));
    expect(spec.linux.resources.memory).toEqual({ limit: 33554432 });
  });

  it('refuses memory below 6 MiB', () => {
    expect(() => buildOciSpec(input({ memory: 4 * 1024 * 1024 }))).toThrow('Minimum memory limit allowed is 6MB');
    expect(buildOciSpec(input({ memory: 0 })).linux.resources).not.toHaveProperty('memory');
  });

  it('maps --cpus to CFS quota and period', () => {
    expect(buildOciSpec(input({ cpus: 0.5 })).linux.resources.cpu).toEqual({ quota: 50000, period: 100000 });
    expect(buildOciSpec(input({ cpus: 2 })).linux.resources.cpu).toEqual({ quota: 200000, period: 100000 });
    expect(() => buildOciSpec(input({ cpus: -1 }))).toThrow(ResourceError);
  });

  it('sets the pids limit, 0 or negative meaning unlimited', () => {
    expect(buildOciSpec(input({ pidsLimit: 100 })).linux.resources.pids).toEqual({ limit: 100 });
    expect(buildOciSpec(input({ pidsLimit: 0 })).linux.resources.pids).toEqual({ limit: -1 });
  });

  it('passes rlimits through', () => {
    const rlimits = [{ type: 'RLIMIT_NOFILE', hard: 20000, soft: 20000 }];
    expect(buildOciSpec(input({ rlimits })).process.rlimits).toEqual(rlimits);
  });
});
