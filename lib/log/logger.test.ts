import { describe, expect, it } from "vitest";
import { createLogger, type LogLevel } from "./logger";

function capture(format: "text" | "json", debug = false) {
  const lines: { level: LogLevel; line: string }[] = [];
  const logger = createLogger("worker", { format, debug, write: (level, line) => lines.push({ level, line }) });
  return { logger, lines };
}

describe("createLogger", () => {
  it("writes one JSON object per line with time, level, component, mirror and message", () => {
    const { logger, lines } = capture("json");
    logger.child("mirrors").warn("mirror step failed", { mirror: "orders", code: "08006", error: new Error("boom"), lag: 5n });
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0].line);
    expect(entry).toMatchObject({ level: "warn", component: "worker:mirrors", mirror: "orders", message: "mirror step failed", code: "08006", lag: "5" });
    expect(entry.error).toMatchObject({ message: "boom" });
    expect(new Date(entry.time).toString()).not.toBe("Invalid Date");
    expect(lines[0].line).not.toContain("\n");
  });

  it("never lets a field overwrite the fixed keys, and says mirror: null when there is none", () => {
    const { logger, lines } = capture("json");
    logger.info("started", { message: "spoofed", level: "error" });
    expect(JSON.parse(lines[0].line)).toMatchObject({ message: "started", level: "info", mirror: null });
  });

  it("keeps the readable text format by default and drops debug lines unless asked", () => {
    const quiet = capture("text");
    quiet.logger.debug("hidden");
    quiet.logger.info("worker started", { id: "w1" });
    expect(quiet.lines.map((l) => l.line)).toEqual([expect.stringMatching(/^\S+Z INFO {2}\[worker\] worker started \{"id":"w1"\}$/)]);
    const loud = capture("text", true);
    loud.logger.debug("shown");
    expect(loud.lines).toHaveLength(1);
  });
});
