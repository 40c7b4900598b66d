#!/usr/bin/env node
// Test-only Cosmos DB server for the Azure adapter contract tests: @vercel/cosmosdb-server (installed by
// scripts/setup-test-deps.sh into .cache/cosmos-server) plus two fixes the .NET SDK needs in Gateway mode:
//  1. query-plan requests (header x-ms-cosmos-is-query-plan-request) get a "simple" plan, so the SDK passes the
//     query through and the server itself evaluates WHERE / ORDER BY / TOP and paging;
//  2. reading a missing document answers 404 (the package throws and would answer 500).
// Usage: node scripts/cosmos-test-server.js <port>   (HTTPS on 127.0.0.1 with the package's self-signed certificate)
"use strict";

const path = require("path");

const moduleRoot = process.env.COSMOS_SERVER_MODULES || path.join(__dirname, "..", ".cache", "cosmos-server", "node_modules");
const pkg = path.join(moduleRoot, "@vercel", "cosmosdb-server", "lib");

// Patch before index.js loads routes.js: the route table captures handler functions at load time.
const readDocument = require(path.join(pkg, "handler", "read-document"));
const originalReadDocument = readDocument.default;
readDocument.default = (account, req, res, params) => {
  try {
    return originalReadDocument(account, req, res, params);
  } catch (err) {
    if (err instanceof TypeError) {
      res.statusCode = 404;
      return { code: "NotFound", message: "Entity with the specified id does not exist in the system." };
    }
    throw err;
  }
};

const { createHttpsServer } = require(pkg);

const simpleQueryPlan = JSON.stringify({
  partitionedQueryExecutionInfoVersion: 2,
  queryInfo: {
    distinctType: "None",
    top: null,
    offset: null,
    limit: null,
    orderBy: [],
    orderByExpressions: [],
    groupByExpressions: [],
    groupByAliases: [],
    aggregates: [],
    groupByAliasToAggregateType: {},
    rewrittenQuery: "",
    hasSelectValue: false,
    dCountInfo: null,
    hasNonStreamingOrderBy: false,
  },
  queryRanges: [{ min: "", max: "FF", isMinInclusive: true, isMaxInclusive: false }],
});

const port = parseInt(process.argv[2] || "8081", 10);
const server = createHttpsServer();
const [handler] = server.listeners("request");
server.removeAllListeners("request");
server.on("request", (req, res) => {
  if (String(req.headers["x-ms-cosmos-is-query-plan-request"]).toLowerCase() === "true") {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json", "x-ms-request-charge": "0", "x-ms-activity-id": require("crypto").randomUUID() });
      res.end(simpleQueryPlan);
    });
    return;
  }
  handler(req, res);
});
server.listen(port, "127.0.0.1", () => {
  // The test fixture waits for this line.
  console.log(`cosmos-test-server listening on https://127.0.0.1:${server.address().port}/`);
});
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
