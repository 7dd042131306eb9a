/**
 * The robot simulator: `npm run sim -- <command> [options]`. Each simulated robot keeps an identity
 * folder like a real robot (Ed25519 key, RURI) and signs every request. Run with no command for help.
 */
import { parseArgs } from "node:util";
import { BEHAVIORS } from "./behaviors";
import { COMMANDS } from "./commands";

function help(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  return [
    "Usage: npm run sim -- <command> [options]",
    "",
    "Commands:",
    ...COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    "",
    "Behaviors (fleet --behaviors a,b):",
    ...BEHAVIORS.map((behavior) => `  ${behavior.name}  ${behavior.description}`),
    "",
    "The server URL (--url, or CONTINUON_URL) must be the server's PUBLIC_URL: signatures cover it.",
    "Run `npm run sim -- <command> --help` for a command's options.",
  ].join("\n");
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "help" || name === "--help" || name === "-h") {
    console.log(help());
    return 0;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (!command) {
    console.error(`Unknown command "${name}".\n\n${help()}`);
    return 64;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    console.log(`Usage: npm run sim -- ${command.usage}\n\n${command.summary}.`);
    return 0;
  }
  const { values, positionals } = parseArgs({
    args: rest,
    options: command.options,
    allowPositionals: true,
    strict: true,
  });
  const stopRequested = new Promise<void>((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
  await command.run({ values, positionals, print: (line) => console.log(line), stopRequested });
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`sim: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
