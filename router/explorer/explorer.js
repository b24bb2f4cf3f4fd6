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
    "#    Replace the <...> ids with ones from earlier results.",
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
    "query Me {",
    "  me { id nickname unreadTotal unreadConversations }",
    "}",
    "",
    "# Read the cursor first, then load lists, then subscribe with it:",
    "# nothing that happens in between is missed.",
    "query Inbox {",
    "  messageEventsCursor",
    "  conversations(first: 20) {",
    "    edges {",
    "      node {",
    "        id kind title unreadCount",
    "        peer { nickname }",
    "        lastMessage { text sender { nickname } }",
    "      }",
    "    }",
    "  }",
    "}",
    "",
    "# Messages, live: yours (from every device), others', read markers.",
    "subscription Events {",
    '  messageEvents(after: "<messageEventsCursor>") {',
    "    cursor at kind conversationId",
    "    message { id kind text sender { nickname } system { action } }",
    "    readUpTo unreadCount unreadTotal user { nickname }",
    "  }",
    "}",
    "",
    "# `to` a user (their direct conversation), or `conversationId`.",
    "mutation SendMessage {",
    "  sendMessage(",
    '    input: { to: "<user id>", text: "hi!", clientMessageId: "m-1" }',
    "  ) {",
    "    message { id conversationId sentAt }",
    "    conversation { id unreadCount }",
    "  }",
    "}",
    "",
    "mutation CreateGroup {",
    '  createGroup(input: { title: "Trip", memberIds: ["<friend id>"] }) {',
    "    conversation { id title myRole memberCount }",
    "  }",
    "}",
    "",
    "# Newest first; pass `endCursor` as `before` for older messages.",
    "query History {",
    '  conversation(id: "<conversation id>") {',
    "    title",
    "    members { nodes { role readUpTo user { nickname } } }",
    "    messages(last: 20) {",
    "      nodes { id kind text sentAt sender { nickname } system { action } }",
    "      pageInfo { hasPreviousPage endCursor }",
    "    }",
    "  }",
    "}",
    "",
    "mutation MarkRead {",
    '  markRead(input: { conversationId: "<conversation id>", upTo: "<message id>" }) {',
    "    conversation { unreadCount }",
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
