#!/usr/bin/env node
// Minimal Docker registry token server (https://distribution.github.io/distribution/spec/auth/token/)
// for tsdock's offline test bed. Plain Node ESM, no dependencies, so it runs before `npm ci`.
//
//   node token-server.mjs --port 0 --key KEY.pem --cert CERT.pem --issuer ISS --service SVC \
//        [--user tokenuser:tokenpass] [--expires-in 300] [--host 127.0.0.1]
//
// Prints the bound port (one line) on stdout once listening.
//
//   GET  /token?service=SVC&scope=repository:NAME:pull,push[&scope=...]
//   POST /token (OAuth2 form: grant_type=password, username, password, service, scope)
//     -> {"token", "access_token", "expires_in", "issued_at"}
//   GET  /stats -> {"requests": N, "issued": N, "denied": N}   (lets tests assert token caching)
//
// Authorisation model (deliberately tiny): valid Basic credentials get every action they ask for;
// no credentials get a token with an empty `access` list (the registry then refuses the request);
// wrong credentials get 401 here, at the token server.
import { createServer } from 'node:http';
import { createPrivateKey, createSign, randomUUID, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';

function parseArgs(argv) {
  const opts = { port: '0', host: '127.0.0.1', user: 'tokenuser:tokenpass', 'expires-in': '300' };
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m) throw new Error(`unexpected argument ${argv[i]}`);
    opts[m[1]] = m[2] ?? argv[++i];
  }
  for (const k of ['key', 'cert', 'issuer', 'service']) {
    if (!opts[k]) throw new Error(`--${k} is required`);
  }
  return opts;
}

const opts = parseArgs(process.argv.slice(2));
const key = createPrivateKey(readFileSync(opts.key));
// x5c carries the base64 DER certificate: the registry checks it against its rootcertbundle.
const certDer = new X509Certificate(readFileSync(opts.cert)).raw.toString('base64');
const expiresIn = Number(opts['expires-in']);
const [validUser, validPass] = splitOnce(opts.user, ':');
const stats = { requests: 0, issued: 0, denied: 0 };

function splitOnce(s, sep) {
  const i = s.indexOf(sep);
  return i < 0 ? [s, ''] : [s.slice(0, i), s.slice(i + 1)];
}

const b64url = (buf) => Buffer.from(buf).toString('base64url');

// scope = TYPE:NAME:ACTIONS; NAME may itself contain ':' (e.g. a host:port prefix), so split
// on the first and last colon only.
function parseScope(scope) {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first < 0 || last === first) return null;
  return {
    type: scope.slice(0, first),
    name: scope.slice(first + 1, last),
    actions: scope.slice(last + 1).split(',').filter(Boolean),
  };
}

function signToken(subject, access, service) {
  const now = Math.floor(Date.now() / 1000);
  const header = { typ: 'JWT', alg: 'RS256', x5c: [certDer] };
  const claims = {
    iss: opts.issuer,
    sub: subject,
    aud: service,
    exp: now + expiresIn,
    nbf: now - 10, // tolerate small clock skew between us and the registry
    iat: now,
    jti: randomUUID(),
    access,
  };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  const sig = createSign('RSA-SHA256').update(input).sign(key);
  return { token: `${input}.${b64url(sig)}`, issuedAt: new Date(now * 1000).toISOString() };
}

function send(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function unauthorized(res, why) {
  stats.denied++;
  send(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: why }] }, {
    'WWW-Authenticate': `Basic realm="${opts.issuer}"`,
  });
}

// Returns the user name, '' for anonymous, or null for bad credentials.
function checkCredentials(username, password) {
  if (username === undefined) return '';
  return username === validUser && password === validPass ? username : null;
}

function issue(res, { username, password, service, scopes }) {
  const subject = checkCredentials(username, password);
  if (subject === null) return unauthorized(res, 'invalid username or password');
  if (service && service !== opts.service) {
    return send(res, 400, { errors: [{ code: 'INVALID_REQUEST', message: `unknown service ${service}` }] });
  }
  const access = [];
  if (subject !== '') {
    for (const s of scopes) {
      const parsed = parseScope(s);
      if (parsed) access.push(parsed);
    }
  }
  const { token, issuedAt } = signToken(subject, access, opts.service);
  stats.issued++;
  send(res, 200, { token, access_token: token, expires_in: expiresIn, issued_at: issuedAt });
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const server = createServer(async (req, res) => {
  stats.requests++;
  try {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/stats' && req.method === 'GET') return send(res, 200, stats);
    if (url.pathname !== '/token') return send(res, 404, { errors: [{ code: 'NOT_FOUND', message: url.pathname }] });

    if (req.method === 'GET') {
      let username;
      let password;
      const auth = req.headers.authorization;
      if (auth) {
        const m = /^Basic\s+(.+)$/i.exec(auth);
        if (!m) return unauthorized(res, 'only Basic credentials are accepted');
        [username, password] = splitOnce(Buffer.from(m[1], 'base64').toString('utf8'), ':');
      }
      return issue(res, {
        username,
        password,
        service: url.searchParams.get('service') ?? undefined,
        scopes: url.searchParams.getAll('scope').flatMap((s) => s.split(' ')),
      });
    }
    if (req.method === 'POST') {
      const form = new URLSearchParams(await readBody(req));
      if (form.get('grant_type') !== 'password') {
        return send(res, 400, { error: 'unsupported_grant_type' });
      }
      return issue(res, {
        username: form.get('username') ?? '',
        password: form.get('password') ?? '',
        service: form.get('service') ?? undefined,
        scopes: (form.get('scope') ?? '').split(' ').filter(Boolean),
      });
    }
    send(res, 405, { errors: [{ code: 'UNSUPPORTED', message: req.method }] }, { Allow: 'GET, POST' });
  } catch (err) {
    send(res, 500, { errors: [{ code: 'UNKNOWN', message: String(err) }] });
  }
});

server.listen(Number(opts.port), opts.host, () => {
  process.stdout.write(`${server.address().port}\n`);
});
// Exit at once on a signal: waiting for keep-alive clients would stall `registry.sh stop`.
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
