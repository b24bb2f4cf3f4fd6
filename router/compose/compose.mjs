// Composes the supergraph from subgraph SDL files.
//
// usage: node compose.mjs name=url=path/to/schema.graphql ...
// Prints the supergraph SDL on stdout. Composition errors or hints (warnings)
// go to stderr and make the exit code non-zero: CI treats both as failures.
import { readFileSync } from "node:fs";
import { parse } from "graphql";
import { composeServices } from "@theguild/federation-composition";

const services = process.argv.slice(2).map((arg) => {
  const [name, url, path] = arg.split("=");
  return { name, url, typeDefs: parse(readFileSync(path, "utf8")) };
});

const result = composeServices(services);
let failed = false;
for (const error of result.errors ?? []) {
  console.error(`composition error: ${error.message}`);
  failed = true;
}
for (const hint of result.hints ?? []) {
  console.error(`composition warning: ${hint.message ?? hint}`);
  failed = true;
}
if (failed || !result.supergraphSdl) {
  process.exit(1);
}
process.stdout.write(result.supergraphSdl);
