import { launch } from "./launcher";

/** `npm start` (production build) and `npm run dev` (hot reload). */
const mode = process.argv[2] === "dev" ? "dev" : "start";
launch({ mode }).catch((error: unknown) => {
  process.stderr.write(`pgferry failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
