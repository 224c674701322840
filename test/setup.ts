// Node 20 lacks a few APIs that @moq/qmux and @moq/lite use; every test process installs them.
import { installPolyfills } from "../main/moq/transport/polyfill.ts";

installPolyfills();
