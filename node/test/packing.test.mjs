// The one-string header packing (lib/gatekey.cjs `pack`, src/verifier.rs
// `packed`) at every length-digit count and with non-ASCII text, and the
// identity whose claims are parsed on first read.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeySet, Verifier } from '../index.mjs';
import { NOW, claims, hs256 } from './helpers.mjs';

const keys = KeySet.hs256((await import('./helpers.mjs')).SECRET);
const verifier = new Verifier(keys, { issuer: 'https://idp.example', audience: 'mcp', cacheSize: 64 });
const ALICE = await hs256(claims('alice', { name: 'Al\u00efce \u{1F511}' }));

test('fields of 0 to 70 000 UTF-16 units, ASCII or not, arrive whole', () => {
  for (const n of [0, 1, 63, 64, 65, 4095, 4096, 4097, 70_000]) {
    for (const unit of ['a', '\u00e9', '\u20ac', '\u{1F511}']) {
      const filler = unit.repeat(Math.ceil(n / unit.length)).slice(0, n);
      const headers = { 'x-filler': filler, [`x-${n}`]: filler, cookie: `jwt_token=${ALICE}` };
      const id = verifier.authenticate(headers, { now: NOW });
      assert.equal(id.source, 'cookie', `${n} ${unit}`);
      assert.equal(id.subject, 'alice');
    }
  }
});

test('a non-ASCII cookie value before the token is read as UTF-8', () => {
  const id = verifier.authenticate({ cookie: `theme=\u00e9t\u00e9; jwt_token=${ALICE}` }, { now: NOW });
  assert.equal(id.token, ALICE);
});

test('claims: read on demand, kept, assignable, in JSON.stringify', () => {
  const id = verifier.authenticate({ authorization: `Bearer ${ALICE}` }, { now: NOW });
  assert.equal(id.claims.name, 'Al\u00efce \u{1F511}');
  assert.equal(id.claims, id.claims);
  const json = JSON.parse(JSON.stringify(id));
  assert.deepEqual(Object.keys(json), ['source', 'subject', 'claims', 'scopes', 'token', 'shadowed', 'skipped', 'drift']);
  assert.equal(json.claims.sub, 'alice');
  assert.deepEqual([json.shadowed, json.skipped, json.drift], [[], [], false]);
  id.claims = { replaced: true };
  assert.deepEqual(id.claims, { replaced: true });
});

test('the one-string identity: non-ASCII subjects, proxy users, long claims', async () => {
  for (const sub of ['\u00e4l\u{1F511}x', 'a'.repeat(4100), '']) {
    const t = await hs256(claims(sub, { pad: 'p'.repeat(1000) }));
    const id = verifier.authenticate({ 'x-a': '\u00e9', authorization: `Bearer ${t}` }, { now: NOW });
    assert.deepEqual([id.source, id.subject, id.token, id.claims.sub, id.claims.pad.length], ['bearer', sub, t, sub, 1000]);
  }
  const { Policy } = await import('../index.mjs');
  const proxied = new Verifier(keys, { policy: Policy.headerFirst({ proxyHeader: 'x-user' }) });
  const id = proxied.authenticate({ 'x-user': 'bob' }, { now: NOW });
  assert.deepEqual([id.source, id.subject, id.token, id.claims, id.shadowed, id.drift], ['proxy', 'bob', null, {}, [], false]);
});
