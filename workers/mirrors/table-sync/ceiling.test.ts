import { describe, expect, it } from "vitest";
import { FollowingCeiling } from "./ceiling";

describe("FollowingCeiling", () => {
  it("admits transactions below the bound at once and holds the others until the bound passes them", async () => {
    const ceiling = new FollowingCeiling(100n);
    expect(await ceiling.admit(99n)).toBe(true);
    let admitted: boolean | null = null;
    const held = ceiling.admit(150n).then((ok) => (admitted = ok));
    await Promise.resolve();
    expect(admitted).toBeNull();
    expect(ceiling.caughtUp).toBe(true);
    ceiling.raise(150n);
    await Promise.resolve();
    expect(admitted).toBeNull(); // 150 is not below 150: the main stream has not applied it yet
    ceiling.raise(151n);
    await held;
    expect(admitted).toBe(true);
  });

  it("refuses what is at or above a final bound and finishes once everything below it passed", async () => {
    const ceiling = new FollowingCeiling(100n);
    const held = ceiling.admit(200n);
    let finished = false;
    void ceiling.finished.then(() => (finished = true));
    ceiling.finalize(180n);
    expect(await held).toBe(false);
    expect(await ceiling.admit(179n)).toBe(true);
    await Promise.resolve();
    expect(finished).toBe(false);
    ceiling.passed(180n);
    await ceiling.finished;
    expect(finished).toBe(true);
  });

  it("never lowers the bound and ignores raises once final", async () => {
    const ceiling = new FollowingCeiling(100n);
    ceiling.raise(90n);
    ceiling.raise(null);
    expect(await ceiling.admit(95n)).toBe(true);
    ceiling.finalize(120n);
    ceiling.raise(500n);
    expect(await ceiling.admit(130n)).toBe(false);
  });

  it("is finished at once when finalized at a position already passed", async () => {
    const ceiling = new FollowingCeiling(100n);
    ceiling.passed(300n);
    ceiling.finalize(250n);
    await ceiling.finished;
    expect(ceiling.caughtUp).toBe(true);
  });

  it("releases a waiting transaction when abandoned, without finishing", async () => {
    const ceiling = new FollowingCeiling(100n);
    const held = ceiling.admit(150n);
    let finished = false;
    void ceiling.finished.then(() => (finished = true));
    ceiling.abandon();
    expect(await held).toBe(false);
    ceiling.passed(150n);
    await Promise.resolve();
    expect(finished).toBe(false);
    expect(await ceiling.admit(99n)).toBe(true);
  });
});
