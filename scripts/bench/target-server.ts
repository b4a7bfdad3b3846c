// A minimal HTTP target for the benchmark, in its own process: every request gets a 2-byte
// "ok". On Bun it uses Bun.serve, the fastest server available here, so the target is not
// what limits the client figures; on Node it falls back to node:http.
// Prints "port N" on stdout once it listens on 127.0.0.1.
import { createServer } from "node:http";

const bun = (globalThis as { Bun?: typeof Bun }).Bun;

if (bun) {
  const server = bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: () => new Response("ok"),
    idleTimeout: 0,
  });
  console.log(`port ${server.port}`);
} else {
  const server = createServer((_request, response) => {
    response.writeHead(200, { "content-type": "text/plain", "content-length": "2" });
    response.end("ok");
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, "127.0.0.1", () => {
    const address = server.address();
    console.log(`port ${typeof address === "object" && address ? address.port : 0}`);
  });
}
