// Per-call authenticate time from Node: gatekey (the Node-API addon over
// gatekey-host) next to jose's jwtVerify (what most TypeScript servers use)
// and fast-jwt's verifier (with and without its cache), same tokens, same
// checks (signature, exp, iss, aud), same process. `make bench-node`.
// gatekey's calls take the whole 12-field request and resolve the
// credential first; jose's and fast-jwt's take the bare token.
// "cached" is `new Verifier(keys, { cacheSize })` with the same token on
// every call, as in a session: after the first call each one is a hit (a
// SHA-256 of the token, a lookup, exp/nbf checked, claims parsed).
import { createVerifier } from 'fast-jwt';
import * as jose from 'jose';
import { KeySet, Verifier } from '../index.mjs';
import { JWKS, SECRET, claims, es256, hs256 } from '../test/helpers.mjs';

const now = Math.floor(Date.now() / 1000);
const payload = claims('alice', { exp: now + 3600, iat: now - 10 });
const opts = { issuer: 'https://idp.example', audience: 'mcp' };

// The machine may be busy (CI, other builds): the candidates run in
// interleaved rounds, and each reports its median and best round.
async function compare(candidates, { rounds = 15, calls = 200 } = {}) {
  const samples = candidates.map(() => []);
  // Only jose is asynchronous: awaiting a plain value would add a microtask
  // turn (about a microsecond) to every synchronous call.
  const call = async (fn, n) => {
    for (let i = 0; i < n; i++) {
      const r = fn();
      if (r instanceof Promise) await r;
    }
  };
  for (const [, fn] of candidates) await call(fn, calls); // warm up
  for (let r = 0; r < rounds; r++) {
    for (let c = 0; c < candidates.length; c++) {
      const fn = candidates[c][1];
      const t0 = process.hrtime.bigint();
      await call(fn, calls);
      samples[c].push(Number(process.hrtime.bigint() - t0) / calls / 1000);
    }
  }
  return candidates.map(([name], c) => {
    const s = samples[c].sort((a, b) => a - b);
    return [name, s[s.length >> 1], s[0]];
  });
}

// A typical MCP POST's headers as Node gives them: 12 fields, a 5-cookie Cookie.
function request(token) {
  return {
    host: 'mcp.example.com',
    'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) mcp-client/1.4',
    accept: 'application/json, text/event-stream',
    'accept-encoding': 'gzip, deflate, br',
    'accept-language': 'en-US,en;q=0.9',
    'content-type': 'application/json',
    'content-length': '187',
    'mcp-protocol-version': '2025-06-18',
    'mcp-session-id': '5f1c0e9a-3b7d-4c2e-9f8a-1d2e3f4a5b6c',
    cookie: '_ga=GA1.2.1234567890.1700000000; theme=dark; lang=en; csrftoken=Zk3x9Qm2; _gid=GA1.2.987654321.1700000000',
    'x-request-id': 'a3f1c9e2-7b44-4d0e-8e21-5c6b9d0f1a2b',
    authorization: `Bearer ${token}`,
  };
}

const rows = [];
for (const alg of ['ES256', 'HS256']) {
  const token = alg === 'ES256' ? await es256(payload) : await hs256(payload);
  const keys = alg === 'ES256' ? KeySet.fromJwks(JWKS) : KeySet.hs256(SECRET);
  const verifier = new Verifier(keys, opts);
  const cached = new Verifier(keys, { ...opts, cacheSize: 1024 });
  const headers = request(token);
  const joseKey = alg === 'ES256' ? await jose.importJWK(JWKS.keys[0], 'ES256') : Buffer.from(SECRET);
  const joseJwks = alg === 'ES256' ? jose.createLocalJWKSet(JWKS) : null;
  const fastKey = alg === 'ES256' ? (await import('node:crypto')).createPublicKey({ key: JWKS.keys[0], format: 'jwk' }).export({ type: 'spki', format: 'pem' }) : SECRET;
  const fastOpts = { key: fastKey, algorithms: [alg], allowedIss: opts.issuer, allowedAud: opts.audience };
  const fast = createVerifier(fastOpts);
  const fastCached = createVerifier({ ...fastOpts, cache: 1024 });

  const candidates = [
    ['gatekey authenticate(headers), uncached', () => verifier.authenticate(headers)],
    ['gatekey authenticate({}, { token }), uncached', () => verifier.authenticate({}, { token })],
    ['gatekey authenticate(headers), cached', () => cached.authenticate(headers)],
    ['gatekey verify(token), cached', () => cached.verify(token)],
    ['fast-jwt verify(token), uncached', () => fast(token)],
    ['fast-jwt verify(token), cached', () => fastCached(token)],
    ['jose jwtVerify(token, key)', () => jose.jwtVerify(token, joseKey, opts)],
  ];
  if (joseJwks) candidates.push(['jose jwtVerify(token, localJWKSet)', () => jose.jwtVerify(token, joseJwks, opts)]);
  for (const [what, median, best] of await compare(candidates, { calls: alg === 'ES256' ? 100 : 1000 })) {
    rows.push([alg, what, median, best]);
  }
}

console.log(`gatekey ${(await import('../index.mjs')).version()} vs jose and fast-jwt, Node ${process.version}, ${process.platform}-${process.arch}`);
console.log(`${'alg'.padEnd(6)} ${'call'.padEnd(48)} ${'median'.padStart(8)} ${'best'.padStart(8)}  (µs per call, 15 interleaved rounds)`);
for (const [alg, what, median, best] of rows) {
  console.log(`${alg.padEnd(6)} ${what.padEnd(48)} ${median.toFixed(1).padStart(8)} ${best.toFixed(1).padStart(8)}`);
}
