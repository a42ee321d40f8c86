import { describe, expect, it } from 'vitest';
import {
  countSteps,
  DockerfileSyntaxError,
  findStage,
  parseDockerfile,
  parseGoDuration,
  type Instruction,
  type InstructionKind,
  type InstructionOf,
} from '../../src/core/build/dockerfile.js';
import { expandWord } from '../../src/core/build/variable-expansion.js';

/** Parses a one-stage Dockerfile and returns its only instruction after FROM. */
function only<K extends InstructionKind>(kind: K, line: string): InstructionOf<K> {
  const df = parseDockerfile(`FROM busybox\n${line}\n`);
  const [instr] = df.stages[0]!.instructions;
  expect(instr?.kind).toBe(kind);
  return instr as InstructionOf<K>;
}

function syntaxError(text: string): DockerfileSyntaxError {
  try {
    parseDockerfile(text);
  } catch (err) {
    expect(err).toBeInstanceOf(DockerfileSyntaxError);
    return err as DockerfileSyntaxError;
  }
  throw new Error('expected a DockerfileSyntaxError');
}

const MULTI_STAGE = `# syntax=docker/dockerfile:1
ARG GO_VERSION=1.22
ARG BASE=alpine:3.19

FROM --platform=$BUILDPLATFORM golang:\${GO_VERSION} AS Builder
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -o /out/app ./cmd/app

FROM builder AS test
RUN go test ./...

FROM $BASE
LABEL org.opencontainers.image.title="My App" \\
      org.opencontainers.image.version=1.0
COPY --from=builder --chown=1000:1000 --chmod=0755 /out/app /usr/local/bin/app
EXPOSE 8080 9090/udp
USER 1000
ENTRYPOINT ["/usr/local/bin/app"]
CMD ["--help"]
`;

describe('parseDockerfile: stages', () => {
  it('reads a multi-stage build: meta ARGs, platforms, AS names, COPY --from', () => {
    const df = parseDockerfile(MULTI_STAGE);
    expect(df.escapeChar).toBe('\\');
    expect(df.metaArgs).toEqual([
      { name: 'GO_VERSION', defaultValue: '1.22', line: 2, text: 'ARG GO_VERSION=1.22' },
      { name: 'BASE', defaultValue: 'alpine:3.19', line: 3, text: 'ARG BASE=alpine:3.19' },
    ]);
    expect(df.stages.map((s) => [s.index, s.name, s.baseImage, s.platform])).toEqual([
      [0, 'builder', 'golang:${GO_VERSION}', '$BUILDPLATFORM'],
      [1, 'test', 'builder', undefined],
      [2, undefined, '$BASE', undefined],
    ]);
    const builder = df.stages[0]!;
    expect(builder.from).toEqual({
      kind: 'FROM',
      line: 5,
      text: 'FROM --platform=$BUILDPLATFORM golang:${GO_VERSION} AS Builder',
      image: 'golang:${GO_VERSION}',
      stageName: 'builder',
      platform: '$BUILDPLATFORM',
    });
    expect(builder.instructions.map((i) => [i.line, i.kind])).toEqual([
      [6, 'WORKDIR'],
      [7, 'COPY'],
      [8, 'RUN'],
      [9, 'COPY'],
      [10, 'RUN'],
    ]);
    const final = df.stages[2]!.instructions;
    expect(final[0]).toMatchObject({
      kind: 'LABEL',
      line: 16,
      pairs: [
        ['org.opencontainers.image.title', 'My App'],
        ['org.opencontainers.image.version', '1.0'],
      ],
    });
    expect(final[1]).toEqual({
      kind: 'COPY',
      line: 18,
      text: 'COPY --from=builder --chown=1000:1000 --chmod=0755 /out/app /usr/local/bin/app',
      sources: ['/out/app'],
      dest: '/usr/local/bin/app',
      from: 'builder',
      chown: '1000:1000',
      chmod: '0755',
    });
    expect(final[2]).toMatchObject({ kind: 'EXPOSE', ports: ['8080', '9090/udp'] });
    expect(final[3]).toMatchObject({ kind: 'USER', user: '1000' });
    expect(final[4]).toMatchObject({ kind: 'ENTRYPOINT', run: { form: 'exec', argv: ['/usr/local/bin/app'] } });
    expect(final[5]).toMatchObject({ kind: 'CMD', run: { form: 'exec', argv: ['--help'] } });
    // 2 meta ARGs + 3 FROMs + 5 + 1 + 6 instructions, as Docker numbers "Step i/N".
    expect(df.stepCount).toBe(17);
    expect(countSteps(df, df.stages[0])).toBe(8);
  });

  it('finds stages by name (any case) or index for --target and COPY --from', () => {
    const df = parseDockerfile(MULTI_STAGE);
    expect(findStage(df, 'builder')?.index).toBe(0);
    expect(findStage(df, 'BUILDER')?.index).toBe(0);
    expect(findStage(df, 'test')?.index).toBe(1);
    expect(findStage(df, '2')?.baseImage).toBe('$BASE');
    expect(findStage(df, '3')).toBeUndefined();
    expect(findStage(df, 'alpine:3.19')).toBeUndefined();
  });

  it('numbers steps across stages: FROM plus every instruction', () => {
    const df = parseDockerfile('FROM a\nRUN x\nFROM b\nRUN y\nRUN z\n');
    expect(df.stepCount).toBe(5);
    expect(df.metaArgs).toEqual([]);
  });
});

describe('parseDockerfile: lines', () => {
  it('joins continuations as Docker does, skipping comments and blank lines inside them', () => {
    const df = parseDockerfile(
      [
        'FROM debian:12',
        'RUN apt-get update \\',
        '    # a comment inside the continuation',
        '',
        '    && apt-get install -y \\',
        '       curl \\   ',
        '       ca-certificates',
        'RUN echo a\\',
        'b',
      ].join('\n'),
    );
    const [run, run2] = df.stages[0]!.instructions;
    expect(run).toMatchObject({
      line: 2,
      run: { form: 'shell', command: 'apt-get update     && apt-get install -y        curl        ca-certificates' },
    });
    expect(run!.text).toBe('RUN apt-get update     && apt-get install -y        curl        ca-certificates');
    expect(run2).toMatchObject({ line: 8, run: { form: 'shell', command: 'echo ab' } });
  });

  it('reads keywords in any case, skips comments, blank lines and CRLF endings', () => {
    const df = parseDockerfile('\uFEFF# leading comment\r\n\r\nfrom alpine\r\n   # indented comment\r\nrun echo hi\r\nWorkDir /app\r\n');
    expect(df.stages[0]!.from).toMatchObject({ line: 3, image: 'alpine' });
    expect(df.stages[0]!.instructions).toEqual([
      { kind: 'RUN', line: 5, text: 'run echo hi', run: { form: 'shell', command: 'echo hi' } },
      { kind: 'WORKDIR', line: 6, text: 'WorkDir /app', path: '/app' },
    ]);
  });

  it('switches to the backtick escape with the escape directive (Windows-style paths)', () => {
    const df = parseDockerfile(
      ['# escape=`', '', 'FROM mcr.microsoft.com/windows/servercore', 'COPY testfile.txt c:\\', 'RUN dir c:\\ `', '    && echo done', 'ENV A=`$x'].join('\n'),
    );
    expect(df.escapeChar).toBe('`');
    const [copy, run, env] = df.stages[0]!.instructions;
    expect(copy).toMatchObject({ sources: ['testfile.txt'], dest: 'c:\\' });
    expect(run).toMatchObject({ run: { form: 'shell', command: 'dir c:\\     && echo done' } });
    expect(env).toMatchObject({ pairs: [['A', '`$x']] });
    expect(expandWord((env as InstructionOf<'ENV'>).pairs[0]![1], { x: 'no' }, '`')).toBe('$x');
  });

  it('ignores directives after the first non-directive line, and the syntax directive', () => {
    expect(parseDockerfile('# syntax=docker/dockerfile:1\n# escape=`\nFROM a\n').escapeChar).toBe('`');
    expect(parseDockerfile('# escape=`\n# syntax=x\nFROM a\n').escapeChar).toBe('`');
    // After a comment, a blank line or an instruction "# escape=" is only a comment.
    expect(parseDockerfile('# hello\n# escape=`\nFROM a\n').escapeChar).toBe('\\');
    expect(parseDockerfile('\n# escape=`\nFROM a\n').escapeChar).toBe('\\');
    expect(parseDockerfile('FROM a\n# escape=`\nRUN x \\\n y\n').stages[0]!.instructions[0]).toMatchObject({
      run: { command: 'x  y' },
    });
  });

  it('refuses a bad or repeated escape directive', () => {
    expect(syntaxError('# escape=x\nFROM a').message).toBe("Dockerfile:1: invalid escape token 'x' does not match ` or \\");
    expect(syntaxError('# escape=`\n# escape=\\\nFROM a').message).toBe('Dockerfile:2: only one escape parser directive can be used');
  });
});

describe('parseDockerfile: command forms', () => {
  it('uses the exec form for a JSON array of strings, the shell form otherwise', () => {
    expect(only('RUN', 'RUN ["echo", "a b"]').run).toEqual({ form: 'exec', argv: ['echo', 'a b'] });
    expect(only('RUN', 'RUN echo "a b"').run).toEqual({ form: 'shell', command: 'echo "a b"' });
    expect(only('CMD', 'CMD [ "sh", "-c", "echo $HOME" ]').run).toEqual({ form: 'exec', argv: ['sh', '-c', 'echo $HOME'] });
    expect(only('CMD', 'CMD []').run).toEqual({ form: 'exec', argv: [] });
    // Not valid JSON (single quotes, trailing text): shell form, as in Docker.
    expect(only('CMD', "CMD ['echo', 'x']").run).toEqual({ form: 'shell', command: "['echo', 'x']" });
    expect(only('ENTRYPOINT', 'ENTRYPOINT ["a"] b').run).toEqual({ form: 'shell', command: '["a"] b' });
    expect(only('RUN', 'RUN [ -f /etc/passwd ] && echo yes').run).toEqual({ form: 'shell', command: '[ -f /etc/passwd ] && echo yes' });
  });

  it('refuses JSON arrays of non-strings', () => {
    expect(syntaxError('FROM a\nCMD ["sleep", 10]').message).toBe(
      'Dockerfile:2: when using JSON array syntax, arrays must be comprised of strings only',
    );
  });

  it('requires SHELL in JSON form', () => {
    expect(only('SHELL', 'SHELL ["powershell", "-command"]').shell).toEqual(['powershell', '-command']);
    expect(syntaxError('FROM a\nSHELL /bin/bash -c').message).toMatch(/^Dockerfile:2: SHELL requires the arguments to be in JSON form/);
    expect(syntaxError('FROM a\nSHELL []').message).toBe('Dockerfile:2: SHELL requires at least one argument');
  });

  it('refuses heredocs clearly rather than misreading them', () => {
    expect(syntaxError('FROM a\nRUN <<EOF\necho hi\nEOF\n').message).toMatch(/^Dockerfile:2: RUN with a heredoc/);
    expect(only('RUN', 'RUN echo $((1<<2))').run).toEqual({ form: 'shell', command: 'echo $((1<<2))' });
  });
});

describe('parseDockerfile: COPY and ADD', () => {
  it('reads sources, destination and flags, in shell and JSON form', () => {
    expect(only('COPY', 'COPY a.txt b/ /dest/')).toMatchObject({ sources: ['a.txt', 'b/'], dest: '/dest/' });
    expect(only('COPY', 'COPY --from=0 ["/my dir/x", "/y z/"]')).toMatchObject({ from: '0', sources: ['/my dir/x'], dest: '/y z/' });
    expect(only('ADD', 'ADD --chown=app:app --chmod=644 files* /srv/')).toMatchObject({ kind: 'ADD', sources: ['files*'], chown: 'app:app', chmod: '644' });
    expect(only('COPY', 'COPY --link --chown="1 2" $SRC ${DEST}')).toMatchObject({ link: true, chown: '1 2', sources: ['$SRC'], dest: '${DEST}' });
  });

  it('needs a source and a destination', () => {
    expect(syntaxError('FROM a\nCOPY onlyone').message).toBe(
      'Dockerfile:2: COPY requires at least two arguments, but only one was provided. Destination could not be determined.',
    );
    expect(syntaxError('FROM a\n\nADD').message).toMatch(/^Dockerfile:3: ADD requires at least two arguments/);
  });

  it('refuses unknown and malformed flags, naming the line', () => {
    expect(syntaxError('FROM a\nCOPY --form=x a b').message).toBe('Dockerfile:2: unknown flag: form (COPY accepts --chown, --chmod, --link, --from)');
    expect(syntaxError('FROM a\nADD --from=x a b').message).toMatch(/^Dockerfile:2: unknown flag: from/);
    expect(syntaxError('FROM a\nCOPY --from a b').message).toBe('Dockerfile:2: missing a value on flag: from');
    expect(syntaxError('FROM a\nCOPY --from=x --from=y a b').message).toBe('Dockerfile:2: duplicate flag specified: from');
    expect(syntaxError('FROM a\nCOPY --chmod=u+x a b').message).toMatch(/^Dockerfile:2: invalid chmod parameter: u\+x/);
    expect(syntaxError('FROM a\nRUN --mount=type=cache,target=/root/.cache make').message).toBe(
      'Dockerfile:2: RUN --mount is not supported by tsdock build',
    );
    expect(syntaxError('FROM a\nWORKDIR --x=1 /app').message).toBe('Dockerfile:2: unknown flag: x (WORKDIR takes no flags)');
  });
});

describe('parseDockerfile: ENV, LABEL, ARG', () => {
  it('reads key=value pairs with quotes and escapes removed', () => {
    const env = only('ENV', 'ENV A=1 B="two words" C=\'single $quoted\' D=x\\ y E= F="$HOME/bin"');
    expect(env.pairs).toEqual([
      ['A', '1'],
      ['B', 'two words'],
      ['C', 'single \\$quoted'],
      ['D', 'x y'],
      ['E', ''],
      ['F', '${HOME}/bin'],
    ]);
    // The values expand to what Docker gives.
    const expanded = env.pairs.map(([, v]) => expandWord(v, { HOME: '/root' }));
    expect(expanded).toEqual(['1', 'two words', 'single $quoted', 'x y', '', '/root/bin']);
  });

  it('reads the legacy one-pair form: the rest of the line is the value', () => {
    expect(only('ENV', 'ENV MY_NAME John Doe').pairs).toEqual([['MY_NAME', 'John Doe']]);
    expect(only('ENV', 'ENV GREETING  "hello   world" again').pairs).toEqual([['GREETING', 'hello   world again']]);
    expect(only('LABEL', 'LABEL maintainer someone@example.com').pairs).toEqual([['maintainer', 'someone@example.com']]);
  });

  it('reads LABELs over continuations with quoted keys and values', () => {
    const df = parseDockerfile('FROM a\nLABEL "com.example.vendor"="ACME Incorporated" \\\n      version="1.0" \\\n      description="This text illustrates \\\nthat label-values can span multiple lines."\n');
    expect((df.stages[0]!.instructions[0] as InstructionOf<'LABEL'>).pairs).toEqual([
      ['com.example.vendor', 'ACME Incorporated'],
      ['version', '1.0'],
      ['description', 'This text illustrates that label-values can span multiple lines.'],
    ]);
  });

  it('refuses ENV without a value, a word without =, blank names, unterminated quotes', () => {
    expect(syntaxError('FROM a\nENV ONLYKEY').message).toMatch(/^Dockerfile:2: ENV must have two arguments/);
    expect(syntaxError('FROM a\nENV A=1 B').message).toBe('Dockerfile:2: Syntax error - can\'t find = in "B". Must be of the form: name=value');
    expect(syntaxError('FROM a\nLABEL =x').message).toBe('Dockerfile:2: LABEL names can not be blank');
    expect(syntaxError('FROM a\nENV A="open').message).toMatch(/^Dockerfile:2: ENV "open: unexpected end of statement while looking for matching double-quote/);
    expect(syntaxError('FROM a\nENV').message).toBe('Dockerfile:2: ENV requires at least one argument');
  });

  it('reads ARG with and without a default, in and out of stages', () => {
    const df = parseDockerfile('ARG VERSION\nFROM busybox:$VERSION\nARG VERSION\nARG USER=nobody\nARG MSG="hello world"\n');
    expect(df.metaArgs).toEqual([{ name: 'VERSION', line: 1, text: 'ARG VERSION' }]);
    expect(df.stages[0]!.instructions.map((i) => (i.kind === 'ARG' ? [i.name, i.defaultValue] : undefined))).toEqual([
      ['VERSION', undefined],
      ['USER', 'nobody'],
      ['MSG', 'hello world'],
    ]);
    expect(df.stepCount).toBe(5);
  });

  it('refuses ARG lines tsdock cannot represent', () => {
    expect(syntaxError('FROM a\nARG').message).toBe('Dockerfile:2: ARG requires at least one argument');
    expect(syntaxError('FROM a\nARG A=1 B=2').message).toMatch(/^Dockerfile:2: ARG with several names is not supported/);
  });
});

describe('parseDockerfile: other instructions', () => {
  it('reads VOLUME as JSON or words, WORKDIR/USER/STOPSIGNAL as written', () => {
    expect(only('VOLUME', 'VOLUME ["/data", "/var/log app"]').paths).toEqual(['/data', '/var/log app']);
    expect(only('VOLUME', 'VOLUME /data /cache').paths).toEqual(['/data', '/cache']);
    expect(only('WORKDIR', 'WORKDIR /path with spaces/$DIR').path).toBe('/path with spaces/$DIR');
    expect(only('USER', 'USER app:app').user).toBe('app:app');
    expect(only('STOPSIGNAL', 'STOPSIGNAL SIGTERM').signal).toBe('SIGTERM');
    expect(only('MAINTAINER', 'MAINTAINER Jane <jane@example.com>').args).toBe('Jane <jane@example.com>');
  });

  it('reads HEALTHCHECK with its options, in nanoseconds', () => {
    const h = only('HEALTHCHECK', 'HEALTHCHECK --interval=5m --timeout=3s --retries=3 CMD curl -f http://localhost/ || exit 1');
    expect(h.healthcheck).toEqual({ test: ['CMD-SHELL', 'curl -f http://localhost/ || exit 1'], interval: 300e9, timeout: 3e9, retries: 3 });
    expect(h.args).toBe('--interval=5m --timeout=3s --retries=3 CMD curl -f http://localhost/ || exit 1');
    expect(only('HEALTHCHECK', 'HEALTHCHECK CMD ["/bin/check", "-q"]').healthcheck).toEqual({ test: ['CMD', '/bin/check', '-q'] });
    expect(only('HEALTHCHECK', 'HEALTHCHECK none').healthcheck).toEqual({ test: ['NONE'] });
    expect(only('HEALTHCHECK', 'HEALTHCHECK --start-period="10s" CMD true').args).toBe('--start-period="10s" CMD true');
    expect(syntaxError('FROM a\nHEALTHCHECK --interval=fast CMD x').message).toMatch(/^Dockerfile:2: invalid duration for --interval/);
    expect(syntaxError('FROM a\nHEALTHCHECK RUN x').message).toBe('Dockerfile:2: Unknown type "RUN" in HEALTHCHECK (try CMD)');
    expect(parseGoDuration('1m30s')).toBe(90e9);
    expect(parseGoDuration('1.5h')).toBe(5400e9);
    expect(parseGoDuration('250ms')).toBe(250e6);
    expect(parseGoDuration('10')).toBeUndefined();
  });

  it('reads ONBUILD triggers and checks them like instructions', () => {
    const o = only('ONBUILD', 'ONBUILD COPY --from=x . /app/src');
    expect(o.args).toBe('COPY --from=x . /app/src');
    expect(o.trigger).toMatchObject({ kind: 'COPY', from: 'x', sources: ['.'], dest: '/app/src' });
    expect(syntaxError('FROM a\nONBUILD FROM b').message).toBe("Dockerfile:2: FROM isn't allowed as an ONBUILD trigger");
    expect(syntaxError('FROM a\nONBUILD ONBUILD RUN x').message).toMatch(/^Dockerfile:2: Chaining ONBUILD/);
    expect(syntaxError('FROM a\nONBUILD COPY x').message).toMatch(/^Dockerfile:2: COPY requires at least two arguments/);
  });

  it('keeps every instruction so steps count, each with its line and text', () => {
    const df = parseDockerfile('FROM a\nMAINTAINER me\nONBUILD RUN x\nHEALTHCHECK NONE\n');
    const kinds = df.stages[0]!.instructions.map((i: Instruction) => [i.kind, i.line, i.text]);
    expect(kinds).toEqual([
      ['MAINTAINER', 2, 'MAINTAINER me'],
      ['ONBUILD', 3, 'ONBUILD RUN x'],
      ['HEALTHCHECK', 4, 'HEALTHCHECK NONE'],
    ]);
    expect(df.stepCount).toBe(4);
  });
});

describe('parseDockerfile: errors', () => {
  it('names an unknown instruction and its line', () => {
    const err = syntaxError('FROM a\n\nform b\n');
    expect(err.message).toBe('Dockerfile:3: unknown instruction: FORM');
    expect(err.line).toBe(3);
  });

  it('refuses an empty Dockerfile', () => {
    expect(syntaxError('').message).toBe('Dockerfile:1: the Dockerfile has no instructions');
    expect(syntaxError('# only a comment\n\n   \n').message).toBe('Dockerfile:1: the Dockerfile has no instructions');
  });

  it('refuses instructions before the first FROM, other than ARG', () => {
    expect(syntaxError('ARG X=1\nRUN echo\nFROM a').message).toMatch(/^Dockerfile:2: RUN before the first FROM/);
    expect(syntaxError('ARG X=1\n').message).toMatch(/^Dockerfile:1: no FROM instruction/);
  });

  it('refuses missing arguments, naming the instruction', () => {
    const cases: [string, string][] = [
      ['FROM', 'Dockerfile:1: FROM requires either one or three arguments (FROM image [AS name])'],
      ['FROM a AS', 'Dockerfile:1: FROM requires either one or three arguments (FROM image [AS name])'],
      ['FROM a\nRUN', 'Dockerfile:2: RUN requires at least one argument'],
      ['FROM a\nCMD', 'Dockerfile:2: CMD requires at least one argument'],
      ['FROM a\nWORKDIR', 'Dockerfile:2: WORKDIR requires exactly one argument'],
      ['FROM a\nUSER   ', 'Dockerfile:2: USER requires exactly one argument'],
      ['FROM a\nEXPOSE', 'Dockerfile:2: EXPOSE requires at least one argument'],
      ['FROM a\nVOLUME', 'Dockerfile:2: VOLUME requires at least one argument'],
      ['FROM a\nVOLUME [""]', 'Dockerfile:2: VOLUME specified can not be an empty string'],
      ['FROM a\nSTOPSIGNAL', 'Dockerfile:2: STOPSIGNAL requires exactly one argument'],
    ];
    for (const [text, message] of cases) expect(syntaxError(text).message, text).toBe(message);
  });

  it('refuses bad and duplicate stage names', () => {
    expect(syntaxError('FROM a AS 1st').message).toMatch(/^Dockerfile:1: invalid name for build stage: "1st"/);
    expect(syntaxError('FROM a AS b\nFROM c AS B').message).toBe('Dockerfile:2: duplicate stage name "b"');
    expect(syntaxError('FROM a AS b c').message).toMatch(/^Dockerfile:1: FROM requires either one or three arguments/);
  });
});
