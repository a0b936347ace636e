/** The verification engine's surface (see README.md). Talks to peers only, never to the catalog. */
export { verifyTable } from "./verify-table";
export { describeVerifyTable } from "./table-spec";
export * from "./types";
