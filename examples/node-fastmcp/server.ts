// A stateless MCP server (fastmcp, Streamable HTTP) whose every request is
// authenticated by gatekey against the identity provider's RS256 JWKS.
//
//   JWKS_URL=https://idp.example/.well-known/jwks.json ISSUER=https://idp.example \
//   AUDIENCE=mcp PORT=8080 npx tsx server.ts
import { FastMCP } from 'fastmcp';
import { KeySet, Policy, Verifier, gatekeyAuthenticate } from 'gatekey';
import { z } from 'zod';

const env = (name: string, fallback: string): string => process.env[name] ?? fallback;
const JWKS_URL = env('JWKS_URL', 'https://idp.example/.well-known/jwks.json');
const ISSUER = env('ISSUER', 'https://idp.example');
const AUDIENCE = env('AUDIENCE', 'mcp');
const HOST = env('HOST', '127.0.0.1');
const PORT = Number(env('PORT', '8080'));

type Session = { subject: string; scopes: string[] };

// The keys are fetched once at start; a real deployment refreshes them
// when a token names an unknown kid.
const jwks = await fetch(JWKS_URL).then((r) => {
  if (!r.ok) throw new Error(`JWKS: HTTP ${r.status} from ${JWKS_URL}`);
  return r.text();
});
const verifier = new Verifier(KeySet.fromJwks(jwks), {
  policy: Policy.strict(), // Bearer header only, as the MCP authorization spec asks
  issuer: ISSUER,
  audience: AUDIENCE,
  resourceMetadata: `http://${HOST}:${PORT}/.well-known/oauth-protected-resource`,
});

const server = new FastMCP<Session>({
  name: 'gatekey-example',
  version: '0.1.0',
  // RFC 9728 metadata, which the challenge's resource_metadata points MCP clients to.
  oauth: {
    enabled: true,
    protectedResource: {
      resource: `http://${HOST}:${PORT}/mcp`,
      authorizationServers: [ISSUER],
      bearerMethodsSupported: ['header'],
    },
  },
  // Called on every request, initialize or not; `exp` is checked every time.
  authenticate: gatekeyAuthenticate(verifier, {
    toSession: (id) => ({
      subject: id.subject ?? '',
      scopes: id.scopes,
    }),
  }),
});

server.addTool({
  name: 'whoami',
  description: 'The subject of the token this request carried.',
  parameters: z.object({}),
  execute: async (_args, { session }) => `you are ${session?.subject}`,
});

server.addTool({
  name: 'add',
  description: 'Adds two numbers.',
  parameters: z.object({ a: z.number(), b: z.number() }),
  execute: async ({ a, b }) => String(a + b),
});

await server.start({
  transportType: 'httpStream',
  httpStream: { host: HOST, port: PORT, stateless: true },
});
console.log(`gatekey-example listening on http://${HOST}:${PORT}/mcp`);
