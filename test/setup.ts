// Node 20 lacks a few APIs that @moq/qmux and @moq/lite use; the library installs them.
import "../main/moq/transport/polyfill.ts";
