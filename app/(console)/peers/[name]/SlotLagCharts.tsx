"use client";

import Link from "next/link";
import { LagChart } from "@/components/LagChart";
import type { ReplicationSlot } from "@/lib/pg/introspect/slots";
import type { SlotMirror } from "@/lib/web/peers/slot-mirrors";

/**
 * The lag history of each pgferry slot on this server, by the mirror that keeps it. The history
 * comes from the catalog (the lag sampler's rows), so the charts add no load on the peer itself.
 */
export function SlotLagCharts({ mirrors, slots }: { mirrors: SlotMirror[]; slots: ReplicationSlot[] }) {
  const present = new Set(slots.map((s) => s.name));
  const shown = mirrors.filter((m) => present.has(m.slotName));
  if (shown.length === 0) return null;
  return (
    <div className="mt-4 space-y-4" data-testid="slot-lag-charts">
      {shown.map((m) => (
        <div key={m.slotName}>
          <p className="mb-1 text-sm text-slate-600">
            <span className="font-mono text-xs">{m.slotName}</span> · mirror{" "}
            <Link href={`/mirrors/${encodeURIComponent(m.mirror)}?tab=cdc`} className="text-sky-700 underline">
              {m.mirror}
            </Link>
          </p>
          <LagChart mirror={m.mirror} />
        </div>
      ))}
    </div>
  );
}
