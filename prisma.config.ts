import { defineConfig } from "prisma/config";

// The datasource URL is only needed by Prisma's CLI commands that talk to a database;
// pgferry applies migrations itself (lib/catalog/migrate.ts).
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost/pgferry" },
});
