/**
 * Route schemas with zod: a Fastify type provider (so handlers see typed `params`, `query` and
 * `body`) and the validator compiler that runs the schemas, turning a refusal into the surface's
 * 400 with the offending field named. Small enough to be ours; no OpenAPI machinery needed.
 */
import type { FastifySchemaCompiler, FastifyTypeProvider } from "fastify";
import { z } from "zod";
import { HubError } from "../../core/errors.js";

/** Lets `app.withTypeProvider<ZodTypeProvider>()` infer request types from zod schemas. */
export interface ZodTypeProvider extends FastifyTypeProvider {
  validator: this["schema"] extends z.ZodType ? z.output<this["schema"]> : unknown;
  serializer: this["schema"] extends z.ZodType ? z.input<this["schema"]> : unknown;
}

/** Runs a route's zod schema on one part of the request. */
export const zodValidator: FastifySchemaCompiler<z.ZodType> =
  ({ schema, httpPart }) =>
  (data) => {
    const r = schema.safeParse(data);
    if (r.success) return { value: r.data };
    const issue = r.error.issues[0]!;
    const part = httpPart === "querystring" ? "query" : (httpPart ?? "request");
    const where = issue.path.length ? ` '${issue.path.join(".")}'` : "";
    return { error: new HubError("BadRequest", `Invalid ${part}${where}: ${issue.message}`) };
  };

// ------------------------------------------------------------------ shared pieces

/** `:ns/:name` of a repo route. */
export const repoParams = z.object({ ns: z.string(), name: z.string() });
/** `:ns/:name/…/*`: the raw tail is parsed by the route (revisions may hold `/`). */
export const repoTailParams = repoParams.extend({ "*": z.string() });

/** A query value as the clients send it: once, or repeated (the first one counts). */
export const queryOne = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (Array.isArray(v) ? v[0] : v));
/** A repeatable query value, always a list. */
export const queryMany = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]));
/** A boolean flag as the clients write it (`true`, `1`, `True`, or present and empty). */
export const queryFlag = queryOne.transform((v) => v === "true" || v === "1" || v === "True" || v === "");
/** A non-negative integer in a query string (absent: undefined). */
export const queryInt = queryOne.transform((v, ctx) => {
  if (v === undefined || v === "") return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) {
    ctx.addIssue({ code: "custom", message: "expected a non-negative integer" });
    return z.NEVER;
  }
  return n;
});
/** A sha256 hex digest. */
export const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, "expected a sha256 hex digest");
/** A repo type in a JSON body. */
export const repoTypeBody = z.enum(["model", "dataset", "space"]);
