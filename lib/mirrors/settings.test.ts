import { describe, expect, it } from "vitest";
import { resolveSettings, SETTINGS_DEFAULTS, storedSettings } from "./settings";

describe("storedSettings", () => {
  it("keeps what a mirror stored and gives settings added since then their defaults", () => {
    const stored = resolveSettings("m", { rowsPerPartition: 5000, reproduceGrants: false });
    const { indexBuildMemoryMb: _added, ...older } = stored;
    const settings = storedSettings(older);
    expect(settings).toEqual({ ...stored, indexBuildMemoryMb: SETTINGS_DEFAULTS.indexBuildMemoryMb });
    expect(settings.rowsPerPartition).toBe(5000);
    expect(settings.reproduceGrants).toBe(false);
    expect(storedSettings(stored)).toEqual(stored);
  });
});
