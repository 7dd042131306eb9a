/**
 * Playwright's `test` for browser specs, failing any test whose pages broke the
 * Content-Security-Policy: every page of every browser context the test opens (its own and any it
 * makes with `browser.newContext()`) reports `securitypolicyviolation` events and CSP console
 * errors, and the test fails on the first one, naming the directive and what was blocked.
 */
import { test as base, expect, type Browser, type BrowserContext } from "@playwright/test";

// Everything else comes from Playwright as it is; `test` below shadows Playwright's.
export * from "@playwright/test";

/** Collect CSP violations of every page in `context` into `violations`. */
export async function watchCsp(context: BrowserContext, violations: string[]): Promise<void> {
  await context.exposeBinding("__continuonCspViolation", (source, text: string) => {
    violations.push(`${source.page?.url() ?? "?"}: ${text}`);
  });
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      const report = (window as unknown as { __continuonCspViolation?: (text: string) => void })
        .__continuonCspViolation;
      report?.(
        `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} (${event.sourceFile}:${event.lineNumber})`,
      );
    });
  });
  context.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(`console: ${message.text()}`);
  });
}

export const test = base.extend<{ cspViolations: string[] }>({
  cspViolations: [
    async ({ context, browser }, provide) => {
      const violations: string[] = [];
      await watchCsp(context, violations);
      const target = browser as Browser & { newContext: Browser["newContext"] };
      const newContext = target.newContext.bind(browser);
      target.newContext = async (options) => {
        const made = await newContext(options);
        await watchCsp(made, violations);
        return made;
      };
      try {
        await provide(violations);
      } finally {
        target.newContext = newContext;
      }
      expect(violations, "Content-Security-Policy violations").toEqual([]);
    },
    { auto: true },
  ],
});
