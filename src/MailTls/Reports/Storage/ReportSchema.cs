namespace MailTls.Reports.Storage;

/// <summary>
/// The schema as ordered migrations, one list for both SQLite and PostgreSQL: <c>{ID}</c>, <c>{BIGINT}</c> and
/// <c>{BLOB}</c> are replaced per dialect. Applied versions are recorded in <c>schema_migrations</c>; a migration
/// is never edited once released, a new one is appended.
/// <para>
/// Version 2 adds per-UTC-day aggregates of the current revisions (<c>daily_totals</c>: what the unfiltered
/// summary line counts; <c>daily_failures</c>: reports and failed sessions per result-type). They are maintained in
/// the same transaction as the detail rows (new reports add, superseded revisions subtract), so they always equal
/// the detail queries; <c>summary</c> reads them when no filter needs the detail rows (no domain, no policy-type).
/// </para>
/// <para>
/// Version 3 adds <c>audits</c> (<see cref="Audit.IAuditHistory"/>).
/// </para>
/// <para>
/// Version 4 keeps change plans (<c>mailtls plan</c>): the plan as its JSON document (docs/plan.md), per step the time it
/// was first seen done and when <c>--apply</c> performed it, and the time each TLSA record was first seen published
/// (<c>tlsa guard</c>'s 2×TTL rule).
/// </para>
/// <para>
/// Version 5 adds the state of <c>mailtls watch</c> (<see cref="Watch.IWatchStore"/>): <c>watch_alerts</c> (at most
/// one open alert per domain, kind and subject: a partial unique index), <c>watch_notices</c> (one row per alert
/// event and sink, pending until delivered) and <c>watch_policies</c> (the policy baseline per domain).
/// </para>
/// </summary>
internal static class ReportSchema
{
    public sealed record Migration(int Version, string Name, string Sql);

    public static readonly IReadOnlyList<Migration> Migrations =
    [
        new(1, "reports, policies, failures, quarantine", """
            CREATE TABLE reports (
                id {ID},
                sender TEXT NOT NULL,
                organization_name TEXT,
                contact_info TEXT,
                report_id TEXT NOT NULL,
                start_utc {BIGINT} NOT NULL,
                end_utc {BIGINT} NOT NULL,
                day {BIGINT} NOT NULL,
                content_sha256 TEXT NOT NULL,
                revision INTEGER NOT NULL,
                is_current INTEGER NOT NULL,
                successful_sessions {BIGINT} NOT NULL,
                failed_sessions {BIGINT} NOT NULL,
                deviation_codes TEXT NOT NULL,
                deviations TEXT NOT NULL,
                source_kind TEXT NOT NULL,
                source_name TEXT,
                tenant TEXT,
                message_id TEXT,
                file_name TEXT,
                received_utc {BIGINT} NOT NULL,
                raw_format TEXT NOT NULL,
                raw {BLOB} NOT NULL
            );
            CREATE UNIQUE INDEX reports_natural_key ON reports (sender, report_id, start_utc, end_utc, content_sha256);
            CREATE INDEX reports_report_id ON reports (report_id);
            CREATE INDEX reports_current_day ON reports (is_current, day, successful_sessions, failed_sessions);
            CREATE TABLE policies (
                id {ID},
                report_pk {BIGINT} NOT NULL REFERENCES reports (id),
                seq INTEGER NOT NULL,
                policy_type TEXT NOT NULL,
                policy_domain TEXT,
                policy_strings TEXT,
                mx_hosts TEXT,
                sts_mode TEXT,
                sts_max_age {BIGINT},
                sts_mx TEXT,
                tlsa_records TEXT,
                successful_sessions {BIGINT} NOT NULL,
                failed_sessions {BIGINT} NOT NULL,
                day {BIGINT} NOT NULL,
                sender TEXT NOT NULL,
                is_current INTEGER NOT NULL
            );
            CREATE INDEX policies_report ON policies (report_pk);
            CREATE INDEX policies_domain_day ON policies (policy_domain, day);
            CREATE TABLE failures (
                id {ID},
                report_pk {BIGINT} NOT NULL REFERENCES reports (id),
                policy_pk {BIGINT} NOT NULL REFERENCES policies (id),
                result_type TEXT NOT NULL,
                sending_mta_ip TEXT,
                receiving_mx_hostname TEXT,
                receiving_mx_helo TEXT,
                receiving_ip TEXT,
                failed_sessions {BIGINT} NOT NULL,
                additional_information TEXT,
                failure_reason_code TEXT,
                day {BIGINT} NOT NULL,
                sender TEXT NOT NULL,
                policy_type TEXT NOT NULL,
                policy_domain TEXT,
                is_current INTEGER NOT NULL
            );
            CREATE INDEX failures_report ON failures (report_pk);
            CREATE INDEX failures_domain_day ON failures (policy_domain, day);
            CREATE INDEX failures_current_type ON failures (is_current, result_type, day, failed_sessions);
            CREATE TABLE quarantine (
                id {ID},
                received_utc {BIGINT} NOT NULL,
                source_kind TEXT NOT NULL,
                source_name TEXT,
                tenant TEXT,
                reason TEXT NOT NULL,
                codes TEXT NOT NULL,
                raw_sha256 TEXT NOT NULL UNIQUE,
                raw {BLOB} NOT NULL
            );
            """),
        new(2, "daily pre-aggregates for unfiltered summaries", """
            CREATE TABLE daily_totals (
                day {BIGINT} PRIMARY KEY,
                reports {BIGINT} NOT NULL,
                successful_sessions {BIGINT} NOT NULL,
                failed_sessions {BIGINT} NOT NULL
            );
            CREATE TABLE daily_failures (
                day {BIGINT} NOT NULL,
                result_type TEXT NOT NULL,
                reports {BIGINT} NOT NULL,
                failed_sessions {BIGINT} NOT NULL,
                PRIMARY KEY (day, result_type)
            );
            INSERT INTO daily_totals (day, reports, successful_sessions, failed_sessions)
                SELECT day, COUNT(*), SUM(successful_sessions), SUM(failed_sessions) FROM reports WHERE is_current = 1 GROUP BY day;
            INSERT INTO daily_failures (day, result_type, reports, failed_sessions)
                SELECT day, result_type, COUNT(DISTINCT report_pk), SUM(failed_sessions) FROM failures WHERE is_current = 1 GROUP BY day, result_type
            """),
        new(3, "audits", """
            CREATE TABLE audits (
                id {ID},
                domain TEXT NOT NULL,
                audited_utc {BIGINT} NOT NULL,
                completed INTEGER NOT NULL,
                summary TEXT NOT NULL,
                errors INTEGER NOT NULL,
                warnings INTEGER NOT NULL,
                findings TEXT NOT NULL,
                check_json TEXT NOT NULL
            );
            CREATE INDEX audits_domain_time ON audits (domain, audited_utc, id)
            """),
        new(4, "change plans, their steps, TLSA first-seen times", """
            CREATE TABLE plans (
                id {ID},
                domain TEXT NOT NULL,
                change TEXT NOT NULL,
                state TEXT NOT NULL,
                created_utc {BIGINT} NOT NULL,
                updated_utc {BIGINT} NOT NULL,
                plan_json TEXT NOT NULL
            );
            CREATE INDEX plans_domain ON plans (domain, id);
            CREATE TABLE plan_steps (
                plan_id {BIGINT} NOT NULL REFERENCES plans (id),
                step INTEGER NOT NULL,
                done_utc {BIGINT},
                applied_utc {BIGINT},
                PRIMARY KEY (plan_id, step)
            );
            CREATE TABLE tlsa_seen (
                owner TEXT NOT NULL,
                record TEXT NOT NULL,
                first_seen_utc {BIGINT} NOT NULL,
                last_seen_utc {BIGINT} NOT NULL,
                PRIMARY KEY (owner, record)
            )
            """),
        new(5, "watch alerts, notices and policy baselines", """
            CREATE TABLE watch_alerts (
                id {ID},
                domain TEXT NOT NULL,
                kind TEXT NOT NULL,
                subject TEXT NOT NULL,
                severity TEXT NOT NULL,
                codes TEXT NOT NULL,
                message TEXT NOT NULL,
                opened_utc {BIGINT} NOT NULL,
                last_seen_utc {BIGINT} NOT NULL,
                resolved_utc {BIGINT},
                opened_audit {BIGINT},
                resolved_audit {BIGINT}
            );
            CREATE UNIQUE INDEX watch_alerts_open ON watch_alerts (domain, kind, subject) WHERE resolved_utc IS NULL;
            CREATE INDEX watch_alerts_domain_time ON watch_alerts (domain, opened_utc);
            CREATE TABLE watch_notices (
                id {ID},
                alert_id {BIGINT} NOT NULL REFERENCES watch_alerts (id),
                event TEXT NOT NULL,
                sink TEXT NOT NULL,
                state TEXT NOT NULL,
                created_utc {BIGINT} NOT NULL,
                attempts INTEGER NOT NULL,
                last_attempt_utc {BIGINT},
                last_error TEXT,
                sent_utc {BIGINT}
            );
            CREATE INDEX watch_notices_alert ON watch_notices (alert_id);
            CREATE INDEX watch_notices_state ON watch_notices (state, sink);
            CREATE TABLE watch_policies (
                domain TEXT PRIMARY KEY,
                policy_id TEXT NOT NULL,
                policy_sha256 TEXT NOT NULL,
                policy_text TEXT NOT NULL,
                seen_utc {BIGINT} NOT NULL
            )
            """),
    ];
}
