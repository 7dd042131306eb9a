export interface DocsPage {
  slug: string;
  title: string;
  section: "Start" | "Robot API" | "Concepts" | "Operate";
}

/** The docs navigation; every page under app/docs has one line here (a test keeps them in step). */
export const DOCS_PAGES: DocsPage[] = [
  { slug: "getting-started", title: "Getting started", section: "Start" },
  { slug: "api", title: "API reference (OpenAPI)", section: "Robot API" },
  { slug: "robot-api", title: "Robot API: registry", section: "Robot API" },
  { slug: "signatures", title: "Signed robot requests", section: "Robot API" },
  { slug: "ingestion", title: "Uploading episodes", section: "Robot API" },
  { slug: "formats", title: "Episode formats and validation rules", section: "Robot API" },
  { slug: "replay", title: "Episode replay", section: "Concepts" },
  { slug: "provisioning", title: "Provisioning a robot", section: "Operate" },
  { slug: "architecture", title: "Architecture", section: "Concepts" },
  { slug: "security", title: "Security model", section: "Concepts" },
  { slug: "remote", title: "Remote sessions", section: "Concepts" },
  { slug: "remote/protocol", title: "Relay protocol", section: "Robot API" },
  { slug: "remote/robot-side", title: "Remote: the robot side", section: "Robot API" },
  { slug: "remote/scale-out", title: "Relay scale-out", section: "Operate" },
  { slug: "ota/robot-api", title: "OTA endpoints for robots", section: "Robot API" },
  { slug: "ota/bundle-format", title: "Bundle format and verification", section: "Robot API" },
  { slug: "ota", title: "OTA updates", section: "Concepts" },
  { slug: "ota/rollouts", title: "Rollouts: stages, health, rollback", section: "Operate" },
  { slug: "training", title: "Training and models", section: "Concepts" },
  { slug: "training/worker-api", title: "Training API for notebooks", section: "Robot API" },
  { slug: "training/notebooks", title: "Notebooks and the Python client", section: "Operate" },
  { slug: "cloud", title: "Running in Google Cloud", section: "Operate" },
  { slug: "deploy", title: "Deploy to Google Cloud", section: "Operate" },
];
