// Validate Mermaid diagrams with Mermaid's own parser under Node + jsdom (no browser needed).
// Run with this script on stdin and cwd = a folder where `npm install mermaid jsdom` was run:
//   MERMAID_FILES=a.mmd:b.mmd node --input-type=module < mermaid_check.mjs
// Prints one JSON line per file: {"ok": true, "type": "gantt", "tasks": [...]} or
// {"ok": false, "error": "..."}.
import { JSDOM } from "jsdom";
import { readFileSync } from "node:fs";

const dom = new JSDOM("<!doctype html><html><body></body></html>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import("mermaid");
mermaid.initialize({ startOnLoad: false });

async function check(text) {
  try {
    const parsed = await mermaid.parse(text);
    const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
    const tasks = [];
    if (typeof diagram.db.getTasks === "function") {
      for (const t of diagram.db.getTasks()) {
        if (!(t.startTime instanceof Date) || isNaN(t.startTime) || isNaN(t.endTime)) {
          throw new Error(`task ${JSON.stringify(t.task)} has an invalid time`);
        }
        tasks.push({ name: t.task.trim(), section: t.section, milestone: !!t.milestone });
      }
    }
    return { ok: true, type: parsed.diagramType, tasks };
  } catch (err) {
    return { ok: false, error: String(err.message || err) };
  }
}

for (const file of process.env.MERMAID_FILES.split(":")) {
  console.log(JSON.stringify(await check(readFileSync(file, "utf8"))));
}
