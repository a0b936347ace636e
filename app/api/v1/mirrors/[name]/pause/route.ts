import { mirrorActionRoute } from "@/lib/web/api/mirror-action-route";
import { pauseMirror } from "@/lib/web/mirrors/actions";

export const dynamic = "force-dynamic";

/** POST /api/v1/mirrors/{name}/pause: stop applying changes (the source keeps WAL meanwhile). */
export const POST = mirrorActionRoute(pauseMirror);
