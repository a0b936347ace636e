import { expect, type Page } from "@playwright/test";
import { createScenarioMirror, type MirrorScenario, pollMirrorStatus } from "./mirror-helpers";

/**
 * Every page of the console, for the layout and accessibility sweeps (console.spec.ts and
 * a11y.spec.ts): the lists, the forms, a peer, a CDC mirror on each of its tabs, settings, and the
 * not-found pages. `ready` is what shows once the page has its data.
 */
export interface ConsolePage {
  path: string;
  ready: (page: Page) => Promise<void>;
}

const heading = (name: string | RegExp) => async (page: Page) => {
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
};

export const MIRROR_TABS = ["overview", "load", "cdc", "verify", "cutover", "logs"] as const;

export function consolePages(scenario: MirrorScenario): ConsolePage[] {
  const mirror = `/mirrors/${scenario.mirror}`;
  return [
    { path: "/mirrors", ready: heading("Mirrors") },
    { path: "/mirrors/new", ready: heading("New mirror") },
    ...MIRROR_TABS.map((tab) => ({
      path: `${mirror}?tab=${tab}`,
      ready: async (page: Page) => {
        await expect(page.getByRole("tab", { selected: true })).toHaveAttribute("id", `tab-${tab}`);
        await expect(page.getByRole("tabpanel")).not.toBeEmpty();
      },
    })),
    { path: "/peers", ready: heading("Peers") },
    { path: "/peers/new", ready: heading("New peer") },
    { path: `/peers/${scenario.sourcePeer}`, ready: heading(scenario.sourcePeer) },
    { path: `/peers/${scenario.sourcePeer}/edit`, ready: heading(/Edit/) },
    { path: "/settings", ready: heading("Settings") },
    { path: "/mirrors/does-not-exist", ready: heading(/does-not-exist/) },
  ];
}

/** A CDC mirror of the scenario's tables, waited on until it replicates (so every tab has something to show). */
export async function createReplicatingMirror(scenario: MirrorScenario, tables: string[]): Promise<void> {
  await createScenarioMirror(scenario, "cdc", tables);
  await pollMirrorStatus(scenario, "running", "the mirror replicates");
}

/** Whether the page is wider than the window (a sideways scrollbar on the whole page). */
export async function pageOverflow(page: Page): Promise<{ scrollWidth: number; innerWidth: number; widest: string }> {
  return page.evaluate(() => {
    const innerWidth = window.innerWidth;
    // The element reaching furthest right, to say what overflows when something does.
    let widest = "";
    let right = innerWidth;
    const clipped = (element: Element): boolean => {
      for (let parent = element.parentElement; parent && parent !== document.body; parent = parent.parentElement) {
        if (getComputedStyle(parent).overflowX !== "visible") return true;
      }
      return false;
    };
    for (const element of Array.from(document.body.querySelectorAll("*"))) {
      const box = element.getBoundingClientRect();
      if (box.right > right + 0.5 && clipped(element)) continue;
      if (box.right > right + 0.5) {
        right = box.right;
        widest = `${element.tagName.toLowerCase()}.${String(element.getAttribute("class") ?? "").slice(0, 80)} (${Math.round(box.right)} px)`;
      }
    }
    return { scrollWidth: document.documentElement.scrollWidth, innerWidth, widest };
  });
}
