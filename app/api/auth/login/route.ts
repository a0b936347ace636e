import { NextResponse } from "next/server";
import { z } from "zod";
import { isSignInPassword } from "@/lib/web/auth/credentials";
import { arrivedOverTls, clientAddress } from "@/lib/web/auth/request-policy";
import { createSession, sessionCookieName } from "@/lib/web/auth/sessions";
import { attemptSucceeded, beginAttempt } from "@/lib/web/auth/throttle";
import { apiRoute, errorResponse, readSmallJson, tooManyAttempts } from "@/lib/web/api/respond";
import { sleep } from "@/lib/sleep";

const signInSchema = z.object({ password: z.string().max(1024) });

/** The sign-in body is one short password; anything larger is refused unread. Default: 4 KB. */
const MAX_BODY_BYTES = 4096;

/** A wrong password waits this long before answering, to make guessing slow. */
const FAILURE_DELAY_MS = 1_000;

export const POST = apiRoute(
  async (request) => {
    const client = clientAddress(request.headers);
    const { password } = signInSchema.parse(await readSmallJson(request, MAX_BODY_BYTES));
    const wait = beginAttempt(client);
    if (wait !== null) return tooManyAttempts(wait);
    if (!(await isSignInPassword(password))) {
      await sleep(FAILURE_DELAY_MS);
      return errorResponse(401, "wrong_password", "That password is not right. Check it and try again.");
    }
    attemptSucceeded(client);
    const session = await createSession();
    const tls = arrivedOverTls(request.url, request.headers);
    const response = NextResponse.json({ ok: true });
    response.cookies.set(sessionCookieName(tls), session.token, {
      httpOnly: true,
      // Strict: the cookie never rides along on a request that another site starts.
      sameSite: "strict",
      secure: tls,
      path: "/",
      expires: session.expiresAt,
    });
    return response;
  },
  { public: true },
);
