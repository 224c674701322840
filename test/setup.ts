// Node 20 lacks a few APIs that @moq/qmux and @moq/lite use; every test process installs them.
import { installPolyfills } from "../main/moq/transport/polyfill.ts";

installPolyfills();

// Clients try WebTransport over HTTP/3 first where its native part loads. Tests pin the transport
// they mean: HTTP/3 is off unless a test file turns it on (test/unit/transport/http3.test.ts does,
// before its first dial; each file gets fresh modules, so the choice is per file).
process.env.MOQSCOPE_HTTP3 = "0";
