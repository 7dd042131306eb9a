import type { Metadata } from "next";
import Link from "next/link";
import { DOCS_PAGES } from "@/components/docs/docs-nav";

export const metadata: Metadata = { title: "Documentation" };

export default function DocsIndex() {
  return (
    <>
      <h1>Documentation</h1>
      <p>
        continuon.cloud is the cloud half of a self-learning robot platform. These pages cover running it, the
        robot-facing API (every request and response shown here is sent to a running server by the test suite), the
        formats robots upload, and the security model.
      </p>
      <ul>
        {DOCS_PAGES.map((page) => (
          <li key={page.slug}>
            <Link href={`/docs/${page.slug}`}>{page.title}</Link>
          </li>
        ))}
      </ul>
    </>
  );
}
