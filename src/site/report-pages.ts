// A report's part of the site: its page (evidence inline) and the files the site keeps a copy of (active
// content renamed to .txt). Written by the main thread, or by the verification worker that verified the
// report (src/site/verify-reports.ts), from the same plain data.
import type { ReportEntry, ReportPageModel } from './model.js';
import { reportPage } from './pages/report.js';
import { readReportFiles } from './report-files.js';
import type { SiteWriter } from './site-writer.js';

export function writeReportPage(model: ReportPageModel, r: ReportEntry, w: SiteWriter): void {
  const files = readReportFiles(r);
  for (const f of files.values()) if (f.site && f.bytes) w.write(f.site, f.bytes);
  w.write(`${r.base}index.html`, reportPage(model, r, files));
}
