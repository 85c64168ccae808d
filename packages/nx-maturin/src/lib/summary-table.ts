import { appendFileSync } from 'node:fs';

/** A table printed for a person and, when running in GitHub Actions, appended to the job summary. */
export interface SummaryTable {
  title: string;
  headers: string[];
  rows: string[][];
}

export function formatTextTable(table: SummaryTable): string {
  const widths = table.headers.map((header, column) => Math.max(header.length, ...table.rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd();
  return [table.title, line(table.headers), line(widths.map((width) => '-'.repeat(width))), ...table.rows.map(line)].join('\n');
}

export function formatMarkdownTable(table: SummaryTable): string {
  const escape = (cell: string) => cell.replace(/\|/g, '\\|');
  return [
    `### ${table.title}`,
    '',
    `| ${table.headers.map(escape).join(' | ')} |`,
    `| ${table.headers.map(() => '---').join(' | ')} |`,
    ...table.rows.map((row) => `| ${row.map(escape).join(' | ')} |`),
    '',
  ].join('\n');
}

/** Prints the table, and appends it as Markdown to $GITHUB_STEP_SUMMARY when that is set. */
export function reportTable(table: SummaryTable, env: NodeJS.ProcessEnv = process.env): void {
  console.log(`\n${formatTextTable(table)}\n`);
  const stepSummary = env['GITHUB_STEP_SUMMARY'];
  if (stepSummary) appendFileSync(stepSummary, `${formatMarkdownTable(table)}\n`);
}
