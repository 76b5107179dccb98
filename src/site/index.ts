// The auditor's site: model (documents, reports verified, audit trail, trust root, trace rows), static
// pages, the HTTP server of `qualify serve` and the inspection package.
export { loadSiteModel, prepareSiteModel, listReportFolders, reviewDue, type LoadSiteOptions } from './load.js';
export { writeSite, verificationResults, SITE_MARKER, type WriteSiteOptions, type DocumentPdfSource, type SiteStats } from './build.js';
export { createSiteServer, siteReply, type SiteServerOptions } from './server.js';
export { writeInspectionPackage, type InspectionResult } from './inspection.js';
export { buildTrace } from './trace.js';
export type { SiteModel, DocumentEntry, ReportEntry, HistoryEntry, AuditView, TraceMatrix, TraceLink, SiteBuildInfo } from './model.js';
