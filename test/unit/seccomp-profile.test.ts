import { describe, expect, it } from 'vitest';
import { DEFAULT_CAPABILITIES } from '../../src/core/runtime/capabilities.js';
import {
  SeccompProfileError,
  defaultSeccompProfile,
  parseSeccompProfile,
  resolveSeccompProfile,
  type OciSeccomp,
} from '../../src/core/runtime/seccomp-profile.js';

/** Allowed whatever the arguments. */
function allows(p: OciSeccomp, name: string): boolean {
  return p.syscalls.some((r) => r.action === 'SCMP_ACT_ALLOW' && !r.args && r.names.includes(name));
}
function rulesFor(p: OciSeccomp, name: string) {
  return p.syscalls.filter((r) => r.names.includes(name));
}

const profile = defaultSeccompProfile(DEFAULT_CAPABILITIES);

describe('defaultSeccompProfile', () => {
  it('denies by default with EPERM on the x86 family', () => {
    expect(profile.defaultAction).toBe('SCMP_ACT_ERRNO');
    expect(profile.defaultErrnoRet).toBe(1);
    expect(profile.architectures).toEqual(['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
  });

  it('defaults to the default capabilities', () => {
    expect(defaultSeccompProfile()).toEqual(profile);
  });

  it('allows what a shell workload needs: processes, files, pipes, signals, sockets, ptys, time', () => {
    const needed = [
      'fork', 'vfork', 'execve', 'execveat', 'wait4', 'waitid', 'exit_group', 'getpid', 'setsid', 'setpgid',
      'read', 'write', 'openat', 'close', 'close_range', 'newfstatat', 'statx', 'getdents64', 'lseek', 'mmap', 'mprotect',
      'munmap', 'brk', 'mkdirat', 'unlinkat', 'renameat2', 'fchownat', 'fchmodat', 'utimensat', 'readlinkat', 'symlinkat',
      'pipe', 'pipe2', 'dup2', 'dup3', 'fcntl', 'ioctl', 'poll', 'ppoll', 'select', 'pselect6', 'epoll_wait', 'epoll_pwait',
      'rt_sigaction', 'rt_sigprocmask', 'rt_sigreturn', 'kill', 'tgkill', 'sigaltstack', 'signalfd4',
      'connect', 'bind', 'listen', 'accept4', 'sendto', 'recvfrom', 'socketpair', 'setsockopt', 'getsockname',
      'nanosleep', 'clock_gettime', 'clock_nanosleep', 'futex', 'set_robust_list', 'rseq', 'prlimit64', 'uname',
      'getrandom', 'capget', 'capset', 'setuid', 'setgid', 'setgroups', 'setresuid', 'prctl', 'arch_prctl', 'chdir',
      'umask', 'sysinfo', 'set_tid_address', 'memfd_create', 'inotify_init1', 'timerfd_create', 'eventfd2', 'chroot',
    ];
    expect(needed.filter((n) => !allows(profile, n))).toEqual([]);
  });

  it('blocks namespace, mount, keyring, kexec, bpf, module and clock changes without the capabilities', () => {
    const blocked = [
      'unshare', 'setns', 'mount', 'umount2', 'pivot_root', 'keyctl', 'add_key', 'request_key', 'kexec_load',
      'kexec_file_load', 'bpf', 'init_module', 'finit_module', 'delete_module', 'reboot', 'swapon', 'swapoff',
      'settimeofday', 'clock_settime', 'acct', 'iopl', 'ioperm', 'open_by_handle_at', 'perf_event_open',
      'sethostname', 'setdomainname', 'syslog', 'userfaultfd', 'fsopen', 'move_mount', 'open_tree', 'vhangup', 'mbind',
    ];
    for (const name of blocked) expect(rulesFor(profile, name), name).toEqual([]);
  });

  it('allows clone only without namespace flags, and turns clone3 into ENOSYS', () => {
    expect(rulesFor(profile, 'clone')).toEqual([
      {
        names: ['clone'],
        action: 'SCMP_ACT_ALLOW',
        args: [{ index: 0, value: 0x7e020000, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }],
      },
    ]);
    expect(rulesFor(profile, 'clone3')).toEqual([{ names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 }]);
  });

  it('allows only the safe personality values', () => {
    const values = rulesFor(profile, 'personality').map((r) => {
      expect(r.args).toHaveLength(1);
      expect(r.args![0]).toMatchObject({ index: 0, op: 'SCMP_CMP_EQ' });
      return r.args![0].value;
    });
    expect(values).toEqual([0, 8, 0x20000, 0x20008, 0xffffffff]);
  });

  it('allows every socket family but AF_KCM and AF_VSOCK', () => {
    const args = rulesFor(profile, 'socket').map((r) => r.args);
    expect(args).toEqual([
      [{ index: 0, value: 38, op: 'SCMP_CMP_LT' }],
      [{ index: 0, value: 39, op: 'SCMP_CMP_EQ' }],
      [{ index: 0, value: 40, op: 'SCMP_CMP_GT' }],
    ]);
  });

  it('allows ptrace and process_vm_* (kernel >= 4.8), and no other-architecture rules', () => {
    expect(allows(profile, 'ptrace')).toBe(true);
    expect(allows(profile, 'process_vm_readv')).toBe(true);
    for (const name of ['set_tls', 'cacheflush', 's390_runtime_instr', 'riscv_flush_icache', 'swapcontext']) {
      expect(rulesFor(profile, name), name).toEqual([]);
    }
  });

  it('opens the CAP_SYS_ADMIN group and plain clone/clone3 when the container has it', () => {
    const admin = defaultSeccompProfile([...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN']);
    for (const name of ['mount', 'umount2', 'unshare', 'setns', 'sethostname', 'bpf', 'clone', 'clone3', 'fsopen']) {
      expect(allows(admin, name), name).toBe(true);
    }
    expect(rulesFor(admin, 'clone').every((r) => !r.args)).toBe(true);
    expect(rulesFor(admin, 'clone3').every((r) => r.action === 'SCMP_ACT_ALLOW')).toBe(true);
    expect(rulesFor(admin, 'keyctl')).toEqual([]);
  });

  it('gates each group on its capability', () => {
    const cases: [string, string[]][] = [
      ['CAP_SYS_BOOT', ['reboot']],
      ['CAP_SYS_MODULE', ['init_module', 'finit_module', 'delete_module']],
      ['CAP_SYS_PACCT', ['acct']],
      ['CAP_SYS_PTRACE', ['kcmp', 'pidfd_getfd', 'process_madvise']],
      ['CAP_SYS_RAWIO', ['iopl', 'ioperm']],
      ['CAP_SYS_TIME', ['settimeofday', 'clock_settime']],
      ['CAP_SYS_TTY_CONFIG', ['vhangup']],
      ['CAP_SYS_NICE', ['mbind', 'set_mempolicy']],
      ['CAP_SYSLOG', ['syslog']],
      ['CAP_BPF', ['bpf']],
      ['CAP_PERFMON', ['perf_event_open']],
      ['CAP_DAC_READ_SEARCH', ['open_by_handle_at']],
    ];
    for (const [cap, names] of cases) {
      const p = defaultSeccompProfile([...DEFAULT_CAPABILITIES, cap]);
      for (const n of names) {
        expect(allows(profile, n), `${n} without ${cap}`).toBe(false);
        expect(allows(p, n), `${n} with ${cap}`).toBe(true);
      }
    }
  });

  it('drops chroot when CAP_SYS_CHROOT is dropped', () => {
    expect(allows(defaultSeccompProfile(DEFAULT_CAPABILITIES.filter((c) => c !== 'CAP_SYS_CHROOT')), 'chroot')).toBe(false);
  });

  it('is plain JSON data', () => {
    expect(JSON.parse(JSON.stringify(profile))).toEqual(profile);
  });
});

describe('resolveSeccompProfile', () => {
  it('selects architecture-specific rules by the target arch', () => {
    const arm = defaultSeccompProfile(DEFAULT_CAPABILITIES, { arch: 'arm64' });
    expect(allows(arm, 'arch_prctl')).toBe(false);
    expect(allows(arm, 'modify_ldt')).toBe(false);
    expect(arm.architectures).toEqual([]);
    expect(allows(profile, 'modify_ldt')).toBe(true);
  });

  it('honours minKernel in includes and excludes when the kernel is given', () => {
    const custom = parseSeccompProfile(
      JSON.stringify({
        defaultAction: 'SCMP_ACT_ERRNO',
        architectures: ['SCMP_ARCH_X86_64'],
        syscalls: [
          { names: ['new_call'], action: 'SCMP_ACT_ALLOW', includes: { minKernel: '6.2' } },
          { names: ['old_call'], action: 'SCMP_ACT_ALLOW', excludes: { minKernel: '6.2' } },
          { name: 'single', action: 'SCMP_ACT_LOG' },
        ],
      }),
    );
    const old = resolveSeccompProfile(custom, [], { kernel: { major: 6, minor: 1 } });
    expect(old.syscalls.map((r) => r.names[0])).toEqual(['old_call', 'single']);
    const recent = resolveSeccompProfile(custom, [], { kernel: { major: 6, minor: 2 } });
    expect(recent.syscalls.map((r) => r.names[0])).toEqual(['new_call', 'single']);
    expect(recent.architectures).toEqual(['SCMP_ARCH_X86_64']);
    expect(recent).not.toHaveProperty('defaultErrnoRet');
  });

  it('requires every listed capability in includes and excludes on any', () => {
    const custom = {
      defaultAction: 'SCMP_ACT_ERRNO' as const,
      syscalls: [
        { names: ['both'], action: 'SCMP_ACT_ALLOW' as const, includes: { caps: ['CAP_A', 'CAP_B'] } },
        { names: ['notb'], action: 'SCMP_ACT_ALLOW' as const, excludes: { caps: ['CAP_B', 'CAP_C'] } },
      ],
    };
    expect(resolveSeccompProfile(custom, ['CAP_A']).syscalls.map((r) => r.names[0])).toEqual(['notb']);
    expect(resolveSeccompProfile(custom, ['CAP_A', 'CAP_B']).syscalls.map((r) => r.names[0])).toEqual(['both']);
  });

  it('refuses ambiguous profiles', () => {
    expect(() =>
      resolveSeccompProfile(
        { defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86_64'], archMap: [{ architecture: 'SCMP_ARCH_X86_64', subArchitectures: null }] },
        [],
      ),
    ).toThrow(SeccompProfileError);
    expect(() =>
      resolveSeccompProfile({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ name: 'a', names: ['b'], action: 'SCMP_ACT_ALLOW' }] }, []),
    ).toThrow("both 'name' and 'names'");
  });

  it('refuses a profile that is not JSON or lacks defaultAction', () => {
    expect(() => parseSeccompProfile('{nope')).toThrow(SeccompProfileError);
    expect(() => parseSeccompProfile('{"syscalls":[]}')).toThrow('no defaultAction');
  });
});
