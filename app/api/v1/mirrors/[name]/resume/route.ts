import { mirrorActionRoute } from "@/lib/web/api/mirror-action-route";
import { resumeMirror } from "@/lib/web/mirrors/actions";

export const dynamic = "force-dynamic";

/** POST /api/v1/mirrors/{name}/resume: continue applying changes where they stopped. */
export const POST = mirrorActionRoute(resumeMirror);
