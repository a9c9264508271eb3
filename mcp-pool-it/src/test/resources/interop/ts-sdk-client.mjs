// The official TypeScript SDK client (@modelcontextprotocol/sdk) against the mcp-pool gateway.
//
//   node ts-sdk-client.mjs <gateway MCP URL>
//   env MCP_SDK_DIR: the SDK package folder (.npm-peers/node_modules/@modelcontextprotocol/sdk)
//
// It lists tools, calls testkit__sleep with a progress callback, aborts a long testkit__sleep after its
// first progress notification, reads testkit__stats for the cancellations the upstream saw, and ends
// its session. It prints one JSON line (the summary the Java test asserts on) and exits 0; any
// unexpected failure prints {"fatal": ...} and exits 1. Every step has its own deadline.
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const url = process.argv[2];
const sdkDir = process.env.MCP_SDK_DIR;
if (!url || !sdkDir) {
    console.log(JSON.stringify({ fatal: "usage: MCP_SDK_DIR=<sdk> node ts-sdk-client.mjs <url>" }));
    process.exit(1);
}
// ESM ignores NODE_PATH, so the SDK is imported by its file path (its own dependencies then resolve
// from its node_modules as usual).
const sdk = (path) => import(pathToFileURL(join(sdkDir, "dist", "esm", path)).href);
const { Client } = await sdk("client/index.js");
const { StreamableHTTPClientTransport } = await sdk("client/streamableHttp.js");

const STEP_TIMEOUT_MS = 15000;
const summary = { sdkVersion: null, errors: [] };

function within(ms, promise, what) {
    let timer;
    const deadline = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    });
    return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

function text(result) {
    return (result.content ?? []).filter((c) => c.type === "text").map((c) => c.text).join("");
}

try {
    const { readFileSync } = await import("node:fs");
    summary.sdkVersion = JSON.parse(readFileSync(join(sdkDir, "package.json"), "utf8")).version;

    const transport = new StreamableHTTPClientTransport(new URL(url));
    const client = new Client({ name: "ts-sdk-interop", version: "1.0.0" });
    // Errors the client reports outside a request (a stray response, a broken stream): kept for the test.
    client.onerror = (e) => summary.errors.push(String(e?.message ?? e));
    await within(STEP_TIMEOUT_MS, client.connect(transport), "connect");
    summary.sessionId = transport.sessionId ?? null;
    summary.protocolVersion = transport.protocolVersion ?? null;
    summary.serverName = client.getServerVersion()?.name ?? null;

    // 1. tools/list
    const listed = await within(STEP_TIMEOUT_MS, client.listTools(), "tools/list");
    summary.tools = listed.tools.map((t) => t.name);

    // 2. tools/call with a progress callback
    const progress = [];
    const slept = await within(STEP_TIMEOUT_MS, client.callTool(
        { name: "testkit__sleep", arguments: { ms: 600, steps: 3 } },
        undefined,
        { onprogress: (p) => progress.push({ progress: p.progress, total: p.total ?? null }), timeout: STEP_TIMEOUT_MS }),
        "tools/call testkit__sleep with progress");
    summary.progressCall = { text: text(slept), isError: slept.isError ?? false, progress };

    // 3. a long call, aborted after its first progress notification (or after 1 s without one)
    const controller = new AbortController();
    const started = Date.now();
    let firstProgressMs = null;
    const abortTimer = setTimeout(() => controller.abort(), 1000);
    const outcome = await within(STEP_TIMEOUT_MS, client.callTool(
        { name: "testkit__sleep", arguments: { ms: 20000, steps: 100 } },
        undefined,
        {
            signal: controller.signal,
            timeout: 30000,
            onprogress: () => {
                if (firstProgressMs === null) {
                    firstProgressMs = Date.now() - started;
                    clearTimeout(abortTimer);
                    controller.abort();
                }
            },
        }).then((r) => ({ resolved: true, text: text(r) }), (e) => ({ resolved: false, error: String(e?.message ?? e), code: e?.code ?? null })),
        "aborted tools/call testkit__sleep");
    summary.cancelCall = { ...outcome, firstProgressMs, settledMs: Date.now() - started };

    // 4. what the upstream saw: its cancelled request ids, polled until one shows up (bounded)
    let stats = null;
    const statsDeadline = Date.now() + 10000;
    while (true) {
        const r = await within(STEP_TIMEOUT_MS, client.callTool({ name: "testkit__stats", arguments: {} }), "tools/call testkit__stats");
        stats = r.structuredContent ?? JSON.parse(text(r));
        if ((stats.cancelled ?? []).length > 0 || Date.now() > statsDeadline) {
            break;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    summary.upstream = { cancelled: stats.cancelled ?? [], executions: stats.executions ?? {} };
    // A window for late messages about the cancelled call (a response would show up in errors): an absence
    // can only be observed for a while.
    await new Promise((resolve) => setTimeout(resolve, 300));
    summary.errorsBeforeDelete = summary.errors.length;

    // 5. the session ends with DELETE, then the client closes
    await within(STEP_TIMEOUT_MS, transport.terminateSession(), "DELETE session");
    summary.sessionAfterTerminate = transport.sessionId ?? null;
    await within(STEP_TIMEOUT_MS, client.close(), "close");
} catch (e) {
    summary.fatal = String(e?.stack ?? e);
}
console.log(JSON.stringify(summary));
process.exit(summary.fatal ? 1 : 0);
