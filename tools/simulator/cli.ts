/**
 * The robot simulator: `npm run sim -- <command> [options]`. Each simulated robot keeps an identity
 * folder like a real robot (Ed25519 key, RURI) and signs every request. Run with no command for help.
 */
import { parseCommandLine } from "./commands/arguments";

async function main(argv: string[]): Promise<number> {
  const parsed = parseCommandLine(argv);
  if (parsed.kind === "help") {
    console.log(parsed.text);
    return 0;
  }
  if (parsed.kind === "unknown") {
    console.error(parsed.text);
    return 64;
  }
  const stopRequested = new Promise<void>((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
  const { command, values, positionals } = parsed;
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
