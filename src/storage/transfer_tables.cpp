// The one list of what an installation consists of (see transfer.hpp). When a migration adds
// a table or a column, add it here too: transfer_test.cpp compares this list with both
// engines' migrated schemas.
#include <string_view>

#include "storage/transfer.hpp"

namespace relais::storage {
namespace {

constexpr ColumnType I = ColumnType::kInteger;
constexpr ColumnType T = ColumnType::kText;
constexpr ColumnType B = ColumnType::kBoolean;
constexpr ColumnType J = ColumnType::kJson;
constexpr ColumnType X = ColumnType::kBytes;

TransferTable table(std::string name, std::vector<TransferColumn> columns, bool identity = true) {
  return TransferTable{std::move(name), std::move(columns), identity, std::nullopt, {}};
}

std::vector<TransferTable> build_tables() {
  std::vector<TransferTable> tables;
  tables.push_back(table(
      "teams", {{"id", I}, {"name", T}, {"version", I}, {"created_at", T}, {"updated_at", T}}));
  tables.push_back(table("users", {{"id", I},
                                   {"email", T},
                                   {"name", T},
                                   {"role", T},
                                   {"team_id", I},
                                   {"locale", T},
                                   {"time_zone", T},
                                   {"active", B},
                                   {"version", I},
                                   {"created_at", T},
                                   {"updated_at", T},
                                   {"password_hash", T}}));
  tables.push_back(table("companies", {{"id", I},
                                       {"name", T},
                                       {"domain", T},
                                       {"industry", T},
                                       {"size", T},
                                       {"phone", T},
                                       {"address", T},
                                       {"city", T},
                                       {"postcode", T},
                                       {"country", T},
                                       {"tags", J},
                                       {"owner_id", I},
                                       {"team_id", I},
                                       {"custom", J},
                                       {"version", I},
                                       {"created_at", T},
                                       {"updated_at", T}}));
  tables.push_back(table("contacts", {{"id", I},
                                      {"first_name", T},
                                      {"last_name", T},
                                      {"emails", J},
                                      {"phones", J},
                                      {"title", T},
                                      {"company_id", I},
                                      {"address", T},
                                      {"city", T},
                                      {"postcode", T},
                                      {"country", T},
                                      {"tags", J},
                                      {"lifecycle_stage", T},
                                      {"source", T},
                                      {"owner_id", I},
                                      {"team_id", I},
                                      {"score", I},
                                      {"custom", J},
                                      {"version", I},
                                      {"created_at", T},
                                      {"updated_at", T}}));
  tables.push_back(table("contact_emails", {{"email", T}, {"contact_id", I}}, false));
  tables.push_back(table("pipelines", {{"id", I},
                                       {"name", T},
                                       {"stages", J},
                                       {"is_default", B},
                                       {"version", I},
                                       {"created_at", T},
                                       {"updated_at", T}}));
  tables.push_back(table(
      "deals",
      {{"id", I},          {"title", T},       {"amount", I},           {"currency", T},
       {"pipeline_id", I}, {"stage_id", T},    {"probability", I},      {"expected_close_date", T},
       {"owner_id", I},    {"team_id", I},     {"contact_ids", J},      {"company_id", I},
       {"status", T},      {"lost_reason", T}, {"stage_changed_at", T}, {"closed_at", T},
       {"custom", J},      {"version", I},     {"created_at", T},       {"updated_at", T}}));
  tables.push_back(table("activities", {{"id", I},
                                        {"type", T},
                                        {"subject", T},
                                        {"body", T},
                                        {"occurred_at", T},
                                        {"duration_minutes", I},
                                        {"outcome", T},
                                        {"contact_id", I},
                                        {"company_id", I},
                                        {"deal_id", I},
                                        {"owner_id", I},
                                        {"team_id", I},
                                        {"version", I},
                                        {"created_at", T},
                                        {"updated_at", T}}));
  tables.push_back(table("tasks", {{"id", I},
                                   {"title", T},
                                   {"description", T},
                                   {"due_date", T},
                                   {"assignee_id", I},
                                   {"priority", T},
                                   {"status", T},
                                   {"completed_at", T},
                                   {"contact_id", I},
                                   {"company_id", I},
                                   {"deal_id", I},
                                   {"owner_id", I},
                                   {"team_id", I},
                                   {"version", I},
                                   {"created_at", T},
                                   {"updated_at", T}}));
  tables.push_back(table("notes", {{"id", I},
                                   {"body", T},
                                   {"contact_id", I},
                                   {"company_id", I},
                                   {"deal_id", I},
                                   {"pinned", B},
                                   {"owner_id", I},
                                   {"team_id", I},
                                   {"version", I},
                                   {"created_at", T},
                                   {"updated_at", T}}));
  tables.push_back(table("custom_fields", {{"id", I},
                                           {"entity", T},
                                           {"key", T},
                                           {"label", T},
                                           {"type", T},
                                           {"options", J},
                                           {"required", B},
                                           {"version", I},
                                           {"created_at", T},
                                           {"updated_at", T}}));
  tables.push_back(table("audit_log", {{"id", I},
                                       {"at", T},
                                       {"actor_user_id", I},
                                       {"entity", T},
                                       {"record_id", I},
                                       {"action", T},
                                       {"before_json", J},
                                       {"after_json", J}}));
  TransferTable outbox_events = table("outbox_events", {{"id", I},
                                                        {"at", T},
                                                        {"type", T},
                                                        {"entity", T},
                                                        {"record_id", I},
                                                        {"actor_user_id", I},
                                                        {"payload_json", J},
                                                        {"processed_at", T}});
  // The transaction that wrote the event (PostgreSQL's consumption order, 0004_jobs.sql).
  outbox_events.engine_only.push_back(
      {"tx", Engine::kPostgres, "xid8", EngineFill::kCopyTransactionId});
  tables.push_back(std::move(outbox_events));
  tables.push_back(table("deal_stage_changes", {{"id", I},
                                                {"deal_id", I},
                                                {"from_stage", T},
                                                {"to_stage", T},
                                                {"at", T},
                                                {"actor_user_id", I}}));
  TransferTable sessions = table("sessions",
                                 {{"token_hash", T},
                                  {"user_id", I},
                                  {"kind", T},
                                  {"csrf_token", T},
                                  {"name", T},
                                  {"created_at", T},
                                  {"expires_at", I},
                                  {"last_seen_at", I},
                                  {"scopes", T},
                                  {"parent_token_hash", T}},
                                 false);
  sessions.self_reference = "parent_token_hash";
  tables.push_back(std::move(sessions));
  tables.push_back(table("api_tokens", {{"id", I}, {"token_hash", T}}));
  TransferTable jobs = table("jobs", {{"id", I},
                                      {"kind", T},
                                      {"payload_json", J},
                                      {"status", T},
                                      {"attempts", I},
                                      {"max_attempts", I},
                                      {"run_at", I},
                                      {"lease_owner", T},
                                      {"lease_until", I},
                                      {"progress_done", I},
                                      {"progress_total", I},
                                      {"state_json", J},
                                      {"result_json", J},
                                      {"last_error", T},
                                      {"idempotency_key", T},
                                      {"created_at", I},
                                      {"updated_at", I},
                                      {"finished_at", I},
                                      {"change_seq", I}});
  // The transaction of the job's last change (PostgreSQL's change order, 0008_job_changes.sql).
  jobs.engine_only.push_back(
      {"change_tx", Engine::kPostgres, "xid8", EngineFill::kCopyTransactionId});
  tables.push_back(std::move(jobs));
  TransferTable consumers = table(
      "outbox_consumers",
      {{"name", T}, {"last_event_id", I, ColumnRole::kOutboxCursorId}, {"updated_at", I}}, false);
  consumers.engine_only.push_back(
      {"last_event_tx", Engine::kPostgres, "xid8", EngineFill::kCopyTransactionId});
  tables.push_back(std::move(consumers));
  tables.push_back(
      table("login_throttle", {{"key", T}, {"failures", I}, {"last_failure_at", I}}, false));
  // The event log (0007_event_log.sql): names before the events that point at them.
  tables.push_back(table("event_names", {{"id", I}, {"name", T}}));
  tables.push_back(table("events", {{"id", I},
                                    {"contact_id", I},
                                    {"visitor_id", T},
                                    {"name_id", I},
                                    {"occurred_at", I},
                                    {"properties", J}}));
  // The blob store (0009_blobs.sql): every row, staging and deleting ones included, so the
  // copy is the database as it is; the target's sweep finishes what the source had begun.
  tables.push_back(table("blobs", {{"id", I},
                                   {"digest", T},
                                   {"state", T},
                                   {"size", I},
                                   {"chunk_size", I},
                                   {"refs", I},
                                   {"created_at", I},
                                   {"touched_at", I}}));
  TransferTable chunks =
      table("blob_chunks", {{"id", I}, {"blob_id", I}, {"seq", I}, {"bytes", X}});
  chunks.max_batch_rows = 16;  // 4 MiB of 256 KiB chunks
  tables.push_back(std::move(chunks));
  return tables;
}

}  // namespace

const std::vector<TransferTable>& transfer_tables() {
  static const std::vector<TransferTable> tables = build_tables();
  return tables;
}

std::string canonical_json(std::string_view text) { return Json::parse(text).dump(); }

}  // namespace relais::storage
