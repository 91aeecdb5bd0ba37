/**
 * The read-only group role the reports read through (created by migration ReportingRole1765152000000).
 * Roles are cluster-wide: every metrics database on a server shares it, each granting it its own reads.
 */
export const REPORTING_ROLE = 'aset_reporting';
