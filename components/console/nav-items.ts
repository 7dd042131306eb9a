import type { Role } from "@/lib/context";

export interface NavItem {
  href: string;
  label: string;
  /** Lowest role that sees the item (the pages check again). */
  role: Role;
  section: "Fleet" | "Data" | "Delivery" | "Admin";
}

/** The console navigation, one entry per page; features add their line here. */
export const NAV_ITEMS: NavItem[] = [
  { href: "/console", label: "Overview", role: "owner", section: "Fleet" },
  { href: "/console/robots", label: "Robots", role: "owner", section: "Fleet" },
  { href: "/console/claim", label: "Claim a robot", role: "owner", section: "Fleet" },
  { href: "/console/remote", label: "Remote sessions", role: "owner", section: "Fleet" },
  { href: "/console/episodes", label: "Episodes", role: "owner", section: "Data" },
  { href: "/console/training", label: "Training", role: "operator", section: "Data" },
  { href: "/console/models", label: "Models", role: "operator", section: "Data" },
  { href: "/console/ota", label: "OTA updates", role: "owner", section: "Delivery" },
  { href: "/console/admin/users", label: "Users & roles", role: "admin", section: "Admin" },
  { href: "/console/admin/provisioning", label: "Provisioning tokens", role: "admin", section: "Admin" },
  { href: "/console/admin/training-tokens", label: "Training tokens", role: "admin", section: "Admin" },
  { href: "/console/admin/audit", label: "Audit log", role: "admin", section: "Admin" },
];
