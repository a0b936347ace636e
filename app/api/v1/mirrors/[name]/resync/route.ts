import { mirrorActionRoute } from "@/lib/web/api/mirror-action-route";
import { resyncMirror } from "@/lib/web/mirrors/actions";

export const dynamic = "force-dynamic";

/** POST /api/v1/mirrors/{name}/resync: empty the target tables and copy them again from a new snapshot. */
export const POST = mirrorActionRoute(resyncMirror);
