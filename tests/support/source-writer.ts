import type pg from "pg";
import { connect } from "./databases";

export interface SourceWriter {
  /** Lets the current round finish, closes the connection, and resolves with the rounds completed (rejects with a round's error). */
  stop(): Promise<number>;
}

/**
 * Keeps writing to a source database in the background while a test does something else:
 * `round(client, i)` runs on a connection of its own, again and again, until stop() or `maxRounds`.
 */
export function startSourceWriter(database: string, round: (client: pg.Client, i: number) => Promise<void>, maxRounds: number): SourceWriter {
  let writing = true;
  let rounds = 0;
  const done = (async () => {
    const client = await connect("source", database);
    try {
      for (let i = 0; writing && i < maxRounds; i++) {
        await round(client, i);
        rounds++;
      }
    } finally {
      await client.end();
    }
  })();
  return {
    stop: async () => {
      writing = false;
      await done;
      return rounds;
    },
  };
}
