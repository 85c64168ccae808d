/** A GitHub-flavoured Markdown table; numeric-looking columns are right-aligned. */
export function markdownTable(headers, rows) {
  const cells = (row) => `| ${row.map((cell) => String(cell ?? '-').replace(/\|/g, '\\|')).join(' | ')} |`;
  const numeric = headers.map((_, column) => rows.length > 0 && rows.every((row) => /^[-+]?[\d.,]+/.test(String(row[column] ?? '-')) || row[column] === '-'));
  const rule = `|${headers.map((_, column) => (numeric[column] ? '---:' : '---')).join('|')}|`;
  return [cells(headers), rule, ...rows.map(cells)].join('\n');
}
