// The messenger API explorer: GraphiQL (prebuilt UMD bundle, served by the
// router itself) pointed at the router's own endpoint.
//
// Queries and mutations go over HTTP POST; subscriptions over WebSocket
// (graphql-transport-ws) on the same path. GraphiQL's fetcher merges the
// Headers editor into the WebSocket `connection_init` payload, which is
// where the router reads `Authorization` for subscriptions.
(function () {
  "use strict";

  var root = document.getElementById("graphiql");
  var url = new URL(root.dataset.endpoint, window.location.href);
  var wsUrl = new URL(url.href);
  wsUrl.protocol = url.protocol === "https:" ? "wss:" : "ws:";

  var fetcher = GraphiQL.createFetcher({
    url: url.href,
    subscriptionUrl: wsUrl.href,
  });

  var defaultHeaders = JSON.stringify(
    { Authorization: "Bearer <paste accessToken from login here>" },
    null,
    2,
  );

  var defaultQuery = [
    "# The messenger API. Schema docs: the book icon on the left; past",
    "# requests: the clock icon. Press the run button (or Ctrl-Enter) and",
    "# pick an operation.",
    "#",
    "# 1. Register (once) or Login; copy `accessToken` from the result.",
    "# 2. Paste it into the Authorization header (Headers, below).",
    "# 3. Everything else then runs as that user, subscriptions too.",
    "",
    "mutation Register {",
    '  register(input: { email: "alice@example.com", password: "a long passphrase" }) {',
    "    userId",
    "    auth { accessToken expiresAt }",
    "  }",
    "}",
    "",
    "mutation Login {",
    '  login(input: { email: "alice@example.com", password: "a long passphrase" }) {',
    "    accessToken",
    "    refreshToken",
    "    expiresAt",
    "  }",
    "}",
    "",
    "query MySessions {",
    "  mySessions { id current userAgent lastUsedAt }",
    "}",
    "",
  ].join("\n");

  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: defaultQuery,
      defaultHeaders: defaultHeaders,
      // Tokens typed into the Headers editor survive a reload (local
      // development tool; nothing leaves this browser but the requests).
      shouldPersistHeaders: true,
      defaultEditorToolsVisibility: "headers",
      isHeadersEditorEnabled: true,
    }),
  );
})();
