// Renders benchmark rows as a markdown table: figure, baseline, bridge, the comparison, the target, the verdict.
import { compared, type Row, verdict } from "./result.js";

function formatNumber(value: number, unit: string): string {
  if (Number.isNaN(value)) return "n/a";
  if (unit === "msg/s") return `${Math.round(value).toLocaleString("en-US")} msg/s`;
  if (unit === "MB/s") return `${value.toFixed(1)} MB/s`;
  if (unit === "MB") return `${value.toFixed(1)} MB`;
  if (unit === "ms") return `${Math.abs(value) < 10 ? value.toFixed(2) : value.toFixed(1)} ms`;
  return `${value.toFixed(2)} ${unit}`;
}

function formatComparison(row: Row): string {
  const value = compared(row);
  if (value === null || Number.isNaN(value)) return "";
  switch (row.comparison) {
    case "ratio":
      return `${value.toFixed(2)}×`;
    case "added":
      return `${value >= 0 ? "+" : "−"}${formatNumber(Math.abs(value), row.unit)}`;
    case "absolute":
      return formatNumber(value, row.unit);
  }
}

const escape = (text: string): string => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

export function markdownTable(rows: readonly Row[]): string {
  const lines = [
    "| figure | baseline | acp-sandbox | vs baseline | target | verdict |",
    "|---|---|---|---|---|---|",
  ];
  for (const row of rows) {
    const baseline = row.baseline === null ? "" : `${formatNumber(row.baseline, row.unit)} (${row.baselineLabel})`;
    const bridge = row.na !== undefined ? `n/a (${row.na})` : row.bridge === null ? "" : formatNumber(row.bridge, row.unit);
    const v = verdict(row);
    const cells = [
      row.figure,
      baseline,
      bridge,
      formatComparison(row),
      row.target?.text ?? "",
      v === "misses" ? "**misses**" : v === "no target" ? "" : v,
    ];
    lines.push(`| ${cells.map(escape).join(" | ")} |`);
  }
  const notes = rows.filter((row) => row.note).map((row) => `- ${row.figure}: ${row.note}`);
  return [...lines, ...(notes.length ? ["", ...notes] : [])].join("\n");
}
