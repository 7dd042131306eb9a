import { ConsoleMessage } from "@/components/console/console-message";

/** Any console address that names no page (or a page's `notFound()` without its own screen). */
export default function ConsoleNotFound() {
  return (
    <ConsoleMessage title="Page not found" backHref="/console" backLabel="Back to the overview" testId="not-found">
      There is no console page at this address. The menu lists every page your role can open.
    </ConsoleMessage>
  );
}
