// Hive Gateway as the peer baseline of `cargo xtask bench` (issue 8,
// scenario 6): the same supergraph and subgraphs as our router, configured
// like router/router.yaml where it matters for the figures (the client's
// Authorization and User-Agent reach every subgraph).
//
// xtask passes the supergraph on the command line: a copy of
// supergraph.graphql whose subgraph URLs are the bench ports.
import { defineConfig } from '@graphql-hive/gateway';

export const gatewayConfig = defineConfig({
  propagateHeaders: {
    fromClientToSubgraphs({ request }) {
      const headers = {};
      for (const name of ['authorization', 'user-agent']) {
        const value = request.headers.get(name);
        if (value) headers[name] = value;
      }
      return headers;
    },
  },
  graphiql: false,
  landingPage: false,
  logging: 'warn',
});
