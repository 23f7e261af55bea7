import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTypescript from "eslint-config-next/typescript";

/**
 * Next.js's own rules (React, hooks, jsx-a11y, Core Web Vitals) and typescript-eslint's recommended set, as
 * eslint-config-next ships them for flat config (https://nextjs.org/docs/app/api-reference/config/eslint).
 */
export default defineConfig([
  ...nextVitals,
  ...nextTypescript,
  {
    rules: {
      // A binding named with a leading underscore, or left out of a rest spread, is there to be dropped.
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_", ignoreRestSiblings: true },
      ],
    },
  },
  {
    // Tests and their helpers read SCIM answers as loose JSON and assert them field by field.
    files: ["e2e/**", "**/*.test.ts", "**/*.test.tsx", "**/testing.ts", "**/*-testing.ts", "**/testing/**"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    // Playwright's fixtures hand their value to a callback named `use`, which is not React's hook.
    files: ["e2e/**"],
    rules: { "react-hooks/rules-of-hooks": "off" },
  },
  globalIgnores([".next/**", "e2e/bench/baseline/next-app/.next/**", ".data/**", "test-results/**", "playwright-report/**", "next-env.d.ts"]),
]);
