export const TABS = [
  { id: "overview", label: "Overview" },
  { id: "load", label: "Initial load" },
  { id: "cdc", label: "CDC" },
  { id: "verify", label: "Verify" },
  { id: "cutover", label: "Cutover" },
  { id: "logs", label: "Logs" },
] as const;

export type TabId = (typeof TABS)[number]["id"];

/** The tab named in ?tab=, or Overview; the CDC and Cutover tabs exist only for CDC mirrors. */
export function parseTab(value: string | undefined, mode: string): TabId {
  const tab = TABS.find((t) => t.id === value)?.id ?? "overview";
  return (tab === "cdc" || tab === "cutover") && mode !== "cdc" ? "overview" : tab;
}

export function tabsFor(mode: string) {
  return TABS.filter((t) => (t.id !== "cdc" && t.id !== "cutover") || mode === "cdc");
}
