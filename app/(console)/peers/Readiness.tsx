import type { PeerView } from "@/lib/web/peers/view";

/** What the last validation says the peer can be used for. */
export function Readiness({ peer }: { peer: PeerView }) {
  const v = peer.lastValidation;
  const [text, style] = !v
    ? ["not validated", "bg-slate-100 text-slate-600"]
    : v.usableAsCdcSource
      ? ["CDC source or target", "bg-emerald-50 text-emerald-700"]
      : v.usableAsTarget
        ? ["target / copy only", "bg-amber-50 text-amber-800"]
        : ["not usable", "bg-red-50 text-red-700"];
  return <span className={`inline-block rounded-full px-2 py-0.5 text-xs font-medium ${style}`}>{text}</span>;
}
