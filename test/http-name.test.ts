import { test } from "node:test";
import assert from "node:assert/strict";
import { NameLimiter, requestName } from "../src/core/http-name.ts";
import { classifyHttpError } from "../src/core/http-errors.ts";

const names: Array<[string, string]> = [
  ["http://127.0.0.1:8080/users/42", "/users/:id"],
  ["http://127.0.0.1/users/42/orders/7?page=2&token=secret", "/users/:id/orders/:id"],
  ["http://127.0.0.1/items/3f2b1c9e-8d7a-4b6c-9e5f-1a2b3c4d5e6f", "/items/:id"],
  ["http://127.0.0.1/blobs/deadbeefcafebabe1234", "/blobs/:id"],
  ["http://127.0.0.1/sessions/aZ3kP9qLmN2xV7bR8tY1", "/sessions/:id"],
  ["http://127.0.0.1/api/v2/products", "/api/v2/products"],
  ["http://127.0.0.1", "/"],
  ["/relative/12?x=1", "/relative/:id"],
];

for (const [url, expected] of names) {
  test(`requestName turns ${url} into ${expected}`, () => {
    assert.equal(requestName(url), expected);
  });
}

test("NameLimiter maps names past its limit to other and reports each once", () => {
  const overflowed: string[] = [];
  const limiter = new NameLimiter(2, (name) => overflowed.push(name));
  assert.equal(limiter.bound("/a"), "/a");
  assert.equal(limiter.bound("/b"), "/b");
  assert.equal(limiter.bound("/c"), "other");
  assert.equal(limiter.bound("/a"), "/a");
  assert.deepEqual(overflowed, ["/c"]);
});

const errors: Array<[string, unknown, string]> = [
  [
    "undici refused",
    Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }),
    "refused",
  ],
  [
    "fetch refused cause",
    new TypeError("fetch failed", {
      cause: Object.assign(new Error("x"), { code: "ECONNREFUSED" }),
    }),
    "refused",
  ],
  [
    "bun refused",
    Object.assign(new Error("Unable to connect"), { code: "ConnectionRefused" }),
    "refused",
  ],
  [
    "deno refused",
    new TypeError("error sending request: Connection refused (os error 111)"),
    "refused",
  ],
  ["reset", Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }), "reset"],
  ["timeout", new DOMException("The operation timed out.", "TimeoutError"), "timeout"],
  [
    "undici headers timeout",
    Object.assign(new Error("Headers Timeout Error"), { code: "UND_ERR_HEADERS_TIMEOUT" }),
    "timeout",
  ],
  [
    "dns",
    Object.assign(new Error("getaddrinfo ENOTFOUND nowhere.invalid"), { code: "ENOTFOUND" }),
    "dns",
  ],
  ["tls", new Error("self-signed certificate in certificate chain"), "tls"],
  ["other", new Error("something odd"), "other"],
];

for (const [label, error, kind] of errors) {
  test(`classifyHttpError reports ${label} as ${kind}`, () => {
    assert.equal(classifyHttpError(error), kind);
  });
}
