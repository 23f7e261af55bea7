// Tailwind v4 runs as a PostCSS plugin; it reads tailwind.config.ts through `@config` in app/globals.css.
export default { plugins: { "@tailwindcss/postcss": {} } };
