// Lists the changes between two supergraphs' public (API) schemas.
//
// usage: node breaking.mjs old-supergraph.graphql new-supergraph.graphql
// Prints a JSON array of {criticality, path, message} on stdout, one entry
// per change found by GraphQL Inspector's diff (criticality BREAKING,
// DANGEROUS or NON_BREAKING). The federation machinery (join__*, link__*) is
// stripped first: only what clients can query is compared.
import { readFileSync } from "node:fs";
import { buildASTSchema, parse } from "graphql";
import { transformSupergraphToPublicSchema } from "@theguild/federation-composition";
import { diff } from "@graphql-inspector/core";

function apiSchema(path) {
  const supergraph = parse(readFileSync(path, "utf8"));
  return buildASTSchema(transformSupergraphToPublicSchema(supergraph), {
    assumeValidSDL: true,
  });
}

const [oldPath, newPath] = process.argv.slice(2);
if (!oldPath || !newPath) {
  console.error("usage: node breaking.mjs OLD NEW");
  process.exit(2);
}
const changes = await diff(apiSchema(oldPath), apiSchema(newPath));
const out = changes.map((change) => ({
  criticality: change.criticality.level,
  path: change.path ?? "",
  message: change.message,
}));
process.stdout.write(JSON.stringify(out, null, 2) + "\n");
