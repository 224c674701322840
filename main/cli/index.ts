// Placeholder so the build has its CLI entry (out/main/cli.js); the CLI engineer replaces this file.
export {};
