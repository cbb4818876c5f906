// Shared test keys and token minting: the same ES256 key as the Python
// suite (python/tests/conftest.py: private scalar 0x07 * 32), signed with jose.
import { createECDH, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as jose from 'jose';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const NOW = 1_750_000_000;
export const SECRET = '0123456789abcdef0123456789abcdef-gateway-secret';

const ecdh = createECDH('prime256v1');
ecdh.setPrivateKey(Buffer.alloc(32, 7));
const point = ecdh.getPublicKey();
const b64 = (b) => Buffer.from(b).toString('base64url');
const x = b64(point.subarray(1, 33));
const y = b64(point.subarray(33, 65));

export const EC_PUBLIC_JWK = { kty: 'EC', crv: 'P-256', kid: 'ec1', use: 'sig', alg: 'ES256', x, y };
export const JWKS = { keys: [EC_PUBLIC_JWK] };
export const EC_PRIVATE_KEY = createPrivateKey({
  key: { kty: 'EC', crv: 'P-256', x, y, d: b64(Buffer.alloc(32, 7)) },
  format: 'jwk',
});

export function claims(sub = 'alice', extra = {}) {
  return {
    iss: 'https://idp.example',
    sub,
    aud: ['mcp', 'account'],
    exp: NOW + 600,
    iat: NOW - 10,
    jti: `j-${sub}`,
    scope: 'tools:list tools:call',
    client_id: 'gw',
    ...extra,
  };
}

export function es256(payload, kid = 'ec1') {
  const header = kid ? { alg: 'ES256', kid } : { alg: 'ES256' };
  return new jose.SignJWT(payload).setProtectedHeader(header).sign(EC_PRIVATE_KEY);
}

export function hs256(payload, secret = SECRET, kid = undefined) {
  const header = kid ? { alg: 'HS256', kid } : { alg: 'HS256' };
  return new jose.SignJWT(payload).setProtectedHeader(header).sign(Buffer.from(secret));
}

export function precedence() {
  return JSON.parse(readFileSync(join(ROOT, 'tests', 'precedence.json'), 'utf8'));
}
