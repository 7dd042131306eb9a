import type { Metadata, Viewport } from "next";
import { connection } from "next/server";
import type { ReactNode } from "react";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "continuon.cloud — the cloud half of self-learning robots", template: "%s · continuon.cloud" },
  description:
    "Robot registry, RLDS episode ingestion and replay, training coordination, signed OTA rollouts and remote sessions for self-learning robot fleets.",
  metadataBase: new URL("https://continuon.cloud"),
};

export const viewport: Viewport = { width: "device-width", initialScale: 1, themeColor: "#0b1220" };

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Every page is rendered per request: its scripts carry that answer's CSP nonce (/docs/security).
  await connection();
  return (
    <html lang="en">
      <body className="min-h-screen">{children}</body>
    </html>
  );
}
