import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

/** Layer rules of ARCHITECTURE.md, enforced: the domain stays free of the framework and the adapters. */
const domainBoundaries = {
  files: ["lib/**/*.ts", "lib/**/*.tsx"],
  ignores: ["lib/**/*.test.ts", "lib/**/*.contract.ts"],
  rules: {
    "no-restricted-imports": [
      "error",
      {
        patterns: [
          {
            group: ["@/server/*", "@/app/*", "@/components/*"],
            message: "lib/ is the domain: it must not import server/, app/ or components/.",
          },
          {
            group: ["next", "next/*", "next-auth", "next-auth/*", "react", "react-dom"],
            message: "lib/ must not depend on the web framework.",
          },
          {
            group: ["better-sqlite3", "firebase-admin", "firebase-admin/*", "@google-cloud/*"],
            message: "Only server/adapters/ may name a storage backend.",
          },
        ],
      },
    ],
    "no-restricted-syntax": [
      "error",
      {
        selector: "MemberExpression[object.name='process'][property.name='env']",
        message: "Only lib/env.ts reads process.env; take config from the context.",
      },
    ],
  },
};

const adapterBoundaries = {
  files: ["app/**/*.ts", "app/**/*.tsx", "components/**/*.ts", "components/**/*.tsx"],
  rules: {
    "no-restricted-imports": [
      "error",
      {
        patterns: [
          { group: ["@/server/adapters/*"], message: "Only server/runtime.ts names an adapter." },
          {
            group: ["better-sqlite3", "firebase-admin", "firebase-admin/*", "@google-cloud/*"],
            message: "Go through the runtime and the ports.",
          },
        ],
      },
    ],
  },
};

const config = [
  ...nextVitals,
  ...nextTs,
  {
    ignores: [
      ".next/**",
      "dist/**",
      "node_modules/**",
      "test-results/**",
      "playwright-report/**",
      ".data/**",
      "notebooks/**",
      "next-env.d.ts",
      "bench-results/**",
    ],
  },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_" },
      ],
      "@typescript-eslint/consistent-type-imports": [
        "error",
        { fixStyle: "inline-type-imports", disallowTypeAnnotations: false },
      ],
      "import/no-anonymous-default-export": "off",
    },
  },
  { files: ["lib/env.ts"], rules: { "no-restricted-syntax": "off" } },
  domainBoundaries,
  adapterBoundaries,
];

export default config;
