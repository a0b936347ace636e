import { apiRoute } from "@/lib/web/api/respond";
import { reverseMirrorUnavailable } from "@/lib/web/mirrors/cutover";

export const dynamic = "force-dynamic";

/** POST /api/v1/mirrors/{name}/cutover/reverse: a reverse mirror from the fence point; 501 for now. */
export const POST = apiRoute(async () => {
  throw reverseMirrorUnavailable();
});
