// Makes ../css/bootstrap-italia.purged.css: ../css/bootstrap-italia.min.css with only the rules
// that SPRInt's operator pages can use, as PurgeCSS decides from the words in
//   crates/web/templates/**/*.html   (askama templates)
//   crates/web/assets/js/*.js        (our scripts; field.js builds buttons with btn, btn-sm, ms-2…)
//   crates/web/src/**/*.rs           (Rust renders some HTML itself, e.g. the SVG charts in svg.rs)
// plus the safelist below. Unused @font-face rules, @keyframes and custom properties go too.
//
// Run it again after a template, script or Rust snippet starts using a Bootstrap Italia class
// that the purged sheet lacks (the test `cargo test -p web --test css_classes` says so), or after
// replacing the vendored min.css:
//
//   cd crates/web/assets/vendor/bootstrap-italia/purge && npm ci && node purge.mjs
//
// The output depends only on those inputs and on the PurgeCSS version pinned in package-lock.json,
// so running it twice gives the same file. Commit the new ../css/bootstrap-italia.purged.css and,
// when PurgeCSS changes, the version named in ../VERSION.

import { readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import postcss from "postcss";
import { PurgeCSS } from "purgecss";

const here = dirname(fileURLToPath(import.meta.url));
const web = join(here, "../../../.."); // crates/web
const input = join(here, "../css/bootstrap-italia.min.css");
const output = join(here, "../css/bootstrap-italia.purged.css");

// Class attributes that askama builds from a value: PurgeCSS sees only the fixed prefix
// ("deadline-"), never the whole class. Bootstrap Italia has no class with any of these prefixes
// (the ones styled are app.css's), so today they keep nothing; they are listed so that no
// Bootstrap Italia rule of that shape could ever be dropped by mistake.
//   deadline-{{ d.state.as_str() }} (case, cases, citizenship, minor, minors, home, inbox,
//     network_meeting): ok, due_soon, overdue, done
//   severity-{{ a.severity }} (action, actions, centre, inspection, inspection_report):
//     minor, major, critical
//   access-{{ r.state() }} (access_requests, person_access): requested, granted, refused,
//     revoked, expired
//   match-{{ v.c.decision }} (minor_new, person, person_matches): same, possible
//   item-{{ i.kind }} (case), inbox-{{ l.item.kind }} (inbox), choice-{{ v }} (inspection),
//   hub-{{ r.worst.as_str() }} (minors), status-{{ s.as_str() }} (content, content_edit)
const builtFromValues = [
  /^deadline-/, /^severity-/, /^access-/, /^match-/, /^item-/, /^inbox-/, /^choice-/, /^hub-/,
  /^status-/,
];

// Bootstrap Italia classes that a template writes only inside {% if %} (so only on some renders).
// The extractor already finds them in the template's text; listed so the reason is written down.
const conditional = [
  "is-invalid", // form-control / form-select{% if errors.has(…) %} is-invalid{% endif %}
  "active", // reports.html: nav-link{% if board == b %} active{% endif %}; base.html nav
  "alert-success", "alert-warning", // presences_import.html: alert-success or alert-warning
];

// Classes that htmx adds and removes while a request runs and content is swapped. Bootstrap
// Italia has no rule for them today (app.css styles .htmx-indicator); kept if it ever does.
const htmx = ["htmx-request", "htmx-indicator", "htmx-settling", "htmx-swapping", "htmx-added"];

// Bootstrap Italia's focus ring for every element, `:focus:not([data-focus-mouse=true])`, has no
// class, tag or attribute that PurgeCSS could find in the content (data-focus-mouse is set only by
// Bootstrap Italia's JavaScript), and PurgeCSS drops a selector made of pseudo-classes alone. Keeping
// ":focus" keeps exactly that selector: any other selector with :focus still needs its classes and
// tags to be in use. Without it no link or button would show where the keyboard focus is.
const focus = [":focus"];

// Bootstrap Italia's own JavaScript is not loaded (base.html loads htmx, connection.js and
// field.js only), so classes that only it adds (show, collapsing, fade, focus--mouse, …) are not
// safelisted: they are kept only where our templates or scripts write them themselves.

// Custom properties that our own sheet reads from Bootstrap Italia's :root (none today): PurgeCSS
// sees only this sheet's rules, so without this they would be dropped as unused.
const appCss = await readFile(join(web, "assets/css/app.css"), "utf8");
const appVariables = [...new Set([...appCss.matchAll(/var\(\s*(--[\w-]+)/g)].map((m) => m[1]))].sort();

const [result] = await new PurgeCSS().purge({
  css: [input],
  content: [
    join(web, "templates/**/*.html"),
    join(web, "assets/js/*.js"),
    join(web, "src/**/*.rs"),
  ],
  safelist: {
    standard: [...focus, ...conditional, ...htmx, ...builtFromValues],
    variables: appVariables,
  },
  fontFace: true,
  keyframes: true,
  variables: true,
});

// What PurgeCSS leaves behind that means nothing: blocks it emptied (the :root that held only
// --bootstrap-italia-version, an @supports whose rules all went), the byte-order mark and the
// source-map comment of the min.css (we ship no map). Formatting is otherwise PurgeCSS's own.
const root = postcss.parse(result.css.replace(/^\uFEFF/, ""));
let emptied;
do {
  emptied = 0;
  root.walk((node) => {
    if ((node.type === "rule" || node.type === "atrule") && node.nodes && node.nodes.length === 0) {
      node.remove();
      emptied += 1;
    }
  });
} while (emptied > 0);
root.walkComments((comment) => {
  if (comment.text.startsWith("# sourceMappingURL=")) comment.remove();
});
const css = root.toString().trimEnd() + "\n";
await writeFile(output, css);

const require = createRequire(import.meta.url);
const version = require("purgecss/package.json").version;
const before = (await readFile(input)).length;
const after = Buffer.byteLength(css);
console.log(`${relative(process.cwd(), output)}: ${after} bytes (from ${before}), purgecss ${version}`);
