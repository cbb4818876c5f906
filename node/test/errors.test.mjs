// Clear errors, never a crash: a missing library, a malformed JWKS, huge inputs.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createRequire } from 'node:module';
import { AuthError, ConfigError, KeySet, Verifier } from '../index.mjs';
import { JWKS, NOW, ROOT, claims, es256 } from './helpers.mjs';

const { addonFile } = createRequire(import.meta.url)('../lib/native.cjs');
const keys = KeySet.fromJwks(JWKS);
const verifier = new Verifier(keys, { audience: 'mcp' });

test('no addon anywhere: one catchable error naming the three places', () => {
  // A copy of the package without its .node file, so that nothing can be found.
  const dir = mkdtempSync(join(tmpdir(), 'gatekey-noaddon-'));
  try {
    for (const f of ['package.json', 'index.cjs', 'index.mjs', 'lib']) cpSync(join(ROOT, 'node', f), join(dir, f), { recursive: true });
    symlinkSync(join(ROOT, 'node', 'node_modules'), join(dir, 'node_modules'));
    const script = `
      const g = require('./index.cjs');
      try { g.KeySet.fromJwks('{"keys":[]}'); console.log('loaded?!'); }
      catch (e) { console.log(JSON.stringify({ name: e.name, message: e.message })); }
      try { g.loadLibrary({ path: '/no/such/gatekey.node' }); } catch (e) { console.log(JSON.stringify({ name: e.name, message: e.message })); }
      try { g.loadLibrary({ path: ${JSON.stringify(join(dir, 'package.json'))} }); } catch (e) { console.log(JSON.stringify({ name: e.name })); }
    `;
    const out = execFileSync(process.execPath, ['-e', script], {
      cwd: dir,
      env: { ...process.env, GATEKEY_NODE_ADDON: '/nonexistent/gatekey.node' },
      encoding: 'utf8',
    });
    const [first, second, third] = out.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(first.name, 'LibraryNotFoundError');
    assert.match(first.message, /path option of loadLibrary\(\): \(not set\)/);
    assert.match(first.message, /GATEKEY_NODE_ADDON environment variable: \/nonexistent\/gatekey.node \(no such file\)/);
    assert.match(first.message, /the package folder: .*gatekey\.[a-z0-9]+-[a-z0-9]+.*\.node \(no such file\)/);
    assert.match(first.message, /make node/);
    assert.match(second.message, /\/no\/such\/gatekey.node/);
    assert.equal(third.name, 'LibraryNotFoundError'); // a file that is not an addon
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('$GATEKEY_NODE_ADDON names the addon to load', () => {
  const addon = join(ROOT, 'node', addonFile());
  const out = execFileSync(process.execPath, ['-e', `console.log(require('./index.cjs').loadLibrary().path)`], {
    cwd: join(ROOT, 'node'),
    env: { ...process.env, GATEKEY_NODE_ADDON: addon },
    encoding: 'utf8',
  });
  assert.equal(out.trim(), addon);
});

test('a malformed JWKS is a ConfigError, and the key set is unchanged', () => {
  for (const bad of ['{', '{"keys": 3}', 'null', '{"keys":[{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}]}', '']) {
    assert.throws(() => KeySet.fromJwks(bad), (e) => e instanceof ConfigError && e.status === 500 && e.message.length > 0, bad);
  }
  const ks = KeySet.fromJwks(JWKS);
  assert.throws(() => ks.addJwks('{"keys": ['), ConfigError);
  assert.equal(ks.size, 1);
  assert.throws(() => KeySet.fromJwks(42), TypeError);
});

test('a 1 MB header, a 1 MB token and a 1 MB cookie are refused cleanly', async () => {
  const mb = 'a'.repeat(1 << 20);
  const cases = [
    { authorization: `Bearer ${mb}` },
    { cookie: `jwt_token=${mb}` },
    { 'x-junk': mb, authorization: `Bearer ${await es256(claims())}` },
  ];
  const outcomes = cases.map((h) => {
    try {
      return verifier.authenticate(h, { now: NOW }).source;
    } catch (e) {
      assert.ok(e instanceof AuthError, String(e));
      assert.ok([400, 401].includes(e.status));
      return e.reason;
    }
  });
  assert.equal(outcomes[2], 'bearer'); // a large unrelated header is not a credential problem
  assert.ok(outcomes[0] !== 'bearer' && outcomes[1] !== 'cookie', outcomes.join());
  assert.throws(() => verifier.authenticate({}, { token: `${mb}.${mb}.${mb}`, now: NOW }), AuthError);
});

test('garbage inputs throw, and the process lives on', () => {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', `
    import { KeySet, Verifier } from ${JSON.stringify(join(ROOT, 'node', 'index.mjs'))};
    const v = new Verifier(KeySet.fromJwks(${JSON.stringify(JSON.stringify(JWKS))}));
    const inputs = [null, undefined, {}, [], [[]], [['authorization']], { authorization: undefined },
      { authorization: 'Bearer \\u0000\\u00ff' }, { authorization: 'Bearer a.b.c' }, { authorization: 'Bearer ..' },
      ['authorization', 'Bearer x', 'cookie'], { cookie: 'jwt_token=;;;===' }];
    let n = 0;
    for (const h of inputs) { try { v.authenticate(h); } catch (e) { if (e.name === 'AuthError' || e instanceof TypeError) n++; else throw e; } }
    console.log(n);
  `], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(Number(r.stdout) >= 10);
});
