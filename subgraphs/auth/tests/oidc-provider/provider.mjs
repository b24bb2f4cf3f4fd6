// A real OpenID Connect provider for the auth subgraph's tests: panva's
// oidc-provider (certified by the OpenID Foundation) with its development
// interactions (a login form that accepts any password for a known account,
// then a consent form), started by tests/common/oidc_provider.rs.
//
//   node provider.mjs '{"accounts": [{"sub": "alice", "email": "a@x", "email_verified": true}],
//                       "client": {"client_id": "…", "client_secret": "…", "redirect_uris": ["…"]}}'
//
// It listens on a free port of 127.0.0.1 (the issuer is http://127.0.0.1:<port>)
// and prints one line to stdout when ready: {"ready": true, "issuer": "…"}.
// Then each line on stdin is a command, answered by one line on stdout:
//   {"client": {…}}   registers (or replaces) the client
//   {"account": {…}}  adds (or replaces) an account
// It exits when stdin closes, so it never outlives the test that started it.
//
// oidc-provider 9.13.3 declares no engines; it names Node.js 22 LTS as the
// one it supports and needs URL.parse and crypto.hash, which Node.js has
// since 20.18: the tests pass on 20.20.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';

// stdout is the test's protocol: everything else goes to stderr, less the
// package's notices about what a test provider does on purpose (development
// forms, an in-memory store, Node.js 20: it runs there; the package only
// names 22 as the LTS it supports).
const reply = (value) => process.stdout.write(`${JSON.stringify(value)}\n`);
const deliberate = /devInteractions|in-memory adapter|Unsupported runtime/;
const log = (...args) => {
  if (!deliberate.test(String(args[0]))) console.error(...args);
};
console.log = log;
console.info = log;
console.warn = log;

// Imported once the console is set up: the package warns as it loads.
const { default: Provider } = await import('oidc-provider');
const { createMemoryAdapter } = await import('oidc-provider/lib/adapters/memory_adapter.js');

const options = JSON.parse(process.argv[2] ?? '{}');
const accounts = new Map();
const clients = new Map();
const addAccount = (account) => accounts.set(account.sub, account);
const addClient = (client) => clients.set(client.client_id, {
  grant_types: ['authorization_code'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_basic',
  ...client,
});
(options.accounts ?? []).forEach(addAccount);
if (options.client) addClient(options.client);

// Clients are read through the adapter on every request, so one registered
// after start (once the relying party knows its callback URL) is found.
const memory = createMemoryAdapter();
const clientAdapter = {
  async find(id) { return clients.get(id); },
  async upsert() {},
  async destroy() {},
  async consume() {},
  async findByUid() { return undefined; },
  async findByUserCode() { return undefined; },
  async revokeByGrantId() {},
};

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = {
  ...privateKey.export({ format: 'jwk' }), kid: 'test-rs256', use: 'sig', alg: 'RS256',
};

const server = createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    adapter: (model) => (model === 'Client' ? clientAdapter : memory(model)),
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name'],
    },
    // PKCE for every client, as a careful provider would.
    pkce: { required: () => true },
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      Grant: 3600,
      IdToken: 600,
      Interaction: 600,
      Session: 3600,
    },
    async findAccount(ctx, id) {
      const account = accounts.get(id);
      if (!account) return undefined;
      return {
        accountId: id,
        async claims() {
          const claims = { sub: id };
          if (account.email !== undefined) claims.email = account.email;
          if (account.email_verified !== undefined) claims.email_verified = account.email_verified;
          return claims;
        },
      };
    },
  });
  server.on('request', provider.callback());
  reply({ ready: true, issuer });
});

createInterface({ input: process.stdin })
  .on('line', (line) => {
    try {
      const command = JSON.parse(line);
      if (command.client) addClient(command.client);
      if (command.account) addAccount(command.account);
      reply({ ok: true });
    } catch (err) {
      reply({ ok: false, error: String(err) });
    }
  })
  .on('close', () => process.exit(0));
