/** What every web route file shares: sending a page, and requiring a signed-in user. */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { VNode } from "preact";
import { renderToString } from "preact-render-to-string";
import type { Actor } from "../../core/accounts.js";
import { actorOf } from "../http/context.js";
import type { Services } from "../http/services.js";

/** Sends a rendered page. */
export function html(reply: FastifyReply, node: VNode, status = 200) {
  return reply.status(status).type("text/html; charset=utf-8").send("<!doctype html>" + renderToString(node));
}

/** The signed-in actor, or null after sending the browser to log in (and come back). */
export async function signedIn(svc: Services, req: FastifyRequest, reply: FastifyReply): Promise<NonNullable<Actor> | null> {
  const actor = await actorOf(svc, req);
  if (!actor) void reply.redirect(`/login?next=${encodeURIComponent(req.url)}`, 303);
  return actor;
}
