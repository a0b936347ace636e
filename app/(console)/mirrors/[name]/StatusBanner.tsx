import { formatMegabytes, formatTime } from "@/components/format";
import type { MirrorDetail } from "@/lib/web/mirrors/views";

/**
 * The banner above a paused or failed mirror's tabs. Both statuses leave the slot on the source
 * with nothing consuming it, the one way a mirror hurts production (the source's disk fills), so
 * both say how much WAL the slot holds, as the lag sampler last measured it (workers/runtime/
 * lag-sampler.ts measures every mirror with a slot, failed ones included), and what to do.
 */
export function StatusBanner({ mirror }: { mirror: MirrorDetail }) {
  if (mirror.status === "paused") return <PausedBanner mirror={mirror} />;
  if (mirror.status === "failed") return <FailedBanner mirror={mirror} />;
  return null;
}

function PausedBanner({ mirror }: { mirror: MirrorDetail }) {
  return (
    <p role="alert" data-testid="paused-warning" className="mb-4 rounded-md border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900">
      <span className="font-medium">Paused: the source is retaining WAL for this mirror&apos;s slot ({retained(mirror)})</span>
      . It grows with every write on the source until you resume or delete the mirror; left long enough it can fill the source&apos;s disk.
      {slotActive(mirror) && " The worker is still stopping the stream: changes it already received may yet be applied."}
      <Measured mirror={mirror} />
    </p>
  );
}

function FailedBanner({ mirror }: { mirror: MirrorDetail }) {
  const holdsSlot = mirror.mode === "cdc" && !slotMissing(mirror);
  return (
    <div role="alert" data-testid="mirror-error" className="mb-4 rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">
      <p className="font-medium">The mirror failed</p>
      {mirror.errorMessage && <p className="mt-1 whitespace-pre-wrap">{mirror.errorMessage}</p>}
      {holdsSlot && (
        <p className="mt-2" data-testid="failed-slot-wal">
          <span className="font-medium">Its replication slot still makes the source keep WAL ({retained(mirror)})</span>, and that grows with every write
          on the source until the mirror is resumed or deleted.
          <Measured mirror={mirror} />
        </p>
      )}
      <p className="mt-2">
        {mirror.mode === "cdc"
          ? holdsSlot
            ? "What to do: fix the cause above, then Resume: replication continues from the position stored on the target, without a new initial load. Or Delete the mirror to drop its slot and free the WAL."
            : "Its replication slot is no longer on the source, so nothing is retained; Resync starts the mirror over, Delete removes it."
          : "What to do: fix the cause above, then Resync to copy again, or Delete the mirror."}
      </p>
    </div>
  );
}

function Measured({ mirror }: { mirror: MirrorDetail }) {
  const at = mirror.cdc?.statsUpdatedAt;
  return at ? <span className="ml-1 text-xs opacity-80">(measured {formatTime(at)})</span> : null;
}

function retained(mirror: MirrorDetail): string {
  const bytes = mirror.cdc?.retainedBytes;
  return bytes == null ? "measuring…" : formatMegabytes(bytes);
}

function slotStatus(mirror: MirrorDetail): { active?: boolean; missing?: boolean } | null {
  return (mirror.cdc?.slot as { active?: boolean; missing?: boolean } | null | undefined) ?? null;
}

/** Whether the last slot measurement saw the slot in use (a pause takes effect within seconds, not at once). */
function slotActive(mirror: MirrorDetail): boolean {
  return slotStatus(mirror)?.active === true;
}

function slotMissing(mirror: MirrorDetail): boolean {
  return slotStatus(mirror)?.missing === true;
}
